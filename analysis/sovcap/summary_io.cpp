#include "sovcap/summary_io.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "sovcap/output.hpp"
#include "sovcap/request_error.hpp"
#include "sovcap/text.hpp"

namespace sovcap {

std::vector<FileSummary> summarize(const ResultsReader& in, const SummaryOptions& options,
                                   bool by_policy, long long& incomplete) {
  SummaryOptions opt = options;
  if (!in.has_trajectories()) {
    const double horizon = in.time().back();
    const bool years_ok = opt.years.empty() || (opt.years.size() == 1 && opt.years[0] == horizon);
    if (!years_ok || !opt.period_bounds.empty())
      throw OutputError(in.path() + " was written with --store summary and holds only the "
                        "horizon: summaries are at " + std::to_string(horizon) +
                        " over one period; run with --store full, or --keep it_mw,compute_flops,"
                        "energy_twh,capex_usd,opex_usd,bottleneck, for years and periods");
    opt.years = {horizon};
  }
  const auto complete = in.run_complete();
  std::vector<double> policy(static_cast<std::size_t>(in.runs()), 0.0);
  if (by_policy && in.has_variable("policy")) policy = in.read_per_run("policy");
  // One builder per policy present, labelled by the lever values of its first run.
  std::vector<int> slot_of_policy;
  std::vector<SummaryBuilder> builders;
  std::vector<FileSummary> out;
  auto slot = [&](int p, long long run) -> SummaryBuilder& {
    if (p >= static_cast<int>(slot_of_policy.size())) slot_of_policy.resize(static_cast<std::size_t>(p) + 1, -1);
    int& s = slot_of_policy[static_cast<std::size_t>(p)];
    if (s < 0) {
      s = static_cast<int>(builders.size());
      builders.emplace_back(in.iso3(), in.names(), in.time(), opt);
      FileSummary fs;
      if (!by_policy) {
        fs.label = "all runs";
      } else {
        fs.label = "policy " + std::to_string(p);
        const auto keys = in.lever_keys();
        const auto texts = in.lever_texts(run);
        for (std::size_t k = 0; k < keys.size(); ++k)
          fs.label += (k ? ", " : ": ") + keys[k] + " = " + texts[k];
      }
      out.push_back(std::move(fs));
    }
    return builders[static_cast<std::size_t>(s)];
  };

  incomplete = 0;
  constexpr int kBlock = 256;
  SummaryBlock block;
  for (int first = 0; first < in.runs(); first += kBlock) {
    const int count = std::min(kBlock, in.runs() - first);
    in.read_summary_block(first, count, block);
    for (int k = 0; k < count; ++k) {
      const auto r = static_cast<std::size_t>(first + k);
      if (!complete[r]) {
        ++incomplete;
        continue;
      }
      slot(static_cast<int>(policy[r]), first + k).add(block.slice(k));
    }
  }
  for (std::size_t s = 0; s < builders.size(); ++s) out[s].summary = builders[s].finish();
  // Policies in order of their number.
  std::vector<FileSummary> ordered;
  for (int s : slot_of_policy)
    if (s >= 0) ordered.push_back(std::move(out[static_cast<std::size_t>(s)]));
  return ordered;
}

SummaryOptions summary_options(const ResultsReader& in, const SummaryRequest& request) {
  const auto& time = in.time();
  SummaryOptions opt = default_summary_options(time.front(), time.back());
  if (request.years) opt.years = *request.years;
  if (request.period_bounds) opt.period_bounds = *request.period_bounds;
  if (!in.has_trajectories() && !request.years && !request.period_bounds) {
    opt.years.clear();
    opt.period_bounds.clear();
  }
  return opt;
}

namespace {

// One CSV table over every policy: the policy's label as a leading column.
void append_policy_csv(std::ostream& os, const FileSummary& fs, const std::string& body, bool first) {
  std::istringstream lines(body);
  std::string line;
  bool header = true;
  while (std::getline(lines, line)) {
    if (header) {
      if (first) os << "policy," << line << "\n";
      header = false;
      continue;
    }
    std::string label = fs.label;
    for (auto& ch : label)
      if (ch == '"') ch = '\'';
    os << '"' << label << "\"," << line << "\n";
  }
}

}  // namespace

Answer summarize_file(const std::string& path, const SummaryRequest& request, bool by_policy) {
  if (!std::filesystem::exists(path)) throw RequestError(path + ": no such file");
  const ResultsReader in(path);
  const auto& time = in.time();
  const SummaryOptions opt = summary_options(in, request);
  long long incomplete = 0;
  const auto summaries = summarize(in, opt, by_policy, incomplete);
  Answer answer;
  if (incomplete > 0)
    answer.warnings.push_back(incomplete_runs_warning(incomplete, in.runs(), path, "summarised without them"));
  const SummaryFormat format = request.format;
  std::ostringstream os;
  if (format == SummaryFormat::text)
    os << path << ": " << in.runs() << " run" << (in.runs() == 1 ? "" : "s") << ", " << in.iso3().size()
       << " countries, " << time.front() << " to " << time.back()
       << (in.has_trajectories() ? "" : " (summary store: horizon only)") << "\n";
  if (format == SummaryFormat::json && by_policy) os << "[";
  for (std::size_t k = 0; k < summaries.size(); ++k) {
    const auto& fs = summaries[k];
    std::string body = render(fs.summary, format);
    switch (format) {
      case SummaryFormat::text:
        os << "\n" << (by_policy ? fs.label + " (" + std::to_string(fs.summary.runs) + " runs)\n\n" : "") << body;
        break;
      case SummaryFormat::markdown:
        if (by_policy) os << (k ? "\n" : "") << "### " << fs.label << "\n\n";
        os << body;
        break;
      case SummaryFormat::csv:
        if (by_policy)
          append_policy_csv(os, fs, body, k == 0);
        else
          os << body;
        break;
      case SummaryFormat::json:
        if (by_policy) {
          std::string label = fs.label;
          for (auto& ch : label)
            if (ch == '"' || ch == '\\') ch = '\'';
          while (!body.empty() && body.back() == '\n') body.pop_back();
          os << (k ? ",\n" : "") << "{\"policy\": \"" << label << "\", \"summary\": " << body << "}";
        } else {
          os << body;
        }
        break;
    }
  }
  if (format == SummaryFormat::json && by_policy) os << "]\n";
  answer.text = os.str();
  return answer;
}

std::string run_table(const std::string& path) {
  const ResultsReader in(path);
  const auto& time = in.time();
  SummaryOptions opt = default_summary_options(time.front(), time.back());
  // A summary-store file knows neither the start nor the periods inside the horizon.
  const bool start_known = in.has_trajectories();
  opt.years = start_known ? std::vector<double>{time.front(), time.back()} : std::vector<double>{};
  if (!start_known) opt.period_bounds.clear();
  long long incomplete = 0;
  const Summary s = summarize(in, opt, false, incomplete).front().summary;
  const bool many = s.runs > 1;
  std::ostringstream os;
  os << std::left << std::setw(5) << "iso3" << std::right << std::setw(9) << "MW@start"
     << std::setw(9) << "MW@end" << std::setw(9) << "1 GW" << std::setw(9) << "target";
  if (many) os << std::setw(7) << "P(1GW)";
  for (const auto& period : s.periods)
    os << "  " << std::left << std::setw(10)
       << std::to_string(static_cast<int>(period.first)) + "-" +
              std::to_string(static_cast<int>(std::ceil(period.second)) - 1);
  os << "\n";
  for (const auto& c : s.countries) {
    os << std::left << std::setw(5) << c.iso3 << std::right << std::fixed << std::setprecision(0)
       << std::setw(9) << (start_known ? format_number(std::round(c.it_mw_at.front())) : "-")
       << std::setw(9) << c.it_mw_at.back() << std::setw(9) << format_year_value(c.year_gw.p50)
       << std::setw(9) << format_year_value(c.year_target.p50);
    if (many) os << std::setw(7) << std::setprecision(2) << c.year_gw.probability;
    for (int code : c.dominant)
      os << "  " << std::left << std::setw(10) << kBottleneckNames[static_cast<std::size_t>(code)];
    os << std::right << "\n";
  }
  os << "\n(" << (many ? "medians over " + std::to_string(s.runs) + " runs; " : "")
     << "years are when IT capacity first reaches 1 GW and the final target; the last\n"
        "columns give the bottleneck of most steps in each period: see docs/model.md)\n";
  return os.str();
}

}  // namespace sovcap
