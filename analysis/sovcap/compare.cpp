#include "sovcap/compare.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "sovcap/csv.hpp"
#include "sovcap/reader.hpp"
#include "sovcap/request_error.hpp"
#include "sovcap/scenario.hpp"
#include "sovcap/text.hpp"

namespace sovcap {
namespace {

using Table = std::vector<std::vector<std::string>>;  // rows of cells, the first the header

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

// A CSV cell as JSON: a number stays a number; "" (never, or not in the file) becomes
// null, as in `sovcap summarize --format json`; anything else is a string.
std::string json_value(const std::string& cell) {
  if (cell.empty()) return "null";
  double v = 0.0;
  const auto r = std::from_chars(cell.data(), cell.data() + cell.size(), v);
  if (r.ec == std::errc() && r.ptr == cell.data() + cell.size() && std::isfinite(v)) return cell;
  return json_string(cell);
}

}  // namespace

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
      throw RequestError("--countries: unknown country '" + item + "'" +
                         (guess.empty() ? "" : " (did you mean '" + guess + "'?)") +
                         "; the file has " + all);
    }
    const auto index = static_cast<std::size_t>(it - iso3.begin());
    if (std::find(out.begin(), out.end(), index) != out.end())
      throw RequestError("--countries: " + code + " is given twice");
    out.push_back(index);
  }
  if (out.empty()) throw RequestError("--countries: give at least one ISO3 code, e.g. KOR,FRA,GBR");
  return out;
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

Answer compare_countries(const std::string& path, const std::string& countries,
                         const SummaryRequest& request) {
  if (!std::filesystem::exists(path)) throw RequestError(path + ": no such file");
  const ResultsReader in(path);
  const auto picked = pick_countries(countries, in.iso3());
  const SummaryOptions opt = summary_options(in, request);
  const bool apart = per_policy(in, request.pool);
  long long incomplete = 0;
  auto parts = summarize(in, opt, apart, incomplete);
  Answer answer;
  if (incomplete > 0)
    answer.warnings.push_back(incomplete_runs_warning(incomplete, in.runs(), path, "compared without them"));
  std::vector<std::string> bodies;
  for (auto& fs : parts) {
    std::vector<CountrySummary> chosen;
    for (std::size_t i : picked) chosen.push_back(fs.summary.countries.at(i));
    fs.summary.countries = std::move(chosen);
    bodies.push_back(render_compare(fs.summary, request.format));
  }
  if (request.format == SummaryFormat::text) answer.text = file_header(in, incomplete, !apart) + "\n";
  answer.text += join_policies(parts, bodies, request.format, apart, "comparison");
  add_unavailable(answer, path, parts.front().summary.unavailable, request.format);
  return answer;
}

}  // namespace sovcap
