#include "sovcap/summary.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

#include "sovcap/outputs.hpp"
#include "sovcap/results.hpp"
#include "sovcap/text.hpp"

namespace sovcap {
namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// The level of the year_gw_reached every file stores.
constexpr double kGwMw = 1000.0;

YearStats year_stats(const std::vector<double>& years) {
  YearStats s;
  s.p10 = observed_quantile(years, 0.1);
  s.p50 = observed_quantile(years, 0.5);
  s.p90 = observed_quantile(years, 0.9);
  const auto reached = std::count_if(years.begin(), years.end(), [](double y) { return !std::isinf(y); });
  s.probability = years.empty() ? kNaN : static_cast<double>(reached) / static_cast<double>(years.size());
  return s;
}

// "2028, 2030 and 2035".
std::string year_list(const std::vector<double>& years) {
  std::string out;
  for (std::size_t k = 0; k < years.size(); ++k)
    out += (k == 0 ? "" : k + 1 == years.size() ? " and " : ", ") + year_label(years[k]);
  return out;
}

}  // namespace

double observed_quantile(std::vector<double> v, double q) {
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  // The rank ceil(q n), 1-based; the tolerance keeps q n = 3 from rounding up to 4.
  const double rank = std::ceil(q * static_cast<double>(v.size()) - 1e-9);
  const auto k = static_cast<std::size_t>(std::clamp(rank, 1.0, static_cast<double>(v.size())));
  return v[k - 1];
}

std::string format_year_value(double year) {
  if (std::isnan(year)) return "-";
  if (std::isinf(year)) return "never";
  std::ostringstream os;
  os << std::fixed << std::setprecision(2) << year;
  return os.str();
}

std::string year_label(double year) { return format_number(year); }

std::string period_label(const std::pair<double, double>& p) {
  const int from = static_cast<int>(std::floor(p.first));
  const int to = std::max(from, static_cast<int>(std::ceil(p.second)) - 1);
  return from == to ? std::to_string(from) : std::to_string(from) + "-" + std::to_string(to);
}

SummaryOptions default_summary_options(double start_year, double end_year) {
  SummaryOptions o;
  for (double y : {start_year + 2.0, start_year + 4.0}) if (y < end_year) o.years.push_back(y);
  for (double y = std::ceil((start_year + 5.0) / 5.0) * 5.0; y < end_year; y += 5.0)
    if (o.years.empty() || y > o.years.back() + 0.5) o.years.push_back(y);
  o.years.push_back(end_year);
  o.period_bounds = default_period_bounds(start_year, end_year);
  return o;
}

SummaryBuilder::SummaryBuilder(std::vector<std::string> iso3, std::vector<std::string> names,
                               std::vector<double> time, SummaryOptions options, StoredSeries stored)
    : iso3_(std::move(iso3)), names_(std::move(names)), time_(std::move(time)),
      options_(std::move(options)), stored_(stored) {
  const double start = time_.front();
  const double end = time_.back();
  const int last = static_cast<int>(time_.size()) - 1;
  // Without the bottleneck trajectory only the step counts of the whole run are known.
  double from = start;
  if (stored_.bottleneck) {
    for (double b : options_.period_bounds) {
      if (b <= from || b >= end) continue;
      periods_.push_back({from, b});
      from = b;
    }
  } else if (std::any_of(options_.period_bounds.begin(), options_.period_bounds.end(),
                         [&](double b) { return b > start && b < end; })) {
    unavailable_.push_back("bottleneck per period: needs --keep bottleneck (shown over the whole run, "
                           "from bottleneck_share)");
  }
  periods_.push_back({from, end});
  period_of_step_.assign(time_.size(), -1);
  for (std::size_t n = 1; n < time_.size(); ++n) {
    for (std::size_t k = 0; k < periods_.size(); ++k) {
      const bool is_last = k + 1 == periods_.size();
      // A step belongs to the period holding its start time.
      const double t = time_[n - 1];
      if (t >= periods_[k].first && (t < periods_[k].second || is_last)) {
        period_of_step_[n] = static_cast<int>(k);
        break;
      }
    }
  }
  for (double y : options_.years) {
    // The last stored time at or before y.
    int idx = 0;
    for (std::size_t n = 0; n < time_.size(); ++n)
      if (time_[n] <= y + 1e-9) idx = static_cast<int>(n);
    year_index_.push_back(idx);
  }
  // What the stored series give; the rest is named, with the --keep that would give it.
  std::vector<double> no_it, no_compute;
  for (int i : year_index_) {
    it_known_.push_back(stored_.it_mw || i == 0 || i == last);
    compute_known_.push_back(stored_.compute_flops || i == last);
    if (!it_known_.back()) no_it.push_back(time_[static_cast<std::size_t>(i)]);
    if (!compute_known_.back()) no_compute.push_back(time_[static_cast<std::size_t>(i)]);
  }
  const int at = year_index_.empty() ? last : year_index_.back();
  const std::string at_label = year_label(time_[static_cast<std::size_t>(at)]);
  reach_known_ = stored_.it_mw || options_.reach_mw == kGwMw;
  energy_known_ = stored_.energy_twh || at == last;
  spend_known_ = stored_.spend || at == last;
  if (!reach_known_)
    unavailable_.push_back("reach " + format_number(options_.reach_mw) +
                           " MW: needs --keep it_mw (the file's year_gw_reached is for 1000 MW only)");
  if (!no_it.empty()) unavailable_.push_back("MW at " + year_list(no_it) + ": needs --keep it_mw");
  if (!no_compute.empty())
    unavailable_.push_back("compute at " + year_list(no_compute) + ": needs --keep compute_flops");
  if (!energy_known_) unavailable_.push_back("TWh/yr at " + at_label + ": needs --keep energy_twh");
  if (!spend_known_) unavailable_.push_back("spent by " + at_label + ": needs --keep capex_usd,opex_usd");

  const std::size_t nc = iso3_.size();
  reach_.resize(nc);
  target_.resize(nc);
  energy_.resize(nc);
  spend_.resize(nc);
  it_at_.assign(nc, std::vector<std::vector<double>>(year_index_.size()));
  compute_at_.assign(nc, std::vector<std::vector<double>>(year_index_.size()));
  code_counts_.setZero(static_cast<Eigen::Index>(nc * periods_.size()), kNumBottlenecks);
  held_mw_.setZero(static_cast<Eigen::Index>(nc), kNumBottlenecks);
  gap_mw_.setZero(static_cast<Eigen::Index>(nc));
  // The periods a results file stores held_back_mw_period over, from its time axis.
  if (time_.size() > 1) {
    const int steps = static_cast<int>(time_.size()) - 1;
    held_periods_ = result_periods(start, (end - start) / steps, steps).span;
  }
  held_period_mw_.setZero(static_cast<Eigen::Index>(nc),
                          static_cast<Eigen::Index>(held_periods_.size()) * kNumBottlenecks);
}

void SummaryBuilder::add(const RunSlice& r) {
  const auto nc = static_cast<Eigen::Index>(iso3_.size());
  const Eigen::Index last = static_cast<Eigen::Index>(time_.size()) - 1;
  const Eigen::Index at = year_index_.empty() ? last : year_index_.back();
  // A series at time index i: its trajectory, else what is known at the start or horizon.
  auto value = [&](const Eigen::ArrayXXd* series, const Eigen::ArrayXd* start, const Eigen::ArrayXd* final,
                   Eigen::Index c, Eigen::Index i) {
    if (series) return (*series)(c, i);
    if (i == last && final) return (*final)(c);
    if (i == 0 && start) return (*start)(c);
    return kNaN;
  };
  const bool spend_series = r.capex_usd && r.opex_usd;
  if (r.held_back_share && r.shortfall_mw_mean) {
    // MW held back, mean over the run's steps: share times the mean shortfall (a country
    // never behind has NaN shares and a mean of 0).
    ++held_runs_;
    for (Eigen::Index c = 0; c < nc; ++c) {
      const double gap = (*r.shortfall_mw_mean)(c);
      if (!(gap > 0.0)) continue;
      gap_mw_(c) += gap;
      for (int k = 0; k < kNumBottlenecks; ++k) {
        const double share = (*r.held_back_share)(c, k);
        if (std::isfinite(share)) held_mw_(c, k) += share * gap;
      }
    }
  }
  if (r.held_back_mw_period && r.held_back_mw_period->cols() == held_period_mw_.cols()) {
    // MW per step of each period, summed over runs (pooled as over the whole run). A
    // period without steps is NaN in the file and adds nothing.
    ++held_period_runs_;
    held_period_mw_ += r.held_back_mw_period->isNaN().select(0.0, *r.held_back_mw_period);
  }
  for (Eigen::Index c = 0; c < nc; ++c) {
    auto year_or_never = [](double y) { return std::isnan(y) ? kNever : y; };
    if (reach_known_) {
      double year = kNever;
      if (r.it_mw) {
        // The first stored step at or above the level (the initial state included).
        for (Eigen::Index i = 0; i <= last && std::isinf(year); ++i)
          if (reached((*r.it_mw)(c, i), options_.reach_mw)) year = time_[static_cast<std::size_t>(i)];
      } else {
        year = year_or_never((*r.year_gw_reached)(c));
      }
      reach_[c].push_back(year);
    }
    target_[c].push_back(year_or_never((*r.year_target_reached)(c)));
    if (energy_known_) energy_[c].push_back(value(r.energy_twh, nullptr, r.energy_twh_final, c, at));
    if (spend_known_)
      spend_[c].push_back(spend_series ? (*r.capex_usd)(c, at) + (*r.opex_usd)(c, at) : (*r.spend_usd_final)(c));
    for (std::size_t k = 0; k < year_index_.size(); ++k) {
      const Eigen::Index i = year_index_[k];
      if (it_known_[k]) it_at_[c][k].push_back(value(r.it_mw, r.it_mw_start, r.it_mw_final, c, i));
      if (compute_known_[k])
        compute_at_[c][k].push_back(value(r.compute_flops, nullptr, r.compute_flops_final, c, i));
    }
    const auto row0 = c * static_cast<Eigen::Index>(periods_.size());
    if (!r.bottleneck) {
      // One period over the whole run: the step counts.
      code_counts_.row(row0) += r.bottleneck_steps->row(c);
      continue;
    }
    for (Eigen::Index n = 1; n <= last; ++n) {
      const int p = period_of_step_[n];
      const double code = (*r.bottleneck)(c, n);
      if (p < 0 || !(code >= 0 && code < kNumBottlenecks)) continue;
      code_counts_(row0 + p, static_cast<int>(code)) += 1.0;
    }
  }
  ++runs_;
}

Summary SummaryBuilder::finish() const {
  Summary s;
  s.reach_mw = options_.reach_mw;
  for (int i : year_index_) s.years.push_back(time_[static_cast<std::size_t>(i)]);
  s.periods = periods_;
  if (held_period_runs_ > 0) s.held_periods = held_periods_;
  s.runs = runs_;
  s.unavailable = unavailable_;
  for (std::size_t c = 0; c < iso3_.size(); ++c) {
    CountrySummary cs;
    cs.iso3 = iso3_[c];
    cs.name = names_[c];
    cs.year_reach = reach_known_ ? year_stats(reach_[c]) : YearStats{kNaN, kNaN, kNaN, kNaN};
    for (double y : s.years) {
      const auto& v = reach_[c];
      const auto by = std::count_if(v.begin(), v.end(), [&](double r) { return r <= y; });
      cs.p_reach_by.push_back(v.empty() ? kNaN : static_cast<double>(by) / static_cast<double>(v.size()));
    }
    cs.year_target = year_stats(target_[c]);
    for (std::size_t k = 0; k < year_index_.size(); ++k) {
      cs.it_mw_at.push_back(observed_quantile(it_at_[c][k], 0.5));
      cs.compute_at.push_back(observed_quantile(compute_at_[c][k], 0.5));
    }
    cs.energy_twh = observed_quantile(energy_[c], 0.5);
    cs.spend_usd = observed_quantile(spend_[c], 0.5);
    for (std::size_t p = 0; p < periods_.size(); ++p) {
      const auto row = code_counts_.row(static_cast<Eigen::Index>(c * periods_.size() + p));
      Eigen::Index best = 0;
      row.maxCoeff(&best);
      const double total = row.sum();
      cs.dominant.push_back(static_cast<int>(best));
      cs.dominant_share.push_back(total > 0 ? row(best) / total : 0.0);
    }
    const auto ci = static_cast<Eigen::Index>(c);
    cs.shortfall_mw_mean = held_runs_ > 0 ? gap_mw_(ci) / held_runs_ : kNaN;
    for (int k = 0; k < kNumBottlenecks; ++k)
      cs.held_back_share.push_back(held_runs_ > 0 && gap_mw_(ci) > 0.0 ? held_mw_(ci, k) / gap_mw_(ci) : kNaN);
    for (std::size_t p = 0; p < s.held_periods.size(); ++p) {
      const auto part = held_period_mw_.row(ci).segment(static_cast<Eigen::Index>(p) * kNumBottlenecks, kNumBottlenecks);
      const double gap = part.sum();
      cs.shortfall_mw_period.push_back(gap / held_period_runs_);
      std::vector<double> share;
      for (int k = 0; k < kNumBottlenecks; ++k) share.push_back(gap > 0.0 ? part(k) / gap : kNaN);
      cs.held_back_share_period.push_back(std::move(share));
    }
    s.countries.push_back(std::move(cs));
  }
  return s;
}

bool has_held_back(const Summary& s) {
  return std::any_of(s.countries.begin(), s.countries.end(), [](const CountrySummary& c) {
    return !std::isnan(c.shortfall_mw_mean) && c.held_back_share.size() == kNumBottlenecks;
  });
}

namespace {

std::string fmt(double v, int precision) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(precision) << v;
  return os.str();
}

// A number for text tables, "-" where unavailable.
std::string cell(double v, int precision) { return std::isnan(v) ? "-" : fmt(v, precision); }

// A number for JSON; null for never and unavailable.
std::string json_number(double v) {
  if (std::isnan(v) || std::isinf(v)) return "null";
  std::ostringstream os;
  os << std::setprecision(10) << v;
  return os.str();
}

// A number for CSV: empty for never and unavailable, as in `sovcap export`.
std::string csv_number(double v) { return std::isnan(v) || std::isinf(v) ? "" : json_number(v); }

std::string bottleneck_name(int code) { return std::string(kBottleneckNames[static_cast<std::size_t>(code)]); }

}  // namespace

int most_held_back(const std::vector<double>& share) {
  int best = -1;
  for (int k = 1; k < static_cast<int>(share.size()); ++k)
    if (share[static_cast<std::size_t>(k)] > 0.0 && (best < 0 || share[static_cast<std::size_t>(k)] > share[static_cast<std::size_t>(best)]))
      best = k;
  return best;
}

namespace {

std::string render_json(const Summary& s) {
  const bool held = has_held_back(s);
  std::ostringstream os;
  auto list = [&](const std::vector<double>& v) {
    std::string out = "[";
    for (std::size_t k = 0; k < v.size(); ++k) out += (k ? ", " : "") + json_number(v[k]);
    return out + "]";
  };
  auto stats = [&](const YearStats& y) {
    return "{\"p10\": " + json_number(y.p10) + ", \"p50\": " + json_number(y.p50) + ", \"p90\": " +
           json_number(y.p90) + ", \"probability\": " + json_number(y.probability) + "}";
  };
  os << "{\"runs\": " << s.runs << ", \"reach_mw\": " << json_number(s.reach_mw) << ", \"years\": " << list(s.years)
     << ", \"periods\": [";
  for (std::size_t k = 0; k < s.periods.size(); ++k)
    os << (k ? ", " : "") << "[" << json_number(s.periods[k].first) << ", " << json_number(s.periods[k].second) << "]";
  os << "], \"countries\": [";
  for (std::size_t i = 0; i < s.countries.size(); ++i) {
    const auto& c = s.countries[i];
    os << (i ? ", " : "") << "\n  {\"iso3\": " << json_string(c.iso3) << ", \"name\": " << json_string(c.name)
       << ", \"year_reached\": " << stats(c.year_reach) << ", \"p_reach_by\": " << list(c.p_reach_by)
       << ", \"year_target_reached\": " << stats(c.year_target) << ", \"it_mw\": " << list(c.it_mw_at)
       << ", \"compute_flops\": " << list(c.compute_at) << ", \"energy_twh\": " << json_number(c.energy_twh)
       << ", \"spend_usd\": " << json_number(c.spend_usd) << ", \"dominant_bottleneck\": [";
    for (std::size_t k = 0; k < c.dominant.size(); ++k)
      os << (k ? ", " : "") << "{\"name\": \"" << bottleneck_name(c.dominant[k])
         << "\", \"share\": " << json_number(c.dominant_share[k]) << "}";
    os << "]";
    if (held) {
      os << ", \"shortfall_mw_mean\": " << json_number(c.shortfall_mw_mean) << ", \"held_back_share\": {";
      for (std::size_t k = 1; k < kNumBottlenecks; ++k)
        os << (k > 1 ? ", " : "") << "\"" << bottleneck_name(static_cast<int>(k))
           << "\": " << json_number(k < c.held_back_share.size() ? c.held_back_share[k] : kNaN);
      os << "}";
    }
    if (!s.held_periods.empty()) {
      os << ", \"held_back_periods\": [";
      for (std::size_t p = 0; p < s.held_periods.size(); ++p) {
        os << (p ? ", " : "") << "{\"period\": [" << json_number(s.held_periods[p].first) << ", "
           << json_number(s.held_periods[p].second) << "], \"shortfall_mw_mean\": "
           << json_number(c.shortfall_mw_period[p]) << ", \"held_back_share\": {";
        for (std::size_t k = 1; k < kNumBottlenecks; ++k)
          os << (k > 1 ? ", " : "") << "\"" << bottleneck_name(static_cast<int>(k))
             << "\": " << json_number(c.held_back_share_period[p][k]);
        os << "}}";
      }
      os << "]";
    }
    os << "}";
  }
  os << "\n], \"unavailable\": [";
  for (std::size_t k = 0; k < s.unavailable.size(); ++k) os << (k ? ", " : "") << json_string(s.unavailable[k]);
  os << "]}\n";
  return os.str();
}

// Machine-readable: one column per quantity, no combined cells.
std::string render_csv(const Summary& s) {
  std::ostringstream os;
  os << "iso3,name,runs,reach_mw,year_reach_p10,year_reach_p50,year_reach_p90,p_reach";
  for (double y : s.years) os << ",p_reach_by_" << fmt(y, 2);
  os << ",year_target_p10,year_target_p50,year_target_p90,p_target";
  for (double y : s.years) os << ",it_mw_" << fmt(y, 2);
  for (double y : s.years) os << ",compute_flops_" << fmt(y, 2);
  const std::string at = s.years.empty() ? "" : fmt(s.years.back(), 2);
  os << ",energy_twh_" << at << ",spend_usd_" << at;
  for (const auto& p : s.periods) os << ",bottleneck_" << period_label(p) << ",bottleneck_share_" << period_label(p);
  const bool held = has_held_back(s);
  if (held) {
    os << ",shortfall_mw_mean";
    for (int k = 1; k < kNumBottlenecks; ++k) os << ",held_back_share_" << bottleneck_name(k);
  }
  for (const auto& p : s.held_periods)
    os << ",shortfall_mw_mean_" << period_label(p) << ",held_back_most_" << period_label(p)
       << ",held_back_most_share_" << period_label(p);
  os << "\n";
  for (const auto& c : s.countries) {
    os << c.iso3 << "," << csv_cell(c.name) << "," << s.runs << "," << csv_number(s.reach_mw);
    auto stats = [&](const YearStats& y) {
      os << "," << csv_number(y.p10) << "," << csv_number(y.p50) << "," << csv_number(y.p90) << ","
         << csv_number(y.probability);
    };
    stats(c.year_reach);
    for (double v : c.p_reach_by) os << "," << csv_number(v);
    stats(c.year_target);
    for (double v : c.it_mw_at) os << "," << csv_number(v);
    for (double v : c.compute_at) os << "," << csv_number(v);
    os << "," << csv_number(c.energy_twh) << "," << csv_number(c.spend_usd);
    for (std::size_t k = 0; k < c.dominant.size(); ++k)
      os << "," << bottleneck_name(c.dominant[k]) << "," << csv_number(c.dominant_share[k]);
    if (held) {
      os << "," << csv_number(c.shortfall_mw_mean);
      for (std::size_t k = 1; k < kNumBottlenecks; ++k)
        os << "," << csv_number(k < c.held_back_share.size() ? c.held_back_share[k] : kNaN);
    }
    for (std::size_t p = 0; p < s.held_periods.size(); ++p) {
      const int most = most_held_back(c.held_back_share_period[p]);
      os << "," << csv_number(c.shortfall_mw_period[p]) << ","
         << (most < 0 ? std::string("on_track") : bottleneck_name(most)) << ","
         << csv_number(most < 0 ? 1.0 : c.held_back_share_period[p][static_cast<std::size_t>(most)]);
    }
    os << "\n";
  }
  return os.str();
}

}  // namespace

std::string render(const Summary& s, SummaryFormat format) {
  if (format == SummaryFormat::json) return render_json(s);
  if (format == SummaryFormat::csv) return render_csv(s);
  const bool many = s.runs > 1;
  auto year_cell = [&](const YearStats& y) {
    if (std::isnan(y.probability)) return std::string("-");
    std::string out = format_year_value(y.p50);
    if (many)
      out += " (" + format_year_value(y.p10) + "-" + format_year_value(y.p90) + ", p=" + fmt(y.probability, 2) + ")";
    return out;
  };
  auto dominant_cell = [&](const CountrySummary& c, std::size_t k) {
    std::string out = bottleneck_name(c.dominant[k]);
    if (c.dominant_share[k] < 0.995) out += " (" + fmt(100.0 * c.dominant_share[k], 0) + "%)";
    return out;
  };
  // Every column is labelled with the stored time its values are of.
  const std::string at = s.years.empty() ? "" : year_label(s.years.back());
  std::vector<std::string> head = {"iso3", "name", "reach " + format_number(s.reach_mw) + " MW", "final target"};
  if (many)
    for (double y : s.years) head.push_back("P by " + year_label(y));
  for (double y : s.years) head.push_back("MW " + year_label(y));
  head.push_back("EFLOP/s " + at);
  head.push_back("TWh/yr " + at);
  head.push_back("spent $B by " + at);
  for (const auto& p : s.periods) head.push_back(period_label(p));
  // Where the runs store held_back_share (files before it do not, nor do summaries
  // built by hand): the column is left out rather than shown empty.
  const bool held = has_held_back(s);
  if (held) head.push_back("mean shortfall, held back by");
  for (const auto& p : s.held_periods) head.push_back("held back " + period_label(p));
  // The mean shortfall and the two constraints that held back most of it.
  auto held_cell = [&](const CountrySummary& c) {
    if (std::isnan(c.shortfall_mw_mean) || c.held_back_share.size() != kNumBottlenecks)
      return std::string("-");
    if (!(c.shortfall_mw_mean > 0.0)) return std::string("on track");
    std::vector<int> order;
    for (int k = 1; k < kNumBottlenecks; ++k) order.push_back(k);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      return c.held_back_share[static_cast<std::size_t>(a)] > c.held_back_share[static_cast<std::size_t>(b)];
    });
    std::string out = fmt(c.shortfall_mw_mean, 0) + " MW:";
    for (int j = 0; j < 2; ++j) {
      const double share = c.held_back_share[static_cast<std::size_t>(order[static_cast<std::size_t>(j)])];
      if (j > 0 && !(share >= 0.005)) break;
      out += std::string(j ? "," : "") + " " + bottleneck_name(order[static_cast<std::size_t>(j)]) + " " +
             fmt(100.0 * share, 0) + "%";
    }
    return out;
  };
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : s.countries) {
    std::vector<std::string> row = {c.iso3, c.name, year_cell(c.year_reach), year_cell(c.year_target)};
    if (many)
      for (double v : c.p_reach_by) row.push_back(cell(v, 2));
    for (double v : c.it_mw_at) row.push_back(cell(v, 0));
    row.push_back(cell(c.compute_at.empty() ? kNaN : c.compute_at.back() / 1e18, 1));
    row.push_back(cell(c.energy_twh, 1));
    row.push_back(cell(c.spend_usd / 1e9, 1));
    for (std::size_t k = 0; k < c.dominant.size(); ++k) row.push_back(dominant_cell(c, k));
    if (held) row.push_back(held_cell(c));
    // Per stored period: the constraint that held back the most of its shortfall.
    for (std::size_t p = 0; p < s.held_periods.size(); ++p) {
      const int most = most_held_back(c.held_back_share_period[p]);
      row.push_back(most < 0 ? std::string("on track")
                             : bottleneck_name(most) + " " + fmt(100.0 * c.held_back_share_period[p][static_cast<std::size_t>(most)], 0) + "%");
    }
    rows.push_back(std::move(row));
  }

  std::ostringstream os;
  if (format == SummaryFormat::markdown) {
    os << "|";
    for (const auto& h : head) os << " " << h << " |";
    os << "\n|";
    for (std::size_t k = 0; k < head.size(); ++k) os << (k < 2 ? "---|" : "---:|");
    os << "\n";
    for (const auto& row : rows) {
      os << "|";
      for (const auto& x : row) os << " " << x << " |";
      os << "\n";
    }
    return os.str();
  }
  std::vector<std::size_t> width(head.size());
  for (std::size_t k = 0; k < head.size(); ++k) {
    width[k] = head[k].size();
    for (const auto& row : rows) width[k] = std::max(width[k], row[k].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t k = 0; k < cells.size(); ++k) {
      if (k) os << "  ";
      os << (k < 2 ? std::left : std::right) << std::setw(static_cast<int>(width[k])) << cells[k];
    }
    os << "\n";
  };
  line(head);
  for (const auto& row : rows) line(row);
  return os.str();
}

}  // namespace sovcap
