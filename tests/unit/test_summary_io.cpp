// Summaries of results files (analysis/sovcap/summary_io.hpp): the years and periods asked
// for (and refused), what a summary-store file gives, `sovcap summarize`'s answer per
// policy and pooled in each format, the header and warning for a partial file, and the
// table `sovcap run` prints.

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

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

// small.toml: 2026 to 2032, KOR, FRA and SAU; 2 x 2 lever values (4 policies) x 37 samples.
using SummaryFileTest = testing::FileTest;

TEST_F(SummaryFileTest, OptionsDefaultToTheHorizonAndRefuseYearsOutsideTheRun) {
  const std::string file = write("small.toml", "small.h5", {"sweep.samples=2"});
  const ResultsReader in(file);
  SummaryRequest request;
  const SummaryOptions defaults = summary_options(in, request);
  // Every 2 years from the start, then every 5: 2028, 2030, 2032; periods from start + 3.
  EXPECT_EQ(defaults.years, (std::vector<double>{2028, 2030, 2032}));
  EXPECT_EQ(defaults.period_bounds, (std::vector<double>{2029}));
  EXPECT_EQ(defaults.reach_mw, 1000.0);
  request.years = std::vector<double>{2026, 2031};
  request.period_bounds = std::vector<double>{};
  request.reach_mw = 250.0;
  const SummaryOptions chosen = summary_options(in, request);
  EXPECT_EQ(chosen.years, (std::vector<double>{2026, 2031}));
  EXPECT_TRUE(chosen.period_bounds.empty());
  EXPECT_EQ(chosen.reach_mw, 250.0);
  for (double y : {2025.75, 2032.25, 2040.0}) {
    request.years = std::vector<double>{2030, y};
    EXPECT_EQ(request_error([&] { summary_options(in, request); }),
              "--years " + year_label(y) + ": not in the run of " + file +
                  ", which covers 2026 to 2032 (every 0.25 years)");
  }
}

TEST_F(SummaryFileTest, SummaryStoreWithoutTrajectoriesGivesWhatItHolds) {
  const std::string file = write("small.toml", "summary.h5", {"sweep.samples=2"}, StoreMode::summary);
  const std::string full = write("small.toml", "full.h5", {"sweep.samples=2"});
  const ResultsReader in(file), full_in(full);
  const SummaryOptions opt = summary_options(in, {});
  EXPECT_EQ(opt.years, (std::vector<double>{2032}));
  EXPECT_TRUE(opt.period_bounds.empty());
  // The horizon and one period: exactly the full file's summary with the same options.
  long long incomplete = 0;
  const auto a = summarize(in, opt, false, incomplete).front().summary;
  const auto b = summarize(full_in, opt, false, incomplete).front().summary;
  EXPECT_TRUE(a.unavailable.empty());
  ASSERT_EQ(a.countries.size(), 3u);
  for (std::size_t c = 0; c < 3; ++c) {
    EXPECT_EQ(a.countries[c].it_mw_at, b.countries[c].it_mw_at);
    EXPECT_EQ(a.countries[c].spend_usd, b.countries[c].spend_usd);
    EXPECT_EQ(a.countries[c].dominant, b.countries[c].dominant);
    EXPECT_EQ(a.countries[c].dominant_share, b.countries[c].dominant_share);
    EXPECT_EQ(a.countries[c].year_reach.p50, b.countries[c].year_reach.p50);
  }
  const Answer answer = summarize_file(file, {});
  const auto text = lines_of(answer.text);
  EXPECT_EQ(text.at(0), file + ": 8 runs, 4 policies, 3 countries, 2026 to 2032, summary store (kept: none)");
  // Asked for more than it holds: shown as "-", and said once, with the --keep for it.
  SummaryRequest request;
  request.years = std::vector<double>{2026, 2030};
  request.reach_mw = 500.0;
  request.pool = true;
  const auto more = lines_of(summarize_file(file, request).text);
  const std::vector<std::string> tail(more.end() - 6, more.end());
  EXPECT_EQ(tail, (std::vector<std::string>{
                      "Not in this file (left out, or shown as -):",
                      "  reach 500 MW: needs --keep it_mw (the file's year_gw_reached is for 1000 MW only)",
                      "  MW at 2030: needs --keep it_mw", "  compute at 2026 and 2030: needs --keep compute_flops",
                      "  TWh/yr at 2030: needs --keep energy_twh", "  spent by 2030: needs --keep capex_usd,opex_usd"}));
  EXPECT_TRUE(starts_with(more.at(3), "KOR   Korea                    -  never (never-never, p=0.00)          -          -      110        -  "))
      << more.at(3);
  request.format = SummaryFormat::csv;
  const Answer csv = summarize_file(file, request);
  ASSERT_EQ(csv.warnings.size(), 5u);
  EXPECT_EQ(csv.warnings[1], file + " does not store it: MW at 2030: needs --keep it_mw");
}

TEST_F(SummaryFileTest, SummaryStoreWithKeptSeriesGivesThemAtAnyYear) {
  const std::string file = write("small.toml", "summary.h5", {}, StoreMode::summary,
                                 {CountrySeries::it_mw, CountrySeries::bottleneck, CountrySeries::target_mw});
  const std::string full = write("small.toml", "full.h5");
  const ResultsReader in(file), full_in(full);
  SummaryRequest request;
  request.years = std::vector<double>{2026, 2030.1, 2032};
  request.reach_mw = 700.0;
  const SummaryOptions opt = summary_options(in, request);
  long long incomplete = 0;
  const auto a = summarize(in, opt, true, incomplete), b = summarize(full_in, opt, true, incomplete);
  ASSERT_EQ(a.size(), 4u);
  for (std::size_t p = 0; p < 4; ++p) {
    EXPECT_EQ(a[p].summary.years, (std::vector<double>{2026, 2030, 2032}));
    EXPECT_EQ(a[p].summary.unavailable, (std::vector<std::string>{"compute at 2026 and 2030: needs --keep compute_flops"}));
    EXPECT_TRUE(b[p].summary.unavailable.empty());
    for (std::size_t c = 0; c < 3; ++c) {
      const auto &x = a[p].summary.countries[c], &y = b[p].summary.countries[c];
      EXPECT_EQ(x.it_mw_at, y.it_mw_at);
      EXPECT_EQ(x.dominant, y.dominant);
      EXPECT_TRUE(same(x.year_reach.p50, y.year_reach.p50));
      EXPECT_EQ(x.p_reach_by, y.p_reach_by);
      EXPECT_EQ(x.compute_at.back(), y.compute_at.back());
    }
  }
}

TEST_F(SummaryFileTest, PerPolicyByDefaultOrPooled) {
  const std::string file = write("small.toml", "small.h5");
  SummaryRequest pooled;
  pooled.pool = true;
  const Answer all = summarize_file(file, pooled);
  EXPECT_TRUE(all.warnings.empty());
  const auto text = lines_of(all.text);
  EXPECT_EQ(text.at(0), file + ": 148 runs, 4 policies pooled, 3 countries, 2026 to 2032");
  EXPECT_EQ(text.at(1), "");
  EXPECT_TRUE(starts_with(text.at(2), "iso3  name"));
  EXPECT_EQ(text.size(), 6u);  // the line above, a blank, header, three countries

  const auto apart = lines_of(summarize_file(file, {}).text);
  EXPECT_EQ(apart.at(0), file + ": 148 runs, 4 policies, 3 countries, 2026 to 2032");
  EXPECT_EQ(apart.at(2), "policy 0: global.allocation = pro_rata, country.KOR.grid_add_mw_per_year = 400 (37 runs)");

  SummaryRequest csv;
  csv.format = SummaryFormat::csv;
  const auto rows = lines_of(summarize_file(file, csv).text);
  ASSERT_EQ(rows.size(), 1u + 4 * 3);  // one header, then every policy's countries
  EXPECT_TRUE(starts_with(rows[0], "policy,lever.global.allocation,lever.country.KOR.grid_add_mw_per_year,"
                                   "iso3,name,runs,reach_mw,year_reach_p10,"));
  // Lever values as their text, unquoted; each policy has its 37 runs.
  EXPECT_TRUE(starts_with(rows[1], "0,pro_rata,400,KOR,Korea,37,1000,"));
  EXPECT_TRUE(starts_with(rows[12], "3,max_min_fair,800,SAU,Saudi Arabia,37,1000,"));

  SummaryRequest markdown;
  markdown.format = SummaryFormat::markdown;
  std::vector<std::string> headings;
  for (const auto& line : lines_of(summarize_file(file, markdown).text))
    if (starts_with(line, "### ")) headings.push_back(line);
  EXPECT_EQ(headings, (std::vector<std::string>{
                          "### policy 0: global.allocation = pro_rata, country.KOR.grid_add_mw_per_year = 400",
                          "### policy 1: global.allocation = pro_rata, country.KOR.grid_add_mw_per_year = 800",
                          "### policy 2: global.allocation = max_min_fair, country.KOR.grid_add_mw_per_year = 400",
                          "### policy 3: global.allocation = max_min_fair, country.KOR.grid_add_mw_per_year = 800"}));

  SummaryRequest json;
  json.format = SummaryFormat::json;
  const std::string array = summarize_file(file, json).text;
  EXPECT_TRUE(starts_with(array, "[{\"policy\": 0, \"levers\": {\"global.allocation\": \"pro_rata\", "
                                 "\"country.KOR.grid_add_mw_per_year\": 400}, \"summary\": {\"runs\": 37, "));
  EXPECT_EQ(array.substr(array.size() - 6), "[]}}]\n");  // the last summary's list, its object, the array
  EXPECT_NE(array.find("}},\n{\"policy\": 3, "), std::string::npos);
}

TEST_F(SummaryFileTest, PartialFileSaysHowManyRunsItUses) {
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
  const Answer answer = summarize_file(partial, {});
  ASSERT_EQ(answer.warnings.size(), 1u);
  EXPECT_EQ(answer.warnings[0], std::to_string(148 - written) + " of 148 runs in " + partial +
                                    " are not complete (a partial file, or a master missing a shard); "
                                    "summarised without them");
  EXPECT_EQ(lines_of(answer.text).at(0), partial + ": " + std::to_string(written) +
                                             " of 148 runs complete, 4 policies, 3 countries, 2026 to 2032");
}

TEST_F(SummaryFileTest, PartialFileWithNoCompleteRunIsRefused) {
  RunRequest request;
  request.scenario_path = testing::test_scenario("small.toml");
  request.output = path("stopped.h5");
  std::atomic<bool> stop{true};
  EXPECT_EQ(RunJob(request).run(&stop, {}).written, 0);
  const std::string partial = request.output + ".partial";
  EXPECT_EQ(request_error([&] { summarize_file(partial, {}); }), partial + " holds no complete run: nothing to summarise");
}

TEST_F(SummaryFileTest, MissingFile) {
  EXPECT_EQ(request_error([&] { summarize_file(path("none.h5"), {}); }), path("none.h5") + ": no such file");
}

TEST_F(SummaryFileTest, RunTablePerPolicyWithAColumnPerPeriod) {
  const std::string file = write("small.toml", "small.h5");
  const auto lines = lines_of(run_table(file));
  ASSERT_EQ(lines.size(), 4u * 6 + 3);  // per policy: heading, header, 3 countries, blank; a footnote
  EXPECT_EQ(lines[0], "policy 0: global.allocation = pro_rata, country.KOR.grid_add_mw_per_year = 400 (37 runs)");
  EXPECT_EQ(lines[1], "iso3  MW@start   MW@end     1 GW   target P(1GW)  2026-2028   2029-2031 ");
  EXPECT_TRUE(starts_with(lines[2], "KOR        110 "));  // it_mw starts at 110 MW in every run
  EXPECT_TRUE(starts_with(lines[3], "FRA         80 "));
  EXPECT_TRUE(starts_with(lines[4], "SAU         20 "));
  EXPECT_EQ(lines[5], "");
  EXPECT_EQ(lines[18], "policy 3: global.allocation = max_min_fair, country.KOR.grid_add_mw_per_year = 800 (37 runs)");
  EXPECT_EQ(lines[24], "(medians over each policy's runs;");

  // A summary store: the start from the parameter, one period without the bottleneck trajectory.
  const std::string summary = write("small.toml", "summary.h5", {}, StoreMode::summary);
  const auto stored = lines_of(run_table(summary));
  EXPECT_EQ(stored.at(1), "iso3  MW@start   MW@end     1 GW   target P(1GW)  2026-2031 ");
  EXPECT_TRUE(starts_with(stored.at(2), "KOR        110 "));

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
