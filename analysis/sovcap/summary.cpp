#include "sovcap/summary.hpp"
#include "sovcap/text.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

namespace sovcap {
namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();

// Empirical quantile with linear interpolation between order statistics; an infinite
// neighbour makes the result infinite ("never").
double quantile(std::vector<double> v, double q) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const auto hi = std::min(lo + 1, v.size() - 1);
  const double w = pos - static_cast<double>(lo);
  if (w == 0.0 || v[lo] == v[hi]) return v[lo];
  if (std::isinf(v[hi])) return kNever;
  return v[lo] + w * (v[hi] - v[lo]);
}

YearStats year_stats(const std::vector<double>& years) {
  YearStats s;
  s.p10 = quantile(years, 0.1);
  s.p50 = quantile(years, 0.5);
  s.p90 = quantile(years, 0.9);
  const auto reached = std::count_if(years.begin(), years.end(), [](double y) { return !std::isinf(y); });
  s.probability = years.empty() ? 0.0 : static_cast<double>(reached) / static_cast<double>(years.size());
  return s;
}

std::string fmt(double v, int precision) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(precision) << v;
  return os.str();
}

// Periods are labelled by the calendar years in which their steps start.
std::string period_label(const std::pair<double, double>& p) {
  const int from = static_cast<int>(std::floor(p.first));
  const int to = static_cast<int>(std::ceil(p.second)) - 1;
  return std::to_string(from) + "-" + std::to_string(std::max(from, to));
}

std::string json_number(double v) {
  if (std::isnan(v) || std::isinf(v)) return "null";
  std::ostringstream os;
  os << std::setprecision(10) << v;
  return os.str();
}


}  // namespace

RunSlice slice_of(const RunResult& r) {
  RunSlice s;
  s.it_mw = &r[CountrySeries::it_mw];
  s.compute_flops = &r[CountrySeries::compute_flops];
  s.energy_twh = &r[CountrySeries::energy_twh];
  s.capex_usd = &r[CountrySeries::capex_usd];
  s.opex_usd = &r[CountrySeries::opex_usd];
  s.bottleneck = &r[CountrySeries::bottleneck];
  s.year_gw_reached = &r.year_gw_reached;
  s.year_target_reached = &r.year_target_reached;
  return s;
}

std::string format_year_value(double year) {
  if (std::isnan(year)) return "-";
  if (std::isinf(year)) return "never";
  return fmt(year, 2);
}

SummaryOptions default_summary_options(double start_year, double end_year) {
  SummaryOptions o;
  for (double y : {start_year + 2.0, start_year + 4.0}) if (y < end_year) o.years.push_back(y);
  for (double y = std::ceil((start_year + 5.0) / 5.0) * 5.0; y < end_year; y += 5.0)
    if (o.years.empty() || y > o.years.back() + 0.5) o.years.push_back(y);
  o.years.push_back(end_year);
  for (double b = start_year + 3.0; b < end_year; b += 4.0) o.period_bounds.push_back(b);
  return o;
}

SummaryBuilder::SummaryBuilder(std::vector<std::string> iso3, std::vector<std::string> names,
                               std::vector<double> time, SummaryOptions options)
    : iso3_(std::move(iso3)), names_(std::move(names)), time_(std::move(time)),
      options_(std::move(options)) {
  const double start = time_.front();
  const double end = time_.back();
  double from = start;
  for (double b : options_.period_bounds) {
    if (b <= from || b >= end) continue;
    periods_.push_back({from, b});
    from = b;
  }
  periods_.push_back({from, end});
  period_of_step_.assign(time_.size(), -1);
  for (std::size_t n = 1; n < time_.size(); ++n) {
    for (std::size_t k = 0; k < periods_.size(); ++k) {
      const bool last = k + 1 == periods_.size();
      // A step belongs to the period holding its start time.
      const double t = time_[n - 1];
      if (t >= periods_[k].first && (t < periods_[k].second || last)) {
        period_of_step_[n] = static_cast<int>(k);
        break;
      }
    }
  }
  for (double y : options_.years) {
    // Nearest recorded time at or before y.
    int idx = 0;
    for (std::size_t n = 0; n < time_.size(); ++n)
      if (time_[n] <= y + 1e-9) idx = static_cast<int>(n);
    year_index_.push_back(idx);
  }
  const std::size_t nc = iso3_.size();
  gw_.resize(nc);
  target_.resize(nc);
  energy_.resize(nc);
  spend_.resize(nc);
  it_at_.assign(nc, std::vector<std::vector<double>>(year_index_.size()));
  compute_at_.assign(nc, std::vector<std::vector<double>>(year_index_.size()));
  code_counts_.setZero(static_cast<Eigen::Index>(nc * periods_.size()), kNumBottlenecks);
}

void SummaryBuilder::add(const RunSlice& r) {
  const auto nc = static_cast<Eigen::Index>(iso3_.size());
  const Eigen::Index last = static_cast<Eigen::Index>(time_.size()) - 1;
  for (Eigen::Index c = 0; c < nc; ++c) {
    auto year_or_never = [](double y) { return std::isnan(y) ? kNever : y; };
    gw_[c].push_back(year_or_never((*r.year_gw_reached)(c)));
    target_[c].push_back(year_or_never((*r.year_target_reached)(c)));
    energy_[c].push_back((*r.energy_twh)(c, last));
    spend_[c].push_back((*r.capex_usd)(c, last) + (*r.opex_usd)(c, last));
    for (std::size_t k = 0; k < year_index_.size(); ++k) {
      it_at_[c][k].push_back((*r.it_mw)(c, year_index_[k]));
      compute_at_[c][k].push_back((*r.compute_flops)(c, year_index_[k]));
    }
    for (Eigen::Index n = 1; n <= last; ++n) {
      const int p = period_of_step_[n];
      const double code = (*r.bottleneck)(c, n);
      if (p < 0 || !(code >= 0 && code < kNumBottlenecks)) continue;
      code_counts_(c * static_cast<Eigen::Index>(periods_.size()) + p, static_cast<int>(code)) += 1.0;
    }
  }
  ++runs_;
}

Summary SummaryBuilder::finish() const {
  Summary s;
  s.years = options_.years;
  s.periods = periods_;
  s.runs = runs_;
  for (std::size_t c = 0; c < iso3_.size(); ++c) {
    CountrySummary cs;
    cs.iso3 = iso3_[c];
    cs.name = names_[c];
    cs.year_gw = year_stats(gw_[c]);
    cs.year_target = year_stats(target_[c]);
    for (std::size_t k = 0; k < year_index_.size(); ++k) {
      cs.it_mw_at.push_back(quantile(it_at_[c][k], 0.5));
      cs.compute_at.push_back(quantile(compute_at_[c][k], 0.5));
    }
    cs.energy_twh_end = quantile(energy_[c], 0.5);
    cs.spend_usd_end = quantile(spend_[c], 0.5);
    for (std::size_t p = 0; p < periods_.size(); ++p) {
      const auto row = code_counts_.row(static_cast<Eigen::Index>(c * periods_.size() + p));
      Eigen::Index best = 0;
      row.maxCoeff(&best);
      const double total = row.sum();
      cs.dominant.push_back(static_cast<int>(best));
      cs.dominant_share.push_back(total > 0 ? row(best) / total : 0.0);
    }
    s.countries.push_back(std::move(cs));
  }
  return s;
}

std::string render(const Summary& s, SummaryFormat format) {
  std::ostringstream os;
  const bool many = s.runs > 1;
  auto year_cell = [&](const YearStats& y) {
    std::string cell = format_year_value(y.p50);
    if (many)
      cell += " (" + format_year_value(y.p10) + "-" + format_year_value(y.p90) + ", p=" +
              fmt(y.probability, 2) + ")";
    return cell;
  };
  auto period_head = [&](std::size_t k) { return period_label(s.periods[k]); };
  auto dominant_cell = [&](const CountrySummary& c, std::size_t k) {
    std::string cell(kBottleneckNames[static_cast<std::size_t>(c.dominant[k])]);
    if (c.dominant_share[k] < 0.995) cell += " (" + fmt(100.0 * c.dominant_share[k], 0) + "%)";
    return cell;
  };

  if (format == SummaryFormat::json) {
    os << "{\"runs\": " << s.runs << ", \"years\": [";
    for (std::size_t k = 0; k < s.years.size(); ++k) os << (k ? ", " : "") << json_number(s.years[k]);
    os << "], \"periods\": [";
    for (std::size_t k = 0; k < s.periods.size(); ++k)
      os << (k ? ", " : "") << "[" << json_number(s.periods[k].first) << ", "
         << json_number(s.periods[k].second) << "]";
    os << "], \"countries\": [";
    for (std::size_t i = 0; i < s.countries.size(); ++i) {
      const auto& c = s.countries[i];
      auto ys = [&](const YearStats& y) {
        return "{\"p10\": " + json_number(y.p10) + ", \"p50\": " + json_number(y.p50) +
               ", \"p90\": " + json_number(y.p90) + ", \"probability\": " + json_number(y.probability) + "}";
      };
      os << (i ? ", " : "") << "\n  {\"iso3\": " << json_string(c.iso3)
         << ", \"name\": " << json_string(c.name) << ", \"year_gw_reached\": " << ys(c.year_gw)
         << ", \"year_target_reached\": " << ys(c.year_target) << ", \"it_mw\": [";
      for (std::size_t k = 0; k < c.it_mw_at.size(); ++k) os << (k ? ", " : "") << json_number(c.it_mw_at[k]);
      os << "], \"compute_flops\": [";
      for (std::size_t k = 0; k < c.compute_at.size(); ++k) os << (k ? ", " : "") << json_number(c.compute_at[k]);
      os << "], \"energy_twh_end\": " << json_number(c.energy_twh_end)
         << ", \"spend_usd_end\": " << json_number(c.spend_usd_end) << ", \"dominant_bottleneck\": [";
      for (std::size_t k = 0; k < c.dominant.size(); ++k)
        os << (k ? ", " : "") << "{\"name\": \"" << kBottleneckNames[static_cast<std::size_t>(c.dominant[k])]
           << "\", \"share\": " << json_number(c.dominant_share[k]) << "}";
      os << "]}";
    }
    os << "\n]}\n";
    return os.str();
  }

  // Columns shared by the table formats.
  std::vector<std::string> head = {"iso3", "name", "1 GW", "final target"};
  for (double y : s.years) head.push_back("MW " + fmt(y, 0));
  head.push_back("EFLOP/s " + fmt(s.years.back(), 0));
  head.push_back("TWh/yr " + fmt(s.years.back(), 0));
  head.push_back("spent $B");
  for (std::size_t k = 0; k < s.periods.size(); ++k) head.push_back(period_head(k));
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : s.countries) {
    std::vector<std::string> row = {c.iso3, c.name, year_cell(c.year_gw), year_cell(c.year_target)};
    for (double v : c.it_mw_at) row.push_back(fmt(v, 0));
    row.push_back(fmt(c.compute_at.back() / 1e18, 1));
    row.push_back(fmt(c.energy_twh_end, 1));
    row.push_back(fmt(c.spend_usd_end / 1e9, 1));
    for (std::size_t k = 0; k < c.dominant.size(); ++k) row.push_back(dominant_cell(c, k));
    rows.push_back(std::move(row));
  }

  if (format == SummaryFormat::csv) {
    // Machine-readable: one column per quantity, no combined cells.
    os << "iso3,name,runs,year_gw_p10,year_gw_p50,year_gw_p90,p_gw,year_target_p10,"
          "year_target_p50,year_target_p90,p_target";
    for (double y : s.years) os << ",it_mw_" << fmt(y, 2);
    for (double y : s.years) os << ",compute_flops_" << fmt(y, 2);
    os << ",energy_twh_end,spend_usd_end";
    for (std::size_t k = 0; k < s.periods.size(); ++k)
      os << ",bottleneck_" << period_head(k) << ",bottleneck_share_" << period_head(k);
    os << "\n";
    auto num = [](double v) { return std::isinf(v) ? std::string("inf") : json_number(v); };
    for (const auto& c : s.countries) {
      os << c.iso3 << "," << csv_cell(c.name) << "," << s.runs;
      for (const auto* y : {&c.year_gw, &c.year_target})
        os << "," << num(y->p10) << "," << num(y->p50) << "," << num(y->p90) << "," << num(y->probability);
      for (double v : c.it_mw_at) os << "," << num(v);
      for (double v : c.compute_at) os << "," << num(v);
      os << "," << num(c.energy_twh_end) << "," << num(c.spend_usd_end);
      for (std::size_t k = 0; k < c.dominant.size(); ++k)
        os << "," << kBottleneckNames[static_cast<std::size_t>(c.dominant[k])] << ","
           << num(c.dominant_share[k]);
      os << "\n";
    }
    return os.str();
  }

  if (format == SummaryFormat::markdown) {
    os << "|";
    for (const auto& h : head) os << " " << h << " |";
    os << "\n|";
    for (std::size_t k = 0; k < head.size(); ++k) os << (k < 2 ? "---|" : "---:|");
    os << "\n";
    for (const auto& row : rows) {
      os << "|";
      for (const auto& cell : row) os << " " << cell << " |";
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
      if (k < 2)
        os << std::left << std::setw(static_cast<int>(width[k])) << cells[k];
      else
        os << std::right << std::setw(static_cast<int>(width[k])) << cells[k];
    }
    os << "\n";
  };
  line(head);
  for (const auto& row : rows) line(row);
  return os.str();
}

}  // namespace sovcap
