#include "sovcap/check.hpp"
#include "sovcap/text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <iomanip>
#include <limits>
#include <optional>
#include <cstdio>
#include <sstream>

#include <Eigen/Core>

#include "sovcap/h5.hpp"
#include "sovcap/output.hpp"
#include "sovcap/outputs.hpp"
#include "sovcap/reader.hpp"
#include "sovcap/results.hpp"

namespace sovcap {
namespace {

constexpr double kRel = 1e-9;  // relative tolerance of the inequalities and sums

class Collector {
 public:
  Collector(CheckReport& r, std::size_t cap) : r_(r), cap_(cap) {}
  void add(long long run, std::string country, double time, std::string what) {
    ++r_.problem_count;
    if (r_.problems.size() < cap_) r_.problems.push_back({run, std::move(country), time, std::move(what)});
  }

 private:
  CheckReport& r_;
  std::size_t cap_;
};

std::string num(double v) {
  std::ostringstream s;
  s << std::setprecision(17) << v;
  return s.str();
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

bool opens_as_sovcap(const std::string& path) {
  try {
    ResultsReader r(path);
    (void)r.run_complete();
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// Every stored series value must be finite, but a flow's at the initial state (NaN: no
// step ended there). Nothing in the model makes inf or NaN from valid input; a value that
// is one is a result gone wrong (the loader bounds the trends that once overflowed).
void check_finite(const ResultsReader& in, const std::string& path,
                  const std::vector<std::int8_t>& complete, Collector& bad, CheckReport& rep) {
  const auto& iso3 = in.iso3();
  const auto& time = in.time();
  const auto nc = static_cast<Eigen::Index>(iso3.size());
  const auto nt = static_cast<Eigen::Index>(time.size());
  const int runs = in.runs();
  const long long first = in.first_run();
  const int block = static_cast<int>(
      std::clamp<long long>(4'000'000 / std::max<long long>(1, static_cast<long long>(nc) * nt), 1, 4096));
  auto is_flow = [](std::string_view units) { return units == "accel/yr"; };
  auto problem = [&](double v, std::string_view name) {
    return std::string(name) + " = " + num(v) + " is not finite";
  };
  std::string names;
  std::vector<Eigen::ArrayXXd> series;
  for (int s = 0; s < kNumCountrySeries; ++s) {
    const SeriesInfo& si = info(static_cast<CountrySeries>(s));
    const std::string name(si.name);
    if (static_cast<CountrySeries>(s) == CountrySeries::bottleneck || !in.has_variable(name)) continue;
    names += (names.empty() ? "" : ", ") + name;
    const Eigen::Index from = is_flow(si.units) ? 1 : 0;
    for (int b0 = 0; b0 < runs; b0 += block) {
      const int count = std::min(block, runs - b0);
      in.read_country_series(name, b0, count, series);
      for (int k = 0; k < count; ++k) {
        if (complete[static_cast<std::size_t>(b0 + k)] != 1) continue;
        for (Eigen::Index c = 0; c < nc; ++c)
          for (Eigen::Index n = from; n < nt; ++n)
            if (const double v = series[static_cast<std::size_t>(k)](c, n); !std::isfinite(v))
              bad.add(first + b0 + k, iso3[static_cast<std::size_t>(c)], time[static_cast<std::size_t>(n)],
                      problem(v, name));
      }
    }
  }
  const h5::Handle file = h5::open_file(path);
  std::vector<double> values;
  for (int s = 0; s < kNumRunSeries; ++s) {
    const SeriesInfo& si = info(static_cast<RunSeries>(s));
    const std::string name(si.name);
    if (!in.has_variable(name)) continue;
    names += (names.empty() ? "" : ", ") + name;
    const auto ds = h5::open_dataset(file.get(), name);
    for (int b0 = 0; b0 < runs; b0 += block) {
      const int count = std::min(block, runs - b0);
      values.assign(static_cast<std::size_t>(count * nt), 0.0);
      h5::read_slab(ds.get(), h5::native_type<double>(), {static_cast<hsize_t>(b0), 0},
                    {static_cast<hsize_t>(count), static_cast<hsize_t>(nt)}, values.data());
      for (int k = 0; k < count; ++k) {
        if (complete[static_cast<std::size_t>(b0 + k)] != 1) continue;
        for (Eigen::Index n = is_flow(si.units) ? 1 : 0; n < nt; ++n)
          if (const double v = values[static_cast<std::size_t>(k * nt + n)]; !std::isfinite(v))
            bad.add(first + b0 + k, "", time[static_cast<std::size_t>(n)], problem(v, name));
      }
    }
  }
  if (!names.empty())
    rep.checks_run.push_back("every stored series finite (flows from the first step on): " + names);
}

}  // namespace

CheckReport check_results(const std::string& path, const CheckOptions& options) {
  CheckReport rep;
  rep.path = path;
  const ResultsReader in(path);  // throws RequestError unless a sovcap results file
  Collector bad(rep, options.max_problems);
  const double nan = std::numeric_limits<double>::quiet_NaN();

  rep.file_type = in.attribute("file_type");
  try {
    rep.format_version = in.attribute("format_version");
  } catch (const std::exception&) {
    rep.format_version = "";
  }
  rep.checks_run.push_back("file_type is \"sovcap-results\"");
  if (rep.format_version != kFormatVersion && rep.format_version != kPreviousFormatVersion) {
    bad.add(-1, "", nan,
            "format_version \"" + rep.format_version + "\" is not one this sovcap knows (" +
                kFormatVersion + " or " + kPreviousFormatVersion + "); the invariants were not checked");
    rep.checks_skipped.push_back("invariants: unknown format_version");
    return rep;
  }
  rep.checks_run.push_back("format_version is " + rep.format_version);
  rep.store = in.store();
  rep.runs = in.runs();
  const long long first = in.first_run();

  // Completion.
  const auto complete = in.run_complete();
  std::vector<long long> missing;
  for (std::size_t k = 0; k < complete.size(); ++k)
    if (complete[k] == 1) ++rep.complete; else missing.push_back(first + static_cast<long long>(k));
  rep.checks_run.push_back("completion (run_complete)");
  if (!missing.empty()) {
    std::string runs_text;
    for (std::size_t k = 0; k < missing.size() && k < 10; ++k)
      runs_text += (k ? ", " : "") + std::to_string(missing[k]);
    if (missing.size() > 10) runs_text += ", ...";
    bad.add(-1, "", nan,
            std::to_string(missing.size()) + " of " + std::to_string(rep.runs) +
                " runs are missing (run_complete 0: runs " + runs_text +
                "); a partial file, or a master with a shard that cannot be read");
  }

  // Merged master: every shard present and readable (relative to the master's folder).
  std::string shards_text;
  try {
    shards_text = in.attribute("shards");
  } catch (const std::exception&) {
  }
  if (!shards_text.empty()) {
    rep.shards = split_lines(shards_text);
    const auto dir = std::filesystem::path(path).parent_path();
    for (const auto& s : rep.shards) {
      const auto p = std::filesystem::path(s).is_absolute() ? std::filesystem::path(s) : dir / s;
      if (!opens_as_sovcap(p.string())) {
        rep.missing_shards.push_back(s);
        bad.add(-1, "", nan,
                "shard " + s + " (" + p.string() + ") is missing or unreadable: its runs read as fill values");
      }
    }
    rep.checks_run.push_back("every shard of the master present and readable (" +
                             std::to_string(rep.shards.size()) + " shards)");
  }

  check_finite(in, path, complete, bad, rep);

  // Invariants, a block of complete runs at a time.
  const auto& iso3 = in.iso3();
  const auto& time = in.time();
  const auto nc = static_cast<Eigen::Index>(iso3.size());
  const auto nt = static_cast<Eigen::Index>(time.size());
  auto has = [&](const char* name) { return in.has_variable(name); };
  const std::vector<std::string> stocks_all = {"it_mw", "pipeline_mw", "ready_mw", "grid_mw", "cash_usd", "workforce"};
  std::vector<std::string> stocks;
  for (const auto& s : stocks_all)
    if (has(s.c_str())) stocks.push_back(s);
  const bool pue_check = has("it_mw") && has("grid_mw") && has("country.pue");
  const bool chip_check = has("chip_received") && has("chip_demand");
  const bool market_check = has("chip_received") && has("vendor_supply");
  const bool money_check = has("funds_usd") && has("cash_usd") && has("capex_usd") && has("opex_usd");
  const bool code_check = has("bottleneck");
  const bool gw_check = has("it_mw") && has("year_gw_reached");
  const bool gw_final_check = !has("it_mw") && has("it_mw_final") && has("year_gw_reached");
  const bool share_check = has("bottleneck_share");

  auto note = [&](bool run, const std::string& what, const std::string& why) {
    if (run) rep.checks_run.push_back(what);
    else rep.checks_skipped.push_back(what + ": " + why);
  };
  {
    std::string names;
    for (const auto& s : stocks) names += (names.empty() ? "" : ", ") + s;
    if (!stocks.empty()) rep.checks_run.push_back("no negative or NaN stocks (" + names + ")");
    std::string absent;
    for (const auto& s : stocks_all)
      if (std::find(stocks.begin(), stocks.end(), s) == stocks.end()) absent += (absent.empty() ? "" : ", ") + s;
    if (!absent.empty()) rep.checks_skipped.push_back("no negative stocks of " + absent + ": not stored");
  }
  note(pue_check, "it_mw <= grid_mw / pue", "it_mw, grid_mw or country.pue not stored");
  note(chip_check, "chip_received <= chip_demand", "chip_received or chip_demand not stored");
  note(market_check, "sum over countries of chip_received <= vendor_supply",
       "chip_received or vendor_supply not stored (needs --store full)");
  note(money_check, "funds_usd = cash_usd + capex_usd + opex_usd",
       "funds_usd, cash_usd, capex_usd or opex_usd not stored");
  note(code_check, "bottleneck codes in 0..5", "bottleneck not stored");
  if (gw_final_check)
    rep.checks_run.push_back("year_gw_reached set where it_mw_final >= 1000 MW (the horizon only)");
  else
    note(gw_check, "year_gw_reached = first time it_mw >= 1000 MW", "it_mw or year_gw_reached not stored");
  note(share_check, "bottleneck_share in [0, 1], summing to 1", "bottleneck_share not stored");
  if (has("it_mw_final")) rep.checks_run.push_back("no negative it_mw_final");

  std::optional<h5::Handle> raw;
  if (market_check) raw.emplace(h5::open_file(path));
  const long long per_run = std::max<long long>(1, static_cast<long long>(nc) * nt);
  const int block = static_cast<int>(std::clamp<long long>(4'000'000 / per_run, 1, 4096));
  std::vector<Eigen::ArrayXXd> s_it, s_grid, s_recv, s_dem, s_funds, s_cash, s_capex, s_opex, s_code, tmp;
  std::vector<std::vector<Eigen::ArrayXXd>> s_stock(stocks.size());
  Eigen::ArrayXXd pue, gw, it_final;
  std::vector<Eigen::ArrayXXd> share;
  std::vector<double> supply;
  for (int b0 = 0; b0 < rep.runs; b0 += block) {
    const int count = static_cast<int>(std::min<long long>(block, rep.runs - b0));
    bool any = false;
    for (int k = 0; k < count; ++k) any = any || complete[static_cast<std::size_t>(b0 + k)] == 1;
    if (!any) continue;
    for (std::size_t s = 0; s < stocks.size(); ++s) in.read_country_series(stocks[s], b0, count, s_stock[s]);
    if (pue_check) {
      in.read_country_series("it_mw", b0, count, s_it);
      in.read_country_series("grid_mw", b0, count, s_grid);
      in.read_per_country("country.pue", b0, count, pue);
    }
    if (chip_check || market_check) in.read_country_series("chip_received", b0, count, s_recv);
    if (chip_check) in.read_country_series("chip_demand", b0, count, s_dem);
    if (money_check) {
      in.read_country_series("funds_usd", b0, count, s_funds);
      in.read_country_series("cash_usd", b0, count, s_cash);
      in.read_country_series("capex_usd", b0, count, s_capex);
      in.read_country_series("opex_usd", b0, count, s_opex);
    }
    if (code_check) in.read_country_series("bottleneck", b0, count, s_code);
    if (gw_check || gw_final_check) in.read_per_country("year_gw_reached", b0, count, gw);
    if (gw_check && !pue_check) in.read_country_series("it_mw", b0, count, s_it);
    if (has("it_mw_final")) in.read_per_country("it_mw_final", b0, count, it_final);
    if (share_check) in.read_bottleneck_share(b0, count, share);
    if (market_check) {
      supply.assign(static_cast<std::size_t>(count * nt), nan);
      const auto ds = h5::open_dataset(raw->get(), "vendor_supply");
      h5::read_slab(ds.get(), h5::native_type<double>(), {static_cast<hsize_t>(b0), 0},
                    {static_cast<hsize_t>(count), static_cast<hsize_t>(nt)}, supply.data());
    }
    for (int k = 0; k < count; ++k) {
      const auto ku = static_cast<std::size_t>(k);
      if (complete[static_cast<std::size_t>(b0 + k)] != 1) continue;
      const long long run = first + b0 + k;
      for (Eigen::Index c = 0; c < nc; ++c) {
        const std::string& cc = iso3[static_cast<std::size_t>(c)];
        for (Eigen::Index n = 0; n < nt; ++n) {
          const double t = time[static_cast<std::size_t>(n)];
          for (std::size_t s = 0; s < stocks.size(); ++s) {
            const double v = s_stock[s][ku](c, n);
            if (std::isnan(v)) bad.add(run, cc, t, stocks[s] + " is NaN");
            else if (v < 0) bad.add(run, cc, t, stocks[s] + " = " + num(v) + " is negative");
          }
          if (pue_check) {
            const double it = s_it[ku](c, n), cap = s_grid[ku](c, n) / pue(c, k);
            if (it > cap * (1 + kRel) + kRel)
              bad.add(run, cc, t, "it_mw = " + num(it) + " exceeds grid_mw / pue = " + num(cap));
          }
          if (chip_check) {
            const double got = s_recv[ku](c, n), want = s_dem[ku](c, n);
            if (got > want * (1 + kRel) + kRel)
              bad.add(run, cc, t, "chip_received = " + num(got) + " exceeds chip_demand = " + num(want));
          }
          if (money_check) {
            const double funds = s_funds[ku](c, n);
            const double sum = s_cash[ku](c, n) + s_capex[ku](c, n) + s_opex[ku](c, n);
            if (!(std::abs(funds - sum) <= kRel * std::max(std::abs(funds), std::abs(sum)) + 1e-6))
              bad.add(run, cc, t, "funds_usd = " + num(funds) + " differs from cash_usd + capex_usd + opex_usd = " + num(sum));
          }
          if (code_check) {
            const double b = s_code[ku](c, n);
            if (!(b >= 0 && b <= 5 && b == std::floor(b)))
              bad.add(run, cc, t, "bottleneck code " + num(b) + " is not in 0..5");
          }
        }
        if (gw_check) {
          double expect = nan;
          for (Eigen::Index n = 0; n < nt; ++n)
            if (reached(s_it[ku](c, n), 1000.0)) {
              expect = time[static_cast<std::size_t>(n)];
              break;
            }
          const double got = gw(c, k);
          if (!(got == expect || (std::isnan(got) && std::isnan(expect))))
            bad.add(run, cc, nan, "year_gw_reached = " + num(got) + " but it_mw first reaches 1000 MW at " +
                                      (std::isnan(expect) ? std::string("no time") : num(expect)));
        }
        if (gw_final_check && reached(it_final(c, k), 1000.0) && std::isnan(gw(c, k)))
          bad.add(run, cc, nan, "year_gw_reached is NaN but it_mw_final = " + num(it_final(c, k)) + " MW");
        if (has("it_mw_final") && !(it_final(c, k) >= 0))
          bad.add(run, cc, nan, "it_mw_final = " + num(it_final(c, k)) + " is negative or NaN");
        if (share_check) {
          double sum = 0;
          bool in_range = true;
          for (Eigen::Index j = 0; j < share[ku].cols(); ++j) {
            const double v = share[ku](c, j);
            in_range = in_range && v >= 0 && v <= 1;
            sum += v;
          }
          if (!in_range || !(std::abs(sum - 1) <= 1e-9))
            bad.add(run, cc, nan, "bottleneck_share out of [0, 1] or not summing to 1 (sum " + num(sum) + ")");
        }
      }
      if (market_check) {
        for (Eigen::Index n = 1; n < nt; ++n) {
          double received = 0;
          for (Eigen::Index c = 0; c < nc; ++c) received += s_recv[ku](c, n);
          const double cap = supply[static_cast<std::size_t>(k * nt + n)];
          if (received > cap * (1 + kRel) + kRel)
            bad.add(run, "", time[static_cast<std::size_t>(n)],
                    "chip_received summed over countries = " + num(received) + " exceeds vendor_supply = " + num(cap));
        }
      }
    }
  }
  return rep;
}

namespace {
std::string json_list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t k = 0; k < v.size(); ++k) out += (k ? ", " : "") + json_string(v[k]);
  return out + "]";
}
}  // namespace

std::string format_check_report(const CheckReport& r, bool json) {
  std::ostringstream o;
  if (json) {
    o << "{\"file\": " << json_string(r.path) << ", \"ok\": " << (r.ok() ? "true" : "false")
      << ", \"file_type\": " << json_string(r.file_type)
      << ", \"format_version\": " << json_string(r.format_version)
      << ", \"store\": " << json_string(r.store) << ", \"runs\": " << r.runs
      << ", \"complete\": " << r.complete << ", \"shards\": " << json_list(r.shards)
      << ", \"missing_shards\": " << json_list(r.missing_shards)
      << ", \"checks_run\": " << json_list(r.checks_run)
      << ", \"checks_skipped\": " << json_list(r.checks_skipped)
      << ", \"problem_count\": " << r.problem_count << ", \"problems\": [";
    for (std::size_t k = 0; k < r.problems.size(); ++k) {
      const auto& p = r.problems[k];
      o << (k ? ", " : "") << "{\"run\": ";
      if (p.run < 0) o << "null"; else o << p.run;
      o << ", \"country\": " << (p.country.empty() ? std::string("null") : json_string(p.country))
        << ", \"time\": " << (std::isnan(p.time) ? std::string("null") : num(p.time))
        << ", \"what\": " << json_string(p.what) << "}";
    }
    o << "]}\n";
    return o.str();
  }
  o << r.path << ": " << r.file_type << " " << r.format_version;
  if (!r.store.empty()) o << ", store " << r.store;
  o << ", " << r.complete << " of " << r.runs << " runs complete";
  if (!r.shards.empty())
    o << ", master of " << r.shards.size() << " shards (" << r.missing_shards.size() << " missing)";
  o << "\n";
  for (const auto& c : r.checks_run) o << "  checked: " << c << "\n";
  for (const auto& c : r.checks_skipped) o << "  not checked: " << c << "\n";
  if (r.ok()) {
    o << "OK: every check holds\n";
    return o.str();
  }
  o << "FAILED: " << r.problem_count << " problem" << (r.problem_count == 1 ? "" : "s") << "\n";
  for (const auto& p : r.problems) {
    o << "  ";
    if (p.run >= 0) o << "run " << p.run << ", ";
    if (!p.country.empty()) o << p.country << ", ";
    if (!std::isnan(p.time)) o << "time " << num(p.time) << ", ";
    o << p.what << "\n";
  }
  if (r.problem_count > static_cast<long long>(r.problems.size()))
    o << "  ... and " << r.problem_count - static_cast<long long>(r.problems.size()) << " more\n";
  return o.str();
}

}  // namespace sovcap
