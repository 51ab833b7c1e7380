#include "sovcap/summary_io.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "sovcap/outputs.hpp"
#include "sovcap/request_error.hpp"
#include "sovcap/text.hpp"

namespace sovcap {
namespace {

// A lever's TOML text without a string's quotes: "\"pro_rata\"" is pro_rata.
std::string unquoted(const std::string& toml) {
  const bool quoted = toml.size() >= 2 && (toml.front() == '"' || toml.front() == '\'') && toml.back() == toml.front();
  return quoted ? toml.substr(1, toml.size() - 2) : toml;
}

// A lever value for JSON: a number stays a number, anything else is a string.
std::string json_lever(const std::string& value) {
  double v = 0.0;
  const auto r = std::from_chars(value.data(), value.data() + value.size(), v);
  const bool number = r.ec == std::errc() && r.ptr == value.data() + value.size() && std::isfinite(v);
  return number ? value : json_string(value);
}

}  // namespace

std::string policy_label(const FileSummary& fs) {
  std::string label = "policy " + std::to_string(fs.policy);
  for (std::size_t k = 0; k < fs.levers.size(); ++k)
    label += (k ? ", " : ": ") + fs.levers[k].first + " = " + fs.levers[k].second;
  return label;
}

std::vector<FileSummary> summarize(const ResultsReader& in, const SummaryOptions& options,
                                   bool by_policy, long long& incomplete) {
  const auto complete = in.run_complete();
  const StoredSeries stored = in.stored_series();
  std::vector<double> policy(static_cast<std::size_t>(in.runs()), 0.0);
  if (by_policy && in.has_variable("policy")) policy = in.read_per_run("policy");
  // One builder per policy present, its levers those of its first run.
  std::vector<int> slot_of_policy;
  std::vector<SummaryBuilder> builders;
  std::vector<FileSummary> out;
  auto slot = [&](int p, long long run) -> SummaryBuilder& {
    if (p >= static_cast<int>(slot_of_policy.size())) slot_of_policy.resize(static_cast<std::size_t>(p) + 1, -1);
    int& s = slot_of_policy[static_cast<std::size_t>(p)];
    if (s < 0) {
      s = static_cast<int>(builders.size());
      builders.emplace_back(in.iso3(), in.names(), in.time(), options, stored);
      FileSummary fs;
      if (by_policy) {
        fs.policy = p;
        const auto keys = in.lever_keys();
        const auto texts = in.lever_texts(run);
        for (std::size_t k = 0; k < keys.size(); ++k) fs.levers.emplace_back(keys[k], unquoted(texts[k]));
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
  if (builders.empty()) throw RequestError(in.path() + " holds no complete run: nothing to summarise");
  for (std::size_t s = 0; s < builders.size(); ++s) out[s].summary = builders[s].finish();
  // Policies in order of their number.
  std::vector<FileSummary> ordered;
  for (int s : slot_of_policy)
    if (s >= 0) ordered.push_back(std::move(out[static_cast<std::size_t>(s)]));
  return ordered;
}

SummaryOptions summary_options(const ResultsReader& in, const SummaryRequest& request) {
  const auto& time = in.time();
  const StoredSeries stored = in.stored_series();
  SummaryOptions opt = default_summary_options(time.front(), time.back());
  if (!stored.it_mw) opt.years = {time.back()};
  if (!stored.bottleneck) opt.period_bounds.clear();
  if (request.years) {
    for (double y : *request.years)
      if (y < time.front() - 1e-9 || y > time.back() + 1e-9) {
        const double dt = time.size() > 1 ? time[1] - time[0] : 0.0;
        throw RequestError("--years " + year_label(y) + ": not in the run of " + in.path() + ", which covers " +
                           year_label(time.front()) + " to " + year_label(time.back()) + " (every " +
                           year_label(dt) + " years)");
      }
    opt.years = *request.years;
  }
  if (request.period_bounds) opt.period_bounds = *request.period_bounds;
  opt.reach_mw = request.reach_mw;
  return opt;
}

bool per_policy(const ResultsReader& in, bool pool) { return !pool && in.policies() > 1; }

std::string file_header(const ResultsReader& in, long long incomplete, bool pooled) {
  const auto& time = in.time();
  std::ostringstream os;
  os << in.path() << ": ";
  if (incomplete > 0)
    os << in.runs() - incomplete << " of " << in.runs() << " runs complete";
  else
    os << in.runs() << " run" << (in.runs() == 1 ? "" : "s");
  const int policies = in.policies();
  if (policies > 1) os << ", " << policies << " policies" << (pooled ? " pooled" : "");
  os << ", " << in.iso3().size() << " countries, " << time.front() << " to " << time.back();
  if (in.store() == "summary") {
    const std::string kept = in.attribute("kept_series");
    os << ", summary store (kept: " << (kept.empty() ? "none" : kept) << ")";
  }
  return os.str() + "\n";
}

std::string join_policies(const std::vector<FileSummary>& parts, const std::vector<std::string>& bodies,
                          SummaryFormat format, bool apart, const std::string& json_key) {
  if (!apart) return bodies.empty() ? "" : bodies.front();
  std::ostringstream os;
  if (format == SummaryFormat::json) os << "[";
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const auto& fs = parts[k];
    std::string body = bodies[k];
    switch (format) {
      case SummaryFormat::text:
        os << (k ? "\n" : "") << policy_label(fs) << " (" << fs.summary.runs << " runs)\n\n" << body;
        break;
      case SummaryFormat::markdown:
        os << (k ? "\n" : "") << "### " << policy_label(fs) << "\n\n" << body;
        break;
      case SummaryFormat::csv: {
        // The policy and its lever values lead every row; the header once.
        std::string head = "policy", cells = std::to_string(fs.policy);
        for (const auto& [key, value] : fs.levers) {
          head += "," + csv_cell("lever." + key);
          cells += "," + csv_cell(value);
        }
        std::istringstream lines(body);
        std::string line;
        for (bool header = true; std::getline(lines, line); header = false)
          if (!header || k == 0) os << (header ? head : cells) << "," << line << "\n";
        break;
      }
      case SummaryFormat::json: {
        while (!body.empty() && body.back() == '\n') body.pop_back();
        os << (k ? ",\n" : "") << "{\"policy\": " << fs.policy << ", \"levers\": {";
        for (std::size_t j = 0; j < fs.levers.size(); ++j)
          os << (j ? ", " : "") << json_string(fs.levers[j].first) << ": " << json_lever(fs.levers[j].second);
        os << "}, " << json_string(json_key) << ": " << body << "}";
        break;
      }
    }
  }
  if (format == SummaryFormat::json) os << "]\n";
  return os.str();
}

void add_unavailable(Answer& answer, const std::string& path, const std::vector<std::string>& unavailable,
                     SummaryFormat format) {
  if (unavailable.empty()) return;
  if (format == SummaryFormat::csv || format == SummaryFormat::json) {
    for (const auto& u : unavailable) answer.warnings.push_back(path + " does not store it: " + u);
    return;
  }
  std::string notes = "\nNot in this file (left out, or shown as -):\n";
  for (const auto& u : unavailable) notes += (format == SummaryFormat::markdown ? "- " : "  ") + u + "\n";
  answer.text += notes;
}

Answer summarize_file(const std::string& path, const SummaryRequest& request) {
  if (!std::filesystem::exists(path)) throw RequestError(path + ": no such file");
  const ResultsReader in(path);
  const SummaryOptions opt = summary_options(in, request);
  const bool apart = per_policy(in, request.pool);
  long long incomplete = 0;
  const auto parts = summarize(in, opt, apart, incomplete);
  Answer answer;
  if (incomplete > 0)
    answer.warnings.push_back(incomplete_runs_warning(incomplete, in.runs(), path, "summarised without them"));
  std::vector<std::string> bodies;
  for (const auto& fs : parts) bodies.push_back(render(fs.summary, request.format));
  if (request.format == SummaryFormat::text) answer.text = file_header(in, incomplete, !apart) + "\n";
  answer.text += join_policies(parts, bodies, request.format, apart, "summary");
  add_unavailable(answer, path, parts.front().summary.unavailable, request.format);
  return answer;
}

std::string run_table(const std::string& path) {
  const ResultsReader in(path);
  const auto& time = in.time();
  // Capacity at the start is known in every store (its parameter).
  SummaryOptions opt = summary_options(in, {});
  opt.years = {time.front(), time.back()};
  const bool apart = per_policy(in, false);
  long long incomplete = 0;
  const auto parts = summarize(in, opt, apart, incomplete);
  const bool many = parts.front().summary.runs > 1;
  std::ostringstream os;
  for (const auto& fs : parts) {
    const Summary& s = fs.summary;
    if (apart) os << policy_label(fs) << " (" << s.runs << " runs)\n";
    os << std::left << std::setw(5) << "iso3" << std::right << std::setw(9) << "MW@start" << std::setw(9) << "MW@end"
       << std::setw(9) << "1 GW" << std::setw(9) << "target";
    if (many) os << std::setw(7) << "P(1GW)";
    for (const auto& period : s.periods) os << "  " << std::left << std::setw(10) << period_label(period);
    os << "\n";
    for (const auto& c : s.countries) {
      os << std::left << std::setw(5) << c.iso3 << std::right << std::fixed << std::setprecision(0) << std::setw(9)
         << c.it_mw_at.front() << std::setw(9) << c.it_mw_at.back() << std::setw(9)
         << format_year_value(c.year_reach.p50) << std::setw(9) << format_year_value(c.year_target.p50);
      if (many) os << std::setw(7) << std::setprecision(2) << c.year_reach.probability;
      for (int code : c.dominant)
        os << "  " << std::left << std::setw(10) << kBottleneckNames[static_cast<std::size_t>(code)];
      os << std::right << "\n";
    }
    os << "\n";
  }
  if (many)
    os << "(medians over " << (apart ? "each policy's runs" : std::to_string(parts.front().summary.runs) + " runs")
       << ";\n ";
  else
    os << "(";
  os << "years are when IT capacity first reaches 1 GW and the final target; the last\n"
        "columns give the bottleneck of most steps in each period: see docs/model.md)\n";
  return os.str();
}

}  // namespace sovcap
