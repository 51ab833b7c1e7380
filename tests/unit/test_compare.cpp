// Countries side by side (analysis/sovcap/compare.hpp): which countries --countries picks,
// the summary table turned around in every format, and the answer for a results file.

#include "sovcap/compare.hpp"

#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "run_support.hpp"

namespace sovcap {
namespace {

using testing::request_error;

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(PickCountries, InTheOrderGivenAnyCaseAndSpacing) {
  const std::vector<std::string> iso3 = {"KOR", "JPN", "FRA", "GBR"};
  EXPECT_EQ(pick_countries("FRA,KOR", iso3), (std::vector<std::size_t>{2, 0}));
  EXPECT_EQ(pick_countries(" gbr , Jpn", iso3), (std::vector<std::size_t>{3, 1}));
  EXPECT_EQ(pick_countries("KOR", iso3), (std::vector<std::size_t>{0}));
}

TEST(PickCountries, RefusalsNameTheOption) {
  const std::vector<std::string> iso3 = {"KOR", "JPN", "FRA"};
  EXPECT_EQ(request_error([&] { pick_countries("KOX", iso3); }),
            "--countries: unknown country 'KOX' (did you mean 'KOR'?); the file has KOR, JPN, FRA");
  EXPECT_EQ(request_error([&] { pick_countries("USA", iso3); }),
            "--countries: unknown country 'USA'; the file has KOR, JPN, FRA");
  EXPECT_EQ(request_error([&] { pick_countries("KOR,jpn,kor", iso3); }), "--countries: KOR is given twice");
  EXPECT_EQ(request_error([&] { pick_countries("", iso3); }),
            "--countries: give at least one ISO3 code, e.g. KOR,FRA,GBR");
}

// One run, one summary year (2030) and one period (2026 to 2030): KOR reaches 1 GW in
// 2029.5 and is power-bound throughout; FRA never reaches it and is capital-bound in 75% of
// the steps.
Summary two_countries() {
  Summary s;
  s.runs = 1;
  s.years = {2030.0};
  s.periods = {{2026.0, 2030.0}};
  CountrySummary kor;
  kor.iso3 = "KOR";
  kor.name = "Korea";
  kor.year_reach = {2029.5, 2029.5, 2029.5, 1.0};
  kor.p_reach_by = {1.0};
  kor.year_target = {kInf, kInf, kInf, 0.0};
  kor.it_mw_at = {1200.0};
  kor.compute_at = {2.5e18};
  kor.energy_twh = 10.26;
  kor.spend_usd = 3.5e9;
  kor.dominant = {2};  // power
  kor.dominant_share = {1.0};
  CountrySummary fra;
  fra.iso3 = "FRA";
  fra.name = "France";
  fra.year_reach = {kInf, kInf, kInf, 0.0};
  fra.p_reach_by = {0.0};
  fra.year_target = {kInf, kInf, kInf, 0.0};
  fra.it_mw_at = {400.0};
  fra.compute_at = {1e18};
  fra.energy_twh = 3.0;
  fra.spend_usd = 1e9;
  fra.dominant = {3};  // capital
  fra.dominant_share = {0.75};
  s.countries = {kor, fra};
  return s;
}

TEST(RenderCompare, TextAlignsMetricsLeftAndCountriesRight) {
  EXPECT_EQ(render_compare(two_countries(), SummaryFormat::text),
            "                      KOR            FRA\n"
            "name                Korea         France\n"
            "reach 1000 MW     2029.50          never\n"
            "final target        never          never\n"
            "MW 2030              1200            400\n"
            "EFLOP/s 2030          2.5            1.0\n"
            "TWh/yr 2030          10.3            3.0\n"
            "spent $B by 2030      3.5            1.0\n"
            "2026-2029           power  capital (75%)\n");
}

TEST(RenderCompare, MarkdownRightAlignsTheCountries) {
  EXPECT_EQ(render_compare(two_countries(), SummaryFormat::markdown),
            "|  | KOR | FRA |\n"
            "|---|---:|---:|\n"
            "| name | Korea | France |\n"
            "| reach 1000 MW | 2029.50 | never |\n"
            "| final target | never | never |\n"
            "| MW 2030 | 1200 | 400 |\n"
            "| EFLOP/s 2030 | 2.5 | 1.0 |\n"
            "| TWh/yr 2030 | 10.3 | 3.0 |\n"
            "| spent $B by 2030 | 3.5 | 1.0 |\n"
            "| 2026-2029 | power | capital (75%) |\n");
}

TEST(RenderCompare, CsvHasAMetricRowPerSummaryColumn) {
  EXPECT_EQ(render_compare(two_countries(), SummaryFormat::csv),
            "metric,KOR,FRA\n"
            "name,Korea,France\n"
            "runs,1,1\n"
            "reach_mw,1000,1000\n"
            "year_reach_p10,2029.5,\n"
            "year_reach_p50,2029.5,\n"
            "year_reach_p90,2029.5,\n"
            "p_reach,1,0\n"
            "p_reach_by_2030.00,1,0\n"
            "year_target_p10,,\n"
            "year_target_p50,,\n"
            "year_target_p90,,\n"
            "p_target,0,0\n"
            "it_mw_2030.00,1200,400\n"
            "compute_flops_2030.00,2.5e+18,1e+18\n"
            "energy_twh_2030.00,10.26,3\n"
            "spend_usd_2030.00,3500000000,1000000000\n"
            "bottleneck_2026-2029,power,capital\n"
            "bottleneck_share_2026-2029,1,0.75\n");
}

TEST(RenderCompare, JsonKeepsNumbersAndMakesNeverNull) {
  const std::string json = render_compare(two_countries(), SummaryFormat::json);
  EXPECT_EQ(json.substr(0, json.find('\n')), "{\"runs\": 1, \"countries\": [\"KOR\", \"FRA\"], \"metrics\": {");
  EXPECT_NE(json.find("\n  \"name\": {\"KOR\": \"Korea\", \"FRA\": \"France\"},\n"), std::string::npos);
  EXPECT_NE(json.find("\n  \"year_reach_p50\": {\"KOR\": 2029.5, \"FRA\": null},\n"), std::string::npos);
  EXPECT_NE(json.find("\n  \"compute_flops_2030.00\": {\"KOR\": 2.5e+18, \"FRA\": 1e+18},\n"), std::string::npos);
  EXPECT_NE(json.find("\n  \"bottleneck_2026-2029\": {\"KOR\": \"power\", \"FRA\": \"capital\"},\n"),
            std::string::npos);
  const std::string tail = "\n  \"bottleneck_share_2026-2029\": {\"KOR\": 1, \"FRA\": 0.75}\n}}\n";
  ASSERT_GE(json.size(), tail.size());
  EXPECT_EQ(json.substr(json.size() - tail.size()), tail);
}

using CompareFileTest = testing::FileTest;

// small.toml: 4 policies x 37 samples = 148 runs of KOR, FRA and SAU, 2026 to 2032.
TEST_F(CompareFileTest, PicksTheCountriesOfTheFileSummary) {
  const std::string file = write("small.toml", "small.h5");
  SummaryRequest request;
  request.format = SummaryFormat::csv;
  request.pool = true;
  const Answer all = summarize_file(file, request);
  const Answer answer = compare_countries(file, "sau,KOR", request);
  EXPECT_TRUE(answer.warnings.empty());
  // The comparison's columns are the summary's rows of SAU and KOR (no cell holds a comma).
  auto cells = [](const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    for (std::string cell; std::getline(in, cell, ',');) out.push_back(cell);
    if (!line.empty() && line.back() == ',') out.emplace_back();
    return out;
  };
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(all.text);
  for (std::string line; std::getline(lines, line);) rows.push_back(cells(line));
  ASSERT_EQ(rows.size(), 4u);  // header, KOR, FRA, SAU
  ASSERT_EQ(rows[1][0], "KOR");
  ASSERT_EQ(rows[3][0], "SAU");
  std::string expected = "metric,SAU,KOR\n";
  for (std::size_t j = 1; j < rows[0].size(); ++j)
    expected += rows[0][j] + "," + rows[3][j] + "," + rows[1][j] + "\n";
  EXPECT_EQ(answer.text, expected);
  EXPECT_NE(answer.text.find("\nruns,148,148\n"), std::string::npos);

  request.format = SummaryFormat::text;
  const Answer text = compare_countries(file, "FRA", request);
  EXPECT_EQ(text.text.substr(0, text.text.find("\n\n") + 2),
            file + ": 148 runs, 4 policies pooled, 3 countries, 2026 to 2032\n\n");
}

TEST_F(CompareFileTest, PerPolicyByDefault) {
  const std::string file = write("small.toml", "small.h5");
  SummaryRequest request;
  request.format = SummaryFormat::csv;
  const auto rows = testing::lines_of(compare_countries(file, "KOR,FRA", request).text);
  // A header, then per policy one row per metric, the policy and its levers first.
  ASSERT_GT(rows.size(), 5u);
  EXPECT_EQ(rows[0], "policy,lever.global.allocation,lever.country.KOR.grid_add_mw_per_year,metric,KOR,FRA");
  EXPECT_EQ(rows[1], "0,pro_rata,400,name,Korea,France");
  EXPECT_EQ(rows[2], "0,pro_rata,400,runs,37,37");
  EXPECT_EQ((rows.size() - 1) % 4, 0u);
  EXPECT_EQ(rows.back().substr(0, 17), "3,max_min_fair,80");
  request.format = SummaryFormat::json;
  const std::string json = compare_countries(file, "KOR", request).text;
  const std::string head = "[{\"policy\": 0, \"levers\": {\"global.allocation\": \"pro_rata\", "
                           "\"country.KOR.grid_add_mw_per_year\": 400}, \"comparison\": {\"runs\": 37,";
  EXPECT_EQ(json.substr(0, head.size()), head);
}

TEST_F(CompareFileTest, MissingFileOrCountry) {
  EXPECT_EQ(request_error([&] { compare_countries(path("none.h5"), "KOR", {}); }),
            path("none.h5") + ": no such file");
  const std::string file = write("small.toml", "small.h5", {"sweep.samples=2"});
  EXPECT_EQ(request_error([&] { compare_countries(file, "KOR,FRX", {}); }),
            "--countries: unknown country 'FRX' (did you mean 'FRA'?); the file has KOR, FRA, SAU");
}

}  // namespace
}  // namespace sovcap
