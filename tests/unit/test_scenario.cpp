// Scenario loading: how values are resolved from their sources, and one test per
// validation rule checking that the diagnostic names the file, line and key and says what
// is allowed. Every test writes its own files into a fresh temporary folder.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sovcap/csv.hpp"
#include "sovcap/params.hpp"
#include "sovcap/scenario.hpp"

namespace fs = std::filesystem;
using namespace sovcap;

namespace {

// A complete inline country: the required parameters and nothing else. Lines 1..8.
const char* const kKorea = R"(name = "Korea"
it_mw = 55
grid_mw = 100
grid_add_mw_per_year = 50
budget_usd_per_year = 2e9
workforce = 2000
targets = [[2030, 1000]]
)";

// Every required parameter of CSV countries, for a header row.
const char* const kCsvHeader =
    "iso3,name,it_mw,grid_mw,grid_add_mw_per_year,budget_usd_per_year,workforce,targets";

std::string describe(const std::vector<Diagnostic>& ds) {
  std::string s;
  for (const auto& d : ds) s += "\n  " + format_diagnostic(d);
  return s.empty() ? "\n  (no diagnostics)" : s;
}

class ScenarioTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / "sovcap_test_scenario" /
           (std::string(info->test_suite_name()) + "." + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  // Writes `text` to `name` in the test's folder and returns its path.
  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // The diagnostics loading `scenario` produces; fails the test if it loads.
  std::vector<Diagnostic> errors(const std::string& scenario,
                                 const std::vector<std::string>& overrides = {}) {
    try {
      load_scenario(scenario, overrides);
    } catch (const InputError& e) {
      EXPECT_FALSE(e.diagnostics().empty());
      EXPECT_NE(std::string(e.what()).find(format_diagnostic(e.diagnostics().front())),
                std::string::npos);
      return e.diagnostics();
    }
    ADD_FAILURE() << scenario << " loaded but should have been rejected";
    return {};
  }

  fs::path dir_;
};

// True when one diagnostic has this file, line and key and its message holds every part.
// line -1: any line. The failure message lists every diagnostic.
::testing::AssertionResult has(const std::vector<Diagnostic>& ds, const std::string& file, int line,
                               const std::string& key, const std::vector<std::string>& parts) {
  for (const auto& d : ds) {
    if (d.file != file || (line >= 0 && d.line != line) || d.key != key) continue;
    bool all = true;
    for (const auto& p : parts) all = all && d.message.find(p) != std::string::npos;
    if (all) return ::testing::AssertionSuccess();
  }
  std::string want = file + ":" + std::to_string(line) + ": " + key + ": ...";
  for (const auto& p : parts) want += " [" + p + "]";
  return ::testing::AssertionFailure() << "no diagnostic " << want << " among:" << describe(ds);
}

double pue_of(const Scenario& sc, const std::string& iso3) {
  const int i = sc.params.countries.find(iso3);
  EXPECT_GE(i, 0) << iso3;
  return i < 0 ? std::nan("") : sc.params.countries.at(i, CountryParam::pue);
}

// ---------------------------------------------------------------------------------------
// Resolution

TEST_F(ScenarioTest, PrecedenceRegistryDefaultsCsvInlineSet) {
  write("c.csv", std::string(kCsvHeader) + ",pue\n" +
                     "AAA,Country A,1,10,5,1e9,100,,\n"       // line 2: no pue -> [defaults]
                     "BBB,Country B,1,10,5,1e9,100,,1.3\n"    // line 3: CSV
                     "CCC,Country C,1,10,5,1e9,100,,1.3\n"    // line 4: CSV then inline
                     "DDD,Country D,1,10,5,1e9,100,,1.3\n");  // line 5: CSV, inline, --set
  write("g.csv",
        "parameter,value,basis,low,high,source,note\n"
        "accel_kw,1.8,reported,1.5,2.2,vendor datasheet,\n"
        "vendor_supply,6e6,assumption,,,,analyst consensus\n");
  const std::string s = write("s.toml", R"([global]
data = "g.csv"
vendor_supply = 7e6

[defaults]
pue = 1.4
targets = []

[countries]
data = "c.csv"

[country.CCC]
pue = 1.25

[country.DDD]
pue = 1.25
)");
  const Scenario sc = load_scenario(s, {"country.DDD.pue=1.1", "global.other_demand=1e6"});
  const std::string csv = path("c.csv");

  // Countries: built-in < [defaults] < CSV < inline < --set.
  EXPECT_DOUBLE_EQ(pue_of(sc, "AAA"), 1.4);
  EXPECT_DOUBLE_EQ(pue_of(sc, "BBB"), 1.3);
  EXPECT_DOUBLE_EQ(pue_of(sc, "CCC"), 1.25);
  EXPECT_DOUBLE_EQ(pue_of(sc, "DDD"), 1.1);
  EXPECT_DOUBLE_EQ(sc.params.countries.at(0, CountryParam::electricity_usd_per_mwh),
                   spec(CountryParam::electricity_usd_per_mwh).default_value);
  EXPECT_EQ(sc.origin.at("country.AAA.electricity_usd_per_mwh"), "built-in default");
  EXPECT_EQ(sc.origin.at("country.AAA.pue"), "[defaults] " + s + ":6");
  EXPECT_EQ(sc.origin.at("country.BBB.pue"), csv + " row 3");
  EXPECT_EQ(sc.origin.at("country.CCC.pue"), s + ":13");
  EXPECT_EQ(sc.origin.at("country.DDD.pue"), "--set");
  EXPECT_EQ(sc.origin.at("country.AAA.targets"), "[defaults] " + s + ":7");
  EXPECT_EQ(sc.origin.at("country.AAA.it_mw"), csv + " row 2");

  // Globals: built-in < global CSV < [global] < --set.
  const auto& g = sc.params.global;
  EXPECT_DOUBLE_EQ(g[GlobalParam::accel_kw], 1.8);
  EXPECT_DOUBLE_EQ(g[GlobalParam::vendor_supply], 7e6);
  EXPECT_DOUBLE_EQ(g[GlobalParam::other_demand], 1e6);
  EXPECT_DOUBLE_EQ(g[GlobalParam::tier2_cap], spec(GlobalParam::tier2_cap).default_value);
  EXPECT_EQ(sc.origin.at("global.accel_kw"), path("g.csv") + " row 2");
  EXPECT_EQ(sc.origin.at("global.vendor_supply"), s + ":3");
  EXPECT_EQ(sc.origin.at("global.other_demand"), "--set");
  EXPECT_EQ(sc.origin.at("global.tier2_cap"), "built-in default");
  EXPECT_EQ(sc.origin.at("simulation.dt"), "built-in default");

  // The texts of the inputs travel with the scenario.
  EXPECT_EQ(sc.path, s);
  EXPECT_NE(sc.text.find("[country.DDD]"), std::string::npos);
  EXPECT_EQ(sc.csv_path, csv);
  EXPECT_NE(sc.csv_text.find("Country D"), std::string::npos);
  ASSERT_EQ(sc.files.size(), 2u);
  EXPECT_EQ(sc.files[0].first, path("g.csv"));
  EXPECT_EQ(sc.files[1].first, csv);
  EXPECT_EQ(sc.overrides,
            (std::vector<std::string>{"country.DDD.pue=1.1", "global.other_demand=1e6"}));
}

TEST_F(ScenarioTest, InlineOnlyScenarioKeepsFileOrder) {
  // ZZZ first in the file, then AAA: the country dimension follows the file, not the alphabet.
  const std::string s =
      write("s.toml", std::string("[simulation]\nstart_year = 2026\nend_year = 2030\ndt = 0.5\n"
                                  "seed = 42\n\n[country.ZZZ]\n") +
                          kKorea + "\n[country.AAA]\n" + kKorea + "pue = 1.5\n");
  const Scenario sc = load_scenario(s);
  const auto& c = sc.params.countries;
  ASSERT_EQ(c.size(), 2);
  EXPECT_EQ(c.iso3, (std::vector<std::string>{"ZZZ", "AAA"}));
  EXPECT_EQ(c.name[0], "Korea");
  EXPECT_DOUBLE_EQ(c.at(0, CountryParam::it_mw), 55.0);
  EXPECT_DOUBLE_EQ(c.at(1, CountryParam::pue), 1.5);
  EXPECT_DOUBLE_EQ(c.at(0, CountryParam::pue), spec(CountryParam::pue).default_value);
  ASSERT_EQ(c.targets[1].size(), 1u);
  EXPECT_DOUBLE_EQ(c.targets[1][0].year, 2030.0);
  EXPECT_DOUBLE_EQ(c.targets[1][0].mw, 1000.0);
  EXPECT_EQ(sc.params.sim.steps(), 8);
  EXPECT_EQ(sc.params.sim.seed, 42u);
  EXPECT_TRUE(sc.csv_path.empty());
  EXPECT_TRUE(sc.csv_text.empty());
  EXPECT_EQ(c.values.rows(), 2);
  EXPECT_EQ(c.values.cols(), kNumCountryParams);
}

TEST_F(ScenarioTest, IncludeSetsCountryOrderAndInlineCountriesFollow) {
  write("c.csv", std::string(kCsvHeader) + "\n" +
                     "KOR,Korea,55,100,50,2e9,2000,2030:1000\n"
                     "JPN,Japan,100,200,100,5e9,5000,2030:500\n"
                     "USA,United States,1000,2000,1000,1e11,1e5,\n");
  const std::string s =
      write("s.toml", std::string("[defaults]\ntargets = []\n\n[countries]\ndata = \"c.csv\"\n"
                                  "include = [\"USA\", \"KOR\"]\n\n[country.SGP]\n") +
                          kKorea + "\n[country.JPN]\npue = 1.2\n");
  const Scenario sc = load_scenario(s);
  // JPN is left out (its inline override is not a reason to include it); SGP, defined only
  // inline, is appended.
  EXPECT_EQ(sc.params.countries.iso3, (std::vector<std::string>{"USA", "KOR", "SGP"}));
  EXPECT_EQ(sc.params.countries.name[0], "United States");
  EXPECT_TRUE(sc.params.countries.targets[0].empty());  // [defaults] targets = []

  // Without include: every CSV row in file order, then the inline-only countries.
  const std::string all =
      write("all.toml", std::string("[defaults]\ntargets = []\n[countries]\ndata = \"c.csv\"\n"
                                    "[country.SGP]\n") +
                            kKorea);
  EXPECT_EQ(load_scenario(all).params.countries.iso3,
            (std::vector<std::string>{"KOR", "JPN", "USA", "SGP"}));
}

TEST_F(ScenarioTest, CsvTargetsQuotingCommentsAndLineEndings) {
  write("c.csv",
        "# national AI compute data\r\n"
        "\r\n"
        "iso3, name "
        ",it_mw,grid_mw,grid_add_mw_per_year,budget_usd_per_year,workforce,targets,export_tier\r\n"
        "KOR,\"Korea, Republic of\",55,100,50,2e9,2000,2028:200;2032:1000,2\r\n"
        "# a comment between rows\r\n"
        "JPN,\"Japan \"\"Nippon\"\"\",+100,200,100,5e9,5000, 2030 : 500 ;,1\r\n");
  const std::string s = write("s.toml", "[countries]\ndata = \"c.csv\"\n");
  const Scenario sc = load_scenario(s);
  const auto& c = sc.params.countries;
  ASSERT_EQ(c.size(), 2);
  EXPECT_EQ(c.name[0], "Korea, Republic of");
  EXPECT_EQ(c.name[1], "Japan \"Nippon\"");
  ASSERT_EQ(c.targets[0].size(), 2u);
  EXPECT_DOUBLE_EQ(c.targets[0][0].year, 2028.0);
  EXPECT_DOUBLE_EQ(c.targets[0][0].mw, 200.0);
  EXPECT_DOUBLE_EQ(c.targets[0][1].year, 2032.0);
  EXPECT_DOUBLE_EQ(c.targets[0][1].mw, 1000.0);
  ASSERT_EQ(c.targets[1].size(), 1u);
  EXPECT_DOUBLE_EQ(c.targets[1][0].mw, 500.0);
  EXPECT_DOUBLE_EQ(c.at(1, CountryParam::it_mw), 100.0);
  EXPECT_DOUBLE_EQ(c.at(0, CountryParam::export_tier), 2.0);
  EXPECT_EQ(sc.origin.at("country.KOR.targets"), path("c.csv") + " row 4");
  EXPECT_EQ(sc.origin.at("country.JPN.targets"), path("c.csv") + " row 6");
}

TEST_F(ScenarioTest, SetOverridesEveryKeyForm) {
  write("c.csv", std::string(kCsvHeader) + "\n" +
                     "KOR,Korea,55,100,50,2e9,2000,2030:1000\n"
                     "JPN,Japan,100,200,100,5e9,5000,2030:500\n");
  const std::string s = write("s.toml", "[countries]\ndata = \"c.csv\"\n");
  const std::vector<std::string> ov = {
      "simulation.end_year=2036",
      "simulation.dt=0.5",
      "global.vendor_supply=5e6",
      "global.allocation=max_min_fair",  // a bare word is taken as a string
      "global.supply_shocks=[{start=2028.0, end=2029.0, factor=0.5}, {start=2031, end=2032, "
      "factor=0}]",
      "defaults.pue=1.45",
      "country.KOR.targets=[[2030, 1000], [2035, 3000]]",
      "country.KOR.export_tier=2",
      "countries.include=[\"KOR\"]",
  };
  const Scenario sc = load_scenario(s, ov);
  const auto& p = sc.params;
  EXPECT_DOUBLE_EQ(p.sim.end_year, 2036.0);
  EXPECT_EQ(p.sim.steps(), 20);
  EXPECT_DOUBLE_EQ(p.global[GlobalParam::vendor_supply], 5e6);
  EXPECT_EQ(p.global.allocation(), Allocation::max_min_fair);
  ASSERT_EQ(p.global.supply_shocks.size(), 2u);
  EXPECT_DOUBLE_EQ(p.global.supply_shocks[0].start, 2028.0);
  EXPECT_DOUBLE_EQ(p.global.supply_shocks[0].end, 2029.0);
  EXPECT_DOUBLE_EQ(p.global.supply_shocks[0].factor, 0.5);
  EXPECT_DOUBLE_EQ(p.global.supply_shocks[1].factor, 0.0);
  EXPECT_EQ(p.countries.iso3, std::vector<std::string>{"KOR"});
  EXPECT_DOUBLE_EQ(pue_of(sc, "KOR"), 1.45);
  EXPECT_DOUBLE_EQ(p.countries.at(0, CountryParam::export_tier), 2.0);
  ASSERT_EQ(p.countries.targets[0].size(), 2u);
  EXPECT_DOUBLE_EQ(p.countries.targets[0][1].mw, 3000.0);
  for (const char* key : {"simulation.end_year", "global.vendor_supply", "global.allocation",
                          "global.supply_shocks", "country.KOR.targets", "countries.include"})
    EXPECT_EQ(sc.origin.at(key), "--set") << key;
  // --set defaults.pue changes the [defaults] layer; the origin says which layer.
  EXPECT_EQ(sc.origin.at("country.KOR.pue"), "[defaults] --set");
  EXPECT_EQ(sc.overrides, ov);
}

// ---------------------------------------------------------------------------------------
// Validation: one test per rule

TEST_F(ScenarioTest, RejectsWrongType) {
  const std::string s =
      write("s.toml", std::string("[country.KOR]\n") + kKorea + "pue = \"1.2\"\n");
  EXPECT_TRUE(has(errors(s), s, 9, "country.KOR.pue",
                  {"a string (\"1.2\")", "allowed a number in [1, 5]"}));
}

TEST_F(ScenarioTest, RejectsFloatForIntegerParameter) {
  const std::string s =
      write("s.toml", std::string("[country.KOR]\n") + kKorea + "export_tier = 2.0\n");
  EXPECT_TRUE(has(errors(s), s, 9, "country.KOR.export_tier",
                  {"a float (2.0)", "allowed an integer in [1, 3]"}));
}

TEST_F(ScenarioTest, RejectsOutOfRange) {
  const std::string s = write("s.toml", std::string("[country.KOR]\n") + kKorea + "pue = 0.9\n");
  EXPECT_TRUE(has(errors(s), s, 9, "country.KOR.pue",
                  {"pue = 0.9 is out of range", "allowed a number in [1, 5]"}));
}

TEST_F(ScenarioTest, RejectsGridBelowTheStartStatesDraw) {
  // (55 + 45) MW * pue 1.3 = 130 MW of facility power, more than the 100 MW grid.
  const std::string s =
      write("s.toml", std::string("[country.KOR]\n") + kKorea + "pipeline_mw = 45\n");
  EXPECT_TRUE(has(errors(s), s, 4, "country.KOR.grid_mw",
                  {"grid_mw = 100 is below", "(it_mw + pipeline_mw) * pue = 130",
                   "allowed grid_mw >= 130"}));
}

TEST_F(ScenarioTest, RejectsIntegerBeyondExactDoubles) {
  // 2^53 + 1 would silently become 2^53 as a double.
  const std::string s = write("s.toml", std::string("[simulation]\nseed = 9007199254740993\n"
                                                    "[country.KOR]\n") +
                                            kKorea);
  EXPECT_TRUE(has(errors(s), s, 2, "simulation.seed",
                  {"seed = 9007199254740993 is out of range", "allowed an integer in [0, "}));
}

TEST_F(ScenarioTest, InvalidRequiredValueIsReportedOnce) {
  std::string korea = kKorea;
  korea.replace(korea.find("workforce = 2000"), 16, "workforce = \"many\"");
  const std::string s = write("s.toml", "[country.KOR]\n" + korea);
  const auto ds = errors(s);
  ASSERT_EQ(ds.size(), 1u) << describe(ds);
  EXPECT_TRUE(has(ds, s, 7, "country.KOR.workforce", {"a string (\"many\")", "allowed a number"}));
}

TEST_F(ScenarioTest, RejectsNanAndInfinity) {
  const std::string s =
      write("s.toml",
            std::string("[global]\naccel_kw = nan\nvendor_supply = inf\n[country.KOR]\n") + kKorea);
  const auto ds = errors(s);
  EXPECT_TRUE(has(ds, s, 2, "global.accel_kw", {"nan", "allowed a number in (0, 100]"}));
  EXPECT_TRUE(has(ds, s, 3, "global.vendor_supply", {"inf", "allowed a number in [0, 1e+11]"}));
}

TEST_F(ScenarioTest, RejectsUnknownChoice) {
  const std::string s =
      write("s.toml", std::string("[global]\nallocation = \"pro-rata\"\n[country.KOR]\n") + kKorea);
  EXPECT_TRUE(
      has(errors(s), s, 2, "global.allocation", {"did you mean \"pro_rata\"", "\"max_min_fair\""}));
}

TEST_F(ScenarioTest, RejectsMissingRequiredParameter) {
  // The inline country lacks workforce: the diagnostic points at its table header.
  std::string korea = kKorea;
  korea.erase(korea.find("workforce"), std::string("workforce = 2000\n").size());
  const std::string s = write("s.toml", "[simulation]\ndt = 0.25\n\n[country.KOR]\n" + korea);
  EXPECT_TRUE(has(
      errors(s), s, 4, "country.KOR.workforce",
      {"required", "give it in [country.KOR]", "[defaults]", "allowed a number in [0, 1e+08]"}));
}

TEST_F(ScenarioTest, RejectsMissingRequiredParameterOfCsvCountry) {
  write("c.csv",
        "iso3,name,it_mw,grid_mw,grid_add_mw_per_year,budget_usd_per_year,targets\n"
        "KOR,Korea,55,100,50,2e9,2030:1000\n");
  const std::string s = write("s.toml", "[countries]\ndata = \"c.csv\"\n");
  EXPECT_TRUE(
      has(errors(s), path("c.csv"), 2, "country.KOR.workforce",
          {"give it in [country.KOR]", "column 'workforce' of " + path("c.csv"), "[defaults]"}));
}

TEST_F(ScenarioTest, RejectsUnknownKeyWithSuggestion) {
  const std::string s =
      write("s.toml", std::string("[country.KOR]\n") + kKorea + "grid_lead_year = 3\n");
  EXPECT_TRUE(
      has(errors(s), s, 9, "country.KOR.grid_lead_year",
          {"unknown key 'grid_lead_year'", "did you mean 'grid_lead_years'", "sovcap params"}));
  const std::string t =
      write("t.toml", std::string("[simulation]\nsed = 3\n[country.KOR]\n") + kKorea);
  EXPECT_TRUE(has(errors(t), t, 2, "simulation.sed",
                  {"did you mean 'seed'", "allowed keys: start_year, end_year, dt, seed"}));
}

TEST_F(ScenarioTest, RejectsUnknownSection) {
  const std::string s =
      write("s.toml", std::string("[simulaton]\ndt = 0.5\n[country.KOR]\n") + kKorea);
  EXPECT_TRUE(has(errors(s), s, 1, "simulaton",
                  {"unknown section", "did you mean [simulation]", "allowed sections"}));
}

TEST_F(ScenarioTest, RejectsBadIso3TableName) {
  const std::string s = write("s.toml", std::string("[country.Kor]\n") + kKorea);
  EXPECT_TRUE(
      has(errors(s), s, 1, "country.Kor", {"not an ISO3 code", "allowed 3 uppercase letters"}));
}

TEST_F(ScenarioTest, RejectsUnknownIso3InIncludeWithSuggestion) {
  write("c.csv", std::string(kCsvHeader) + "\nKOR,Korea,55,100,50,2e9,2000,2030:1000\n");
  const std::string s =
      write("s.toml", "[countries]\ndata = \"c.csv\"\ninclude = [\"KOR\", \"KOT\", \"KOR\"]\n");
  const auto ds = errors(s);
  EXPECT_TRUE(has(ds, s, 3, "countries.include",
                  {"unknown country 'KOT'", "did you mean 'KOR'", "allowed the iso3 codes"}));
  EXPECT_TRUE(
      has(ds, s, 3, "countries.include", {"'KOR' is listed twice", "allowed each country once"}));
}

TEST_F(ScenarioTest, RejectsTargetsNotIncreasing) {
  std::string korea = kKorea;
  korea.replace(korea.find("targets"), std::string::npos,
                "targets = [[2030, 100], [2032, 500], [2031, 900]]\n");
  const std::string s = write("s.toml", "[country.KOR]\n" + korea);
  EXPECT_TRUE(has(errors(s), s, 8, "country.KOR.targets[2]",
                  {"2031 is not after the previous target's year 2032",
                   "allowed target years strictly increasing"}));
}

TEST_F(ScenarioTest, RejectsTargetsBeforeStartYear) {
  std::string korea = kKorea;
  korea.replace(korea.find("targets"), std::string::npos, "targets = [[2026, 100]]\n");
  const std::string s = write("s.toml", "[simulation]\nstart_year = 2026\n[country.KOR]\n" + korea);
  EXPECT_TRUE(has(errors(s), s, 10, "country.KOR.targets[0]",
                  {"not after start_year = 2026", "allowed target years after start_year"}));
}

TEST_F(ScenarioTest, RejectsMalformedTargets) {
  std::string korea = kKorea;
  korea.replace(korea.find("targets"), std::string::npos,
                "targets = [[2030, 100, 5], [2032, -1]]\n");
  const std::string s = write("s.toml", "[country.KOR]\n" + korea);
  const auto ds = errors(s);
  EXPECT_TRUE(has(ds, s, 8, "country.KOR.targets[0]",
                  {"[year, MW] pair", "allowed an array of [year, MW] pairs"}));
  EXPECT_TRUE(has(ds, s, 8, "country.KOR.targets[1]",
                  {"MW = -1 is out of range", "allowed a number in [0, 1e+07]"}));
}

TEST_F(ScenarioTest, RejectsDtNotDividingHorizon) {
  const std::string s =
      write("s.toml",
            std::string(
                "[simulation]\nstart_year = 2026\nend_year = 2030.1\ndt = 0.25\n[country.KOR]\n") +
                kKorea);
  EXPECT_TRUE(
      has(errors(s), s, 3, "simulation.end_year",
          {"not a whole number of steps", "allowed end years start_year + k*dt", "2030, 2030.25"}));
}

TEST_F(ScenarioTest, RejectsEndNotAfterStart) {
  const std::string s = write(
      "s.toml",
      std::string("[simulation]\nstart_year = 2030\nend_year = 2030\n[country.KOR]\n") + kKorea);
  EXPECT_TRUE(has(errors(s), s, 3, "simulation.end_year",
                  {"not after start_year", "allowed end_year > start_year"}));
}

TEST_F(ScenarioTest, RejectsTooManySteps) {
  const std::string s = write(
      "s.toml", std::string("[simulation]\nend_year = 2226\ndt = 0.001\n[country.KOR]\n") + kKorea);
  EXPECT_TRUE(
      has(errors(s), s, 3, "simulation.dt", {"200000 steps", "allowed at most 100000 steps"}));
}

TEST_F(ScenarioTest, RejectsShockStartNotBeforeEnd) {
  const std::string s = write(
      "s.toml",
      std::string("[global]\nsupply_shocks = [\n  {start = 2028.0, end = 2029.0, factor = 0.5},\n"
                  "  {start = 2030.0, end = 2030.0, factor = 0.5},\n]\n[country.KOR]\n") +
          kKorea);
  EXPECT_TRUE(has(errors(s), s, 4, "global.supply_shocks[1].start",
                  {"is not before end", "allowed start < end"}));
}

TEST_F(ScenarioTest, RejectsBadShockFields) {
  const std::string s =
      write("s.toml", std::string("[global]\nsupply_shocks = [{start = 2028.0, end = \"2029\", "
                                  "factr = 0.5}, {start = 1, end = 2, factor = -1}]\n"
                                  "[country.KOR]\n") +
                          kKorea);
  const auto ds = errors(s);
  EXPECT_TRUE(
      has(ds, s, 2, "global.supply_shocks[0].end", {"a string", "allowed an array of tables"}));
  EXPECT_TRUE(has(ds, s, 2, "global.supply_shocks[0].factr",
                  {"unknown key", "did you mean 'factor'", "allowed keys: start, end, factor"}));
  EXPECT_TRUE(has(ds, s, 2, "global.supply_shocks[1].factor",
                  {"-1 is out of range", "allowed a finite number >= 0"}));
}

TEST_F(ScenarioTest, RejectsLeadTimesAndLifetimeShorterThanStep) {
  const std::string s = write(
      "s.toml",
      std::string("[simulation]\ndt = 1.0\nend_year = 2036\n[global]\nchip_lifetime_years = 0.5\n"
                  "[country.KOR]\n") +
          kKorea + "build_lead_years = 0.5\n");
  const auto ds = errors(s);
  EXPECT_TRUE(has(ds, s, 5, "global.chip_lifetime_years",
                  {"shorter than the step dt = 1", "allowed chip_lifetime_years >= dt"}));
  EXPECT_TRUE(has(ds, s, 14, "country.KOR.build_lead_years",
                  {"whole steps", "allowed build_lead_years >= dt"}));
  // grid_lead_years keeps its built-in 4 years, which is fine with dt = 1.
  for (const auto& d : ds) EXPECT_NE(d.key, "country.KOR.grid_lead_years");
}

TEST_F(ScenarioTest, RejectsScenarioWithoutCountries) {
  const std::string s = write("s.toml", "[simulation]\ndt = 0.5\n");
  EXPECT_TRUE(has(errors(s), s, 0, "countries", {"no countries", "allowed [countries] data"}));
}

TEST_F(ScenarioTest, RejectsBadCsvNumberWithRowAndColumn) {
  write("c.csv", std::string(kCsvHeader) + ",pue\n" +
                     "KOR,Korea,55,100,50,2e9,2000,2030:1000,1.2\n"
                     "JPN,Japan,100,200,100,5e9,5000,2030:500,1.3x\n");
  const std::string s = write("s.toml", "[countries]\ndata = \"c.csv\"\n");
  const auto ds = errors(s);
  ASSERT_TRUE(has(ds, path("c.csv"), 3, "country.JPN.pue",
                  {"column 'pue'", "'1.3x' is not a number", "allowed a number in [1, 5]"}));
  for (const auto& d : ds) {
    if (d.key == "country.JPN.pue") {
      EXPECT_EQ(d.column, 41);
    }
  }
}

TEST_F(ScenarioTest, RejectsBadCsvTargets) {
  write("c.csv",
        std::string(kCsvHeader) +
            "\nKOR,Korea,55,100,50,2e9,2000,2028:200;2030\nJPN,Japan,1,1,1,1,1,2030:5;2029:6\n");
  const std::string s = write("s.toml", "[countries]\ndata = \"c.csv\"\n");
  const auto ds = errors(s);
  EXPECT_TRUE(has(ds, path("c.csv"), 2, "country.KOR.targets",
                  {"'2030' is not YEAR:MW", "allowed milestones like 2028:200;2032:1000"}));
  EXPECT_TRUE(has(ds, path("c.csv"), 3, "country.JPN.targets[1]",
                  {"not after the previous target's year", "strictly increasing"}));
}

TEST_F(ScenarioTest, RejectsUnknownCsvColumnWithSuggestion) {
  write("c.csv", std::string(kCsvHeader) + ",peu\nKOR,Korea,55,100,50,2e9,2000,2030:1000,1.2\n");
  const std::string s = write("s.toml", "[countries]\ndata = \"c.csv\"\n");
  EXPECT_TRUE(has(errors(s), path("c.csv"), 1, "column 'peu'",
                  {"unknown column", "did you mean 'pue'", "allowed columns"}));
}

TEST_F(ScenarioTest, RejectsDuplicateIso3) {
  write("c.csv", std::string(kCsvHeader) +
                     "\nKOR,Korea,55,100,50,2e9,2000,2030:1000\n"
                     "JPN,Japan,1,1,1,1,1,\nKOR,Korea again,1,1,1,1,1,\n");
  const std::string s =
      write("s.toml", "[defaults]\ntargets = []\n[countries]\ndata = \"c.csv\"\n");
  EXPECT_TRUE(has(errors(s), path("c.csv"), 4, "country.KOR",
                  {"duplicate row for KOR (first at line 2)", "allowed one row per country"}));
}

TEST_F(ScenarioTest, RejectsCsvRowWithWrongFieldCount) {
  write("c.csv", std::string(kCsvHeader) + "\nKOR,Korea,55,100,50,2e9,2000\n");
  const std::string s = write("s.toml", "[countries]\ndata = \"c.csv\"\n");
  EXPECT_TRUE(has(errors(s), path("c.csv"), 2, "",
                  {"row has 7 fields but the header has 8", "allowed one field per column"}));
}

TEST_F(ScenarioTest, RejectsValueWithoutProvenance) {
  write("c.csv", std::string(kCsvHeader) + "\nKOR,Korea,55,100,50,2e9,2000,2030:1000\n");
  write("src.csv",
        "iso3,parameter,basis,low,high,source,note\n"
        "KOR,it_mw,reported,50,60,NAVER annual report,\n"
        "KOR,grid_mw,derived,,,KEPCO filings,\n"
        "KOR,grid_add_mw_per_year,assumption,,,,grid plan pace\n"
        "KOR,budget_usd_per_year,reported,,,MSIT budget,\n"
        "KOR,targets,reported,,,national AI strategy,\n");
  const std::string s = write("s.toml", "[countries]\ndata = \"c.csv\"\nsources = \"src.csv\"\n");
  const auto ds = errors(s);
  // workforce (column 7: "KOR,Korea,55,100,50,2e9," is 24 characters) has no row.
  EXPECT_TRUE(has(ds, path("c.csv"), 2, "country.KOR.workforce",
                  {"has no provenance", "KOR,workforce,", path("src.csv"),
                   "reported or derived with a source"}));
  ASSERT_EQ(ds.size(), 1u) << describe(ds);
  EXPECT_EQ(ds[0].column, 25);
}

TEST_F(ScenarioTest, RejectsProvenanceBreakingBasisRule) {
  write("c.csv", "iso3,name,it_mw,grid_mw,pue\nKOR,Korea,55,100,1.2\n");
  write("src.csv",
        "iso3,parameter,basis,low,high,source,note\n"
        "KOR,it_mw,reported,,,,\n"              // reported without a source
        "KOR,grid_mw,assumption,,,a source,\n"  // assumption without a note
        "KOR,pue,guessed,1.3,1.5,,\n"           // unknown basis; value outside [low, high]
        "KOR,pue_x,reported,,,x,\n"             // unknown parameter
        "KOX,pue,reported,,,x,\n");             // unknown country
  const std::string s = write(
      "s.toml",
      "[countries]\ndata = \"c.csv\"\nsources = \"src.csv\"\n[defaults]\n"
      "grid_add_mw_per_year = 50\nbudget_usd_per_year = 2e9\nworkforce = 2000\ntargets = []\n");
  const auto ds = errors(s);
  const std::string src = path("src.csv");
  EXPECT_TRUE(has(ds, src, 2, "country.KOR.it_mw",
                  {"basis 'reported' needs a source", "allowed a non-empty 'source'"}));
  EXPECT_TRUE(has(ds, src, 3, "country.KOR.grid_mw",
                  {"basis 'assumption' needs a note", "allowed a non-empty 'note'"}));
  EXPECT_TRUE(has(ds, src, 4, "country.KOR.pue",
                  {"basis 'guessed' is not known", "allowed reported, derived, assumption"}));
  EXPECT_TRUE(
      has(ds, src, 4, "country.KOR.pue",
          {"value 1.2 lies outside its own range [1.3, 1.5]", "allowed low <= value <= high"}));
  EXPECT_TRUE(has(ds, src, 5, "country.KOR.pue_x", {"unknown parameter", "did you mean 'pue'"}));
  EXPECT_TRUE(has(ds, src, 6, "country.KOX.pue", {"unknown country 'KOX'", "did you mean 'KOR'"}));
}

TEST_F(ScenarioTest, RejectsBadGlobalDataFile) {
  write("g.csv",
        "parameter,value,basis,low,high,source,note,extra\n"
        "accel_kw,2.2,reported,,,datasheet,,\n"
        "allocation,1,assumption,,,,x,\n"
        "accel_flop,2e15,assumption,,,,x,\n"
        "vendor_supply,lots,assumption,,,,x,\n"
        "tier2_cap,5e4,assumption,,,,,\n");
  const std::string s =
      write("s.toml", std::string("[global]\ndata = \"g.csv\"\n[country.KOR]\n") + kKorea);
  const auto ds = errors(s);
  const std::string g = path("g.csv");
  EXPECT_TRUE(has(ds, g, 1, "column 'extra'",
                  {"unknown column", "allowed columns: parameter, value, basis"}));
  EXPECT_TRUE(has(ds, g, 3, "global.allocation",
                  {"cannot be given in a data file", "allowed the real-valued global parameters"}));
  EXPECT_TRUE(has(ds, g, 4, "global.accel_flop",
                  {"unknown global parameter", "did you mean 'accel_flops'"}));
  EXPECT_TRUE(has(ds, g, 5, "global.vendor_supply",
                  {"'lots' is not a number", "allowed a number in [0, 1e+11]"}));
  EXPECT_TRUE(has(ds, g, 6, "global.tier2_cap", {"needs a note", "allowed a non-empty 'note'"}));
}

TEST_F(ScenarioTest, RejectsTomlSyntaxError) {
  const std::string s = write("s.toml", "[simulation]\nstart_year = 2026\ndt = 0.25.\n");
  const auto ds = errors(s);
  ASSERT_EQ(ds.size(), 1u) << describe(ds);
  EXPECT_TRUE(has(ds, s, 3, "", {"TOML syntax error", "allowed TOML syntax"}));
  EXPECT_GT(ds[0].column, 0);
}

TEST_F(ScenarioTest, RejectsMissingFiles) {
  const std::string s =
      write("s.toml", "[simulation]\ndt = 0.5\n\n[countries]\ndata = \"nope.csv\"\n");
  EXPECT_TRUE(has(errors(s), s, 5, "countries.data",
                  {"cannot read '" + path("nope.csv") + "'", "relative to the scenario file"}));
  EXPECT_TRUE(has(errors(path("absent.toml")), path("absent.toml"), 0, "",
                  {"cannot read the scenario file"}));
}

TEST_F(ScenarioTest, RejectsSetWithoutEquals) {
  const std::string s = write("s.toml", std::string("[country.KOR]\n") + kKorea);
  EXPECT_TRUE(has(errors(s, {"global.vendor_supply"}), "--set", 0, "global.vendor_supply",
                  {"expected KEY=VALUE", "found no '='"}));
}

TEST_F(ScenarioTest, RejectsSetUnknownKey) {
  const std::string s = write("s.toml", std::string("[country.KOR]\n") + kKorea);
  const auto ds = errors(s, {"global.vendor_suply=5e6", "simulaton.dt=1", "country.KOR.pu=1.2"});
  EXPECT_TRUE(
      has(ds, "--set", 0, "global.vendor_suply", {"unknown key", "did you mean 'vendor_supply'"}));
  EXPECT_TRUE(has(ds, "--set", 0, "simulaton.dt",
                  {"unknown section", "did you mean 'simulation'", "allowed simulation.NAME"}));
  EXPECT_TRUE(has(ds, "--set", 0, "country.KOR.pu", {"unknown key", "did you mean 'pue'"}));
}

TEST_F(ScenarioTest, RejectsSetBadValue) {
  const std::string s = write("s.toml", std::string("[country.KOR]\n") + kKorea);
  const auto ds = errors(s, {"global.vendor_supply=5e", "country.KOR.pue=0.5",
                             "countries.data=\"x.csv\"", "country.KOR=1"});
  EXPECT_TRUE(
      has(ds, "--set", 0, "global.vendor_supply", {"cannot parse '5e'", "allowed a TOML value"}));
  EXPECT_TRUE(
      has(ds, "--set", 0, "country.KOR.pue", {"out of range", "allowed a number in [1, 5]"}));
  EXPECT_TRUE(has(ds, "--set", 0, "countries.data",
                  {"cannot be set from the command line", "countries.include"}));
  EXPECT_TRUE(has(ds, "--set", 0, "country.KOR", {"malformed key", "country.ISO3.NAME"}));
}

TEST_F(ScenarioTest, RejectsSetForUnknownCountry) {
  const std::string s = write("s.toml", std::string("[country.KOR]\n") + kKorea);
  EXPECT_TRUE(has(errors(s, {"country.KOX.pue=1.2"}), "--set", 0, "country.KOX.pue",
                  {"neither in", "did you mean 'KOR'", "allowed countries: KOR"}));
}

TEST_F(ScenarioTest, ReportsEveryProblemAtOnce) {
  const std::string s =
      write("s.toml", std::string("[simulation]\ndt = -1\n[global]\naccel_kw = \"big\"\n"
                                  "[country.KOR]\n") +
                          kKorea + "pue = 9\nfoo = 1\n");
  const auto ds = errors(s);
  EXPECT_EQ(ds.size(), 4u) << describe(ds);
  EXPECT_TRUE(has(ds, s, 2, "simulation.dt", {"out of range"}));
  EXPECT_TRUE(has(ds, s, 4, "global.accel_kw", {"a string"}));
  EXPECT_TRUE(has(ds, s, 13, "country.KOR.pue", {"out of range"}));
  EXPECT_TRUE(has(ds, s, 14, "country.KOR.foo", {"unknown key"}));
}

// ---------------------------------------------------------------------------------------
// Helpers

TEST(DidYouMean, SuggestsCloseNamesOnly) {
  const std::vector<std::string> names = {"pue", "it_mw", "vendor_supply", "vendor_supply_growth",
                                          "KOR", "JPN"};
  EXPECT_EQ(did_you_mean("peu", names), "pue");
  EXPECT_EQ(did_you_mean("vendor_suply", names), "vendor_supply");
  EXPECT_EQ(did_you_mean("vendor", names), "vendor_supply");  // truncated: the shortest completion
  EXPECT_EQ(did_you_mean("kor", names), "KOR");               // case alone is a typo
  EXPECT_EQ(did_you_mean("xyzzy", names), "");
  EXPECT_EQ(did_you_mean("", names), "");
  EXPECT_EQ(did_you_mean("pue", {}), "");
}

TEST(FormatDiagnostic, LeavesOutWhatIsUnknown) {
  EXPECT_EQ(format_diagnostic({"s.toml", 3, 7, "global.accel_kw", "bad"}),
            "s.toml:3:7: global.accel_kw: bad");
  EXPECT_EQ(format_diagnostic({"s.toml", 3, 0, "k", "bad"}), "s.toml:3: k: bad");
  EXPECT_EQ(format_diagnostic({"--set", 0, 0, "k", "bad"}), "--set: k: bad");
  EXPECT_EQ(format_diagnostic({"s.toml", 2, 1, "", "bad"}), "s.toml:2:1: bad");
}

TEST(Csv, QuotedFieldsLinesAndColumns) {
  const CsvDocument doc = parse_csv(
      "\xEF\xBB\xBFiso3,name\n# note\n\nKOR,\"Korea, \"\"South\"\"\nline two\"\n  JPN , Japan\n");
  ASSERT_TRUE(doc.errors.empty());
  ASSERT_EQ(doc.records.size(), 3u);
  EXPECT_EQ(doc.records[0].fields[0].text, "iso3");
  EXPECT_EQ(doc.records[0].fields[0].column, 1);
  EXPECT_EQ(doc.records[1].line, 4);
  EXPECT_EQ(doc.records[1].fields[1].text, "Korea, \"South\"\nline two");
  EXPECT_TRUE(doc.records[1].fields[1].quoted);
  EXPECT_EQ(doc.records[1].fields[1].column, 5);
  EXPECT_EQ(doc.records[2].line, 6);
  EXPECT_EQ(doc.records[2].fields[0].text, "JPN");
  EXPECT_EQ(doc.records[2].fields[0].column, 3);
  EXPECT_EQ(doc.records[2].fields[1].index, 1);
  EXPECT_EQ(doc.records[2].fields[1].column, 9);
}

TEST(Csv, ReportsSyntaxErrors) {
  const CsvDocument doc = parse_csv("a,b\n1,\"x\"y\n2,z\"w\n3,\"open\n");
  ASSERT_EQ(doc.errors.size(), 3u);
  EXPECT_EQ(doc.errors[0].line, 2);
  EXPECT_NE(doc.errors[0].message.find("after the closing quote"), std::string::npos);
  EXPECT_EQ(doc.errors[1].line, 3);
  EXPECT_EQ(doc.errors[1].column, 4);
  EXPECT_NE(doc.errors[1].message.find("stray quote"), std::string::npos);
  EXPECT_EQ(doc.errors[2].line, 4);
  EXPECT_NE(doc.errors[2].message.find("unterminated"), std::string::npos);
}

TEST(Csv, NumbersAreParsedStrictly) {
  EXPECT_EQ(parse_number("12"), 12.0);
  EXPECT_EQ(parse_number(" -0.5 "), -0.5);
  EXPECT_EQ(parse_number("1e6"), 1e6);
  EXPECT_EQ(parse_number("+3"), 3.0);
  for (const char* bad : {"", "12x", "1,5", "nan", "inf", "0x10", "--1", "+-1", "1 2"})
    EXPECT_FALSE(parse_number(bad).has_value()) << bad;
  EXPECT_EQ(parse_integer("2"), 2);
  EXPECT_FALSE(parse_integer("2.0").has_value());
  EXPECT_FALSE(parse_integer("2x").has_value());
}

}  // namespace
