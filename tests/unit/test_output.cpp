// The results file: every variable round-trips exactly, carries its attributes and
// dimension scales, and the file appears under its name only on commit.

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <hdf5.h>
#include <hdf5_hl.h>

#include "sovcap/h5.hpp"
#include "sovcap/output.hpp"
#include "sovcap/outputs.hpp"
#include "sovcap/params.hpp"
#include "sovcap/reader.hpp"
#include "sovcap/results.hpp"
#include "sovcap/summary.hpp"
#include "sovcap/version.hpp"
#include "support.hpp"

namespace sovcap {
namespace {

namespace fs = std::filesystem;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Three countries with hand-set values; the second has a non-ASCII name, the third no
// targets, so that padding and UTF-8 are both exercised.
RunParams make_params() {
  RunParams p;
  p.sim.start_year = 2026.0;
  p.sim.end_year = 2028.0;
  p.sim.dt = 0.25;
  p.sim.seed = 7;
  p.global = GlobalParams::defaults();
  p.global[GlobalParam::accel_kw] = 1.75;
  p.global[GlobalParam::vendor_supply] = 9.5e6;
  p.global[GlobalParam::allocation] = static_cast<double>(Allocation::max_min_fair);
  p.global.supply_shocks = {{2027.0, 2027.5, 0.5}, {2027.75, 2028.0, 0.25}};
  p.countries.iso3 = {"KOR", "CIV", "JPN"};
  p.countries.name = {"Republic of Korea", "C\u00f4te d\u2019Ivoire", "Japan"};
  p.countries.values.resize(3, kNumCountryParams);
  for (int c = 0; c < 3; ++c) {
    for (int k = 0; k < kNumCountryParams; ++k)
      p.countries.values(c, k) = spec(static_cast<CountryParam>(k)).default_value;
    p.countries.at(c, CountryParam::it_mw) = 55.0 + 10.0 * c;
    p.countries.at(c, CountryParam::grid_mw) = 400.0 + c;
    p.countries.at(c, CountryParam::grid_add_mw_per_year) = 150.0 + c;
    p.countries.at(c, CountryParam::budget_usd_per_year) = 3.0e9 * (c + 1);
    p.countries.at(c, CountryParam::workforce) = 12000.0 - c;
    p.countries.at(c, CountryParam::export_tier) = 1.0 + c;
  }
  p.countries.targets = {{{2030.0, 1000.0}, {2035.0, 3000.0}}, {{2032.0, 50.0}}, {}};
  return p;
}

// A synthetic result whose every value tells where it belongs (salt, series, country,
// time), so a transposed or misplaced slab cannot pass. Values are exact in binary.
RunResult make_result(const RunParams& p, double salt) {
  const int nc = p.countries.size();
  const int nt = p.sim.steps() + 1;
  RunResult r;
  for (int s = 0; s < kNumCountrySeries; ++s) {
    r.country[s].resize(nc, nt);
    for (int c = 0; c < nc; ++c)
      for (int t = 0; t < nt; ++t)
        r.country[s](c, t) = static_cast<CountrySeries>(s) == CountrySeries::bottleneck
                                 ? static_cast<double>((c + t + static_cast<int>(salt)) % 6)
                                 : salt + 1000.0 * s + 100.0 * c + t + 0.125;
  }
  for (int s = 0; s < kNumRunSeries; ++s) {
    r.run[s].resize(nt);
    for (int t = 0; t < nt; ++t) r.run[s](t) = salt + 1e6 * (s + 1) + t + 0.5;
  }
  r.year_target_reached.resize(nc);
  r.year_gw_reached.resize(nc);
  for (int c = 0; c < nc; ++c) {
    r.year_target_reached(c) = c % 3 == 0 ? 2031.25 + salt : (c % 3 == 1 ? kNaN : 2026.0);
    r.year_gw_reached(c) = c == 0 ? 2030.0 : kNaN;
  }
  // Steps (times 1..nt-1) under each code of the bottleneck series above.
  r.bottleneck_steps.setZero(nc, kNumBottlenecks);
  for (int c = 0; c < nc; ++c)
    for (int t = 1; t < nt; ++t) ++r.bottleneck_steps(c, (c + t + static_cast<int>(salt)) % 6);
  // held_back_mw, [country + constraint * nc, time], values telling their place, and its
  // sums over steps 1..nt-1.
  r.held_back.resize(nc * kNumBottlenecks, nt);
  r.held_back_sum.setZero(nc, kNumBottlenecks);
  for (int c = 0; c < nc; ++c)
    for (int k = 0; k < kNumBottlenecks; ++k)
      for (int t = 0; t < nt; ++t) {
        const double v = t == 0 ? kNaN : salt + 10000.0 * k + 100.0 * c + t + 0.75;
        r.held_back(c + k * nc, t) = v;
        if (t > 0) r.held_back_sum(c, k) += v;
      }
  // Its sums per period, as the recorder forms them.
  const ResultPeriods periods = result_periods(p.sim.start_year, p.sim.dt, p.sim.steps());
  const auto np = static_cast<int>(periods.span.size());
  r.held_back_period.setZero(nc, kNumBottlenecks * np);
  for (int q = 0, first = 1; q < np; first += periods.steps[q], ++q)
    for (int c = 0; c < nc; ++c)
      for (int k = 0; k < kNumBottlenecks; ++k)
        for (int t = first; t < first + periods.steps[q]; ++t)
          r.held_back_period(c, q * kNumBottlenecks + k) += r.held_back(c + k * nc, t);
  return r;
}

OutputMetadata make_meta() {
  OutputMetadata m;
  m.command_line = "sovcap run scenarios/test.toml -o out.h5 --set global.accel_kw=1.75";
  m.scenario_path = "scenarios/test.toml";
  m.scenario_text = "# caf\u00e9 scenario\n[simulation]\nstart_year = 2026.0\n";
  m.overrides = {"global.accel_kw=1.75", "country.KOR.pue=1.2"};
  m.seed = (std::uint64_t{1} << 63) + 5;  // beyond int64: must stay unsigned
  return m;
}

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

// Every entry of a folder, for "nothing left behind" checks.
std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  return out;
}

// Names of every dataset in the root group.
std::vector<std::string> dataset_names(hid_t file) {
  std::vector<std::string> names;
  auto visit = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  };
  H5Literate(file, H5_INDEX_NAME, H5_ITER_INC, nullptr, visit, &names);
  return names;
}

// Names of the scales attached to one axis of a dataset.
std::vector<std::string> scales_of(hid_t ds, unsigned axis) {
  std::vector<std::string> names;
  auto visit = [](hid_t, unsigned, hid_t scale, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->push_back(h5::object_name(scale));
    return 0;
  };
  H5DSiterate_scales(ds, axis, nullptr, visit, &names);
  return names;
}

class OutputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("sovcap_test_output-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    dest_ = (dir_ / "out.h5").string();
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_, ec);
  }

  // Writes one run of make_params()/make_result() and commits.
  void write_single() {
    const RunParams p = make_params();
    OutputFile out(dest_, false, layout_for(p), make_meta());
    out.write_run(0, p, make_result(p, 0.0));
    out.commit();
  }

  fs::path dir_;
  std::string dest_;
};

TEST_F(OutputFileTest, LayoutFollowsParams) {
  const RunParams p = make_params();
  const OutputLayout l = layout_for(p, 5);
  EXPECT_EQ(l.iso3, p.countries.iso3);
  EXPECT_EQ(l.names, p.countries.name);
  EXPECT_EQ(l.steps, 8);
  EXPECT_EQ(l.start_year, 2026.0);
  EXPECT_EQ(l.dt, 0.25);
  EXPECT_EQ(l.runs, 5);
  EXPECT_EQ(l.first_run, 0);
  EXPECT_EQ(l.total_runs, 5);
  EXPECT_EQ(l.store, StoreMode::full);
  EXPECT_EQ(l.max_targets, 2);
  EXPECT_EQ(l.max_shocks, 2);
}

TEST_F(OutputFileTest, ResultsRoundTripExactly) {
  write_single();
  const RunParams p = make_params();
  const RunResult r = make_result(p, 0.0);
  const int nc = 3, nt = 9;
  h5::Handle f = h5::open_file(dest_);

  for (int s = 0; s < kNumCountrySeries; ++s) {
    const auto series = static_cast<CountrySeries>(s);
    const std::string name(info(series).name);
    h5::Handle ds = h5::open_dataset(f.get(), name);
    EXPECT_EQ(h5::shape(ds.get()), (std::vector<hsize_t>{1, 3, 9})) << name;
    const auto v = h5::read_all<double>(ds.get());
    ASSERT_EQ(v.size(), static_cast<std::size_t>(nc * nt)) << name;
    for (int c = 0; c < nc; ++c)
      for (int t = 0; t < nt; ++t)
        ASSERT_TRUE(same(v[c * nt + t], r[series](c, t)))
            << name << " c=" << c << " t=" << t << ": " << v[c * nt + t];
  }
  for (int s = 0; s < kNumRunSeries; ++s) {
    const auto series = static_cast<RunSeries>(s);
    h5::Handle ds = h5::open_dataset(f.get(), std::string(info(series).name));
    const auto v = h5::read_all<double>(ds.get());
    ASSERT_EQ(v.size(), static_cast<std::size_t>(nt));
    for (int t = 0; t < nt; ++t) EXPECT_EQ(v[t], r[series](t)) << info(series).name;
  }
  {
    h5::Handle ds = h5::open_dataset(f.get(), "year_target_reached");
    const auto v = h5::read_all<double>(ds.get());
    ASSERT_EQ(v.size(), 3u);
    for (int c = 0; c < nc; ++c) EXPECT_TRUE(same(v[c], r.year_target_reached(c))) << c;
  }
  {
    h5::Handle ds = h5::open_dataset(f.get(), "year_gw_reached");
    const auto v = h5::read_all<double>(ds.get());
    ASSERT_EQ(v.size(), 3u);
    for (int c = 0; c < nc; ++c) EXPECT_TRUE(same(v[c], r.year_gw_reached(c))) << c;
  }
  {
    // Packed (CF): int32 step counts, unpacked by scale_factor = 1 / steps.
    h5::Handle ds = h5::open_dataset(f.get(), "bottleneck_share");
    EXPECT_EQ(h5::shape(ds.get()), (std::vector<hsize_t>{1, 3, kNumBottlenecks}));
    h5::Handle type(H5Dget_type(ds.get()), H5Tclose);
    EXPECT_GT(H5Tequal(type.get(), H5T_NATIVE_INT32), 0);
    EXPECT_EQ(h5::read_attribute<double>(ds.get(), "scale_factor"), std::vector<double>{1.0 / (nt - 1)});
    EXPECT_FALSE(h5::has_attribute(ds.get(), "add_offset"));
    EXPECT_EQ(h5::read_attribute<double>(ds.get(), "_FillValue"), std::vector<double>{-1.0});
    const auto v = h5::read_all<double>(ds.get());
    for (int c = 0; c < nc; ++c) {
      double steps = 0;
      for (int k = 0; k < kNumBottlenecks; ++k) {
        EXPECT_EQ(v[c * kNumBottlenecks + k], r.bottleneck_steps(c, k));
        steps += v[c * kNumBottlenecks + k];
      }
      EXPECT_EQ(steps, nt - 1) << c;
    }
  }
  {
    // held_back_mw: [run, country, time, constraint], constraint fastest, its dimension
    // the labelled `constraint` coordinate; its shares over the run and the mean gap.
    h5::Handle ds = h5::open_dataset(f.get(), "held_back_mw");
    EXPECT_EQ(h5::shape(ds.get()), (std::vector<hsize_t>{1, 3, 9, kNumBottlenecks}));
    EXPECT_EQ(h5::read_string_attribute(ds.get(), "units"), "MW");
    const auto v = h5::read_all<double>(ds.get());
    ASSERT_EQ(v.size(), static_cast<std::size_t>(nc * nt * kNumBottlenecks));
    for (int c = 0; c < nc; ++c)
      for (int t = 0; t < nt; ++t)
        for (int k = 0; k < kNumBottlenecks; ++k)
          ASSERT_TRUE(same(v[(c * nt + t) * kNumBottlenecks + k], r.held_back(c + k * nc, t)))
              << "c=" << c << " t=" << t << " k=" << k;
    h5::Handle sh = h5::open_dataset(f.get(), "held_back_share");
    EXPECT_EQ(h5::shape(sh.get()), (std::vector<hsize_t>{1, 3, kNumBottlenecks}));
    h5::Handle sh_type(H5Dget_type(sh.get()), H5Tclose);
    EXPECT_GT(H5Tequal(sh_type.get(), H5T_NATIVE_FLOAT), 0);  // float32 shares
    const auto share = h5::read_all<float>(sh.get());
    h5::Handle mean = h5::open_dataset(f.get(), "shortfall_mw_mean");
    const auto gap = h5::read_all<double>(mean.get());
    ASSERT_EQ(gap.size(), 3u);
    for (int c = 0; c < nc; ++c) {
      const double total = r.held_back_sum.row(c).sum();
      EXPECT_EQ(gap[c], total / (nt - 1)) << c;
      for (int k = 0; k < kNumBottlenecks; ++k)
        EXPECT_EQ(share[c * kNumBottlenecks + k], static_cast<float>(r.held_back_sum(c, k) / total))
            << c << " " << k;
    }
    // Per period: the period's sum over its steps, as float32, with the period axis and
    // its bounds as coordinates.
    const RunParams pp = make_params();
    const ResultPeriods periods = result_periods(pp.sim.start_year, pp.sim.dt, pp.sim.steps());
    const auto np = periods.span.size();
    h5::Handle per = h5::open_dataset(f.get(), "held_back_mw_period");
    EXPECT_EQ(h5::shape(per.get()), (std::vector<hsize_t>{1, 3, np, kNumBottlenecks}));
    const auto per_mw = h5::read_all<float>(per.get());
    for (int c = 0; c < nc; ++c)
      for (std::size_t q = 0; q < np; ++q)
        for (int k = 0; k < kNumBottlenecks; ++k)
          EXPECT_EQ(per_mw[(c * np + q) * kNumBottlenecks + k],
                    static_cast<float>(r.held_back_period(c, static_cast<Eigen::Index>(q) * kNumBottlenecks + k) /
                                       periods.steps[q]))
              << c << " " << q << " " << k;
    h5::Handle from = h5::open_dataset(f.get(), "period");
    h5::Handle to = h5::open_dataset(f.get(), "period_end");
    const auto a = h5::read_all<double>(from.get()), b = h5::read_all<double>(to.get());
    ASSERT_EQ(a.size(), np);
    for (std::size_t q = 0; q < np; ++q) {
      EXPECT_EQ(a[q], periods.span[q].first);
      EXPECT_EQ(b[q], periods.span[q].second);
    }
  }
  {
    // The codes are stored as int8, not as doubles.
    h5::Handle ds = h5::open_dataset(f.get(), "bottleneck");
    h5::Handle type(H5Dget_type(ds.get()), H5Tclose);
    EXPECT_GT(H5Tequal(type.get(), H5T_NATIVE_INT8), 0);
    const auto v = h5::read_all<std::int8_t>(ds.get());
    for (int c = 0; c < nc; ++c)
      for (int t = 0; t < nt; ++t) EXPECT_EQ(v[c * nt + t], (c + t) % 6);
  }
  h5::Handle done = h5::open_dataset(f.get(), "run_complete");
  EXPECT_EQ(h5::read_all<std::int8_t>(done.get()), std::vector<std::int8_t>{1});
}

TEST_F(OutputFileTest, CoordinatesHoldTheDimensions) {
  write_single();
  h5::Handle f = h5::open_file(dest_);
  h5::Handle run = h5::open_dataset(f.get(), "run");
  EXPECT_EQ(h5::read_all<std::int32_t>(run.get()), std::vector<std::int32_t>{0});
  h5::Handle country = h5::open_dataset(f.get(), "country");
  EXPECT_EQ(h5::read_strings(country.get()), (std::vector<std::string>{"KOR", "CIV", "JPN"}));
  h5::Handle names = h5::open_dataset(f.get(), "country_name");
  EXPECT_EQ(h5::read_strings(names.get()), make_params().countries.name);
  {
    // Variable-length UTF-8, the netCDF-4 string type (fixed-length breaks readers).
    h5::Handle type(H5Dget_type(country.get()), H5Tclose);
    EXPECT_GT(H5Tis_variable_str(type.get()), 0);
    EXPECT_EQ(H5Tget_cset(type.get()), H5T_CSET_UTF8);
  }
  h5::Handle time = h5::open_dataset(f.get(), "time");
  const auto years = h5::read_all<double>(time.get());
  ASSERT_EQ(years.size(), 9u);
  for (int n = 0; n < 9; ++n) EXPECT_EQ(years[n], 2026.0 + n * 0.25);
  EXPECT_EQ(h5::read_string_attribute(time.get(), "units"), "year");
  h5::Handle constraint = h5::open_dataset(f.get(), "constraint");
  EXPECT_EQ(h5::read_strings(constraint.get()),
            (std::vector<std::string>(kBottleneckNames.begin(), kBottleneckNames.end())));
  h5::Handle target = h5::open_dataset(f.get(), "target");
  EXPECT_EQ(h5::read_all<std::int32_t>(target.get()), (std::vector<std::int32_t>{0, 1}));
  h5::Handle shock = h5::open_dataset(f.get(), "shock");
  EXPECT_EQ(h5::read_all<std::int32_t>(shock.get()), (std::vector<std::int32_t>{0, 1}));
}

TEST_F(OutputFileTest, ParametersRoundTripExactly) {
  write_single();
  const RunParams p = make_params();
  h5::Handle f = h5::open_file(dest_);
  for (const ParamSpec& sp : param_specs()) {
    if (sp.index < 0 || sp.scope == ParamScope::simulation) continue;
    const std::string name = std::string(scope_name(sp.scope)) + "." + std::string(sp.name);
    ASSERT_TRUE(h5::exists(f.get(), name)) << name;
    h5::Handle ds = h5::open_dataset(f.get(), name);
    EXPECT_EQ(h5::read_string_attribute(ds.get(), "long_name"), sp.meaning) << name;
    const auto v = h5::read_all<double>(ds.get());
    if (sp.scope == ParamScope::global) {
      ASSERT_EQ(v.size(), 1u) << name;
      EXPECT_EQ(v[0], p.global.values[sp.index]) << name;
    } else {
      ASSERT_EQ(v.size(), 3u) << name;
      for (int c = 0; c < 3; ++c) EXPECT_EQ(v[c], p.countries.values(c, sp.index)) << name;
    }
  }
  {
    h5::Handle ds = h5::open_dataset(f.get(), "global.allocation");
    h5::Handle type(H5Dget_type(ds.get()), H5Tclose);
    EXPECT_GT(H5Tequal(type.get(), H5T_NATIVE_INT8), 0);
    EXPECT_EQ(h5::read_attribute<std::int8_t>(ds.get(), "flag_values"),
              (std::vector<std::int8_t>{0, 1}));
    EXPECT_EQ(h5::read_string_attribute(ds.get(), "flag_meanings"), "pro_rata max_min_fair");
    EXPECT_EQ(h5::read_all<std::int8_t>(ds.get()), std::vector<std::int8_t>{1});
  }
  {
    h5::Handle ds = h5::open_dataset(f.get(), "country.export_tier");
    h5::Handle type(H5Dget_type(ds.get()), H5Tclose);
    EXPECT_GT(H5Tequal(type.get(), H5T_NATIVE_INT8), 0);
    EXPECT_EQ(h5::read_all<std::int8_t>(ds.get()), (std::vector<std::int8_t>{1, 2, 3}));
  }
  {
    h5::Handle year = h5::open_dataset(f.get(), "country.target_year");
    h5::Handle mw = h5::open_dataset(f.get(), "country.target_mw");
    const std::vector<double> want_year = {2030.0, 2035.0, 2032.0, kNaN, kNaN, kNaN};
    const std::vector<double> want_mw = {1000.0, 3000.0, 50.0, kNaN, kNaN, kNaN};
    const auto got_year = h5::read_all<double>(year.get());
    const auto got_mw = h5::read_all<double>(mw.get());
    ASSERT_EQ(got_year.size(), 6u);
    ASSERT_EQ(got_mw.size(), 6u);
    for (int i = 0; i < 6; ++i) {
      EXPECT_TRUE(same(got_year[i], want_year[i])) << i;
      EXPECT_TRUE(same(got_mw[i], want_mw[i])) << i;
    }
  }
  {
    auto read = [&](const char* name) {
      h5::Handle ds = h5::open_dataset(f.get(), name);
      return h5::read_all<double>(ds.get());
    };
    EXPECT_EQ(read("global.supply_shock_start"), (std::vector<double>{2027.0, 2027.75}));
    EXPECT_EQ(read("global.supply_shock_end"), (std::vector<double>{2027.5, 2028.0}));
    EXPECT_EQ(read("global.supply_shock_factor"), (std::vector<double>{0.5, 0.25}));
    EXPECT_EQ(read("simulation.start_year"), std::vector<double>{2026.0});
    EXPECT_EQ(read("simulation.end_year"), std::vector<double>{2028.0});
    EXPECT_EQ(read("simulation.dt"), std::vector<double>{0.25});
  }
}

TEST_F(OutputFileTest, RootAttributesDescribeTheFile) {
  write_single();
  h5::Handle f = h5::open_file(dest_);
  const hid_t root = f.get();
  const OutputMetadata m = make_meta();
  EXPECT_EQ(h5::read_string_attribute(root, "title"), "sovcap results");
  EXPECT_EQ(h5::read_string_attribute(root, "file_type"), "sovcap-results");
  EXPECT_EQ(h5::read_string_attribute(root, "format_version"), kFormatVersion);
  EXPECT_EQ(h5::read_string_attribute(root, "sovcap_version"), kVersion);
  EXPECT_EQ(h5::read_string_attribute(root, "git_revision"), kGitRevision);
  EXPECT_TRUE(std::regex_match(h5::read_string_attribute(root, "creation_time"),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  EXPECT_EQ(h5::read_string_attribute(root, "command_line"), m.command_line);
  EXPECT_EQ(h5::read_attribute<std::uint64_t>(root, "seed"), std::vector<std::uint64_t>{m.seed});
  {
    h5::Handle attr(H5Aopen(root, "seed", H5P_DEFAULT), H5Aclose);
    h5::Handle type(H5Aget_type(attr.get()), H5Tclose);
    EXPECT_GT(H5Tequal(type.get(), H5T_NATIVE_UINT64), 0);
  }
  EXPECT_EQ(h5::read_string_attribute(root, "scenario_path"), m.scenario_path);
  EXPECT_EQ(h5::read_string_attribute(root, "scenario_text"), m.scenario_text);
  EXPECT_EQ(h5::read_string_attribute(root, "csv_path"), "");
  EXPECT_EQ(h5::read_string_attribute(root, "csv_text"), "");
  EXPECT_EQ(h5::read_string_attribute(root, "overrides"),
            "global.accel_kw=1.75\ncountry.KOR.pue=1.2");
  EXPECT_EQ(h5::read_string_attribute(root, "Conventions"), "CF-1.8");
  EXPECT_EQ(h5::read_attribute<double>(root, "start_year"), std::vector<double>{2026.0});
  EXPECT_EQ(h5::read_attribute<double>(root, "end_year"), std::vector<double>{2028.0});
  EXPECT_EQ(h5::read_attribute<double>(root, "dt"), std::vector<double>{0.25});
  // netCDF's private attributes are not faked (HDF5_NOTES.md).
  EXPECT_FALSE(h5::has_attribute(root, "_NCProperties"));
  for (const auto& name : dataset_names(root)) {
    h5::Handle ds = h5::open_dataset(root, name);
    EXPECT_FALSE(h5::has_attribute(ds.get(), "_Netcdf4Dimid")) << name;
  }
  // Creation order tracked for links and attributes (netCDF-4 appends need it).
  h5::Handle group(H5Gopen2(root, "/", H5P_DEFAULT), H5Gclose);
  h5::Handle gcpl(H5Gget_create_plist(group.get()), H5Pclose);
  unsigned links = 0, attrs = 0;
  H5Pget_link_creation_order(gcpl.get(), &links);
  H5Pget_attr_creation_order(gcpl.get(), &attrs);
  EXPECT_EQ(links, unsigned{H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED});
  EXPECT_EQ(attrs, unsigned{H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED});
}

TEST_F(OutputFileTest, VariablesCarryUnitsFillAndFlags) {
  write_single();
  h5::Handle f = h5::open_file(dest_);
  for (int s = 0; s < kNumCountrySeries; ++s) {
    const SeriesInfo& si = info(static_cast<CountrySeries>(s));
    h5::Handle ds = h5::open_dataset(f.get(), std::string(si.name));
    EXPECT_EQ(h5::read_string_attribute(ds.get(), "units"), si.units) << si.name;
    EXPECT_EQ(h5::read_string_attribute(ds.get(), "long_name"), si.long_name) << si.name;
    // Chunks hold the whole time axis, compressed (HDF5_NOTES.md).
    h5::Handle dcpl(H5Dget_create_plist(ds.get()), H5Pclose);
    hsize_t chunk[3] = {};
    ASSERT_EQ(H5Pget_chunk(dcpl.get(), 3, chunk), 3) << si.name;
    EXPECT_EQ(chunk[0], 1u);
    EXPECT_EQ(chunk[1], 3u);
    EXPECT_EQ(chunk[2], 9u);
    EXPECT_EQ(H5Pget_nfilters(dcpl.get()), 2) << si.name;
    EXPECT_GE(H5Pget_filter_by_id2(dcpl.get(), H5Z_FILTER_SHUFFLE, nullptr, nullptr, nullptr, 0,
                                   nullptr, nullptr),
              0);
    EXPECT_GE(H5Pget_filter_by_id2(dcpl.get(), H5Z_FILTER_DEFLATE, nullptr, nullptr, nullptr, 0,
                                   nullptr, nullptr),
              0);
    if (static_cast<CountrySeries>(s) == CountrySeries::bottleneck) continue;
    h5::Handle attr(H5Aopen(ds.get(), "_FillValue", H5P_DEFAULT), H5Aclose);
    h5::Handle type(H5Aget_type(attr.get()), H5Tclose);
    EXPECT_GT(H5Tequal(type.get(), H5T_NATIVE_DOUBLE), 0) << si.name;
    const auto fill = h5::read_attribute<double>(ds.get(), "_FillValue");
    ASSERT_EQ(fill.size(), 1u);
    EXPECT_TRUE(std::isnan(fill[0])) << si.name;
    double dataset_fill = 0.0;
    H5Pget_fill_value(dcpl.get(), H5T_NATIVE_DOUBLE, &dataset_fill);
    EXPECT_TRUE(std::isnan(dataset_fill)) << si.name;
  }
  h5::Handle b = h5::open_dataset(f.get(), "bottleneck");
  EXPECT_EQ(h5::read_attribute<std::int8_t>(b.get(), "flag_values"),
            (std::vector<std::int8_t>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(h5::read_string_attribute(b.get(), "flag_meanings"),
            "on_track lead_time power capital talent export_controls chip_market");
  {
    h5::Handle attr(H5Aopen(b.get(), "_FillValue", H5P_DEFAULT), H5Aclose);
    h5::Handle type(H5Aget_type(attr.get()), H5Tclose);
    EXPECT_GT(H5Tequal(type.get(), H5T_NATIVE_INT8), 0);
    EXPECT_EQ(h5::read_attribute<std::int8_t>(b.get(), "_FillValue"), std::vector<std::int8_t>{-1});
  }
  for (int s = 0; s < kNumRunSeries; ++s) {
    const SeriesInfo& si = info(static_cast<RunSeries>(s));
    h5::Handle ds = h5::open_dataset(f.get(), std::string(si.name));
    EXPECT_EQ(h5::read_string_attribute(ds.get(), "units"), si.units) << si.name;
    EXPECT_EQ(h5::read_string_attribute(ds.get(), "long_name"), si.long_name) << si.name;
  }
  // Every variable but the string ones has units and long_name.
  for (const auto& name : dataset_names(f.get())) {
    h5::Handle ds = h5::open_dataset(f.get(), name);
    EXPECT_TRUE(h5::has_attribute(ds.get(), "long_name")) << name;
    h5::Handle type(H5Dget_type(ds.get()), H5Tclose);
    const bool is_index = name == "run" || name == "target" || name == "shock";
    if (H5Tget_class(type.get()) != H5T_STRING && !is_index) {
      EXPECT_TRUE(h5::has_attribute(ds.get(), "units")) << name;
    }
  }
}

TEST_F(OutputFileTest, EveryAxisHasItsDimensionScale) {
  write_single();
  h5::Handle f = h5::open_file(dest_);
  const std::vector<std::string> dims = {"run", "country", "time", "constraint", "target", "shock"};
  for (const auto& d : dims) {
    h5::Handle ds = h5::open_dataset(f.get(), d);
    EXPECT_GT(H5DSis_scale(ds.get()), 0) << d;
  }
  int variables = 0;
  for (const auto& name : dataset_names(f.get())) {
    h5::Handle ds = h5::open_dataset(f.get(), name);
    if (H5DSis_scale(ds.get()) > 0) continue;
    ++variables;
    const auto shape = h5::shape(ds.get());
    for (unsigned a = 0; a < shape.size(); ++a) {
      const auto scales = scales_of(ds.get(), a);
      ASSERT_EQ(scales.size(), 1u) << name << " axis " << a;
      h5::Handle scale = h5::open_dataset(f.get(), scales[0]);
      EXPECT_EQ(h5::shape(scale.get()), std::vector<hsize_t>{shape[a]}) << name << " axis " << a;
      EXPECT_TRUE(h5::is_attached(ds.get(), scale.get(), a));
    }
  }
  EXPECT_GT(variables, kNumCountrySeries + kNumRunSeries + kNumGlobalParams + kNumCountryParams);
  // The axes of a [run, country, time] variable, by name.
  h5::Handle it = h5::open_dataset(f.get(), "it_mw");
  EXPECT_EQ(scales_of(it.get(), 0), std::vector<std::string>{"/run"});
  EXPECT_EQ(scales_of(it.get(), 1), std::vector<std::string>{"/country"});
  EXPECT_EQ(scales_of(it.get(), 2), std::vector<std::string>{"/time"});
  h5::Handle share = h5::open_dataset(f.get(), "bottleneck_share");
  EXPECT_EQ(scales_of(share.get(), 2), std::vector<std::string>{"/constraint"});
  h5::Handle tmw = h5::open_dataset(f.get(), "country.target_mw");
  EXPECT_EQ(scales_of(tmw.get(), 2), std::vector<std::string>{"/target"});
  h5::Handle sf = h5::open_dataset(f.get(), "global.supply_shock_factor");
  EXPECT_EQ(scales_of(sf.get(), 1), std::vector<std::string>{"/shock"});
}

TEST_F(OutputFileTest, NoTargetOrShockDimensionWhenNoneAreUsed) {
  RunParams p = make_params();
  p.global.supply_shocks.clear();
  for (auto& t : p.countries.targets) t.clear();
  {
    OutputFile out(dest_, false, layout_for(p), make_meta());
    out.write_run(0, p, make_result(p, 0.0));
    out.commit();
  }
  h5::Handle f = h5::open_file(dest_);
  for (const char* name :
       {"target", "shock", "country.target_year", "country.target_mw", "global.supply_shock_start"})
    EXPECT_FALSE(h5::exists(f.get(), name)) << name;
  EXPECT_TRUE(h5::exists(f.get(), "it_mw"));
}

// Schedules (issue 13): each scheduled parameter gets NAME.schedule_year and
// NAME.schedule_value, NaN-padded to the longest schedule, NaN where a run or country does
// not schedule it; the root attribute scheduled_parameters lists them, and the file's
// description reads the list and the schedule_point dimension back.
TEST_F(OutputFileTest, SchedulesRoundTripExactly) {
  RunParams p = make_params();
  p.global.set_schedule(GlobalParam::vendor_supply, {{2026.0, 1e6}, {2027.0, 1e6}, {2028.0, 3e6}});
  p.countries.set_schedule(1, CountryParam::export_tier, {{2026.0, 2.0}, {2027.5, 1.0}});
  RunParams q = make_params();  // a second run without schedules
  {
    OutputLayout l = layout_for(p, 2);
    EXPECT_EQ(l.scheduled, (std::vector<std::string>{"country.export_tier", "global.vendor_supply"}));
    EXPECT_EQ(l.max_schedule_points, 3);
    OutputFile out(dest_, false, l, make_meta());
    out.write_run(0, p, make_result(p, 0.0));
    out.write_run(1, q, make_result(q, 1.0));
    out.commit();
  }
  h5::Handle f = h5::open_file(dest_);
  EXPECT_EQ(h5::read_string_attribute(f.get(), "scheduled_parameters"),
            "country.export_tier global.vendor_supply");
  auto read = [&](const char* name) {
    h5::Handle ds = h5::open_dataset(f.get(), name);
    return h5::read_all<double>(ds.get());
  };
  auto same_list = [](const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (!same(a[i], b[i])) return false;
    return true;
  };
  EXPECT_TRUE(same_list(read("global.vendor_supply.schedule_year"),
                        {2026.0, 2027.0, 2028.0, kNaN, kNaN, kNaN}));
  EXPECT_TRUE(same_list(read("global.vendor_supply.schedule_value"), {1e6, 1e6, 3e6, kNaN, kNaN, kNaN}));
  std::vector<double> year(18, kNaN), value(18, kNaN);
  year[3] = 2026.0;
  year[4] = 2027.5;
  value[3] = 2.0;
  value[4] = 1.0;
  EXPECT_TRUE(same_list(read("country.export_tier.schedule_year"), year));
  EXPECT_TRUE(same_list(read("country.export_tier.schedule_value"), value));
  EXPECT_EQ(read("schedule_point").size(), 3u);
}

TEST_F(OutputFileTest, NoScheduleVariablesWithoutSchedules) {
  write_single();
  h5::Handle f = h5::open_file(dest_);
  EXPECT_FALSE(h5::exists(f.get(), "schedule_point"));
  EXPECT_EQ(h5::read_string_attribute(f.get(), "scheduled_parameters"), "");
}

TEST_F(OutputFileTest, ManyRunsStreamedInAnyOrder) {
  // More runs than a chunk's 16, written out of order with one left out: unwritten
  // elements read as the fill values and run_complete tells which runs are there.
  const int runs = 20;
  const int skipped = 17;
  const RunParams base = make_params();
  std::vector<RunParams> params(runs, base);
  for (int r = 0; r < runs; ++r) {
    params[r].global[GlobalParam::accel_kw] = 1.0 + r / 8.0;
    params[r].global.supply_shocks.resize(r % 3);  // 0..2 shocks: padded with NaN
  }
  {
    OutputFile out(dest_, false, layout_for(base, runs), make_meta());
    for (int r = runs - 1; r >= 0; --r)
      if (r != skipped) out.write_run(r, params[r], make_result(params[r], r));
    out.commit();
  }
  h5::Handle f = h5::open_file(dest_);
  h5::Handle done = h5::open_dataset(f.get(), "run_complete");
  const auto complete = h5::read_all<std::int8_t>(done.get());
  ASSERT_EQ(complete.size(), static_cast<std::size_t>(runs));
  for (int r = 0; r < runs; ++r) EXPECT_EQ(complete[r], r == skipped ? 0 : 1) << r;

  h5::Handle it = h5::open_dataset(f.get(), "it_mw");
  const auto it_mw = h5::read_all<double>(it.get());
  h5::Handle b = h5::open_dataset(f.get(), "bottleneck");
  const auto codes = h5::read_all<std::int8_t>(b.get());
  h5::Handle kw = h5::open_dataset(f.get(), "global.accel_kw");
  const auto accel_kw = h5::read_all<double>(kw.get());
  h5::Handle sf = h5::open_dataset(f.get(), "global.supply_shock_factor");
  const auto factor = h5::read_all<double>(sf.get());
  ASSERT_EQ(it_mw.size(), static_cast<std::size_t>(runs * 3 * 9));
  const int it_index = static_cast<int>(CountrySeries::it_mw);
  for (int r = 0; r < runs; ++r) {
    const RunResult want = make_result(params[r], r);
    for (int c = 0; c < 3; ++c)
      for (int t = 0; t < 9; ++t) {
        const std::size_t i = static_cast<std::size_t>((r * 3 + c) * 9 + t);
        if (r == skipped) {
          EXPECT_TRUE(std::isnan(it_mw[i]));
          EXPECT_EQ(codes[i], -1);
        } else {
          EXPECT_EQ(it_mw[i], want.country[it_index](c, t)) << r << " " << c << " " << t;
          EXPECT_EQ(codes[i], (c + t + r) % 6);
        }
      }
    if (r == skipped) {
      EXPECT_TRUE(std::isnan(accel_kw[r]));
    } else {
      EXPECT_EQ(accel_kw[r], 1.0 + r / 8.0);
      for (int k = 0; k < 2; ++k) {
        if (k < r % 3) {
          EXPECT_EQ(factor[r * 2 + k], base.global.supply_shocks[k].factor) << r;
        } else {
          EXPECT_TRUE(std::isnan(factor[r * 2 + k])) << r;
        }
      }
    }
  }
  // A (16, 16, T) tile along run, country and time.
  h5::Handle dcpl(H5Dget_create_plist(it.get()), H5Pclose);
  hsize_t chunk[3] = {};
  ASSERT_EQ(H5Pget_chunk(dcpl.get(), 3, chunk), 3);
  EXPECT_EQ(chunk[0], 16u);
  EXPECT_EQ(chunk[1], 3u);
  EXPECT_EQ(chunk[2], 9u);
}

TEST_F(OutputFileTest, ModelRunRoundTrips) {
  RunParams p = testing::unconstrained(2, 2026.0, 2030.0, 0.25);
  p.countries.iso3 = {"KOR", "FRA"};
  p.countries.targets = {{{2028.0, 500.0}}, {{2029.0, 1200.0}}};
  const RunResult r = testing::simulate(p);
  {
    OutputFile out(dest_, false, layout_for(p), make_meta());
    out.write_run(0, p, r);
    out.commit();
  }
  h5::Handle f = h5::open_file(dest_);
  h5::Handle it = h5::open_dataset(f.get(), "it_mw");
  const auto v = h5::read_all<double>(it.get());
  const auto& want = r[CountrySeries::it_mw];
  ASSERT_EQ(v.size(), static_cast<std::size_t>(want.size()));
  for (Eigen::Index c = 0; c < want.rows(); ++c)
    for (Eigen::Index t = 0; t < want.cols(); ++t)
      EXPECT_EQ(v[static_cast<std::size_t>(c * want.cols() + t)], want(c, t));
  h5::Handle gw = h5::open_dataset(f.get(), "year_gw_reached");
  const auto years = h5::read_all<double>(gw.get());
  for (Eigen::Index c = 0; c < 2; ++c) EXPECT_TRUE(same(years[c], r.year_gw_reached(c)));
}

TEST_F(OutputFileTest, RefusesExistingDestinationWithoutForce) {
  write_text(dest_, "keep");
  const RunParams p = make_params();
  try {
    OutputFile out(dest_, false, layout_for(p), make_meta());
    FAIL() << "no error for an existing destination";
  } catch (const OutputError& e) {
    EXPECT_EQ(std::string(e.what()), dest_ + " exists; use --force to overwrite");
  }
  EXPECT_THROW(check_output_path(dest_, false), OutputError);
  EXPECT_EQ(read_text(dest_), "keep");
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"out.h5"});
}

TEST_F(OutputFileTest, OverwritesWithForce) {
  write_text(dest_, "keep");
  EXPECT_NO_THROW(check_output_path(dest_, true));
  const RunParams p = make_params();
  std::string temp;
  {
    OutputFile out(dest_, true, layout_for(p), make_meta());
    temp = out.temp_path();
    out.write_run(0, p, make_result(p, 0.0));
    // Nothing replaces the destination before commit.
    EXPECT_EQ(read_text(dest_), "keep");
    out.commit();
  }
  EXPECT_GT(H5Fis_hdf5(dest_.c_str()), 0);
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"out.h5"});
}

TEST_F(OutputFileTest, TemporaryFileRemovedWithoutCommit) {
  const RunParams p = make_params();
  std::string temp;
  {
    OutputFile out(dest_, false, layout_for(p), make_meta());
    temp = out.temp_path();
    // Beside the destination, named after it, so that --resume finds it.
    EXPECT_EQ(fs::path(temp).parent_path(), dir_);
    EXPECT_EQ(fs::path(temp).filename().string(), "out.h5.partial") << temp;
    EXPECT_TRUE(fs::exists(temp));
    EXPECT_FALSE(fs::exists(dest_));
    out.write_run(0, p, make_result(p, 0.0));
  }  // a failure elsewhere: destroyed without commit
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_FALSE(fs::exists(dest_));
  EXPECT_TRUE(entries(dir_).empty());
}

TEST_F(OutputFileTest, DestinationUntouchedWhenAWriteFails) {
  write_text(dest_, "keep");
  const RunParams p = make_params();
  {
    OutputFile out(dest_, true, layout_for(p), make_meta());
    out.write_run(0, p, make_result(p, 0.0));
    // A run outside the file, and parameters of another shape.
    EXPECT_THROW(out.write_run(1, p, make_result(p, 0.0)), OutputError);
    RunParams other = testing::unconstrained(2, 2026.0, 2028.0, 0.25);
    EXPECT_THROW(out.write_run(0, other, testing::simulate(other)), OutputError);
    RunParams longer = p;
    longer.sim.end_year = 2030.0;
    EXPECT_THROW(out.write_run(0, longer, make_result(longer, 0.0)), OutputError);
    RunParams more_targets = p;
    more_targets.countries.targets[2] = {{2030.0, 1.0}, {2031.0, 2.0}, {2032.0, 3.0}};
    EXPECT_THROW(out.write_run(0, more_targets, make_result(p, 0.0)), OutputError);
  }
  EXPECT_EQ(read_text(dest_), "keep");
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"out.h5"});
}

// Runs `write` under a file-size limit of `limit` bytes (a full disk) and exits: 0 when an
// OutputError came back (its message on stderr), 1 when none did. Runs in a child process:
// after a failed flush Debian's HDF5 1.10.8 crashes at exit (HDFGroup/hdf5#2291), so the
// child leaves with _Exit, skipping HDF5's exit handler.
template <typename F>
[[noreturn]] void write_until_full(rlim_t limit, F&& write) {
  std::signal(SIGXFSZ, SIG_IGN);  // writes past the limit then fail with EFBIG
  rlimit saved{};
  getrlimit(RLIMIT_FSIZE, &saved);
  rlimit small = saved;
  small.rlim_cur = limit;
  setrlimit(RLIMIT_FSIZE, &small);
  std::string what = "no error";
  try {
    write();
  } catch (const OutputError& e) {
    what = e.what();
  }
  // gtest reads the child's stderr from a file, which the limit would cut short.
  setrlimit(RLIMIT_FSIZE, &saved);
  std::fprintf(stderr, "%s\n", what.c_str());
  std::_Exit(what != "no error" ? 0 : 1);
}

// Writes `runs` runs to `dest` and commits, until the disk is full.
[[noreturn]] void write_runs_until_full(const std::string& dest, rlim_t limit, int runs) {
  write_until_full(limit, [&] {
    const RunParams p = make_params();
    OutputFile out(dest, true, layout_for(p, runs), make_meta());
    for (int r = 0; r < runs; ++r) out.write_run(r, p, make_result(p, r));
    out.commit();
  });
}

TEST_F(OutputFileTest, FullDiskLeavesNothingBehind) {
  // A file-size limit stands in for a full disk: the lock file cannot be written (a limit
  // of 0), or HDF5 fails while creating the file or when the runs are flushed (larger
  // limits). No run was saved, so nothing is left.
  write_text(dest_, "keep");
  for (rlim_t limit : {rlim_t{0}, rlim_t{4096}, rlim_t{65536}}) {
    EXPECT_EXIT(write_runs_until_full(dest_, limit, 40), ::testing::ExitedWithCode(0),
                limit == 0 ? "cannot create the lock file" : "HDF5 error")
        << "limit " << limit;
    EXPECT_EQ(read_text(dest_), "keep") << "limit " << limit;
    EXPECT_EQ(entries(dir_), std::vector<std::string>{"out.h5"}) << "limit " << limit;
  }
}

TEST_F(OutputFileTest, CommitRefusesADestinationThatAppearedMeanwhile) {
  const RunParams p = make_params();
  {
    OutputFile out(dest_, false, layout_for(p), make_meta());
    out.write_run(0, p, make_result(p, 0.0));
    write_text(dest_, "someone else's");
    EXPECT_THROW(out.commit(), OutputError);
  }
  EXPECT_EQ(read_text(dest_), "someone else's");
  // The run was saved before the rename was refused: the partial keeps it for --resume.
  EXPECT_EQ(entries(dir_), (std::vector<std::string>{"out.h5", "out.h5.partial"}));
  auto again = OutputFile::resume(dest_, layout_for(p), make_meta(), true);
  EXPECT_EQ(again->completed(), std::vector<bool>{true});
}

TEST_F(OutputFileTest, WritingAfterCommitIsAnError) {
  const RunParams p = make_params();
  OutputFile out(dest_, false, layout_for(p), make_meta());
  out.write_run(0, p, make_result(p, 0.0));
  out.commit();
  EXPECT_THROW(out.write_run(0, p, make_result(p, 0.0)), OutputError);
  EXPECT_THROW(out.commit(), OutputError);
  EXPECT_GT(H5Fis_hdf5(dest_.c_str()), 0);
}

TEST_F(OutputFileTest, CheckOutputPathExplainsBadFolders) {
  auto message = [](const std::string& path, bool overwrite) -> std::string {
    try {
      check_output_path(path, overwrite);
    } catch (const OutputError& e) {
      return e.what();
    }
    return "";
  };
  const std::string missing = (dir_ / "no_such_folder" / "out.h5").string();
  EXPECT_NE(message(missing, false).find("does not exist"), std::string::npos)
      << message(missing, false);
  EXPECT_NE(message(missing, true).find((dir_ / "no_such_folder").string()), std::string::npos);
  write_text(dir_ / "plain_file", "x");
  const std::string under_file = (dir_ / "plain_file" / "out.h5").string();
  EXPECT_NE(message(under_file, false).find("is not a folder"), std::string::npos)
      << message(under_file, false);
  EXPECT_NE(message(dir_.string(), true).find("is a folder"), std::string::npos);
  EXPECT_NE(message("", false).find("no output file"), std::string::npos);
  EXPECT_EQ(message(dest_, false), "");
  // The probe file is gone again.
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"plain_file"});
  const RunParams p = make_params();
  EXPECT_THROW(OutputFile(missing, false, layout_for(p), make_meta()), OutputError);
}

TEST_F(OutputFileTest, CheckOutputPathRefusesAReadOnlyFolder) {
  if (::geteuid() == 0) GTEST_SKIP() << "root may write into read-only folders";
  const fs::path locked = dir_ / "locked";
  fs::create_directory(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
  try {
    check_output_path((locked / "out.h5").string(), false);
    ADD_FAILURE() << "no error for a read-only folder";
  } catch (const OutputError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot create files"), std::string::npos) << e.what();
  }
  fs::permissions(locked, fs::perms::owner_all);
}

TEST_F(OutputFileTest, HdfErrorsNameFileAndObjectAndPrintNothing) {
  write_single();
  H5E_auto2_t before_func = nullptr;
  void* before_data = nullptr;
  H5Eget_auto2(H5E_DEFAULT, &before_func, &before_data);
  h5::Handle f = h5::open_file(dest_);
  ::testing::internal::CaptureStderr();
  std::string what;
  try {
    h5::open_dataset(f.get(), "no_such_variable");
  } catch (const OutputError& e) {
    what = e.what();
  }
  try {
    h5::open_file((dir_ / "missing.h5").string());
  } catch (const OutputError& e) {
    what += "\n" + std::string(e.what());
  }
  const std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(what.find("no_such_variable"), std::string::npos) << what;
  EXPECT_NE(what.find(dest_), std::string::npos) << what;
  EXPECT_NE(what.find("missing.h5"), std::string::npos) << what;
  EXPECT_EQ(printed, "") << "HDF5 printed its error stack";
  // The caller's error handler is back in place.
  H5E_auto2_t after_func = nullptr;
  void* after_data = nullptr;
  H5Eget_auto2(H5E_DEFAULT, &after_func, &after_data);
  EXPECT_EQ(after_func, before_func);
  EXPECT_EQ(after_data, before_data);
}

TEST_F(OutputFileTest, HandlesCloseThemselves) {
  write_single();
  const hid_t id = [&] {
    h5::Handle f = h5::open_file(dest_);
    h5::Handle moved = std::move(f);
    EXPECT_FALSE(f);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
    EXPECT_GT(H5Iis_valid(moved.get()), 0);
    return moved.get();
  }();
  EXPECT_LE(H5Iis_valid(id), 0);
}

// Writes a small three-run file for tests/cli/check_readers.py. With SOVCAP_READERS_SAMPLE
// set, the file is kept at that path (readers.cmake does this); otherwise it is checked
// and removed with the test's folder.
TEST_F(OutputFileTest, WritesReaderSample) {
  const char* env = std::getenv("SOVCAP_READERS_SAMPLE");
  const std::string path = env && *env ? std::string(env) : dest_;
  const RunParams base = make_params();
  const int runs = 3;
  {
    OutputFile out(path, true, layout_for(base, runs), make_meta());
    for (int r = 0; r < runs; ++r) {
      RunParams p = base;
      p.global[GlobalParam::accel_kw] = 1.5 + 0.25 * r;
      out.write_run(r, p, make_result(p, r));
    }
    out.commit();
  }
  EXPECT_GT(H5Fis_hdf5(path.c_str()), 0);
}


// ---- Sweeps: blocks, store modes, resume and merged shards -------------------------------

// Every run of a small sweep over make_params(): two levers (numeric, and a list kept as
// texts) in six policies, two uncertain keys (one multiplicative) in a Saltelli design.
struct SweepData {
  OutputLayout layout;  // the whole sweep
  std::vector<RunParams> params;
  std::vector<RunResult> results;
  std::vector<RunInfo> infos;

  // The layout of a file holding runs [first, first + runs).
  OutputLayout part(long long first, long long runs) const {
    OutputLayout l = layout;
    l.first_run = first;
    l.runs = runs;
    return l;
  }
  std::vector<RunRecord> records(long long first, long long n) const {
    std::vector<RunRecord> out;
    for (long long r = first; r < first + n; ++r) {
      const auto i = static_cast<std::size_t>(r);
      RunRecord rec;
      rec.run = r;
      rec.params = &params[i];
      rec.result = &results[i];
      rec.info = infos[i];
      out.push_back(rec);
    }
    return out;
  }
};

SweepData make_sweep(StoreMode store = StoreMode::full, std::vector<CountrySeries> keep = {}) {
  SweepData d;
  const RunParams base = make_params();
  const long long per_policy = 100;  // N = 25 base samples, d = 2: N * (d + 2)
  const long long total = 6 * per_policy;
  d.layout = layout_for(base, 1);
  d.layout.total_runs = total;
  d.layout.runs = total;
  d.layout.store = store;
  d.layout.keep = std::move(keep);
  auto& sw = d.layout.sweep;
  sw.lever_keys = {"country.KOR.grid_add_mw_per_year", "country.KOR.targets"};
  sw.lever_values = {{"100", "200", "400"}, {"[[2030, 1000]]", "[[2030, 2000],\n [2035, 5000]]"}};
  sw.lever_numeric = {{100.0, 200.0, 400.0}, {}};
  sw.uncertain_keys = {"global.vendor_supply_growth", "country.*.pue"};
  sw.uncertain_multiply = {false, true};
  sw.method = "saltelli";
  sw.samples = 25;
  sw.policies = 6;
  sw.samples_per_policy = per_policy;
  for (long long r = 0; r < total; ++r) {
    RunParams p = base;
    p.global[GlobalParam::accel_kw] = 1.0 + static_cast<double>(r) / 8.0;
    p.global.supply_shocks.resize(static_cast<std::size_t>(r % 3));  // padded with NaN
    RunInfo info;
    info.policy = static_cast<int>(r / per_policy);
    info.sample = r % per_policy;
    info.lever_choice = {info.policy / 2, info.policy % 2};
    info.saltelli_matrix = static_cast<int>(info.sample % 4);
    info.base_row = info.sample / 4;
    info.sampled = {0.01 * static_cast<double>(r), 1.0 + static_cast<double>(r) / 1024.0};
    d.results.push_back(make_result(p, static_cast<double>(r)));
    d.params.push_back(std::move(p));
    d.infos.push_back(std::move(info));
  }
  return d;
}

// Prepares the file's blocks in `order` (indices of blocks; default: in order) and writes
// them in run order, as the sweep's pipeline does.
void write_blocks(OutputFile& out, const SweepData& d, std::vector<long long> order = {}) {
  const OutputLayout& l = out.layout();
  const long long block = out.block_runs();
  const long long nblocks = (l.runs + block - 1) / block;
  if (order.empty())
    for (long long b = 0; b < nblocks; ++b) order.push_back(b);
  std::vector<PreparedBlockPtr> prepared(static_cast<std::size_t>(nblocks));
  for (long long b : order) {
    const long long first = l.first_run + b * block;
    prepared[static_cast<std::size_t>(b)] =
        out.prepare_block(first, d.records(first, std::min(block, l.first_run + l.runs - first)));
  }
  for (auto& p : prepared)
    if (p) out.write_block(std::move(p));
}

// The whole sweep `d`, written undisturbed into FOLDER/whole.h5: what every interrupted,
// killed or resumed file must equal.
std::string write_whole(const SweepData& d, const fs::path& folder) {
  const std::string whole = (folder / "whole.h5").string();
  OutputFile out(whole, false, d.layout, make_meta());
  write_blocks(out, d);
  out.commit();
  return whole;
}

std::string hex(const std::vector<unsigned char>& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

// An attribute's value as text; "" for references and compounds (dimension scale links).
std::string attribute_text(hid_t obj, const std::string& name) {
  h5::Handle attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
  h5::Handle type(H5Aget_type(attr.get()), H5Tclose);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls == H5T_STRING) {
    std::string out;
    for (const auto& s : h5::read_string_list_attribute(obj, name)) out += s + "\x1f";
    return out;
  }
  if (cls == H5T_REFERENCE || cls == H5T_COMPOUND || cls == H5T_VLEN) return "";
  h5::Handle native(H5Tget_native_type(type.get(), H5T_DIR_ASCEND), H5Tclose);
  h5::Handle space(H5Aget_space(attr.get()), H5Sclose);
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
  std::vector<unsigned char> buf(n * H5Tget_size(native.get()));
  H5Aread(attr.get(), native.get(), buf.data());
  return hex(buf);
}

// Every dataset of `a` and `b`: names, types, shapes, values (bit for bit) and attributes;
// and the root attributes except `skip`.
void expect_same_files(const std::string& a, const std::string& b,
                       const std::set<std::string>& skip = {"creation_time", "command_line"}) {
  h5::Handle fa = h5::open_file(a);
  h5::Handle fb = h5::open_file(b);
  auto root_attributes = [&](hid_t f) {
    std::vector<std::string> names;
    for (const auto& n : h5::attribute_names(f))
      if (!skip.count(n)) names.push_back(n);
    return names;
  };
  const auto ra = root_attributes(fa.get());
  ASSERT_EQ(ra, root_attributes(fb.get()));
  for (const auto& n : ra)
    EXPECT_EQ(attribute_text(fa.get(), n), attribute_text(fb.get(), n)) << "root attribute " << n;
  const auto names = dataset_names(fa.get());
  ASSERT_EQ(names, dataset_names(fb.get()));
  for (const auto& name : names) {
    h5::Handle da = h5::open_dataset(fa.get(), name);
    h5::Handle db = h5::open_dataset(fb.get(), name);
    ASSERT_EQ(h5::shape(da.get()), h5::shape(db.get())) << name;
    h5::Handle ta(H5Dget_type(da.get()), H5Tclose);
    h5::Handle tb(H5Dget_type(db.get()), H5Tclose);
    ASSERT_GT(H5Tequal(ta.get(), tb.get()), 0) << name;
    if (H5Tget_class(ta.get()) == H5T_STRING) {
      EXPECT_EQ(h5::read_strings(da.get()), h5::read_strings(db.get())) << name;
    } else {
      h5::Handle native(H5Tget_native_type(ta.get(), H5T_DIR_ASCEND), H5Tclose);
      const std::size_t elem = H5Tget_size(native.get());
      std::size_t n = 1;
      for (auto x : h5::shape(da.get())) n *= static_cast<std::size_t>(x);
      std::vector<unsigned char> va(n * elem), vb(n * elem);
      ASSERT_GE(H5Dread(da.get(), native.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, va.data()), 0) << name;
      ASSERT_GE(H5Dread(db.get(), native.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, vb.data()), 0) << name;
      if (va != vb) {
        std::size_t i = 0;
        while (i < n && std::memcmp(va.data() + i * elem, vb.data() + i * elem, elem) == 0) ++i;
        ADD_FAILURE() << name << " differs first at element " << i << " of " << n;
      }
    }
    const auto attrs = h5::attribute_names(da.get());
    EXPECT_EQ(attrs, h5::attribute_names(db.get())) << name;
    for (const auto& n : attrs)
      EXPECT_EQ(attribute_text(da.get(), n), attribute_text(db.get(), n)) << name << ":" << n;
  }
}

// What the message of the OutputError thrown by f says, or "" when none is thrown.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const OutputError& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(OutputFileTest, BlocksPreparedInAnyOrderOnAnyThreadGiveTheSameFile) {
  const SweepData d = make_sweep();
  const std::string in_order = (dir_ / "in_order.h5").string();
  {
    OutputFile out(in_order, false, d.layout, make_meta());
    write_blocks(out, d);
    out.commit();
  }
  {
    // 38 blocks (37 of 16 runs, the last of 8), prepared backwards on two threads.
    OutputFile out(dest_, false, d.layout, make_meta());
    const long long block = out.block_runs();
    ASSERT_EQ(block, 16);
    const long long nblocks = (600 + block - 1) / block;
    std::vector<PreparedBlockPtr> prepared(static_cast<std::size_t>(nblocks));
    auto prepare = [&](long long parity) {
      for (long long b = nblocks - 1; b >= 0; --b) {
        if (b % 2 != parity) continue;
        const long long first = b * block;
        prepared[static_cast<std::size_t>(b)] =
            out.prepare_block(first, d.records(first, std::min(block, 600 - first)));
      }
    };
    std::thread one([&] { prepare(0); });
    std::thread two([&] { prepare(1); });
    one.join();
    two.join();
    EXPECT_EQ(out.completed(), std::vector<bool>(600, false));
    for (auto& p : prepared) out.write_block(std::move(p));
    EXPECT_EQ(out.completed(), std::vector<bool>(600, true));
    out.commit();
  }
  expect_same_files(in_order, dest_);

  // The sweep's coordinates along run.
  h5::Handle f = h5::open_file(dest_);
  auto read = [&](const char* name) { return h5::read_all<double>(h5::open_dataset(f.get(), name).get()); };
  const auto policy = read("policy"), sample = read("sample"), matrix = read("saltelli_matrix"),
             base_row = read("base_row"), grid = read("lever.country.KOR.grid_add_mw_per_year"),
             targets = read("lever.country.KOR.targets"), growth = read("sampled.global.vendor_supply_growth"),
             pue = read("sampled.country.*.pue"), kw = read("global.accel_kw");
  for (std::size_t r = 0; r < 600; ++r) {
    const RunInfo& want = d.infos[r];
    ASSERT_EQ(policy[r], want.policy) << r;
    ASSERT_EQ(sample[r], static_cast<double>(want.sample)) << r;
    ASSERT_EQ(matrix[r], want.saltelli_matrix) << r;
    ASSERT_EQ(base_row[r], static_cast<double>(want.base_row)) << r;
    ASSERT_EQ(grid[r], d.layout.sweep.lever_numeric[0][static_cast<std::size_t>(want.lever_choice[0])]) << r;
    ASSERT_EQ(targets[r], want.lever_choice[1]) << r;
    ASSERT_EQ(growth[r], want.sampled[0]) << r;
    ASSERT_EQ(pue[r], want.sampled[1]) << r;
    ASSERT_EQ(kw[r], d.params[r].global[GlobalParam::accel_kw]) << r;
  }
  {
    h5::Handle v = h5::open_dataset(f.get(), "lever.country.KOR.targets");
    EXPECT_EQ(h5::read_string_list_attribute(v.get(), "values"), d.layout.sweep.lever_values[1]);
    h5::Handle type(H5Dget_type(v.get()), H5Tclose);
    EXPECT_GT(H5Tequal(type.get(), H5T_NATIVE_INT32), 0);
    h5::Handle g = h5::open_dataset(f.get(), "lever.country.KOR.grid_add_mw_per_year");
    EXPECT_EQ(h5::read_string_attribute(g.get(), "units"), "MW/yr");
    EXPECT_EQ(h5::read_attribute<double>(g.get(), "numeric_values"), d.layout.sweep.lever_numeric[0]);
    h5::Handle s = h5::open_dataset(f.get(), "sampled.country.*.pue");
    EXPECT_EQ(h5::read_attribute<std::int8_t>(s.get(), "multiply"), std::vector<std::int8_t>{1});
    EXPECT_EQ(h5::read_string_attribute(s.get(), "units"), "1");
    h5::Handle m = h5::open_dataset(f.get(), "saltelli_matrix");
    EXPECT_EQ(h5::read_string_attribute(m.get(), "flag_meanings"), "A B AB_0 AB_1");
    h5::Handle smp = h5::open_dataset(f.get(), "sample");
    h5::Handle st(H5Dget_type(smp.get()), H5Tclose);
    EXPECT_GT(H5Tequal(st.get(), H5T_NATIVE_INT64), 0);
  }
  const hid_t root = f.get();
  EXPECT_EQ(h5::read_string_attribute(root, "store"), "full");
  EXPECT_EQ(h5::read_string_attribute(root, "kept_series"), "");
  EXPECT_EQ(h5::read_string_attribute(root, "sweep_method"), "saltelli");
  EXPECT_EQ(h5::read_attribute<std::int64_t>(root, "sweep_samples"), std::vector<std::int64_t>{25});
  EXPECT_EQ(h5::read_attribute<std::int32_t>(root, "sweep_policies"), std::vector<std::int32_t>{6});
  EXPECT_EQ(h5::read_attribute<std::int64_t>(root, "sweep_samples_per_policy"), std::vector<std::int64_t>{100});
  EXPECT_EQ(h5::read_attribute<std::int64_t>(root, "total_runs"), std::vector<std::int64_t>{600});
  EXPECT_EQ(h5::read_attribute<std::int64_t>(root, "first_run"), std::vector<std::int64_t>{0});
  EXPECT_EQ(h5::read_string_attribute(root, "lever_keys"),
            "country.KOR.grid_add_mw_per_year country.KOR.targets");
  EXPECT_EQ(h5::read_string_attribute(root, "uncertain_keys"),
            "global.vendor_supply_growth country.*.pue");
  // Chunks: (16, 3, T) tiles; a block of runs per chunk elsewhere.
  for (const auto& [name, chunk0] : std::vector<std::pair<std::string, hsize_t>>{
           {"it_mw", 16}, {"year_gw_reached", 16}, {"policy", 16}, {"run_complete", 16}}) {
    h5::Handle ds = h5::open_dataset(f.get(), name);
    h5::Handle dcpl(H5Dget_create_plist(ds.get()), H5Pclose);
    hsize_t chunk[3] = {};
    ASSERT_GE(H5Pget_chunk(dcpl.get(), 3, chunk), 1) << name;
    EXPECT_EQ(chunk[0], chunk0) << name;
  }
}

TEST_F(OutputFileTest, BlocksDecodeLikeHdf5sOwnFilters) {
  // Twenty countries (edge chunks of 16 + 4 along country), 300 runs (edge block of 44
  // runs): blocks written as compressed chunks read back exactly as the same runs written
  // through HDF5's own shuffle and deflate filters.
  RunParams base = testing::unconstrained(20, 2026.0, 2040.0, 0.25);
  base.countries.targets[3] = {{2030.0, 1000.0}};
  const int runs = 300;
  std::vector<RunParams> params(runs, base);
  std::vector<RunResult> results;
  for (int r = 0; r < runs; ++r) {
    params[static_cast<std::size_t>(r)].global[GlobalParam::accel_kw] = 1.0 + r / 16.0;
    results.push_back(make_result(params[static_cast<std::size_t>(r)], r));
  }
  const OutputLayout layout = layout_for(base, runs);
  const std::string by_runs = (dir_ / "by_runs.h5").string();
  {
    OutputFile out(by_runs, false, layout, make_meta());
    for (int r = 0; r < runs; ++r)
      out.write_run(r, params[static_cast<std::size_t>(r)], results[static_cast<std::size_t>(r)]);
    out.commit();
  }
  {
    OutputFile out(dest_, false, layout, make_meta());
    const long long block = out.block_runs();
    for (long long first = 0; first < runs; first += block) {
      std::vector<RunRecord> recs;
      for (long long r = first; r < std::min<long long>(runs, first + block); ++r) {
        RunRecord rec;
        rec.run = r;
        rec.params = &params[static_cast<std::size_t>(r)];
        rec.result = &results[static_cast<std::size_t>(r)];
        rec.info.sample = r;  // as write_run derives it outside a sweep
        recs.push_back(rec);
      }
      out.write_block(out.prepare_block(first, recs));
    }
    out.commit();
  }
  expect_same_files(by_runs, dest_);
  h5::Handle f = h5::open_file(dest_);
  h5::Handle it = h5::open_dataset(f.get(), "it_mw");
  h5::Handle dcpl(H5Dget_create_plist(it.get()), H5Pclose);
  hsize_t chunk[3] = {};
  ASSERT_EQ(H5Pget_chunk(dcpl.get(), 3, chunk), 3);
  EXPECT_EQ(chunk[0], 16u);
  EXPECT_EQ(chunk[1], 16u);
  EXPECT_EQ(chunk[2], 57u);
}

TEST_F(OutputFileTest, BlockSizeFollowsTheRuns) {
  // 256 runs, halved (not below 16) while the file would have fewer than 64 blocks or a
  // chunk without a time axis would pass 1 MiB.
  RunParams p = make_params();
  auto block_of = [&](const RunParams& params, long long runs) {
    OutputLayout l = layout_for(params, 1);
    l.runs = l.total_runs = runs;
    OutputFile out(dest_, true, l, make_meta());
    return out.block_runs();
  };
  EXPECT_EQ(block_of(p, 1), 16);
  EXPECT_EQ(block_of(p, 148), 16);
  EXPECT_EQ(block_of(p, 5000), 64);
  EXPECT_EQ(block_of(p, 20000), 256);
  const RunParams many = testing::unconstrained(1000, 2026.0, 2027.0, 0.25);
  // 1000 countries: [run, country, constraint] int32 step counts and float32 shares are
  // 28 kB per run, so 32 runs fit in 1 MiB and 64 do not.
  EXPECT_EQ(block_of(many, 20000), 32);
  EXPECT_TRUE(entries(dir_).empty());
}

TEST_F(OutputFileTest, BlocksAreChecked) {
  const SweepData d = make_sweep();
  OutputFile out(dest_, false, d.layout, make_meta());
  EXPECT_TRUE(contains(error_of([&] { out.prepare_block(10, d.records(10, 16)); }), "multiple of 16"));
  EXPECT_TRUE(contains(error_of([&] { out.prepare_block(592, d.records(592, 5)); }),
                       "holds 8 runs, 5 given"));
  auto recs = d.records(0, 16);
  std::swap(recs[3], recs[4]);
  EXPECT_TRUE(contains(error_of([&] { out.prepare_block(0, recs); }), "expected run 3"));
  recs = d.records(0, 16);
  recs[7].info.sampled.pop_back();
  EXPECT_TRUE(contains(error_of([&] { out.prepare_block(0, recs); }), "1 sampled values for 2"));
  recs = d.records(0, 16);
  recs[7].info.lever_choice[0] = 3;
  EXPECT_TRUE(contains(error_of([&] { out.prepare_block(0, recs); }), "has no value 3"));
  OutputFile other((dir_ / "other.h5").string(), false, d.layout, make_meta());
  EXPECT_TRUE(contains(error_of([&] { other.write_block(out.prepare_block(0, d.records(0, 16))); }),
                       "prepared for another file"));
}

TEST_F(OutputFileTest, SummaryModeHoldsOnlyTheKeptSeries) {
  const SweepData full = make_sweep();
  SweepData d = make_sweep(StoreMode::summary, {CountrySeries::bottleneck, CountrySeries::it_mw});
  // As a summary-mode recorder leaves them: trajectories only of the kept series, and the
  // state at the horizon of every series.
  for (auto& r : d.results)
    for (int s = 0; s < kNumCountrySeries; ++s) {
      r.last[static_cast<std::size_t>(s)] = r.country[static_cast<std::size_t>(s)].col(8);
      const auto series = static_cast<CountrySeries>(s);
      if (series != CountrySeries::it_mw && series != CountrySeries::bottleneck)
        r.country[static_cast<std::size_t>(s)].resize(0, 0);
    }
  const std::string full_path = (dir_ / "full.h5").string();
  {
    OutputFile out(full_path, false, full.layout, make_meta());
    write_blocks(out, full);
    out.commit();
  }
  {
    OutputFile out(dest_, false, d.layout, make_meta());
    EXPECT_EQ(out.layout().keep,
              (std::vector<CountrySeries>{CountrySeries::it_mw, CountrySeries::bottleneck}));
    write_blocks(out, d);
    out.commit();
  }
  h5::Handle f = h5::open_file(dest_);
  h5::Handle ff = h5::open_file(full_path);
  EXPECT_EQ(h5::read_string_attribute(f.get(), "store"), "summary");
  EXPECT_EQ(h5::read_string_attribute(f.get(), "kept_series"), "it_mw bottleneck");
  for (int s = 0; s < kNumCountrySeries; ++s) {
    const auto series = static_cast<CountrySeries>(s);
    const bool kept = series == CountrySeries::it_mw || series == CountrySeries::bottleneck;
    EXPECT_EQ(h5::exists(f.get(), std::string(info(series).name)), kept) << info(series).name;
  }
  for (const char* name : {"year_gw_reached", "bottleneck_share", "global.accel_kw",
                           "policy", "sampled.country.*.pue", "run_complete"})
    EXPECT_TRUE(h5::exists(f.get(), name)) << name;
  // The market's [run, time] trajectories are left out too.
  for (int s = 0; s < kNumRunSeries; ++s)
    EXPECT_FALSE(h5::exists(f.get(), std::string(info(static_cast<RunSeries>(s)).name)));
  for (const char* name : {"it_mw_final", "compute_flops_final", "energy_twh_final", "spend_usd_final"})
    EXPECT_FALSE(h5::exists(ff.get(), name)) << name;
  // The kept series and everything per run equal the full file's.
  for (const char* name : {"it_mw", "bottleneck", "year_target_reached",
                           "bottleneck_share", "country.target_mw", "lever.country.KOR.targets"}) {
    h5::Handle a = h5::open_dataset(f.get(), name);
    h5::Handle b = h5::open_dataset(ff.get(), name);
    const auto va = h5::read_all<double>(a.get()), vb = h5::read_all<double>(b.get());
    ASSERT_EQ(va.size(), vb.size()) << name;
    for (std::size_t i = 0; i < va.size(); ++i) ASSERT_TRUE(same(va[i], vb[i])) << name << " " << i;
  }
  // The values at the horizon.
  auto last_of = [&](const char* series) {
    const auto v = h5::read_all<double>(h5::open_dataset(ff.get(), series).get());
    std::vector<double> out;
    for (std::size_t i = 8; i < v.size(); i += 9) out.push_back(v[i]);
    return out;
  };
  EXPECT_EQ(h5::read_all<double>(h5::open_dataset(f.get(), "it_mw_final").get()), last_of("it_mw"));
  EXPECT_EQ(h5::read_all<double>(h5::open_dataset(f.get(), "energy_twh_final").get()), last_of("energy_twh"));
  EXPECT_EQ(h5::read_all<double>(h5::open_dataset(f.get(), "compute_flops_final").get()),
            last_of("compute_flops"));
  const auto spend = h5::read_all<double>(h5::open_dataset(f.get(), "spend_usd_final").get());
  const auto capex = last_of("capex_usd"), opex = last_of("opex_usd");
  ASSERT_EQ(spend.size(), capex.size());
  for (std::size_t i = 0; i < spend.size(); ++i) EXPECT_EQ(spend[i], capex[i] + opex[i]) << i;

  // `sovcap summarize` of the summary file equals that of the full file at the horizon
  // (what it stores of compute, energy and spending), and per period (it keeps bottleneck).
  const ResultsReader summary_in(dest_), full_in(full_path);
  EXPECT_FALSE(summary_in.has_trajectories());
  EXPECT_TRUE(full_in.has_trajectories());
  EXPECT_EQ(summary_in.store(), "summary");
  EXPECT_EQ(summary_in.total_runs(), 600);
  EXPECT_EQ(summary_in.run_complete(), std::vector<std::int8_t>(600, 1));
  EXPECT_EQ(summary_in.time().back(), 2028.0);
  SummaryOptions opt;
  opt.years = {2028.0};
  opt.period_bounds = {2027.0};
  auto summarise = [&](const ResultsReader& in) {
    SummaryBuilder builder(in.iso3(), in.names(), in.time(), opt, in.stored_series());
    SummaryBlock block;
    for (int first = 0; first < in.runs(); first += 16) {
      const int count = std::min(16, in.runs() - first);
      in.read_summary_block(first, count, block);
      for (int k = 0; k < count; ++k) builder.add(block.slice(k));
    }
    return builder.finish();
  };
  const Summary a = summarise(summary_in), b = summarise(full_in);
  ASSERT_EQ(a.countries.size(), b.countries.size());
  EXPECT_EQ(a.runs, 600);
  for (std::size_t c = 0; c < a.countries.size(); ++c) {
    const auto &x = a.countries[c], &y = b.countries[c];
    EXPECT_EQ(x.it_mw_at, y.it_mw_at) << c;
    EXPECT_EQ(x.compute_at, y.compute_at) << c;
    EXPECT_EQ(x.energy_twh, y.energy_twh) << c;
    EXPECT_EQ(x.spend_usd, y.spend_usd) << c;
    EXPECT_EQ(x.dominant, y.dominant) << c;
    EXPECT_EQ(x.dominant_share, y.dominant_share) << c;
    EXPECT_TRUE(same(x.year_reach.p50, y.year_reach.p50)) << c;
    EXPECT_TRUE(same(x.year_target.p90, y.year_target.p90)) << c;
  }
  Eigen::ArrayXXd spend_full, spend_summary;
  full_in.read_final("spend_usd", 100, 16, spend_full);
  summary_in.read_final("spend_usd", 100, 16, spend_summary);
  EXPECT_TRUE((spend_full == spend_summary).all());

  // A file of format 1.0 stored the shares as doubles: the reader gives the same shares,
  // and summaries the same result.
  std::vector<Eigen::ArrayXXd> packed;
  summary_in.read_bottleneck_share(0, 600, packed);
  const std::string old_path = (dir_ / "format_1_0.h5").string();
  fs::copy_file(dest_, old_path);
  {
    h5::Handle old_file = h5::open_file(old_path, true);
    h5::Handle ds = h5::open_dataset(old_file.get(), "bottleneck_share");
    const auto dims = h5::shape(ds.get());
    const auto counts = h5::read_all<double>(ds.get());
    ds = h5::Handle();
    ASSERT_GE(H5Ldelete(old_file.get(), "bottleneck_share", H5P_DEFAULT), 0);
    const double steps = static_cast<double>(summary_in.time().size() - 1);
    std::vector<double> shares;
    for (double v : counts) shares.push_back(v / steps);
    h5::write_all(h5::create_dataset<double>(old_file.get(), "bottleneck_share", dims, {}, kNaN).get(),
                  shares);
    H5Adelete(old_file.get(), "format_version");
    h5::write_attribute(old_file.get(), "format_version", std::string(kPreviousFormatVersion));
  }
  const ResultsReader old_in(old_path);
  std::vector<Eigen::ArrayXXd> unpacked;
  old_in.read_bottleneck_share(0, 600, unpacked);
  ASSERT_EQ(unpacked.size(), packed.size());
  for (std::size_t r = 0; r < packed.size(); ++r) ASSERT_TRUE((unpacked[r] == packed[r]).all()) << r;
  const Summary c = summarise(old_in);
  for (std::size_t k = 0; k < a.countries.size(); ++k) {
    EXPECT_EQ(c.countries[k].dominant, a.countries[k].dominant) << k;
    EXPECT_EQ(c.countries[k].dominant_share, a.countries[k].dominant_share) << k;
  }
}

TEST_F(OutputFileTest, ResumeAfterClosePartialCompletesTheSameFile) {
  const SweepData d = make_sweep();
  const std::string whole = write_whole(d, dir_);
  const std::string partial = dest_ + ".partial";
  const std::size_t block = 16, nblocks = 38;
  std::vector<long long> even, odd;
  for (std::size_t b = 0; b < nblocks; ++b) (b % 2 ? odd : even).push_back(static_cast<long long>(b));
  {
    OutputFile out(dest_, false, d.layout, make_meta());
    EXPECT_EQ(out.temp_path(), partial);
    ASSERT_EQ(out.block_runs(), 16);
    write_blocks(out, d, even);  // an interrupted sweep: every other block missing
    out.close_partial();
    EXPECT_THROW(out.write_block(out.prepare_block(16, d.records(16, 16))), OutputError);
  }
  EXPECT_TRUE(fs::exists(partial));
  EXPECT_FALSE(fs::exists(dest_));
  {
    // A partial reads as a sweep with runs missing.
    h5::Handle f = h5::open_file(partial);
    const auto done = h5::read_all<std::int8_t>(h5::open_dataset(f.get(), "run_complete").get());
    for (std::size_t r = 0; r < 600; ++r) ASSERT_EQ(done[r], (r / block) % 2 ? 0 : 1) << r;
  }
  {
    OutputMetadata meta = make_meta();
    meta.command_line = "sovcap run scenarios/test.toml --resume";  // may differ
    auto out = OutputFile::resume(dest_, d.layout, meta);
    const auto done = out->completed();
    for (std::size_t r = 0; r < 600; ++r) ASSERT_EQ(done[r], (r / block) % 2 == 0) << r;
    write_blocks(*out, d, odd);
    EXPECT_EQ(out->completed(), std::vector<bool>(600, true));
    out->commit();
  }
  EXPECT_FALSE(fs::exists(partial));
  expect_same_files(whole, dest_);
}

// Writes block 0, flushes, writes block 1 and dies by SIGKILL without closing anything.
[[noreturn]] void write_and_die(const std::string& dest, const SweepData& d) {
  OutputFile out(dest, false, d.layout, make_meta());
  const long long b = out.block_runs();
  out.write_block(out.prepare_block(0, d.records(0, b)));
  out.flush();
  out.write_block(out.prepare_block(b, d.records(b, b)));
  std::raise(SIGKILL);
  std::abort();
}

TEST_F(OutputFileTest, AKilledWriterLeavesAResumablePartial) {
  const SweepData d = make_sweep();
  const std::string whole = write_whole(d, dir_);
  EXPECT_EXIT(write_and_die(dest_, d), ::testing::KilledBySignal(SIGKILL), "");
  const std::string partial = dest_ + ".partial";
  ASSERT_TRUE(fs::exists(partial));
  {
    // Readable as of the last flush: block 0 complete and intact.
    h5::Handle f = h5::open_file(partial);
    h5::Handle w = h5::open_file(whole);
    const auto done = h5::read_all<std::int8_t>(h5::open_dataset(f.get(), "run_complete").get());
    for (std::size_t r = 0; r < 16; ++r) ASSERT_EQ(done[r], 1) << r;
    for (std::size_t r = 32; r < 600; ++r) ASSERT_EQ(done[r], 0) << r;
    const auto got = h5::read_all<double>(h5::open_dataset(f.get(), "it_mw").get());
    const auto want = h5::read_all<double>(h5::open_dataset(w.get(), "it_mw").get());
    for (std::size_t i = 0; i < 16 * 27; ++i) ASSERT_EQ(got[i], want[i]) << i;
  }
  {
    auto out = OutputFile::resume(dest_, d.layout, make_meta());
    const auto done = out->completed();
    const long long block = out->block_runs();
    for (long long b = 0; b * block < 600; ++b) {
      const long long first = b * block, n = std::min(block, 600 - first);
      bool complete = true;
      for (long long r = first; r < first + n; ++r) complete = complete && done[static_cast<std::size_t>(r)];
      if (!complete) out->write_block(out->prepare_block(first, d.records(first, n)));
    }
    out->commit();
  }
  expect_same_files(whole, dest_);
}

TEST_F(OutputFileTest, ResumeRefusesAnotherRun) {
  const SweepData d = make_sweep();
  const std::string partial = dest_ + ".partial";
  EXPECT_TRUE(contains(error_of([&] { OutputFile::resume(dest_, d.layout, make_meta()); }),
                       "there is no partial file " + partial));
  {
    OutputFile out(dest_, false, d.layout, make_meta());
    write_blocks(out, d, {0});
    out.close_partial();
  }
  auto refusal = [&](const OutputLayout& layout, const OutputMetadata& meta) {
    return error_of([&] { OutputFile::resume(dest_, layout, meta); });
  };
  OutputMetadata meta = make_meta();
  meta.scenario_text += "# edited\n";
  EXPECT_TRUE(contains(refusal(d.layout, meta), "the scenario text (scenario_text) differs"))
      << refusal(d.layout, meta);
  meta = make_meta();
  meta.seed = 12;
  EXPECT_TRUE(contains(refusal(d.layout, meta),
                       "seed differs (partial file: 9223372036854775813; this run: 12)"))
      << refusal(d.layout, meta);
  meta = make_meta();
  meta.files = {{"data/global.csv", "x,y\n"}};
  EXPECT_TRUE(contains(refusal(d.layout, meta), "the number of data files differs")) << refusal(d.layout, meta);
  meta = make_meta();
  meta.overrides.pop_back();
  EXPECT_TRUE(contains(refusal(d.layout, meta), "overrides differs")) << refusal(d.layout, meta);
  OutputLayout l = d.layout;
  l.store = StoreMode::summary;
  EXPECT_TRUE(contains(refusal(l, make_meta()), "store mode differs (partial file: full; this run: summary)"))
      << refusal(l, make_meta());
  l = d.part(256, 344);
  EXPECT_TRUE(contains(refusal(l, make_meta()), "runs held (first_run..last) differs (partial file: 0..599; this run: 256..599)"))
      << refusal(l, make_meta());
  l = d.layout;
  l.sweep.lever_values[0][2] = "800";
  EXPECT_TRUE(contains(refusal(l, make_meta()), "values of lever country.KOR.grid_add_mw_per_year differs"))
      << refusal(l, make_meta());
  l = d.layout;
  l.iso3[2] = "FRA";
  EXPECT_TRUE(contains(refusal(l, make_meta()), "countries differs (partial file: KOR CIV JPN; this run: KOR CIV FRA)"))
      << refusal(l, make_meta());
  l = d.layout;
  l.sweep.uncertain_multiply = {false, false};
  EXPECT_TRUE(contains(refusal(l, make_meta()), "multiply flag of country.*.pue differs")) << refusal(l, make_meta());
  // Every refusal names the partial file and keeps it.
  EXPECT_TRUE(contains(refusal(l, make_meta()), "cannot resume " + partial));
  EXPECT_TRUE(fs::exists(partial));
  {
    // The same run resumes; destroyed without commit or close_partial (a failure), the
    // partial stays with the runs it held.
    auto out = OutputFile::resume(dest_, d.layout, make_meta());
    EXPECT_EQ(out->completed()[0], true);
  }
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"out.h5.partial"});
  auto out = OutputFile::resume(dest_, d.layout, make_meta());
  EXPECT_EQ(out->completed()[0], true);
}

// Chunks are written as prepared, so a partial whose variables carry other filters (one
// from a sovcap that compressed what this one stores raw) is refused, not corrupted.
TEST_F(OutputFileTest, ResumeRefusesAPartialWithOtherFilters) {
  const SweepData d = make_sweep();
  const std::string partial = dest_ + ".partial";
  const std::string name = "global.vendor_supply_growth";  // sampled: stored unfiltered
  {
    OutputFile out(dest_, false, d.layout, make_meta());
    write_blocks(out, d, {0});
    out.close_partial();
  }
  {
    h5::Handle f = h5::open_file(partial, true);
    std::vector<hsize_t> dims;
    {
      h5::Handle ds = h5::open_dataset(f.get(), name);
      EXPECT_EQ(h5::filter_count(ds.get()), 0);
      dims = h5::shape(ds.get());
    }
    ASSERT_GE(H5Ldelete(f.get(), name.c_str(), H5P_DEFAULT), 0);
    h5::DatasetOptions opt;
    opt.chunk = dims;
    opt.shuffle = true;
    opt.deflate = 2;
    const double fill = std::numeric_limits<double>::quiet_NaN();
    h5::create_dataset(f.get(), name, H5T_NATIVE_DOUBLE, dims, opt, &fill);
  }
  const std::string e = error_of([&] { OutputFile::resume(dest_, d.layout, make_meta()); });
  EXPECT_TRUE(contains(e, "variable " + name + " is stored with other filters than this run writes"))
      << e;
  EXPECT_TRUE(fs::exists(partial));
}

// Issue 16 item 2: a rerun without --resume deleted the partial of an interrupted run.
TEST_F(OutputFileTest, APartialIsReplacedOnlyWithForce) {
  const SweepData d = make_sweep();
  write_text(dest_ + ".partial", "interrupted");
  const std::string e = error_of([&] { OutputFile out(dest_, false, d.layout, make_meta()); });
  EXPECT_TRUE(contains(e, dest_ + ".partial holds an interrupted run; run the same command with "
                          "--resume to finish it, or with --force to discard it")) << e;
  EXPECT_THROW(OutputFile(dest_, false, d.layout, make_meta()), OutputRefused);
  EXPECT_EQ(read_text(dest_ + ".partial"), "interrupted");
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"out.h5.partial"});
  {
    OutputFile out(dest_, true, d.layout, make_meta());
    write_blocks(out, d);
    out.commit();
  }
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"out.h5"});
  EXPECT_GT(H5Fis_hdf5(dest_.c_str()), 0);
}

// Writes the blocks of `d` that `out` does not hold yet (a resumed partial's missing ones).
void finish_blocks(OutputFile& out, const SweepData& d) {
  const auto done = out.completed();
  const long long block = out.block_runs();
  std::vector<long long> missing;
  for (long long b = 0; b * block < static_cast<long long>(done.size()); ++b)
    if (!done[static_cast<std::size_t>(b * block)]) missing.push_back(b);
  if (!missing.empty()) write_blocks(out, d, missing);
}

std::string this_host() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

// Issue 16 item 1: two writers on one output removed each other's partial, and the
// periodic reopen followed the path into the other's file.
TEST_F(OutputFileTest, ASecondWriterOfAnOutputIsRefused) {
  const SweepData d = make_sweep();
  const std::string whole = write_whole(d, dir_);
  std::vector<long long> rest;
  for (long long b = 1; b < 38; ++b) rest.push_back(b);
  {
    OutputFile first(dest_, false, d.layout, make_meta());
    write_blocks(first, d, {0});
    first.flush();
    const std::string lock = read_text(dest_ + ".lock");
    EXPECT_TRUE(contains(lock, "pid " + std::to_string(::getpid()) + "\nhost " + this_host() + "\n")) << lock;
    // With or without --force, and to resume: refused at once, naming the process.
    for (bool force : {false, true}) {
      const std::string e = error_of([&] { OutputFile second(dest_, force, d.layout, make_meta()); });
      EXPECT_TRUE(contains(e, dest_ + " is being written by another process (pid " +
                                  std::to_string(::getpid()) + " on host " + this_host()))
          << e;
      EXPECT_TRUE(contains(e, "lock file " + dest_ + ".lock")) << e;
    }
    EXPECT_THROW(OutputFile::resume(dest_, d.layout, make_meta()), OutputRefused);
    EXPECT_THROW(merge_shards(dest_, {whole}, true), OutputRefused);
    // The first writer's partial is untouched; it finishes every run.
    write_blocks(first, d, rest);
    first.commit();
  }
  EXPECT_EQ(entries(dir_), (std::vector<std::string>{"out.h5", "whole.h5"}));
  expect_same_files(whole, dest_);
}

TEST_F(OutputFileTest, AWriterNeverFollowsItsPathIntoAnotherFile) {
  const SweepData d = make_sweep();
  const std::string partial = dest_ + ".partial";
  std::vector<long long> rest;
  for (long long b = 1; b < 38; ++b) rest.push_back(b);
  {
    OutputFile out(dest_, false, d.layout, make_meta());
    write_blocks(out, d, {0});
    // Someone moves the partial away and puts another file under its name (a writer that
    // ignores the lock, or a user): this writer goes on with its own file, and refuses to
    // rename the other one to the output.
    fs::rename(partial, dir_ / "moved.h5.partial");
    write_text(partial, "another process's file");
    out.flush();
    write_blocks(out, d, rest);
    const std::string e = error_of([&] { out.commit(); });
    EXPECT_TRUE(contains(e, partial + " is no longer the file this process wrote; nothing was renamed")) << e;
  }
  EXPECT_EQ(read_text(partial), "another process's file");
  EXPECT_FALSE(fs::exists(dest_));
}

TEST_F(OutputFileTest, ALockIsTakenOverOnlyFromAProcessThatIsGone) {
  const SweepData d = make_sweep();
  const std::string lock = dest_ + ".lock";
  std::string boot_id;
  std::getline(std::ifstream("/proc/sys/kernel/random/boot_id"), boot_id);
  // A process of this host that has exited: its lock is stale.
  const pid_t gone = fork();
  if (gone == 0) std::_Exit(0);
  waitpid(gone, nullptr, 0);
  write_text(lock, "pid " + std::to_string(gone) + "\nhost " + this_host() + "\nboot_id " + boot_id +
                       "\nproc_start 1\nstarted 2026-01-01T00:00:00Z\n");
  {
    OutputFile out(dest_, false, d.layout, make_meta());
    EXPECT_TRUE(contains(read_text(lock), "pid " + std::to_string(::getpid()) + "\n"));
    out.close_partial();
  }
  EXPECT_FALSE(fs::exists(lock));  // released with the file
  // A process of another host, or a live one here (pid 1): never taken over.
  for (const std::string& holder : {std::string("pid 4242\nhost elsewhere.example\nstarted 2026-01-01T00:00:00Z\n"),
                                    "pid 1\nhost " + this_host() + "\nboot_id " + boot_id + "\n"}) {
    write_text(lock, holder);
    const std::string e = error_of([&] { OutputFile::resume(dest_, d.layout, make_meta()); });
    EXPECT_TRUE(contains(e, "is being written by another process")) << e;
    EXPECT_TRUE(contains(e, "if no such process is running any more, delete " + lock)) << e;
    EXPECT_EQ(read_text(lock), holder);
  }
  EXPECT_TRUE(fs::exists(dest_ + ".partial"));
}

// Issue 16 item 3: a kill inside the periodic close/reopen left a corrupt partial. The
// test hook kills the writer at step `step` of its saves (every HDF5 write of a save and
// every step of the journal); the child exits 0 when it got past every step.
[[noreturn]] void write_killed_at(const std::string& dest, const SweepData& d, long step) {
  setenv("SOVCAP_TEST_KILL_IN_FLUSH", std::to_string(step).c_str(), 1);
  try {
    OutputFile out(dest, false, d.layout, make_meta());
    write_blocks(out, d);
    out.commit();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    std::_Exit(2);
  }
  std::_Exit(0);
}

TEST_F(OutputFileTest, AKillAtAnyStepOfASaveLeavesAResumablePartial) {
  const SweepData d = make_sweep();
  const std::string whole = write_whole(d, dir_);
  const std::string partial = dest_ + ".partial";
  long step = 1, kills = 0, resumed = 0;
  for (;; step += step < 90 ? 1 : 131) {
    for (const auto& name : entries(dir_))
      if (name != "whole.h5") fs::remove(dir_ / name);
    const pid_t child = fork();
    if (child == 0) write_killed_at(dest_, d, step);
    int status = 0;
    waitpid(child, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) break;  // past the last step
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "step " << step << " status " << status;
    ++kills;
    EXPECT_FALSE(fs::exists(dest_)) << "step " << step;
    // Killed while the file was laid out: only the stub, which a new run removes.
    if (!fs::exists(partial)) {
      EXPECT_TRUE(fs::exists(partial + ".new")) << "step " << step;
      continue;
    }
    {
      auto out = OutputFile::resume(dest_, d.layout, make_meta());
      finish_blocks(*out, d);
      out->commit();
    }
    ++resumed;
    EXPECT_EQ(entries(dir_), (std::vector<std::string>{"out.h5", "whole.h5"})) << "step " << step;
    expect_same_files(whole, dest_);
    if (HasFailure()) FAIL() << "after a kill at step " << step;
  }
  // Every step of the first saves (laying out the file, the first close and reopen), then
  // steps spread over the rest: ~3,000 steps in all.
  EXPECT_GT(step, 2500);
  EXPECT_GT(kills, 100);
  EXPECT_GT(resumed, 30) << "step " << step << " kills " << kills;
}

// Issue 16 item 4: a full disk during --resume deleted the partial and its runs.
[[noreturn]] void resume_until_full(const std::string& dest, const SweepData& d, rlim_t limit) {
  write_until_full(limit, [&] {
    auto out = OutputFile::resume(dest, d.layout, make_meta());
    finish_blocks(*out, d);
    out->commit();
  });
}

TEST_F(OutputFileTest, AFullDiskDuringResumeKeepsThePartial) {
  const SweepData d = make_sweep();
  const std::string whole = write_whole(d, dir_);
  const std::string partial = dest_ + ".partial";
  {
    OutputFile out(dest_, false, d.layout, make_meta());
    write_blocks(out, d, {0, 1, 2});
    out.close_partial();
  }
  const auto size = fs::file_size(partial);
  for (rlim_t room : {rlim_t{0}, rlim_t{4096}, rlim_t{65536}}) {
    EXPECT_EXIT(resume_until_full(dest_, d, static_cast<rlim_t>(size) + room),
                ::testing::ExitedWithCode(0), "File too large|HDF5 error")
        << "room " << room;
    ASSERT_TRUE(fs::exists(partial)) << "room " << room;
    EXPECT_FALSE(fs::exists(dest_ + ".lock")) << "room " << room;
  }
  {
    auto out = OutputFile::resume(dest_, d.layout, make_meta());
    const auto done = out->completed();
    for (std::size_t r = 0; r < 48; ++r) EXPECT_TRUE(done[r]) << r;
    finish_blocks(*out, d);
    out->commit();
  }
  expect_same_files(whole, dest_);
}

// Issue 16 item 5: `-o /dev/null --force` replaced the device node as root, and `-o` could
// name the scenario file.
TEST_F(OutputFileTest, RefusesOutputsThatAreNotFilesOrAreInputs) {
  auto refusal = [](const std::string& path, bool overwrite, const std::vector<std::string>& inputs) {
    try {
      check_output_path(path, overwrite, inputs);
    } catch (const OutputRefused& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(refusal("/dev/null", true, {}),
            "/dev/null is not a regular file (a device, FIFO or socket); give the name of a results file");
  const std::string fifo = (dir_ / "fifo.h5").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_TRUE(contains(refusal(fifo, true, {}), "is not a regular file")) << refusal(fifo, true, {});
  // A folder is called a folder at once, not "exists; use --force".
  const std::string folder = (dir_ / "folder.h5").string();
  fs::create_directory(folder);
  EXPECT_TRUE(contains(refusal(folder, false, {}), folder + " is a folder")) << refusal(folder, false, {});
  const std::string input = (dir_ / "scenario.toml").string();
  write_text(input, "[simulation]\n");
  const std::string other_spelling = (dir_ / "." / "scenario.toml").string();
  EXPECT_TRUE(contains(refusal(other_spelling, true, {input}), "is one of this command's inputs (" + input + ")"))
      << refusal(other_spelling, true, {input});
  EXPECT_EQ(refusal("", false, {}), "no output file given (an empty name)");
  EXPECT_EQ(read_text(input), "[simulation]\n");
}

// Writes shards of `d` covering `ranges` (first, end) into `folder`, committed; returns
// their paths.
std::vector<std::string> write_shards(const SweepData& d, const fs::path& folder,
                                      const std::vector<std::pair<long long, long long>>& ranges) {
  fs::create_directories(folder);
  std::vector<std::string> paths;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    const auto [first, end] = ranges[i];
    const std::string path = (folder / ("shard" + std::to_string(i) + ".h5")).string();
    OutputMetadata meta = make_meta();
    meta.command_line += " --runs " + std::to_string(first) + ":" + std::to_string(end);
    OutputFile out(path, true, d.part(first, end - first), meta);
    write_blocks(out, d);
    out.commit();
    paths.push_back(path);
  }
  return paths;
}

TEST_F(OutputFileTest, MergedShardsReadAsOneFile) {
  const SweepData d = make_sweep();
  const std::string whole = write_whole(d, dir_);
  const fs::path sweep = dir_ / "sweep";
  const auto shards = write_shards(d, sweep / "shards", {{356, 600}, {0, 100}, {100, 356}});
  {
    h5::Handle f = h5::open_file(shards[0]);
    EXPECT_EQ(h5::read_all<std::int32_t>(h5::open_dataset(f.get(), "run").get()).front(), 356);
    EXPECT_EQ(h5::read_attribute<std::int64_t>(f.get(), "first_run"), std::vector<std::int64_t>{356});
  }
  const std::string master = (sweep / "master.h5").string();
  merge_shards(master, shards, false, "sovcap merge master.h5 shards/*.h5");
  EXPECT_FALSE(fs::exists(master + ".partial"));
  expect_same_files(whole, master, {"creation_time", "command_line", "shards"});
  {
    h5::Handle f = h5::open_file(master);
    EXPECT_EQ(h5::read_string_attribute(f.get(), "shards"),
              "shards/shard1.h5\nshards/shard2.h5\nshards/shard0.h5");
    EXPECT_EQ(h5::read_string_attribute(f.get(), "command_line"), "sovcap merge master.h5 shards/*.h5");
    // Virtual datasets, each axis labelled by its dimension scale.
    h5::Handle it = h5::open_dataset(f.get(), "it_mw");
    h5::Handle dcpl(H5Dget_create_plist(it.get()), H5Pclose);
    EXPECT_EQ(H5Pget_layout(dcpl.get()), H5D_VIRTUAL);
    size_t mappings = 0;
    H5Pget_virtual_count(dcpl.get(), &mappings);
    EXPECT_EQ(mappings, 3u);
    EXPECT_EQ(scales_of(it.get(), 0), std::vector<std::string>{"/run"});
    EXPECT_EQ(scales_of(it.get(), 1), std::vector<std::string>{"/country"});
    EXPECT_EQ(scales_of(it.get(), 2), std::vector<std::string>{"/time"});
    h5::Handle done = h5::open_dataset(f.get(), "run_complete");
    EXPECT_EQ(scales_of(done.get(), 0), std::vector<std::string>{"/run"});
  }
  // Shard paths are relative to the master's folder: the folder can move.
  const fs::path moved = dir_ / "moved";
  fs::rename(sweep, moved);
  const std::string moved_master = (moved / "master.h5").string();
  expect_same_files(whole, moved_master, {"creation_time", "command_line", "shards"});
  {
    const ResultsReader in(moved_master);
    EXPECT_EQ(in.runs(), 600);
    EXPECT_EQ(in.run_complete(), std::vector<std::int8_t>(600, 1));
  }
  // A missing shard reads as fill values, silently: run_complete tells.
  fs::remove(moved / "shards" / "shard2.h5");
  {
    h5::Handle f = h5::open_file(moved_master);
    const auto done = h5::read_all<std::int8_t>(h5::open_dataset(f.get(), "run_complete").get());
    const auto it = h5::read_all<double>(h5::open_dataset(f.get(), "it_mw").get());
    for (std::size_t r = 0; r < 600; ++r) {
      const bool lost = r >= 100 && r < 356;
      ASSERT_EQ(done[r], lost ? 0 : 1) << r;
      ASSERT_EQ(std::isnan(it[r * 27]), lost) << r;
    }
  }
}

TEST_F(OutputFileTest, MergeRefusesShardsThatDoNotMakeOneSweep) {
  const SweepData d = make_sweep();
  const auto shards = write_shards(d, dir_ / "shards", {{0, 100}, {100, 356}, {356, 600}});
  const std::string master = (dir_ / "master.h5").string();
  auto refusal = [&](const std::vector<std::string>& list) {
    return error_of([&] { merge_shards(master, list, false); });
  };
  std::string e = refusal({shards[0], shards[2]});
  EXPECT_TRUE(contains(e, "runs 100..355 of 600 are in no shard (a shard is missing)")) << e;
  e = refusal({shards[0], shards[1]});
  EXPECT_TRUE(contains(e, "runs 356..599 of 600 are in no shard")) << e;
  e = refusal({shards[0], shards[1], (dir_ / "shards" / "nope.h5").string()});
  EXPECT_TRUE(contains(e, "shard " + (dir_ / "shards" / "nope.h5").string() + " does not exist")) << e;
  e = refusal({shards[0], shards[1], shards[2], shards[1]});
  EXPECT_TRUE(contains(e, "(runs 100..355) overlap")) << e;
  const auto wide = write_shards(d, dir_ / "wide", {{0, 200}});
  e = refusal({wide[0], shards[1], shards[2]});
  EXPECT_TRUE(contains(e, "shards " + wide[0] + " (runs 0..199) and " + shards[1] + " (runs 100..355) overlap"))
      << e;
  {
    // A shard whose runs were never written.
    OutputFile gap((dir_ / "gap.h5").string(), false, d.part(100, 256), make_meta());
    gap.commit();
    e = refusal({shards[0], (dir_ / "gap.h5").string(), shards[2]});
    EXPECT_TRUE(contains(e, "shard " + (dir_ / "gap.h5").string() +
                                " is incomplete: 256 of its 256 runs are not written (first: run 100)"))
        << e;
  }
  {
    OutputMetadata meta = make_meta();
    meta.seed = 3;
    const std::string path = (dir_ / "seed3.h5").string();
    OutputFile out(path, false, d.part(100, 256), meta);
    write_blocks(out, d);
    out.commit();
    e = refusal({shards[0], path, shards[2]});
    EXPECT_TRUE(contains(e, "shard " + path + " does not belong to the sweep of " + shards[0] +
                                ": seed differs (" + shards[0] + ": 9223372036854775813; " + path + ": 3)"))
        << e;
  }
  {
    SweepData other = make_sweep(StoreMode::summary, {CountrySeries::it_mw});
    const auto summary = write_shards(other, dir_ / "summary", {{100, 356}});
    e = refusal({shards[0], summary[0], shards[2]});
    EXPECT_TRUE(contains(e, "store mode differs")) << e;
  }
  merge_shards(master, shards, false);
  e = refusal({master});
  EXPECT_TRUE(contains(e, master + " is one of this command's inputs")) << e;
  e = error_of([&] { merge_shards(master, shards, false); });
  EXPECT_TRUE(contains(e, "exists; use --force")) << e;
  e = error_of([&] { merge_shards((dir_ / "again.h5").string(), {master}, false); });
  EXPECT_TRUE(contains(e, "is a merged master file, not a shard")) << e;
  // Nothing half-written is left behind by a refusal.
  for (const auto& name : entries(dir_)) EXPECT_EQ(name.find(".partial"), std::string::npos) << name;
  EXPECT_FALSE(fs::exists(dir_ / "again.h5"));
}

// Writes a merged master of three shards for tests/cli/check_readers.py. With
// SOVCAP_READERS_MERGED set, the master is kept at that path and its shards in a folder
// beside it (readers.cmake does this).
TEST_F(OutputFileTest, WritesMergedReaderSample) {
  const char* env = std::getenv("SOVCAP_READERS_MERGED");
  const fs::path master = env && *env ? fs::path(env) : dir_ / "merged.h5";
  const SweepData d = make_sweep();
  const fs::path folder = master.has_parent_path() ? master.parent_path() : fs::path(".");
  const auto shards = write_shards(d, folder / (master.stem().string() + "_shards"),
                                   {{0, 256}, {256, 512}, {512, 600}});
  merge_shards(master.string(), shards, true, "sovcap merge (test sample)");
  EXPECT_GT(H5Fis_hdf5(master.c_str()), 0);
}

}  // namespace
}  // namespace sovcap

// The periods held_back_mw_period is summed over (and summarize's default periods):
// boundaries at start + 3 and every 4 years before the horizon; a step belongs to the
// period holding its start; a period can be empty when dt is long.
TEST(ResultPeriods, QuarterStepsToTheBaselineHorizon) {
  using sovcap::ResultPeriods;
  using sovcap::result_periods;
  const ResultPeriods p = result_periods(2026.0, 0.25, 56);
  ASSERT_EQ(p.span.size(), 4u);
  EXPECT_EQ(p.span[0], (std::pair<double, double>{2026.0, 2029.0}));
  EXPECT_EQ(p.span[1], (std::pair<double, double>{2029.0, 2033.0}));
  EXPECT_EQ(p.span[3], (std::pair<double, double>{2037.0, 2040.0}));
  EXPECT_EQ(p.steps, (std::vector<int>{12, 16, 16, 12}));
  EXPECT_EQ(p.last_step, (std::vector<int>{12, 28, 44, 56}));
}

TEST(ResultPeriods, LongStepsLeaveAPeriodEmptyAndShortRunsHaveOne) {
  using sovcap::ResultPeriods;
  using sovcap::result_periods;
  // Steps start at 2026, 2031 and 2036: none in [2037, 2041].
  const ResultPeriods p = result_periods(2026.0, 5.0, 3);
  ASSERT_EQ(p.span.size(), 4u);
  EXPECT_EQ(p.steps, (std::vector<int>{1, 1, 1, 0}));
  EXPECT_EQ(p.last_step, (std::vector<int>{1, 2, 3, 0}));
  const ResultPeriods one = result_periods(2026.0, 0.25, 8);  // to 2028: no boundary
  ASSERT_EQ(one.span.size(), 1u);
  EXPECT_EQ(one.span[0], (std::pair<double, double>{2026.0, 2028.0}));
  EXPECT_EQ(one.steps, (std::vector<int>{8}));
}
