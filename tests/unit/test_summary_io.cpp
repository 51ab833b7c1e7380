// Summaries of results files (analysis/sovcap/summary_io.hpp): the years and periods asked
// for, `sovcap summarize`'s answer overall and per policy in each format, the warning for a
// partial file, and the table `sovcap run` prints.

#include "sovcap/summary_io.hpp"

#include <atomic>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "run_support.hpp"

namespace sovcap {
namespace {

using testing::lines_of;
using testing::request_error;

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

// small.toml: 2026 to 2032, KOR, FRA and SAU; 2 x 2 lever values (4 policies) x 37 samples.
using SummaryFileTest = testing::FileTest;

TEST_F(SummaryFileTest, OptionsDefaultToTheHorizon) {
  const std::string file = write("small.toml", "small.h5", {"sweep.samples=2"});
  const ResultsReader in(file);
  SummaryRequest request;
  const SummaryOptions defaults = summary_options(in, request);
  // Every 2 years from the start, then every 5: 2028, 2030, 2032; periods from start + 3.
  EXPECT_EQ(defaults.years, (std::vector<double>{2028, 2030, 2032}));
  EXPECT_EQ(defaults.period_bounds, (std::vector<double>{2029}));
  request.years = std::vector<double>{2027, 2031};
  request.period_bounds = std::vector<double>{};
  const SummaryOptions chosen = summary_options(in, request);
  EXPECT_EQ(chosen.years, (std::vector<double>{2027, 2031}));
  EXPECT_TRUE(chosen.period_bounds.empty());
}

TEST_F(SummaryFileTest, SummaryStoreGetsTheHorizonAndOnePeriod) {
  const std::string file = write("small.toml", "summary.h5", {"sweep.samples=2"}, StoreMode::summary);
  const ResultsReader in(file);
  const SummaryOptions opt = summary_options(in, {});
  EXPECT_TRUE(opt.years.empty());
  EXPECT_TRUE(opt.period_bounds.empty());
  const Answer answer = summarize_file(file, {}, false);
  EXPECT_EQ(lines_of(answer.text).at(0), file + ": 8 runs, 3 countries, 2026 to 2032 (summary store: horizon only)");
}

TEST_F(SummaryFileTest, OneSummaryOrOnePerPolicy) {
  const std::string file = write("small.toml", "small.h5");
  const Answer all = summarize_file(file, {}, false);
  EXPECT_TRUE(all.warnings.empty());
  const auto text = lines_of(all.text);
  EXPECT_EQ(text.at(0), file + ": 148 runs, 3 countries, 2026 to 2032");
  EXPECT_EQ(text.at(1), "");
  EXPECT_TRUE(starts_with(text.at(2), "iso3  name"));
  EXPECT_EQ(text.size(), 6u);  // the line above, a blank, header, three countries

  SummaryRequest csv;
  csv.format = SummaryFormat::csv;
  const auto rows = lines_of(summarize_file(file, csv, true).text);
  ASSERT_EQ(rows.size(), 1u + 4 * 3);  // one header, then every policy's countries
  EXPECT_TRUE(starts_with(rows[0], "policy,iso3,name,runs,year_gw_p10,"));
  // Labels quoted, their double quotes made single; each policy has its 37 runs.
  EXPECT_TRUE(starts_with(rows[1], "\"policy 0: global.allocation = 'pro_rata', "
                                   "country.KOR.grid_add_mw_per_year = 400\",KOR,Korea,37,"));
  EXPECT_TRUE(starts_with(rows[12], "\"policy 3: global.allocation = 'max_min_fair', "
                                    "country.KOR.grid_add_mw_per_year = 800\",SAU,Saudi Arabia,37,"));

  SummaryRequest markdown;
  markdown.format = SummaryFormat::markdown;
  std::vector<std::string> headings;
  for (const auto& line : lines_of(summarize_file(file, markdown, true).text))
    if (starts_with(line, "### ")) headings.push_back(line);
  EXPECT_EQ(headings, (std::vector<std::string>{
                          "### policy 0: global.allocation = \"pro_rata\", country.KOR.grid_add_mw_per_year = 400",
                          "### policy 1: global.allocation = \"pro_rata\", country.KOR.grid_add_mw_per_year = 800",
                          "### policy 2: global.allocation = \"max_min_fair\", country.KOR.grid_add_mw_per_year = 400",
                          "### policy 3: global.allocation = \"max_min_fair\", country.KOR.grid_add_mw_per_year = 800"}));

  SummaryRequest json;
  json.format = SummaryFormat::json;
  const std::string array = summarize_file(file, json, true).text;
  EXPECT_TRUE(starts_with(array, "[{\"policy\": \"policy 0: global.allocation = 'pro_rata', "
                                 "country.KOR.grid_add_mw_per_year = 400\", \"summary\": {\"runs\": 37, "));
  EXPECT_EQ(array.substr(array.size() - 5), "]}}]\n");  // the last summary, its object, the array
  EXPECT_NE(array.find("}},\n{\"policy\": \"policy 3: "), std::string::npos);
}

TEST_F(SummaryFileTest, PartialFileIsSummarisedWithAWarning) {
  RunRequest request;
  request.scenario_path = testing::test_scenario("small.toml");
  request.output = path("stopped.h5");
  std::atomic<bool> stop{false};
  long long written = 0;
  {
    RunJob job(request);
    // Stop after the first block: the blocks in flight are written, the rest are not.
    written = job.run(&stop, [&](long long, long long) { stop.store(true); }).written;
  }
  ASSERT_GT(written, 0);
  ASSERT_LT(written, 148);
  const std::string partial = request.output + ".partial";
  const Answer answer = summarize_file(partial, {}, false);
  ASSERT_EQ(answer.warnings.size(), 1u);
  EXPECT_EQ(answer.warnings[0], std::to_string(148 - written) + " of 148 runs in " + partial +
                                    " are not complete (a partial file, or a master missing a shard); "
                                    "summarised without them");
}

TEST_F(SummaryFileTest, MissingFile) {
  EXPECT_EQ(request_error([&] { summarize_file(path("none.h5"), {}, false); }), path("none.h5") + ": no such file");
}

TEST_F(SummaryFileTest, RunTableHasAColumnPerPeriod) {
  const std::string file = write("small.toml", "small.h5");
  const auto lines = lines_of(run_table(file));
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[0], "iso3  MW@start   MW@end     1 GW   target P(1GW)  2026-2028   2029-2031 ");
  EXPECT_TRUE(starts_with(lines[1], "KOR        110 "));  // it_mw starts at 110 MW in every run
  EXPECT_TRUE(starts_with(lines[2], "FRA         80 "));
  EXPECT_TRUE(starts_with(lines[3], "SAU         20 "));
  EXPECT_EQ(lines[4], "");
  EXPECT_EQ(lines[5], "(medians over 148 runs; years are when IT capacity first reaches 1 GW and the final "
                      "target; the last");

  // One run (small.toml without its [sweep]): no P(1GW) column, no "medians over".
  std::ifstream in(testing::test_scenario("small.toml"));
  std::stringstream text;
  text << in.rdbuf();
  const std::string scenario = text.str();
  std::ofstream(path("one.toml")) << scenario.substr(0, scenario.find("[sweep]"));
  RunRequest request;
  request.scenario_path = path("one.toml");
  request.output = path("one.h5");
  RunJob(request).run(nullptr, {});
  const auto single = lines_of(run_table(request.output));
  EXPECT_EQ(single.at(0), "iso3  MW@start   MW@end     1 GW   target  2026-2028   2029-2031 ");
  EXPECT_EQ(single.at(5), "(years are when IT capacity first reaches 1 GW and the final target; the last");
}

}  // namespace
}  // namespace sovcap
