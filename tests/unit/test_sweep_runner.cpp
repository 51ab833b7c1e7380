// Sweeps end to end in the library: results independent of the thread count, an
// interrupted sweep resumed to the same file, shards that add up to the whole sweep.

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <hdf5.h>

#include "sovcap/output.hpp"
#include "sovcap/reader.hpp"
#include "sovcap/scenario.hpp"
#include "sovcap/sweep_runner.hpp"

namespace sovcap {
namespace {

namespace fs = std::filesystem;

const std::string kSmall = std::string(SOVCAP_SOURCE_DIR) + "/tests/cli/sweep/small.toml";

// Every dataset of a file, by name, as raw bytes in its own type (vlen strings excluded:
// they hold pointers), read with the C API.
std::vector<std::pair<std::string, std::vector<char>>> datasets(const std::string& path) {
  std::vector<std::pair<std::string, std::vector<char>>> out;
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT_GE(f, 0) << path;
  std::vector<std::string> names;
  H5Literate(
      f, H5_INDEX_NAME, H5_ITER_INC, nullptr,
      [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->push_back(name);
        return 0;
      },
      &names);
  for (const auto& name : names) {
    const hid_t d = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
    const hid_t type = H5Dget_type(d);
    if (H5Tis_variable_str(type) <= 0) {
      const hid_t space = H5Dget_space(d);
      const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
      std::vector<char> bytes(n * H5Tget_size(type));
      if (n > 0) H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
      out.emplace_back(name, std::move(bytes));
      H5Sclose(space);
    }
    H5Tclose(type);
    H5Dclose(d);
  }
  H5Fclose(f);
  return out;
}

class SweepRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / "sovcap_test_sweep_runner" /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    sc_ = load_scenario(kSmall);
    policies_ = policy_params(sc_);
    meta_.scenario_path = sc_.path;
    meta_.scenario_text = sc_.text;
    meta_.seed = sc_.params.sim.seed;
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  OutputLayout layout(long long first, long long end, StoreMode store = StoreMode::full) const {
    return sweep_layout(sc_, policies_, first, end, store, {});
  }
  // Runs [first, end) into `name` with `threads` threads and commits it.
  void write(const std::string& name, int threads, long long first, long long end) {
    OutputFile out(path(name), false, layout(first, end), meta_);
    SweepOptions opt;
    opt.threads = threads;
    const auto stats = run_sweep(sc_, policies_, out, opt);
    EXPECT_FALSE(stats.interrupted);
    EXPECT_EQ(stats.written, end - first);
    out.commit();
  }

  fs::path dir_;
  Scenario sc_;
  std::vector<RunParams> policies_;
  OutputMetadata meta_;
};

TEST_F(SweepRunnerTest, TheSweepHasEveryPolicyOnTheSameSamples) {
  ASSERT_EQ(sc_.sweep.policies(), 4);
  ASSERT_EQ(sc_.sweep.samples_per_policy(), 37);
  const SampleDesign design(sc_.sweep.method, sc_.sweep.samples,
                            static_cast<int>(sc_.sweep.uncertain.size()), sc_.params.sim.seed);
  RunParams a, b;
  RunInfo ia, ib;
  // Sample 5 of policy 0 and of policy 3: the same sampled futures.
  build_run(sc_, policies_, design, 5, a, ia);
  build_run(sc_, policies_, design, 3 * 37 + 5, b, ib);
  EXPECT_EQ(ia.sampled, ib.sampled);
  EXPECT_EQ(ia.policy, 0);
  EXPECT_EQ(ib.policy, 3);
  EXPECT_EQ(ib.sample, 5);
  EXPECT_EQ(a.global[GlobalParam::vendor_supply_growth], b.global[GlobalParam::vendor_supply_growth]);
  EXPECT_NE(a.global[GlobalParam::allocation], b.global[GlobalParam::allocation]);
  const int kor = a.countries.find("KOR");
  EXPECT_EQ(a.countries.at(kor, CountryParam::grid_add_mw_per_year), 400.0);
  EXPECT_EQ(b.countries.at(kor, CountryParam::grid_add_mw_per_year), 800.0);
}

TEST_F(SweepRunnerTest, OneAndTwoThreadsWriteIdenticalFiles) {
  const long long total = sc_.sweep.runs();
  write("t1.h5", 1, 0, total);
  write("t2.h5", 2, 0, total);
  const auto a = datasets(path("t1.h5"));
  const auto b = datasets(path("t2.h5"));
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].first, b[k].first);
    EXPECT_TRUE(a[k].second == b[k].second) << a[k].first;
  }
}

TEST_F(SweepRunnerTest, AnInterruptedSweepResumesToTheSameFile) {
  const long long total = sc_.sweep.runs();
  write("whole.h5", 2, 0, total);
  {
    OutputFile out(path("cut.h5"), false, layout(0, total), meta_);
    std::atomic<bool> stop{false};
    SweepOptions opt;
    opt.threads = 2;
    opt.stop = &stop;
    opt.progress = [&](long long done, long long) { stop.store(done > 0); };
    const auto stats = run_sweep(sc_, policies_, out, opt);
    ASSERT_TRUE(stats.interrupted) << "the sweep must have more than one block in flight";
    out.close_partial();
  }
  ASSERT_TRUE(fs::exists(path("cut.h5") + ".partial"));
  ASSERT_FALSE(fs::exists(path("cut.h5")));
  {
    auto out = OutputFile::resume(path("cut.h5"), layout(0, total), meta_);
    const auto before = out->completed();
    EXPECT_GT(std::count(before.begin(), before.end(), true), 0);
    EXPECT_LT(std::count(before.begin(), before.end(), true), total);
    SweepOptions opt;
    const auto stats = run_sweep(sc_, policies_, *out, opt);
    EXPECT_FALSE(stats.interrupted);
    out->commit();
  }
  const auto a = datasets(path("whole.h5"));
  const auto b = datasets(path("cut.h5"));
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t k = 0; k < a.size(); ++k)
    EXPECT_TRUE(a[k].second == b[k].second) << a[k].first;
}

TEST_F(SweepRunnerTest, ResumeRefusesAnotherScenario) {
  const long long total = sc_.sweep.runs();
  {
    OutputFile out(path("cut.h5"), false, layout(0, total), meta_);
    out.close_partial();
  }
  OutputMetadata other = meta_;
  other.seed = meta_.seed + 1;
  EXPECT_THROW(OutputFile::resume(path("cut.h5"), layout(0, total), other), OutputError);
}

TEST_F(SweepRunnerTest, MergedShardsEqualTheWholeSweep) {
  const long long total = sc_.sweep.runs();
  write("whole.h5", 2, 0, total);
  write("s0.h5", 1, 0, 50);
  write("s1.h5", 2, 50, 111);
  write("s2.h5", 1, 111, total);
  merge_shards(path("all.h5"), {path("s0.h5"), path("s1.h5"), path("s2.h5")}, false);
  const ResultsReader whole(path("whole.h5")), merged(path("all.h5"));
  ASSERT_EQ(merged.runs(), whole.runs());
  std::vector<Eigen::ArrayXXd> a, b;
  for (const char* name : {"it_mw", "bottleneck", "cash_usd"}) {
    whole.read_country_series(name, 0, whole.runs(), a);
    merged.read_country_series(name, 0, merged.runs(), b);
    for (std::size_t r = 0; r < a.size(); ++r)
      EXPECT_TRUE((a[r] == b[r]).all()) << name << " run " << r;
  }
  EXPECT_THROW(merge_shards(path("gap.h5"), {path("s0.h5"), path("s2.h5")}, false), OutputError);
  EXPECT_FALSE(fs::exists(path("gap.h5")));
}

}  // namespace
}  // namespace sovcap
