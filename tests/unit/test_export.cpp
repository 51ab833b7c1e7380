// CSV export of a results file (analysis/sovcap/export.hpp): tables, values read back exactly,
// NaN as an empty cell, lists as TOML text, incomplete runs left out, refusals and clean-up.
// End to end through the program, against h5py, in tests/cli/check_interop.py.

#include "sovcap/export.hpp"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "sovcap/output.hpp"
#include "sovcap/outputs.hpp"
#include "sovcap/request_error.hpp"
#include "support.hpp"

namespace fs = std::filesystem;
using namespace sovcap;

namespace {

using Table = std::vector<std::vector<std::string>>;

// RFC 4180 cells of a CSV file: the header first.
Table read_csv(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  Table rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        cell += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',' || ch == '\n') {
      row.push_back(cell);
      cell.clear();
      if (ch == '\n') {
        rows.push_back(row);
        row.clear();
      }
    } else {
      cell += ch;
    }
  }
  return rows;
}

std::size_t column(const Table& t, const std::string& name) {
  for (std::size_t j = 0; j < t.at(0).size(); ++j)
    if (t[0][j] == name) return j;
  ADD_FAILURE() << "no column " << name;
  return 0;
}

// Three countries, targets for two, two supply shocks, a choice and an integer parameter.
RunParams make_params() {
  RunParams p = sovcap::testing::unconstrained(3, 2026.0, 2028.0, 0.25);
  p.countries.iso3 = {"KOR", "FRA", "JPN"};
  p.countries.name = {"Korea", "France, R\u00e9publique", "Japan"};
  p.global[GlobalParam::allocation] = static_cast<double>(Allocation::max_min_fair);
  p.global[GlobalParam::vendor_supply] = 8e6;
  p.global.supply_shocks = {{2027.0, 2027.5, 0.5}, {2027.75, 2028.0, 0.25}};
  for (int c = 0; c < 3; ++c) {
    p.countries.at(c, CountryParam::it_mw) = 55.0 + 10.0 * c;
    p.countries.at(c, CountryParam::export_tier) = 1.0 + c;
    p.countries.at(c, CountryParam::budget_usd_per_year) = 1e9 / 3.0;
  }
  p.countries.targets = {{{2027.0, 100.0}, {2027.5, 1000.0}}, {{2027.25, 70.5}}, {}};
  return p;
}

class ExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("sovcap_test_export_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    h5_ = (dir_ / "out.h5").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `runs` runs (run r with accel_kw 1.5 + 0.25 r); `skip` is left unwritten and the
  // file kept as a partial.
  void write(int runs, int skip = -1) {
    const RunParams base = make_params();
    OutputFile out(h5_, true, layout_for(base, runs), OutputMetadata{});
    for (int r = 0; r < runs; ++r) {
      if (r == skip) continue;
      RunParams p = base;
      p.global[GlobalParam::accel_kw] = 1.5 + 0.25 * r;
      results_.push_back(sovcap::testing::simulate(p));
      out.write_run(r, p, results_.back());
    }
    if (skip >= 0) {
      out.close_partial();
      h5_ += ".partial";
    } else {
      out.commit();
    }
  }

  fs::path dir_;
  std::string h5_;
  std::vector<RunResult> results_;
};

TEST_F(ExportTest, WritesEveryTableWithExactValues) {
  write(2);
  const fs::path csv = dir_ / "csv";
  const ExportStats stats = export_csv(h5_, csv.string());
  EXPECT_EQ(stats.runs, 2);
  EXPECT_EQ(stats.incomplete, 0);
  EXPECT_EQ(stats.files, (std::vector<std::string>{"series.csv", "run_series.csv", "summary.csv",
                                                   "parameters.csv"}));
  EXPECT_FALSE(fs::exists(dir_ / "csv.partial"));
  const int nc = 3, nt = 9;

  const Table series = read_csv(csv / "series.csv");
  ASSERT_EQ(series.size(), 1u + 2 * nc * nt);
  EXPECT_EQ(stats.series_rows, 2 * nc * nt);
  std::vector<std::string> head = {"run", "policy", "sample", "iso3", "time"};
  for (int s = 0; s < kNumCountrySeries; ++s)
    head.emplace_back(info(static_cast<CountrySeries>(s)).name);
  for (auto name : kBottleneckNames) head.push_back("held_back_mw_" + std::string(name));
  EXPECT_EQ(series[0], head);
  // Every value reads back as the same double; NaN is an empty cell; bottleneck by name.
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < nc; ++c)
      for (int t = 0; t < nt; ++t) {
        const auto& row = series[static_cast<std::size_t>(1 + (r * nc + c) * nt + t)];
        ASSERT_EQ(row.size(), head.size());
        EXPECT_EQ(row[0], std::to_string(r));
        EXPECT_EQ(row[3], make_params().countries.iso3[static_cast<std::size_t>(c)]);
        EXPECT_EQ(std::strtod(row[4].c_str(), nullptr), 2026.0 + 0.25 * t);
        // held_back_mw, a column per constraint after the series.
        for (int k = 0; k < kNumBottlenecks; ++k) {
          const double v = results_[static_cast<std::size_t>(r)].held_back(c + k * nc, t);
          const std::string& cell = row[static_cast<std::size_t>(5 + kNumCountrySeries + k)];
          if (std::isnan(v))
            EXPECT_EQ(cell, "");
          else
            EXPECT_EQ(std::strtod(cell.c_str(), nullptr), v) << cell;
        }
        for (int s = 0; s < kNumCountrySeries; ++s) {
          const double v = results_[static_cast<std::size_t>(r)].country[static_cast<std::size_t>(s)](c, t);
          const std::string& cell = row[static_cast<std::size_t>(5 + s)];
          if (static_cast<CountrySeries>(s) == CountrySeries::bottleneck)
            EXPECT_EQ(cell, std::string(kBottleneckNames[static_cast<std::size_t>(v)]));
          else if (std::isnan(v))
            EXPECT_EQ(cell, "") << head[static_cast<std::size_t>(5 + s)];
          else
            EXPECT_EQ(std::strtod(cell.c_str(), nullptr), v) << head[static_cast<std::size_t>(5 + s)] << " " << cell;
        }
      }
  // Flow series have no step at the initial state: NaN, an empty cell.
  EXPECT_EQ(series[1][column(series, "chip_received")], "");

  const Table run_series = read_csv(csv / "run_series.csv");
  ASSERT_EQ(run_series.size(), 1u + 2 * nt);
  EXPECT_EQ(run_series[0], (std::vector<std::string>{"run", "policy", "sample", "time", "vendor_supply",
                                                     "other_demand", "allocated"}));
  EXPECT_EQ(std::strtod(run_series[nt + 3][4].c_str(), nullptr), results_[1].run[0](2));

  const Table summary = read_csv(csv / "summary.csv");
  ASSERT_EQ(summary.size(), 1u + 2 * nc);
  EXPECT_EQ(summary[0][4], "year_gw_reached");
  EXPECT_EQ(summary[0][6], "bottleneck_share_on_track");
  EXPECT_EQ(summary[0][12], "bottleneck_share_chip_market");
  EXPECT_EQ(summary[0][13], "held_back_share_on_track");
  EXPECT_EQ(summary[0].back(), "shortfall_mw_mean");
  for (int c = 0; c < nc; ++c) {
    const auto& sum = results_[0].held_back_sum;
    const double total = sum.row(c).sum();
    EXPECT_EQ(std::strtod(summary[static_cast<std::size_t>(1 + c)].back().c_str(), nullptr), total / (nt - 1));
    EXPECT_EQ(std::strtod(summary[static_cast<std::size_t>(1 + c)][14].c_str(), nullptr),
              static_cast<double>(static_cast<float>(sum(c, 1) / total)));
  }
  for (int c = 0; c < nc; ++c) {
    const double y = results_[0].year_target_reached(c);
    const std::string& cell = summary[static_cast<std::size_t>(1 + c)][5];
    if (std::isnan(y))
      EXPECT_EQ(cell, "");
    else
      EXPECT_EQ(std::strtod(cell.c_str(), nullptr), y);
  }

  const Table params = read_csv(csv / "parameters.csv");
  ASSERT_EQ(params.size(), 1u + 2 * nc);
  EXPECT_EQ(params[1][column(params, "global.accel_kw")], "1.5");
  EXPECT_EQ(params[4][column(params, "global.accel_kw")], "1.75");
  EXPECT_EQ(params[1][column(params, "global.vendor_supply")], "8e+06");
  EXPECT_EQ(params[1][column(params, "global.allocation")], "max_min_fair");
  EXPECT_EQ(params[2][column(params, "country.export_tier")], "2");
  EXPECT_EQ(std::strtod(params[1][column(params, "country.budget_usd_per_year")].c_str(), nullptr), 1e9 / 3.0);
  EXPECT_EQ(params[1][column(params, "simulation.dt")], "0.25");
  EXPECT_EQ(params[1][column(params, "country.targets")], "[[2027, 100], [2027.5, 1000]]");
  EXPECT_EQ(params[2][column(params, "country.targets")], "[[2027.25, 70.5]]");
  EXPECT_EQ(params[3][column(params, "country.targets")], "[]");
  EXPECT_EQ(params[1][column(params, "global.supply_shocks")],
            "[{start = 2027, end = 2027.5, factor = 0.5}, {start = 2027.75, end = 2028, factor = 0.25}]");
  EXPECT_EQ(params[1][column(params, "policy")], "0");
  EXPECT_EQ(params[4][column(params, "sample")], "1");
}

TEST_F(ExportTest, BlockSizeDoesNotChangeTheFiles) {
  write(3);
  ExportOptions one;
  one.block_runs = 1;
  export_csv(h5_, (dir_ / "a").string(), one);
  export_csv(h5_, (dir_ / "b").string());
  for (const char* name : {"series.csv", "run_series.csv", "summary.csv", "parameters.csv"})
    EXPECT_EQ(read_csv(dir_ / "a" / name), read_csv(dir_ / "b" / name)) << name;
}

TEST_F(ExportTest, LeavesOutIncompleteRuns) {
  write(3, 1);
  const ExportStats stats = export_csv(h5_, (dir_ / "csv").string());
  EXPECT_EQ(stats.runs, 2);
  EXPECT_EQ(stats.incomplete, 1);
  const Table summary = read_csv(dir_ / "csv" / "summary.csv");
  ASSERT_EQ(summary.size(), 1u + 2 * 3);
  EXPECT_EQ(summary[1][0], "0");
  EXPECT_EQ(summary[4][0], "2");
}

TEST_F(ExportTest, RefusesWhatItMustNotReplace) {
  write(1);
  const fs::path csv = dir_ / "csv";
  EXPECT_EQ(export_dir_refusal(csv.string(), false), "");
  fs::create_directory(csv);
  EXPECT_EQ(export_dir_refusal(csv.string(), false), "");  // empty: fine
  export_csv(h5_, csv.string());
  const std::string again = export_dir_refusal(csv.string(), false);
  EXPECT_NE(again.find("use --force"), std::string::npos) << again;
  EXPECT_THROW(export_csv(h5_, csv.string()), OutputError);
  EXPECT_EQ(export_dir_refusal(csv.string() + "/", true), "");
  export_csv(h5_, csv.string() + "/", ExportOptions{true, 0});
  EXPECT_TRUE(fs::exists(csv / "parameters.csv"));

  // --force never deletes files an export did not write.
  std::ofstream(csv / "notes.txt") << "mine";
  const std::string other = export_dir_refusal(csv.string(), true);
  EXPECT_NE(other.find("notes.txt"), std::string::npos) << other;
  EXPECT_THROW(export_csv(h5_, csv.string(), ExportOptions{true, 0}), OutputError);
  EXPECT_TRUE(fs::exists(csv / "notes.txt"));

  EXPECT_NE(export_dir_refusal(h5_, true).find("not a folder"), std::string::npos);
  EXPECT_NE(export_dir_refusal((dir_ / "no" / "csv").string(), true).find("does not exist"),
            std::string::npos);
  // A partial folder that is not an export's is kept; a stale export partial is replaced.
  const fs::path fresh = dir_ / "fresh";
  fs::create_directory(dir_ / "fresh.partial");
  std::ofstream(dir_ / "fresh.partial" / "data.bin") << "x";
  EXPECT_NE(export_dir_refusal(fresh.string(), false).find("data.bin"), std::string::npos);
  fs::remove(dir_ / "fresh.partial" / "data.bin");
  std::ofstream(dir_ / "fresh.partial" / "series.csv") << "half";
  EXPECT_EQ(export_dir_refusal(fresh.string(), false), "");
  export_csv(h5_, fresh.string());
  EXPECT_FALSE(fs::exists(dir_ / "fresh.partial"));
  EXPECT_TRUE(fs::exists(fresh / "series.csv"));
}

TEST_F(ExportTest, FailureLeavesNothingBehind) {
  // Not a results file: refused before anything is written.
  std::ofstream(dir_ / "not.h5") << "plain text";
  EXPECT_THROW(export_csv((dir_ / "not.h5").string(), (dir_ / "csv").string()), RequestError);
  EXPECT_FALSE(fs::exists(dir_ / "csv"));
  EXPECT_FALSE(fs::exists(dir_ / "csv.partial"));
}

}  // namespace
