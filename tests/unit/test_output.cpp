// The results file: every variable round-trips exactly, carries its attributes and
// dimension scales, and the file appears under its name only on commit.

#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <hdf5.h>
#include <hdf5_hl.h>

#include "sovcap/h5.hpp"
#include "sovcap/output.hpp"
#include "sovcap/outputs.hpp"
#include "sovcap/params.hpp"
#include "sovcap/results.hpp"
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
  r.year_target_reached << 2031.25 + salt, kNaN, 2026.0;
  r.year_gw_reached.resize(nc);
  r.year_gw_reached << 2030.0, kNaN, kNaN;
  r.bottleneck_share.resize(nc, kNumBottlenecks);
  for (int c = 0; c < nc; ++c)
    for (int k = 0; k < kNumBottlenecks; ++k) r.bottleneck_share(c, k) = (c * 6 + k) / 64.0;
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
    h5::Handle ds = h5::open_dataset(f.get(), "bottleneck_share");
    EXPECT_EQ(h5::shape(ds.get()), (std::vector<hsize_t>{1, 3, kNumBottlenecks}));
    const auto v = h5::read_all<double>(ds.get());
    for (int c = 0; c < nc; ++c)
      for (int k = 0; k < kNumBottlenecks; ++k)
        EXPECT_EQ(v[c * kNumBottlenecks + k], r.bottleneck_share(c, k));
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
            (std::vector<std::int8_t>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(h5::read_string_attribute(b.get(), "flag_meanings"),
            "on_track lead_time power capital talent chips");
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
    // Beside the destination, hidden, named after it.
    EXPECT_EQ(fs::path(temp).parent_path(), dir_);
    EXPECT_EQ(fs::path(temp).filename().string().rfind(".out.h5.tmp-", 0), 0u) << temp;
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

// Writes `runs` runs to `dest` under a file-size limit of `limit` bytes (a full disk) and
// exits: 0 when an OutputError naming HDF5 came back, 1 when none did. Runs in a child
// process: after a failed flush Debian's HDF5 1.10.8 crashes at exit (HDFGroup/hdf5#2291),
// so the child leaves with _Exit, skipping HDF5's exit handler.
[[noreturn]] void write_until_full(const std::string& dest, rlim_t limit, int runs) {
  std::signal(SIGXFSZ, SIG_IGN);  // writes past the limit then fail with EFBIG
  rlimit saved{};
  getrlimit(RLIMIT_FSIZE, &saved);
  rlimit small = saved;
  small.rlim_cur = limit;
  setrlimit(RLIMIT_FSIZE, &small);
  std::string what = "no error";
  try {
    const RunParams p = make_params();
    OutputFile out(dest, true, layout_for(p, runs), make_meta());
    for (int r = 0; r < runs; ++r) out.write_run(r, p, make_result(p, r));
    out.commit();
  } catch (const OutputError& e) {
    what = e.what();
  }
  // gtest reads the child's stderr from a file, which the limit would cut short.
  setrlimit(RLIMIT_FSIZE, &saved);
  std::fprintf(stderr, "%s\n", what.c_str());
  std::_Exit(what.find("HDF5 error") != std::string::npos ? 0 : 1);
}

TEST_F(OutputFileTest, FullDiskLeavesNothingBehind) {
  // A file-size limit stands in for a full disk: HDF5 fails while creating the file (a
  // limit of 0) or when the runs are flushed (larger limits).
  write_text(dest_, "keep");
  for (rlim_t limit : {rlim_t{0}, rlim_t{4096}, rlim_t{65536}}) {
    EXPECT_EXIT(write_until_full(dest_, limit, 40), ::testing::ExitedWithCode(0), "HDF5 error")
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
  EXPECT_EQ(entries(dir_), std::vector<std::string>{"out.h5"});
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

}  // namespace
}  // namespace sovcap
