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
#include <fstream>
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

// Whether `path`, which ResultsReader refused, is a sovcap file all the same: one that
// opens and says it is (its variables damaged), or an HDF5 file too damaged to open whose
// bytes hold the file_type text (stored near the start, with the root attributes).
bool written_by_sovcap(const std::string& path) {
  try {
    const h5::Handle f = h5::open_file(path);
    return h5::has_attribute(f.get(), "file_type") &&
           h5::read_string_attribute(f.get(), "file_type") == "sovcap-results";
  } catch (const OutputError&) {
  }
  std::ifstream in(path, std::ios::binary);
  std::string head(std::size_t{4} << 20, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return head.compare(0, 8, "\x89HDF\r\n\x1a\n") == 0 && head.find("sovcap-results") != std::string::npos;
}

void check_contents(const ResultsReader& in, CheckReport& rep, Collector& bad);

// Which invariants a file's stored variables let check run.
struct InvariantPlan {
  std::vector<std::string> stocks;  // stored stocks: none may be negative or NaN
  bool pue = false, onsite = false, chip = false, market = false, money = false, code = false;
  bool gw = false, gw_final = false, share = false, it_final = false, held = false;
  std::vector<int> period_steps;  // held: the steps of each stored period (result_periods)
};

// The stored values of a block of runs that the invariants read.
struct InvariantBlock {
  std::vector<std::vector<Eigen::ArrayXXd>> stock;
  std::vector<Eigen::ArrayXXd> it, grid, onsite, recv, dem, funds, cash, capex, opex, code, share;
  std::vector<Eigen::ArrayXXd> held_share, held_period;
  Eigen::ArrayXXd pue, gw, it_final, shortfall;
  std::vector<double> supply;
};

void check_invariants(const ResultsReader& in, const std::vector<std::int8_t>& complete, CheckReport& rep,
                      Collector& bad);

}  // namespace

CheckReport check_results(const std::string& path, const CheckOptions& options) {
  CheckReport rep;
  rep.path = path;
  Collector bad(rep, options.max_problems);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::error_code ec;
  if (std::filesystem::exists(path + ".journal", ec))
    bad.add(-1, "", nan,
            path + ".journal exists: the writer was stopped while saving (or is saving now); "
                   "`sovcap run ... --resume` finishes that save before it goes on");
  std::optional<ResultsReader> in;
  try {
    in.emplace(path);  // throws OutputError unless a sovcap results file
  } catch (const OutputError& e) {
    if (!written_by_sovcap(path)) throw;
    rep.file_type = "sovcap-results";
    bad.add(-1, "", nan, std::string("the file is damaged: it cannot be opened: ") + e.what());
    return rep;
  }
  try {
    check_contents(*in, rep, bad);
  } catch (const OutputError& e) {
    bad.add(-1, "", nan, std::string("the file is damaged: ") + e.what());
  }
  return rep;
}

namespace {

void check_contents(const ResultsReader& in, CheckReport& rep, Collector& bad) {
  const std::string& path = rep.path;
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
    return;
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
  check_invariants(in, complete, rep, bad);
}

// Which invariants the stored variables allow; the ones that cannot run are listed with why.
InvariantPlan plan_invariants(const ResultsReader& in, CheckReport& rep) {
  auto has = [&](const char* name) { return in.has_variable(name); };
  InvariantPlan p;
  const std::vector<std::string> stocks_all = {"it_mw", "pipeline_mw", "ready_mw", "grid_mw", "cash_usd", "workforce"};
  for (const auto& s : stocks_all)
    if (has(s.c_str())) p.stocks.push_back(s);
  // A scheduled pue changes over the run, and the file stores its schedule, not its value
  // at each step: the check would read the start value.
  const bool pue_scheduled = has("country.pue.schedule_year");
  p.pue = has("it_mw") && has("grid_mw") && has("country.pue") && !pue_scheduled;
  // Files written before on-site generation was modelled have none: the grid alone.
  p.onsite = p.pue && has("onsite_mw");
  p.chip = has("chip_received") && has("chip_demand");
  p.market = has("chip_received") && has("vendor_supply");
  p.money = has("funds_usd") && has("cash_usd") && has("capex_usd") && has("opex_usd");
  p.code = has("bottleneck");
  p.gw = has("it_mw") && has("year_gw_reached");
  p.gw_final = !has("it_mw") && has("it_mw_final") && has("year_gw_reached");
  p.share = has("bottleneck_share");
  p.it_final = has("it_mw_final");
  p.held = has("held_back_mw_period") && has("held_back_share") && has("shortfall_mw_mean") &&
           in.time().size() > 1;
  if (p.held) {
    const auto& t = in.time();
    const int steps = static_cast<int>(t.size()) - 1;
    p.period_steps = result_periods(t.front(), (t.back() - t.front()) / steps, steps).steps;
  }

  auto note = [&](bool run, const std::string& what, const std::string& why) {
    if (run) rep.checks_run.push_back(what);
    else rep.checks_skipped.push_back(what + ": " + why);
  };
  std::string names, absent;
  for (const auto& s : p.stocks) names += (names.empty() ? "" : ", ") + s;
  if (!p.stocks.empty()) rep.checks_run.push_back("no negative or NaN stocks (" + names + ")");
  for (const auto& s : stocks_all)
    if (std::find(p.stocks.begin(), p.stocks.end(), s) == p.stocks.end()) absent += (absent.empty() ? "" : ", ") + s;
  if (!absent.empty()) rep.checks_skipped.push_back("no negative stocks of " + absent + ": not stored");
  note(p.pue, p.onsite ? "it_mw <= (grid_mw + onsite_mw) / pue" : "it_mw <= grid_mw / pue",
       pue_scheduled ? "pue is scheduled" : "it_mw, grid_mw or country.pue not stored");
  note(p.chip, "chip_received <= chip_demand", "chip_received or chip_demand not stored");
  note(p.market, "sum over countries of chip_received <= vendor_supply",
       "chip_received or vendor_supply not stored (needs --store full)");
  note(p.money, "funds_usd = cash_usd + capex_usd + opex_usd",
       "funds_usd, cash_usd, capex_usd or opex_usd not stored");
  note(p.code, "bottleneck codes in 0..6", "bottleneck not stored");
  if (p.gw_final)
    rep.checks_run.push_back("year_gw_reached set where it_mw_final >= 1000 MW (the horizon only)");
  else
    note(p.gw, "year_gw_reached = first time it_mw >= 1000 MW", "it_mw or year_gw_reached not stored");
  note(p.share, "bottleneck_share in [0, 1], summing to 1", "bottleneck_share not stored");
  if (p.it_final) rep.checks_run.push_back("no negative it_mw_final");
  note(p.held, "held_back_mw_period >= 0 (on_track 0), its periods adding up to held_back_share x shortfall_mw_mean",
       "held_back_mw_period, held_back_share or shortfall_mw_mean not stored");
  return p;
}

// Reads what the plan's invariants need of runs b0 .. b0 + count - 1.
void read_block(const ResultsReader& in, const InvariantPlan& p, const std::optional<h5::Handle>& raw,
                int b0, int count, InvariantBlock& b) {
  const auto nt = static_cast<Eigen::Index>(in.time().size());
  for (std::size_t s = 0; s < p.stocks.size(); ++s) in.read_country_series(p.stocks[s], b0, count, b.stock[s]);
  if (p.pue) {
    in.read_country_series("it_mw", b0, count, b.it);
    in.read_country_series("grid_mw", b0, count, b.grid);
    if (p.onsite) in.read_country_series("onsite_mw", b0, count, b.onsite);
    in.read_per_country("country.pue", b0, count, b.pue);
  }
  if (p.chip || p.market) in.read_country_series("chip_received", b0, count, b.recv);
  if (p.chip) in.read_country_series("chip_demand", b0, count, b.dem);
  if (p.money) {
    in.read_country_series("funds_usd", b0, count, b.funds);
    in.read_country_series("cash_usd", b0, count, b.cash);
    in.read_country_series("capex_usd", b0, count, b.capex);
    in.read_country_series("opex_usd", b0, count, b.opex);
  }
  if (p.code) in.read_country_series("bottleneck", b0, count, b.code);
  if (p.gw || p.gw_final) in.read_per_country("year_gw_reached", b0, count, b.gw);
  if (p.gw && !p.pue) in.read_country_series("it_mw", b0, count, b.it);
  if (p.it_final) in.read_per_country("it_mw_final", b0, count, b.it_final);
  if (p.share) in.read_bottleneck_share(b0, count, b.share);
  if (p.held) {
    in.read_held_back_periods(b0, count, b.held_period);
    in.read_per_constraint("held_back_share", b0, count, b.held_share);
    in.read_per_country("shortfall_mw_mean", b0, count, b.shortfall);
  }
  if (p.market) {
    b.supply.assign(static_cast<std::size_t>(count * nt), std::numeric_limits<double>::quiet_NaN());
    const auto ds = h5::open_dataset(raw->get(), "vendor_supply");
    h5::read_slab(ds.get(), h5::native_type<double>(), {static_cast<hsize_t>(b0), 0},
                  {static_cast<hsize_t>(count), static_cast<hsize_t>(nt)}, b.supply.data());
  }
}

// The invariants of one stored step of one country of run k of the block.
void check_step(const InvariantPlan& p, const InvariantBlock& b, std::size_t ku, Eigen::Index k,
                Eigen::Index c, Eigen::Index n, long long run, const std::string& cc, double t,
                Collector& bad) {
  for (std::size_t s = 0; s < p.stocks.size(); ++s) {
    const double v = b.stock[s][ku](c, n);
    if (std::isnan(v)) bad.add(run, cc, t, p.stocks[s] + " is NaN");
    else if (v < 0) bad.add(run, cc, t, p.stocks[s] + " = " + num(v) + " is negative");
  }
  if (p.pue) {
    const double power = b.grid[ku](c, n) + (p.onsite ? b.onsite[ku](c, n) : 0.0);
    const double it = b.it[ku](c, n), cap = power / b.pue(c, k);
    if (it > cap * (1 + kRel) + kRel)
      bad.add(run, cc, t, "it_mw = " + num(it) + (p.onsite ? " exceeds (grid_mw + onsite_mw) / pue = " : " exceeds grid_mw / pue = ") + num(cap));
  }
  if (p.chip) {
    const double got = b.recv[ku](c, n), want = b.dem[ku](c, n);
    if (got > want * (1 + kRel) + kRel)
      bad.add(run, cc, t, "chip_received = " + num(got) + " exceeds chip_demand = " + num(want));
  }
  if (p.money) {
    const double funds = b.funds[ku](c, n);
    const double sum = b.cash[ku](c, n) + b.capex[ku](c, n) + b.opex[ku](c, n);
    if (!(std::abs(funds - sum) <= kRel * std::max(std::abs(funds), std::abs(sum)) + 1e-6))
      bad.add(run, cc, t, "funds_usd = " + num(funds) + " differs from cash_usd + capex_usd + opex_usd = " + num(sum));
  }
  if (p.code) {
    const double v = b.code[ku](c, n);
    if (!(v >= 0 && v <= kNumBottlenecks - 1 && v == std::floor(v)))
      bad.add(run, cc, t, "bottleneck code " + num(v) + " is not in 0..6");
  }
}

// The per-run invariants of one country of run k of the block (reach year, final, shares).
void check_country_run(const InvariantPlan& p, const InvariantBlock& b, std::size_t ku, Eigen::Index k,
                       Eigen::Index c, long long run, const std::string& cc,
                       const std::vector<double>& time, Collector& bad) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (p.gw) {
    double expect = nan;
    for (Eigen::Index n = 0; n < static_cast<Eigen::Index>(time.size()); ++n)
      if (reached(b.it[ku](c, n), 1000.0)) {
        expect = time[static_cast<std::size_t>(n)];
        break;
      }
    const double got = b.gw(c, k);
    if (!(got == expect || (std::isnan(got) && std::isnan(expect))))
      bad.add(run, cc, nan, "year_gw_reached = " + num(got) + " but it_mw first reaches 1000 MW at " +
                                (std::isnan(expect) ? std::string("no time") : num(expect)));
  }
  if (p.gw_final && reached(b.it_final(c, k), 1000.0) && std::isnan(b.gw(c, k)))
    bad.add(run, cc, nan, "year_gw_reached is NaN but it_mw_final = " + num(b.it_final(c, k)) + " MW");
  if (p.it_final && !(b.it_final(c, k) >= 0))
    bad.add(run, cc, nan, "it_mw_final = " + num(b.it_final(c, k)) + " is negative or NaN");
  if (p.share) {
    double sum = 0;
    bool in_range = true;
    for (Eigen::Index j = 0; j < b.share[ku].cols(); ++j) {
      const double v = b.share[ku](c, j);
      in_range = in_range && v >= 0 && v <= 1;
      sum += v;
    }
    if (!in_range || !(std::abs(sum - 1) <= 1e-9))
      bad.add(run, cc, nan, "bottleneck_share out of [0, 1] or not summing to 1 (sum " + num(sum) + ")");
  }
  if (p.held) {
    // The periods' MW times their steps add up, per constraint, to the run's sum
    // (held_back_share x shortfall_mw_mean x steps), to float32 precision.
    const auto& per = b.held_period[ku];
    const double steps = static_cast<double>(time.size()) - 1.0;
    const double total = b.shortfall(c, k) * steps;
    for (int j = 0; j < kNumBottlenecks; ++j) {
      double sum = 0.0;
      for (std::size_t q = 0; q < p.period_steps.size(); ++q) {
        const double v = per(c, static_cast<Eigen::Index>(q) * kNumBottlenecks + j);
        if (p.period_steps[q] == 0) continue;  // NaN: a period without steps
        if (!(v >= 0.0) || (j == 0 && v != 0.0)) {
          bad.add(run, cc, nan, "held_back_mw_period[" + std::string(kBottleneckNames[static_cast<std::size_t>(j)]) +
                                    "] = " + num(v) + (j == 0 ? " is not 0" : " is negative or NaN"));
          return;
        }
        sum += v * p.period_steps[q];
      }
      const double share = b.held_share[ku](c, j);
      const double expect = total > 0.0 && std::isfinite(share) ? share * total : 0.0;
      if (!(std::abs(sum - expect) <= 1e-5 * total + 1e-6))
        bad.add(run, cc, nan, "held_back_mw_period of " + std::string(kBottleneckNames[static_cast<std::size_t>(j)]) +
                                  " adds up to " + num(sum) + " MW x steps, the run's held_back_share x shortfall_mw_mean to " +
                                  num(expect));
    }
  }
}

// The model's invariants over every complete run, a block of runs at a time.
void check_invariants(const ResultsReader& in, const std::vector<std::int8_t>& complete, CheckReport& rep,
                      Collector& bad) {
  const InvariantPlan p = plan_invariants(in, rep);
  const auto& iso3 = in.iso3();
  const auto& time = in.time();
  const auto nc = static_cast<Eigen::Index>(iso3.size());
  const auto nt = static_cast<Eigen::Index>(time.size());
  const long long first = in.first_run();
  std::optional<h5::Handle> raw;
  if (p.market) raw.emplace(h5::open_file(rep.path));
  const long long per_run = std::max<long long>(1, static_cast<long long>(nc) * nt);
  const int block = static_cast<int>(std::clamp<long long>(4'000'000 / per_run, 1, 4096));
  InvariantBlock b;
  b.stock.resize(p.stocks.size());
  for (int b0 = 0; b0 < rep.runs; b0 += block) {
    const int count = static_cast<int>(std::min<long long>(block, rep.runs - b0));
    bool any = false;
    for (int k = 0; k < count; ++k) any = any || complete[static_cast<std::size_t>(b0 + k)] == 1;
    if (!any) continue;
    read_block(in, p, raw, b0, count, b);
    for (int k = 0; k < count; ++k) {
      const auto ku = static_cast<std::size_t>(k);
      if (complete[static_cast<std::size_t>(b0 + k)] != 1) continue;
      const long long run = first + b0 + k;
      for (Eigen::Index c = 0; c < nc; ++c) {
        const std::string& cc = iso3[static_cast<std::size_t>(c)];
        for (Eigen::Index n = 0; n < nt; ++n)
          check_step(p, b, ku, k, c, n, run, cc, time[static_cast<std::size_t>(n)], bad);
        check_country_run(p, b, ku, k, c, run, cc, time, bad);
      }
      if (!p.market) continue;
      for (Eigen::Index n = 1; n < nt; ++n) {
        double received = 0;
        for (Eigen::Index c = 0; c < nc; ++c) received += b.recv[ku](c, n);
        const double cap = b.supply[static_cast<std::size_t>(k * nt + n)];
        if (received > cap * (1 + kRel) + kRel)
          bad.add(run, "", time[static_cast<std::size_t>(n)],
                  "chip_received summed over countries = " + num(received) + " exceeds vendor_supply = " + num(cap));
      }
    }
  }
}

}  // namespace

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
