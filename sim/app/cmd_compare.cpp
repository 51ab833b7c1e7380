// `sovcap compare OUT.h5 --countries KOR,FRA,GBR`: the metrics of `sovcap summarize` for a
// few countries side by side, one column per country and one row per metric. The metrics
// and their formatting are summarize()'s and render()'s (summary_io.hpp, summary.hpp);
// this command only picks the countries and turns the rendered table around.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include <boost/program_options.hpp>

#include "cli.hpp"
#include "sovcap/text.hpp"
#include "commands.hpp"
#include "sovcap/csv.hpp"
#include "sovcap/output.hpp"
#include "sovcap/reader.hpp"
#include "sovcap/scenario.hpp"
#include "sovcap/summary.hpp"
#include "sovcap/summary_io.hpp"

namespace po = boost::program_options;

namespace sovcap::app {
namespace {

using Table = std::vector<std::vector<std::string>>;  // rows of cells, the first the header

// The countries asked for, as indices into the file's countries, in the order given.
std::vector<std::size_t> pick_countries(const std::string& text, const std::vector<std::string>& iso3) {
  std::vector<std::size_t> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    std::string code = item;
    for (auto& ch : code) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    const auto it = std::find(iso3.begin(), iso3.end(), code);
    if (it == iso3.end()) {
      const std::string guess = did_you_mean(code, iso3);
      std::string all;
      for (std::size_t k = 0; k < iso3.size(); ++k) all += (k ? ", " : "") + iso3[k];
      throw UsageError("--countries: unknown country '" + item + "'" +
                       (guess.empty() ? "" : " (did you mean '" + guess + "'?)") +
                       "; the file has " + all);
    }
    const auto index = static_cast<std::size_t>(it - iso3.begin());
    if (std::find(out.begin(), out.end(), index) != out.end())
      throw UsageError("--countries: " + code + " is given twice");
    out.push_back(index);
  }
  if (out.empty()) throw UsageError("--countries: give at least one ISO3 code, e.g. KOR,FRA,GBR");
  return out;
}

// The cells of render()'s CSV, read with the library's CSV reader.
Table csv_cells(const std::string& text) {
  Table rows;
  for (const auto& record : parse_csv(text).records) {
    std::vector<std::string> row;
    for (const auto& field : record.fields) row.push_back(field.text);
    rows.push_back(std::move(row));
  }
  return rows;
}

// The cells of render()'s Markdown table: the header, then the rows (the rule left out).
Table parse_markdown(const std::string& text) {
  Table rows;
  std::istringstream lines(text);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    if (line.size() < 2 || line.front() != '|' || n++ == 1) continue;  // n == 1: |---|
    std::vector<std::string> row;
    std::string body = line.substr(1, line.size() - (line.back() == '|' ? 2 : 1));
    std::size_t from = 0;
    while (true) {
      const auto bar = body.find('|', from);
      std::string cell = body.substr(from, bar == std::string::npos ? std::string::npos : bar - from);
      cell.erase(0, cell.find_first_not_of(' '));
      cell.erase(cell.find_last_not_of(' ') + 1);
      row.push_back(cell);
      if (bar == std::string::npos) break;
      from = bar + 1;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

// Rows become columns: the first column of `t` (iso3) becomes the header, its first row
// (the metric names) the first column.
Table transpose(const Table& t, const std::string& corner) {
  Table out;
  if (t.empty()) return out;
  const std::size_t cols = t.front().size();
  for (std::size_t j = 0; j < cols; ++j) {
    std::vector<std::string> row;
    for (std::size_t i = 0; i < t.size(); ++i)
      row.push_back(j < t[i].size() ? t[i][j] : std::string());
    out.push_back(std::move(row));
  }
  out.front().front() = corner;
  return out;
}



// A CSV cell as JSON: a number stays a number; "inf" (never) and "" become null, as in
// `sovcap summarize --format json`; anything else is a string.
std::string json_value(const std::string& cell) {
  if (cell.empty() || cell == "inf" || cell == "nan") return "null";
  double v = 0.0;
  const auto r = std::from_chars(cell.data(), cell.data() + cell.size(), v);
  if (r.ec == std::errc() && r.ptr == cell.data() + cell.size() && std::isfinite(v)) return cell;
  return json_string(cell);
}

std::string render_compare(const Summary& s, SummaryFormat format) {
  std::ostringstream os;
  if (format == SummaryFormat::csv || format == SummaryFormat::json) {
    const Table t = transpose(csv_cells(render(s, SummaryFormat::csv)), "metric");
    if (format == SummaryFormat::csv) {
      for (const auto& row : t) {
        for (std::size_t j = 0; j < row.size(); ++j) os << (j ? "," : "") << csv_cell(row[j]);
        os << "\n";
      }
      return os.str();
    }
    os << "{\"runs\": " << s.runs << ", \"countries\": [";
    for (std::size_t j = 1; j < t.front().size(); ++j) os << (j > 1 ? ", " : "") << json_string(t.front()[j]);
    os << "], \"metrics\": {";
    for (std::size_t i = 1; i < t.size(); ++i) {
      os << (i > 1 ? "," : "") << "\n  " << json_string(t[i][0]) << ": {";
      for (std::size_t j = 1; j < t[i].size(); ++j)
        os << (j > 1 ? ", " : "") << json_string(t.front()[j]) << ": " << json_value(t[i][j]);
      os << "}";
    }
    os << "\n}}\n";
    return os.str();
  }
  // Text and Markdown: the cells of the human-readable table, turned around.
  const Table t = transpose(parse_markdown(render(s, SummaryFormat::markdown)), "");
  if (format == SummaryFormat::markdown) {
    for (std::size_t i = 0; i < t.size(); ++i) {
      os << "|";
      for (const auto& cell : t[i]) os << " " << cell << " |";
      os << "\n";
      if (i == 0) {
        os << "|---|";
        for (std::size_t j = 1; j < t[i].size(); ++j) os << "---:|";
        os << "\n";
      }
    }
    return os.str();
  }
  std::vector<std::size_t> width(t.front().size(), 0);
  for (const auto& row : t)
    for (std::size_t j = 0; j < row.size(); ++j) width[j] = std::max(width[j], row[j].size());
  for (const auto& row : t) {
    for (std::size_t j = 0; j < row.size(); ++j) {
      if (j) os << "  ";
      os << (j == 0 ? std::left : std::right) << std::setw(static_cast<int>(width[j])) << row[j];
    }
    os << "\n";
  }
  return os.str();
}

}  // namespace

int cmd_compare(const std::vector<std::string>& args) {
  const std::string usage =
      "usage: sovcap compare OUT.h5 --countries ISO3,... [--format text|csv|markdown|json]\n"
      "                      [--years Y,...] [--periods Y,...]\n\n"
      "The metrics of `sovcap summarize` for the countries given, side by side: one column per\n"
      "country, in the order given, and one row per metric.\n";
  po::options_description options("options");
  options.add_options()("help,h", "this help")("file", po::value<std::string>()->required(),
                                                "sovcap results file")(
      "countries", po::value<std::string>()->required(), "ISO3 codes separated by commas, e.g. KOR,FRA,GBR");
  add_summary_options(options);
  po::positional_options_description positional;
  positional.add("file", 1);

  return guarded([&]() -> int {
    po::variables_map vm;
    if (!parse_args(args, options, positional, vm, usage)) return kExitOk;
    const SummaryFormat format = parse_summary_format(vm["format"].as<std::string>());

    const std::string path = vm["file"].as<std::string>();
    if (!std::filesystem::exists(path)) throw UsageError(path + ": no such file");
    const ResultsReader in(path);
    const auto picked = pick_countries(vm["countries"].as<std::string>(), in.iso3());
    const auto& time = in.time();
    const SummaryOptions opt = summary_options(vm, in);
    long long incomplete = 0;
    Summary s = summarize(in, opt, false, incomplete).front().summary;
    if (incomplete > 0)
      std::cerr << "sovcap: warning: " << incomplete << " of " << in.runs() << " runs in " << path
                << " are not complete (a partial file, or a master missing a shard); "
                   "compared without them\n";
    std::vector<CountrySummary> chosen;
    for (std::size_t i : picked) chosen.push_back(s.countries.at(i));
    s.countries = std::move(chosen);
    if (format == SummaryFormat::text)
      std::cout << path << ": " << in.runs() << " run" << (in.runs() == 1 ? "" : "s") << ", "
                << time.front() << " to " << time.back()
                << (in.has_trajectories() ? "" : " (summary store: horizon only)") << "\n\n";
    std::cout << render_compare(s, format);
    return kExitOk;
  });
}

}  // namespace sovcap::app
