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
#include "sovcap/sweep.hpp"
#include "sovcap/sweep_runner.hpp"
#include "sovcap/sweep_runner.hpp"
#include "scenario_support.hpp"

namespace fs = std::filesystem;
using namespace sovcap;

namespace {

using namespace sovcap::testing;

// ---------------------------------------------------------------------------------------
// Resolution

// A country's export licence (tier2_cap) defaults to the global cap; one given for the
// country (its table, [country."*"], [defaults], the CSV, --set) outranks it, and a sweep
// that samples or levers the global cap moves only the countries that take it.
TEST_F(ScenarioTest, CountryTier2CapDefaultsToTheGlobalCap) {
  const std::string s = write("s.toml", R"([global]
tier2_cap = 20000

[sweep]
samples = 4
[sweep.levers]
"country.KOR.tier2_cap" = [1000, 2000]
[sweep.uncertain]
"global.tier2_cap" = {dist = "uniform", low = 30000, high = 40000}

[country.KOR]
)" + std::string(kKorea) + R"(export_tier = 2

[country.JPN]
)" + kKorea + R"(export_tier = 2
tier2_cap = 35000
)");
  const Scenario sc = load_scenario(s);
  const auto& c = sc.params.countries;
  const int kor = c.find("KOR"), jpn = c.find("JPN");
  EXPECT_EQ(c.at(kor, CountryParam::tier2_cap), 20000.0);
  EXPECT_EQ(c.at(jpn, CountryParam::tier2_cap), 35000.0);
  EXPECT_TRUE(c.inherits(kor, CountryParam::tier2_cap));
  EXPECT_FALSE(c.inherits(jpn, CountryParam::tier2_cap));
  EXPECT_EQ(sc.origin.at("country.KOR.tier2_cap"), "from global.tier2_cap");

  // --set of the global moves KOR, not JPN; --set of KOR's own value outranks the global.
  const Scenario set = load_scenario(s, {"global.tier2_cap=5000"});
  EXPECT_EQ(set.params.countries.at(kor, CountryParam::tier2_cap), 5000.0);
  EXPECT_EQ(set.params.countries.at(jpn, CountryParam::tier2_cap), 35000.0);
  const Scenario own = load_scenario(s, {"country.KOR.tier2_cap=7000"});
  EXPECT_EQ(own.params.countries.at(kor, CountryParam::tier2_cap), 7000.0);
  EXPECT_FALSE(own.params.countries.inherits(kor, CountryParam::tier2_cap));

  // The sweep: the lever gives KOR its own licence in every policy, so the sampled global
  // cap reaches neither country; without the lever it reaches KOR.
  const auto policies = policy_params(sc);
  ASSERT_EQ(policies.size(), 2u);
  const double u = 0.25;  // uniform(30000, 40000) at 0.25
  for (int p = 0; p < 2; ++p) {
    RunParams q = policies[static_cast<std::size_t>(p)];
    apply_samples(sc.sweep, &u, q);
    EXPECT_DOUBLE_EQ(q.global[GlobalParam::tier2_cap], 32500.0);
    EXPECT_EQ(q.countries.at(kor, CountryParam::tier2_cap), 1000.0 * (p + 1));
    EXPECT_EQ(q.countries.at(jpn, CountryParam::tier2_cap), 35000.0);
  }
  SweepSpec no_lever = sc.sweep;
  no_lever.levers.clear();
  RunParams q = sc.params;
  apply_samples(no_lever, &u, q);
  EXPECT_DOUBLE_EQ(q.countries.at(kor, CountryParam::tier2_cap), 32500.0);
  EXPECT_EQ(q.countries.at(jpn, CountryParam::tier2_cap), 35000.0);
}

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

TEST_F(ScenarioTest, EveryCountryTableOutranksTheCsvAndYieldsToACountrysOwn) {
  // --set defaults.pue changed nothing where every CSV row gives pue; [country."*"] and
  // --set country.*.NAME set a value for every country above the CSV.
  write("c.csv", std::string(kCsvHeader) + ",pue\n" +
                     "AAA,Country A,1,10,5,1e9,100,,1.3\n"
                     "BBB,Country B,1,10,5,1e9,100,,1.3\n"
                     "CCC,Country C,1,10,5,1e9,100,,1.3\n");
  const std::string s = write("s.toml", R"([defaults]
pue = 1.5
targets = []

[countries]
data = "c.csv"

[country."*"]
pue = 1.2
electricity_usd_per_mwh = 90

[country.BBB]
pue = 1.4

[country.CCC]
electricity_usd_per_mwh = 70
)");
  Scenario sc = load_scenario(s);
  EXPECT_DOUBLE_EQ(pue_of(sc, "AAA"), 1.2);
  EXPECT_DOUBLE_EQ(pue_of(sc, "BBB"), 1.4);
  EXPECT_DOUBLE_EQ(pue_of(sc, "CCC"), 1.2);
  EXPECT_EQ(sc.origin.at("country.AAA.pue"), "[country.*] " + s + ":9");
  EXPECT_EQ(sc.origin.at("country.BBB.pue"), s + ":13");
  EXPECT_EQ(sc.origin.at("country.CCC.electricity_usd_per_mwh"), s + ":16");
  EXPECT_EQ(sc.origin.at("country.AAA.targets"), "[defaults] " + s + ":3");
  // [defaults] pue reaches no country: a warning at its line, naming the way that works.
  ASSERT_EQ(sc.warnings.size(), 1u) << describe(sc.warnings);
  EXPECT_TRUE(has(sc.warnings, s, 2, "defaults.pue",
                  {"no country uses this value", "--set 'country.*.pue=...'"}));

  // --set country.*.NAME edits [country."*"]; a country's own value still wins.
  sc = load_scenario(s, {"country.*.pue=1.25", "country.CCC.pue=1.1"});
  EXPECT_DOUBLE_EQ(pue_of(sc, "AAA"), 1.25);
  EXPECT_DOUBLE_EQ(pue_of(sc, "BBB"), 1.4);
  EXPECT_DOUBLE_EQ(pue_of(sc, "CCC"), 1.1);
  EXPECT_EQ(sc.origin.at("country.AAA.pue"), "[country.*] --set");

  // --set defaults.pue where every row gives pue: the warning names --set.
  const std::string plain = write("p.toml", "[defaults]\ntargets = []\n[countries]\ndata = \"c.csv\"\n");
  sc = load_scenario(plain, {"defaults.pue=1.2"});
  EXPECT_DOUBLE_EQ(pue_of(sc, "AAA"), 1.3);
  EXPECT_TRUE(has(sc.warnings, "--set", 0, "defaults.pue", {"its row in " + path("c.csv")}))
      << describe(sc.warnings);
  // A "*" value every country overrides is as useless.
  sc = load_scenario(plain, {"country.*.pue=1.2", "country.AAA.pue=1.1", "country.BBB.pue=1.1",
                             "country.CCC.pue=1.1"});
  EXPECT_TRUE(has(sc.warnings, "--set", 0, "country.*.pue", {"outrank [country.\"*\"]"}))
      << describe(sc.warnings);
  // And a lever may set every country at once.
  const std::string lever = write("l.toml", std::string("[defaults]\ntargets = []\n[countries]\n") +
                                                "data = \"c.csv\"\n[sweep.levers]\n" +
                                                "\"country.*.pue\" = [1.2, 1.4]\n");
  sc = load_scenario(lever);
  ASSERT_EQ(sc.sweep.levers.size(), 1u);
  EXPECT_EQ(sc.sweep.levers[0].key, "country.*.pue");
  EXPECT_TRUE(sc.warnings.empty()) << describe(sc.warnings);
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
// [sweep]: levers, uncertain parameters and the design

// A scenario whose [sweep] section (lines 1..) comes first, then a supply shock and two
// complete inline countries, KOR and JPN.
std::string swept(const std::string& sweep) {
  return sweep + "\n[global]\nsupply_shocks = [{start = 2028.0, end = 2029.0, factor = 0.5}]\n" +
         "[country.KOR]\n" + kKorea + "[country.JPN]\n" + kKorea;
}

const Uncertain* find_uncertain(const Scenario& sc, const std::string& key) {
  for (const auto& u : sc.sweep.uncertain)
    if (u.key == key) return &u;
  ADD_FAILURE() << "no uncertain " << key;
  return nullptr;
}

TEST_F(ScenarioTest, SweepReadsLeversUncertainAndDesign) {
  const std::string s = write("s.toml", swept(R"([sweep]
method = "lhs"
samples = 1000
[sweep.levers]
"global.allocation" = ["pro_rata", "max_min_fair"]
"country.KOR.grid_add_mw_per_year" = [800, 1600.5]
"country.KOR.targets" = [[[2030, 1000]], [[2030, 2000], [2035, 4000]]]
[sweep.uncertain]
"global.vendor_supply_growth" = {dist = "uniform", low = 0.1, high = 0.4}
"global.other_demand" = {dist = "lognormal", median = 1e6, sigma = 0.3}
"country.KOR.budget_usd_per_year" = {dist = "normal", mean = 8e9, sd = 2e9}
"country.*.workforce_growth" = {dist = "triangular", low = 0.5, mode = 1.0, high = 1.5, multiply = true}
"global.supply_shocks[0].factor" = {dist = "uniform", low = 0.3, high = 0.8}
"global.chip_lifetime_years" = {dist = "choice", values = [4, 5, 6], weights = [0.25, 0.5, 0.25]}
)"));
  const Scenario sc = load_scenario(s);
  const SweepSpec& w = sc.sweep;
  EXPECT_EQ(w.method, SamplingMethod::lhs);
  EXPECT_EQ(w.samples, 1000);
  EXPECT_EQ(w.policies(), 8);
  EXPECT_EQ(w.samples_per_policy(), 1000);
  EXPECT_EQ(w.runs(), 8000);

  // Levers in file order (first slowest), values as TOML texts valid for --set.
  ASSERT_EQ(w.levers.size(), 3u);
  EXPECT_EQ(w.levers[0].key, "global.allocation");
  EXPECT_EQ(w.levers[0].values, (std::vector<std::string>{"\"pro_rata\"", "\"max_min_fair\""}));
  EXPECT_TRUE(w.levers[0].numeric.empty());
  EXPECT_EQ(w.levers[1].key, "country.KOR.grid_add_mw_per_year");
  EXPECT_EQ(w.levers[1].values, (std::vector<std::string>{"800", "1600.5"}));
  EXPECT_EQ(w.levers[1].numeric, (std::vector<double>{800, 1600.5}));
  EXPECT_EQ(w.levers[2].values,
            (std::vector<std::string>{"[[2030, 1000]]", "[[2030, 2000], [2035, 4000]]"}));

  // Uncertain parameters in file order, with their targets and the registry's ranges.
  ASSERT_EQ(w.uncertain.size(), 6u);
  EXPECT_EQ(w.uncertain[0].key, "global.vendor_supply_growth");
  const Uncertain* g = find_uncertain(sc, "global.vendor_supply_growth");
  EXPECT_EQ(g->dist, Distribution::uniform);
  EXPECT_EQ(g->target.scope, ParamScope::global);
  EXPECT_EQ(g->target.index, static_cast<int>(GlobalParam::vendor_supply_growth));
  EXPECT_DOUBLE_EQ(g->a, 0.1);
  EXPECT_DOUBLE_EQ(g->b, 0.4);
  EXPECT_DOUBLE_EQ(g->lo, -0.9);
  EXPECT_DOUBLE_EQ(g->hi, 5.0);
  const Uncertain* o = find_uncertain(sc, "global.other_demand");
  EXPECT_EQ(o->dist, Distribution::lognormal);
  EXPECT_DOUBLE_EQ(o->a, 1e6);
  EXPECT_DOUBLE_EQ(o->b, 0.3);
  const Uncertain* b = find_uncertain(sc, "country.KOR.budget_usd_per_year");
  EXPECT_EQ(b->dist, Distribution::normal);
  EXPECT_EQ(b->target.scope, ParamScope::country);
  EXPECT_EQ(b->target.country, 0);
  EXPECT_EQ(b->target.index, static_cast<int>(CountryParam::budget_usd_per_year));
  EXPECT_DOUBLE_EQ(b->lo, 0.0);
  EXPECT_FALSE(b->lo_open);
  const Uncertain* t = find_uncertain(sc, "country.*.workforce_growth");
  EXPECT_EQ(t->dist, Distribution::triangular);
  EXPECT_EQ(t->target.country, -1);
  EXPECT_TRUE(t->multiply);
  EXPECT_DOUBLE_EQ(t->a, 0.5);
  EXPECT_DOUBLE_EQ(t->b, 1.0);
  EXPECT_DOUBLE_EQ(t->c, 1.5);
  const Uncertain* f = find_uncertain(sc, "global.supply_shocks[0].factor");
  EXPECT_EQ(f->target.index, -1);
  EXPECT_EQ(f->target.shock, 0);
  EXPECT_EQ(f->target.shock_field, 2);
  EXPECT_DOUBLE_EQ(f->lo, 0.0);
  EXPECT_FALSE(f->lo_open);
  EXPECT_TRUE(std::isinf(f->hi));
  const Uncertain* c = find_uncertain(sc, "global.chip_lifetime_years");
  EXPECT_EQ(c->dist, Distribution::choice);
  EXPECT_EQ(c->values, (std::vector<double>{4, 5, 6}));
  EXPECT_EQ(c->weights, (std::vector<double>{0.25, 0.5, 0.25}));
  // Chips retire in whole steps: the range starts at dt, not at the registry's (0.
  EXPECT_DOUBLE_EQ(c->lo, 0.25);
  EXPECT_FALSE(c->lo_open);

  // The resolved parameters are the scenario's own, untouched by the sweep.
  EXPECT_EQ(sc.params.global.allocation(), Allocation::pro_rata);
}

TEST_F(ScenarioTest, SweepIsEmptyWithoutSection) {
  const Scenario sc = load_scenario(write("s.toml", swept("")));
  EXPECT_TRUE(sc.sweep.empty());
  EXPECT_EQ(sc.sweep.policies(), 1);
  EXPECT_EQ(sc.sweep.samples_per_policy(), 1);
  EXPECT_EQ(sc.sweep.runs(), 1);
}

TEST_F(ScenarioTest, SweepLeverValuesRoundTripThroughSet) {
  const std::string s = write("s.toml", swept(R"([sweep.levers]
"global.supply_shocks" = [[], [{start = 2028.0, end = 2029.5, factor = 0.25}, {factor = 0.0, start = 2031, end = 2032}]]
"country.KOR.pue" = [1.1, 1.3000000000000003]
"global.accel_kw_growth" = [0.1, -0.2e-1]
)"));
  const Scenario sc = load_scenario(s);
  ASSERT_EQ(sc.sweep.levers.size(), 3u);
  const Lever& shocks = sc.sweep.levers[0];
  EXPECT_EQ(shocks.values[0], "[]");
  EXPECT_EQ(shocks.values[1],
            "[{start = 2028.0, end = 2029.5, factor = 0.25}, {factor = 0.0, start = 2031, end = "
            "2032}]");
  EXPECT_EQ(sc.sweep.levers[1].values, (std::vector<std::string>{"1.1", "1.3000000000000003"}));
  EXPECT_EQ(sc.sweep.levers[2].values, (std::vector<std::string>{"0.1", "-0.02"}));
  // Each text, given to --set, sets exactly the value written in the lever.
  const Scenario a = load_scenario(s, {"global.supply_shocks=" + shocks.values[1],
                                       "country.KOR.pue=" + sc.sweep.levers[1].values[1]});
  ASSERT_EQ(a.params.global.supply_shocks.size(), 2u);
  EXPECT_EQ(a.params.global.supply_shocks[0].end, 2029.5);
  EXPECT_EQ(a.params.global.supply_shocks[1].factor, 0.0);
  EXPECT_EQ(a.params.global.supply_shocks[1].start, 2031.0);
  EXPECT_EQ(pue_of(a, "KOR"), 1.3000000000000003);
}

// Schedules as lever values and under a multiply uncertainty (issue 13): a lever value
// that is a schedule is applied as --set applies it; a sampled factor scales every point
// of the scheduled parameter (here 0.5 .. 1.5 times [[2026, 8e6], [2030, 1.2e7]]), and the
// scalar, the value at start_year, by the same factor.
TEST_F(ScenarioTest, SweepLeversAndMultipliedUncertaintiesTakeSchedules) {
  const std::string s = write("s.toml", R"([sweep]
samples = 4
[sweep.levers]
"country.KOR.export_tier" = [2, [[2026, 2], [2028, 1]]]
[sweep.uncertain]
"global.vendor_supply" = {dist = "uniform", low = 0.5, high = 1.5, multiply = true}
[global]
vendor_supply = [[2026, 8e6], [2030, 1.2e7]]
[country.KOR]
)" + std::string(kKorea));
  const Scenario sc = load_scenario(s);
  const auto policies = policy_params(sc);
  ASSERT_EQ(policies.size(), 2u);
  EXPECT_EQ(policies[0].countries.schedule(0, CountryParam::export_tier), nullptr);
  const Schedule* tier = policies[1].countries.schedule(0, CountryParam::export_tier);
  ASSERT_NE(tier, nullptr);
  ASSERT_EQ(tier->size(), 2u);
  EXPECT_EQ((*tier)[1].year, 2028.0);
  EXPECT_EQ((*tier)[1].value, 1.0);
  EXPECT_EQ(policies[1].countries.at(0, CountryParam::export_tier), 2.0);
  RunParams run = policies[1];
  const double u = 0.75;  // the uniform's 0.75 quantile: factor 1.25
  apply_samples(sc.sweep, &u, run);
  const Schedule* supply = run.global.schedule(GlobalParam::vendor_supply);
  ASSERT_NE(supply, nullptr);
  EXPECT_DOUBLE_EQ((*supply)[0].value, 1e7);
  EXPECT_DOUBLE_EQ((*supply)[1].value, 1.5e7);
  EXPECT_DOUBLE_EQ(run.global[GlobalParam::vendor_supply], 1e7);
}

// dist = "from_sources" (issue 14): two CSV countries with their own ranges in the sources
// file, and a global range in the global CSV. Each value is triangular on its own low/high,
// peaking at the data's value; a country key expands to one entry (one design dimension)
// per country.
const char* const kSourcesCountries =
    "iso3,name,it_mw,grid_mw,grid_add_mw_per_year,budget_usd_per_year,workforce,targets,pue\n"
    "AAA,Country A,1,10,5,1e9,100,,1.3\n"
    "BBB,Country B,1,10,5,2026:2e9;2030:4e9,100,,1.5\n";
const char* const kSourcesRows =
    "iso3,parameter,basis,low,high,source,note\n"
    "AAA,it_mw,assumption,,,,t\nAAA,grid_mw,assumption,,,,t\n"
    "AAA,grid_add_mw_per_year,assumption,5,5,,t\nAAA,budget_usd_per_year,assumption,5e8,2e9,,t\n"
    "AAA,workforce,assumption,,,,t\nAAA,pue,assumption,1.2,1.6,,t\n"
    "BBB,it_mw,assumption,,,,t\nBBB,grid_mw,assumption,,,,t\n"
    "BBB,grid_add_mw_per_year,assumption,,,,t\nBBB,budget_usd_per_year,assumption,1e9,3e9,,t\n"
    "BBB,workforce,assumption,,,,t\nBBB,pue,assumption,1.4,2,,t\n";
const char* const kSourcesGlobal =
    "parameter,value,basis,low,high,source,note\n"
    "vendor_supply_growth,0.2,assumption,0.1,0.4,,t\n"
    "accel_price_usd,2026:7e4;2030:9e4,assumption,5e4,9e4,,t\n";

class FromSourcesTest : public ScenarioTest {
 protected:
  std::string scenario(const std::string& extra_global, const std::string& sweep,
                       const std::string& more = "") {
    write("c.csv", kSourcesCountries);
    write("s.csv", kSourcesRows);
    write("g.csv", kSourcesGlobal);
    return write("s.toml", "[global]\ndata = \"g.csv\"\n" + extra_global +
                               "[defaults]\ntargets = []\n[countries]\ndata = \"c.csv\"\n"
                               "sources = \"s.csv\"\n" + more + sweep);
  }
};

TEST_F(FromSourcesTest, EachCountryDrawsFromItsOwnRange) {
  const Scenario sc = load_scenario(scenario("", R"([sweep]
method = "lhs"
samples = 400
[sweep.levers]
"country.BBB.pue" = [1.5, 1.8]
[sweep.uncertain]
"country.*.pue" = {dist = "from_sources"}
"global.vendor_supply_growth" = {dist = "from_sources"}
"country.*.budget_usd_per_year" = {dist = "from_sources"}
"global.accel_price_usd" = {dist = "from_sources"}
)"));
  const auto& w = sc.sweep.uncertain;
  ASSERT_EQ(w.size(), 6u);
  const std::vector<std::string> keys = {"country.AAA.pue", "country.BBB.pue",
                                         "global.vendor_supply_growth",
                                         "country.AAA.budget_usd_per_year",
                                         "country.BBB.budget_usd_per_year"};
  const double lows[] = {1.2, 1.4, 0.1, 5e8, 1e9}, modes[] = {1.3, 1.5, 0.2, 1e9, 2e9},
               highs[] = {1.6, 2.0, 0.4, 2e9, 3e9};
  for (std::size_t k = 0; k < 5; ++k) {
    SCOPED_TRACE(keys[k]);
    EXPECT_EQ(w[k].key, keys[k]);
    EXPECT_TRUE(w[k].from_sources);
    EXPECT_TRUE(w[k].multiply);
    EXPECT_EQ(w[k].dist, Distribution::triangular);
    EXPECT_EQ(w[k].a, lows[k]);
    EXPECT_EQ(w[k].b, modes[k]);  // the data's value (BBB's budget: its schedule's first point)
    EXPECT_EQ(w[k].c, highs[k]);
    EXPECT_EQ(w[k].data_value, modes[k]);
  }
  EXPECT_EQ(w[0].target.country, 0);
  EXPECT_EQ(w[1].target.country, 1);
  EXPECT_NE(w[0].source.find("s.csv line 7"), std::string::npos) << w[0].source;
  EXPECT_NE(w[2].source.find("g.csv line 2"), std::string::npos) << w[2].source;

  // A fixed point: each value is its own range's triangular quantile (to rounding of the
  // quantile only: the run uses the data's value, so the draw replaces it exactly).
  //   AAA pue  u 0.3: 0.3 > (1.3-1.2)/0.4 = 0.25 -> 1.6 - sqrt(0.7 * 0.4 * 0.3) = 1.31017
  //   BBB pue  u 0.8: 2 - sqrt(0.2 * 0.6 * 0.5) = 1.75505
  //   vendor_supply_growth u 0.5: 0.4 - sqrt(0.5 * 0.3 * 0.2) = 0.22679
  //   AAA budget u 0.1 < 1/3: 5e8 + sqrt(0.1 * 1.5e9 * 5e8) = 7.7386e8
  //   BBB budget u 0.9: 3e9 - sqrt(0.1 * 2e9 * 1e9) = 2.5528e9, its schedule scaled by
  //   draw / 2e9
  const auto policies = policy_params(sc);
  ASSERT_EQ(policies.size(), 2u);
  const double u[] = {0.3, 0.8, 0.5, 0.1, 0.9, 0.9};
  RunParams p = policies[0];
  apply_samples(sc.sweep, u, p);
  const auto& c = p.countries;
  EXPECT_NEAR(c.at(0, CountryParam::pue), 1.6 - std::sqrt(0.084), 1e-12);
  EXPECT_NEAR(c.at(1, CountryParam::pue), 2.0 - std::sqrt(0.06), 1e-12);
  EXPECT_NEAR(p.global[GlobalParam::vendor_supply_growth], 0.4 - std::sqrt(0.03), 1e-12);
  EXPECT_NEAR(c.at(0, CountryParam::budget_usd_per_year), 5e8 + std::sqrt(7.5e16), 1e-3);
  const double bbb = 3e9 - std::sqrt(2e17);
  EXPECT_NEAR(c.at(1, CountryParam::budget_usd_per_year), bbb, 1e-3);
  for (std::size_t k = 0; k < 5; ++k)
    EXPECT_EQ(w[k].quantile(u[k], 1.0), k == 2 ? p.global[GlobalParam::vendor_supply_growth]
                                                : c.values(w[k].target.country, w[k].target.index))
        << keys[k];
  const Schedule* budget = c.schedule(1, CountryParam::budget_usd_per_year);
  ASSERT_NE(budget, nullptr);
  ASSERT_EQ(budget->size(), 2u);
  EXPECT_NEAR((*budget)[0].value, bbb, 1e-3);
  EXPECT_NEAR((*budget)[1].value, 2.0 * bbb, 1e-3);
  // A scheduled global value: its first point, 7e4, is the data's value; u 0.9 gives
  // 9e4 - sqrt(0.1 * 4e4 * 2e4) = 81055.7, and the 2030 point becomes 9e4 * draw / 7e4.
  EXPECT_EQ(w[5].key, "global.accel_price_usd");
  EXPECT_EQ(w[5].data_value, 7e4);
  const double price = 9e4 - std::sqrt(8e7);
  EXPECT_NEAR(p.global[GlobalParam::accel_price_usd], price, 1e-9);
  const Schedule* prices = p.global.schedule(GlobalParam::accel_price_usd);
  ASSERT_NE(prices, nullptr);
  ASSERT_EQ(prices->size(), 2u);
  EXPECT_NEAR((*prices)[0].value, price, 1e-9);
  EXPECT_NEAR((*prices)[1].value, 9e4 * price / 7e4, 1e-9);

  // Under the lever's 1.8, BBB's draw scales the lever's value by draw / 1.5; what the
  // file stores (RunInfo::sampled) is the draw itself, in the parameter's unit.
  const SampleDesign design(sc.sweep.method, sc.sweep.samples, 6, sc.params.sim.seed);
  RunParams run;
  RunInfo info;
  build_run(sc, policies, design, 400 + 17, run, info);
  ASSERT_EQ(info.policy, 1);
  ASSERT_EQ(info.sampled.size(), 6u);
  EXPECT_GE(info.sampled[1], 1.4);
  EXPECT_LE(info.sampled[1], 2.0);
  EXPECT_EQ(run.countries.at(1, CountryParam::pue), info.sampled[1] * (1.8 / 1.5));
  EXPECT_EQ(run.countries.at(0, CountryParam::pue), info.sampled[0]);

  // Over the design every draw stays in its own country's range, the two countries' draws
  // fill their ranges and are drawn independently (each its own design column).
  std::vector<double> ua, ub;
  double lo[2] = {kInf, kInf}, hi[2] = {-kInf, -kInf};
  for (long long s = 0; s < 400; ++s) {
    build_run(sc, policies, design, s, run, info);
    for (int k = 0; k < 2; ++k) {
      const double x = run.countries.at(k, CountryParam::pue);
      EXPECT_GE(x, lows[k]);
      EXPECT_LE(x, highs[k]);
      lo[k] = std::min(lo[k], x);
      hi[k] = std::max(hi[k], x);
      EXPECT_EQ(x, info.sampled[static_cast<std::size_t>(k)]);
    }
    const double b = run.countries.at(0, CountryParam::budget_usd_per_year);
    EXPECT_GE(b, 5e8);
    EXPECT_LE(b, 2e9);
    // The cumulative probabilities of the draws: uniform on (0, 1) for each country.
    auto cdf = [](double a, double m, double h, double x) {
      return x <= m ? (x - a) * (x - a) / ((h - a) * (m - a))
                    : 1.0 - (h - x) * (h - x) / ((h - a) * (h - m));
    };
    ua.push_back(cdf(1.2, 1.3, 1.6, run.countries.at(0, CountryParam::pue)));
    ub.push_back(cdf(1.4, 1.5, 2.0, run.countries.at(1, CountryParam::pue)));
  }
  for (int k = 0; k < 2; ++k) {
    EXPECT_LT(lo[k], lows[k] + 0.05 * (highs[k] - lows[k]));
    EXPECT_GT(hi[k], highs[k] - 0.05 * (highs[k] - lows[k]));
  }
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t s = 0; s < ua.size(); ++s) {
    sab += (ua[s] - 0.5) * (ub[s] - 0.5);
    saa += (ua[s] - 0.5) * (ua[s] - 0.5);
    sbb += (ub[s] - 0.5) * (ub[s] - 0.5);
  }
  // Independent columns of 400 samples: |r| ~ 0.05; one shared draw would give r = 1.
  EXPECT_LT(std::abs(sab / std::sqrt(saa * sbb)), 0.2);
}

TEST_F(FromSourcesTest, ValuesWithoutAUsableRangeAreRefusedAtTheKey) {
  const std::string s = scenario("supply_shocks = [{start = 2028.0, end = 2029.0, factor = 0.5}]\n",
                                 R"([sweep]
samples = 4
[sweep.uncertain]
"country.*.grid_add_mw_per_year" = {dist = "from_sources"}
"country.AAA.workforce" = {dist = "from_sources", low = 1}
"global.supply_shocks[0].factor" = {dist = "from_sources"}
"global.accel_kw" = {dist = "from_sources"}
"country.*.pue" = {dist = "from_sources"}
)", "[country.CCC]\n" + std::string(kKorea));
  const auto ds = errors(s);
  const std::string k = "sweep.uncertain.\"";
  EXPECT_TRUE(has(ds, s, 20, k + "country.*.grid_add_mw_per_year\"",
                  {"the range of grid_add_mw_per_year of AAA at", "s.csv line 4",
                   "is empty (low = 5, high = 5)", "allowed from_sources where low < high"}));
  EXPECT_TRUE(has(ds, s, 20, k + "country.*.grid_add_mw_per_year\"",
                  {"s.csv line 10 gives no range for grid_add_mw_per_year of BBB"}));
  EXPECT_TRUE(has(ds, s, 21, k + "country.AAA.workforce\".low",
                  {"unknown key", "allowed", "dist"}));
  EXPECT_TRUE(has(ds, s, 22, k + "global.supply_shocks[0].factor\"",
                  {"supply shocks have no range in the data files"}));
  EXPECT_TRUE(has(ds, s, 23, k + "global.accel_kw\"", {"g.csv has no row for accel_kw"}));
  EXPECT_TRUE(has(ds, s, 24, k + "country.*.pue\"", {"has no row for pue of CCC"}));
  // AAA's and BBB's pue have their ranges: only CCC's is reported.
  for (const auto& d : ds)
    EXPECT_TRUE(d.key != k + "country.*.pue\"" || d.message.find("of CCC") != std::string::npos)
        << format_diagnostic(d);

  // Without the data files there is no range to take.
  const std::string bare = write("bare.toml", swept(R"([sweep]
samples = 4
[sweep.uncertain]
"global.vendor_supply_growth" = {dist = "from_sources"}
"country.KOR.pue" = {dist = "from_sources"}
)"));
  const auto bs = errors(bare);
  EXPECT_TRUE(has(bs, bare, 4, k + "global.vendor_supply_growth\"",
                  {"names no global data file", "allowed with [global] data"}));
  EXPECT_TRUE(has(bs, bare, 5, k + "country.KOR.pue\"", {"names no countries sources file"}));
}

// A schedule in TOML: the points as written, the scalar its value at start_year (2027 here:
// halfway from 35,000 to 200,000 in 2028 is 117,500), and a country without a licence of
// its own takes the global schedule with the global value.
TEST_F(ScenarioTest, SchedulesResolveToTheirPointsAndStartValue) {
  const std::string s = write("s.toml", R"([simulation]
start_year = 2027.0
end_year = 2030.0
[global]
tier2_cap = [[2026, 35000], [2028, 200000]]
[country.KOR]
export_tier = [[2026, 2], [2027.5, 1]]
)" + std::string(kKorea) + "[country.JPN]\n" + kKorea + "tier2_cap = 1000\n");
  const Scenario sc = load_scenario(s);
  const auto& c = sc.params.countries;
  EXPECT_DOUBLE_EQ(sc.params.global[GlobalParam::tier2_cap], 117500.0);
  EXPECT_DOUBLE_EQ(c.at(0, CountryParam::tier2_cap), 117500.0);
  const Schedule* kor = c.schedule(0, CountryParam::tier2_cap);
  ASSERT_NE(kor, nullptr);
  EXPECT_EQ(kor->size(), 2u);
  EXPECT_EQ(c.schedule(1, CountryParam::tier2_cap), nullptr);
  EXPECT_EQ(c.at(1, CountryParam::tier2_cap), 1000.0);
  EXPECT_EQ(c.at(0, CountryParam::export_tier), 2.0);
  ASSERT_NE(c.schedule(0, CountryParam::export_tier), nullptr);
}

// Schedules in the countries CSV, written as targets are: YEAR:VALUE;YEAR:VALUE. A cell
// with a bad point is reported at the cell, a schedule in a column that takes only a
// number too.
TEST_F(ScenarioTest, CsvCellsTakeSchedules) {
  write("c.csv", std::string(kCsvHeader) + ",export_tier,tier2_cap\n" +
                     "AAA,Country A,1,10,5,1e9,100,,2026:2;2028:1,2026:35000;2027:35000;2027.25:2e5\n");
  const std::string s = write("s.toml", "[defaults]\ntargets = []\n[countries]\ndata = \"c.csv\"\n");
  const Scenario sc = load_scenario(s);
  const auto& c = sc.params.countries;
  const Schedule* tier = c.schedule(0, CountryParam::export_tier);
  ASSERT_NE(tier, nullptr);
  ASSERT_EQ(tier->size(), 2u);
  EXPECT_EQ((*tier)[1].year, 2028.0);
  EXPECT_EQ((*tier)[1].value, 1.0);
  const Schedule* cap = c.schedule(0, CountryParam::tier2_cap);
  ASSERT_NE(cap, nullptr);
  ASSERT_EQ(cap->size(), 3u);
  EXPECT_EQ((*cap)[2].value, 2e5);
  EXPECT_EQ(c.at(0, CountryParam::tier2_cap), 35000.0);

  write("d.csv", std::string(kCsvHeader) + ",export_tier,pue\n" +
                     "AAA,Country A,2026:1;2030:2,10,5,1e9,100,,2026:2;2028:1.5,2026:1.2;2026:1.3\n");
  const std::string bad = write("b.toml", "[defaults]\ntargets = []\n[countries]\ndata = \"d.csv\"\n");
  const auto ds = errors(bad);
  const std::string csv = path("d.csv");
  EXPECT_TRUE(has(ds, csv, 2, "country.AAA.it_mw", {"is a schedule where only a number is allowed"}));
  EXPECT_TRUE(has(ds, csv, 2, "country.AAA.export_tier", {"'2028:1.5' is not YEAR:VALUE with an integer value"}));
  EXPECT_TRUE(has(ds, csv, 2, "country.AAA.pue", {"year 2026 is not after the year before it"}));
}

// The global-defaults CSV takes schedules in its value column, as a country cell does: a
// trend that tapers (vendor output growth 25%/yr to 2028, then 10%) is data, not a scenario
// edit. The scalar is the schedule's value at start_year; bad points are located at the cell.
TEST_F(ScenarioTest, GlobalCsvValuesTakeSchedules) {
  write("c.csv", std::string(kCsvHeader) + "\n" + "AAA,Country A,1,10,5,1e9,100,\n");
  // A scenario over one country whose global defaults are `rows` (after the header).
  auto with_globals = [&](const std::string& name, const std::string& rows) {
    write(name + ".csv", "parameter,value,basis,low,high,source,note\n" + rows);
    return write(name + ".toml", "[global]\ndata = \"" + name + ".csv\"\n[defaults]\ntargets = []\n"
                                 "[countries]\ndata = \"c.csv\"\n");
  };
  const Scenario sc = load_scenario(with_globals("g", "vendor_supply_growth,2026:0.25;2028:0.25;2030:0.1,assumption,,,,taper\n"
                                                      "accel_kw,1.8,reported,1.5,2.2,vendor datasheet,\n"));
  const auto& g = sc.params.global;
  const Schedule* growth = g.schedule(GlobalParam::vendor_supply_growth);
  ASSERT_NE(growth, nullptr);
  ASSERT_EQ(growth->size(), 3u);
  EXPECT_EQ((*growth)[2].year, 2030.0);
  EXPECT_EQ((*growth)[2].value, 0.1);
  EXPECT_EQ(g[GlobalParam::vendor_supply_growth], 0.25);
  EXPECT_EQ(g.schedule(GlobalParam::accel_kw), nullptr);
  EXPECT_EQ(sc.origin.at("global.vendor_supply_growth"), path("g.csv") + " row 2");

  const auto ds = errors(with_globals("h", "vendor_supply,2026:5e6;2026:6e6,assumption,,,,x\n"
                                          "chip_lifetime_years,2026:5;2030:6,assumption,,,,x\n"
                                          "accel_kw,2026:1.8;2030:-1,assumption,,,,x\n"));
  const std::string csv = path("h.csv");
  EXPECT_TRUE(has(ds, csv, 2, "global.vendor_supply",
                  {"column 'value': year 2026 is not after the year before it", "allowed increasing years"}));
  EXPECT_TRUE(has(ds, csv, 3, "global.chip_lifetime_years",
                  {"column 'value': '2026:5;2030:6' is a schedule where only a number is allowed"}));
  EXPECT_TRUE(has(ds, csv, 4, "global.accel_kw", {"column 'value': at 2030: accel_kw = -1 is out of range"}));
}

TEST_F(ScenarioTest, SweepAcceptsUnquotedKeys) {
  // TOML reads global.allocation unquoted as nested tables; it means the same key.
  const std::string s = write("s.toml", swept(R"([sweep]
samples = 4
[sweep.levers]
global.allocation = ["pro_rata", "max_min_fair"]
[sweep.uncertain]
country.KOR.pue = {dist = "uniform", low = 1.1, high = 1.2}
)"));
  const Scenario sc = load_scenario(s);
  ASSERT_EQ(sc.sweep.levers.size(), 1u);
  EXPECT_EQ(sc.sweep.levers[0].key, "global.allocation");
  ASSERT_EQ(sc.sweep.uncertain.size(), 1u);
  EXPECT_EQ(sc.sweep.uncertain[0].key, "country.KOR.pue");
  EXPECT_EQ(sc.sweep.uncertain[0].target.country, 0);
}

TEST_F(ScenarioTest, SweepSamplesAndMethodFromSet) {
  const std::string s = write("s.toml", swept(R"([sweep]
method = "lhs"
samples = 10
[sweep.uncertain]
"global.vendor_supply_growth" = {dist = "uniform", low = 0.1, high = 0.4}
)"));
  const Scenario sc = load_scenario(s, {"sweep.samples=64", "sweep.method=sobol"});
  EXPECT_EQ(sc.sweep.samples, 64);
  EXPECT_EQ(sc.sweep.method, SamplingMethod::sobol);
  const Scenario sal = load_scenario(s, {"sweep.method=\"saltelli\""});
  EXPECT_EQ(sal.sweep.samples_per_policy(), 10 * 3);
}

TEST_F(ScenarioTest, SweepShockFieldsAndLeadTimesGetTheirRanges) {
  const std::string s = write("s.toml", swept(R"([sweep]
samples = 2
[sweep.uncertain]
"global.supply_shocks[0].start" = {dist = "uniform", low = 2027.0, high = 2030.0}
"country.*.build_lead_years" = {dist = "uniform", low = 0.1, high = 3.0}
)"));
  const Scenario sc = load_scenario(s);
  // The start stays before the shock's end; lead times reach at least one step.
  const Uncertain* start = find_uncertain(sc, "global.supply_shocks[0].start");
  EXPECT_EQ(start->target.shock_field, 0);
  EXPECT_DOUBLE_EQ(start->hi, 2029.0);
  EXPECT_TRUE(start->hi_open);
  EXPECT_TRUE(std::isinf(start->lo));
  EXPECT_LT(start->quantile(1.0 - 1e-16), 2029.0);
  const Uncertain* lead = find_uncertain(sc, "country.*.build_lead_years");
  EXPECT_DOUBLE_EQ(lead->lo, 0.25);
  EXPECT_FALSE(lead->lo_open);
  EXPECT_GE(lead->quantile(1e-9), 0.25);
}

TEST_F(ScenarioTest, RejectsSweepWithoutLeversOrUncertain) {
  const std::string s = write("s.toml", swept("[sweep]\nmethod = \"lhs\"\n"));
  EXPECT_TRUE(has(errors(s), s, 1, "sweep",
                  {"neither levers nor uncertain", "allowed [sweep.levers]", "[sweep.uncertain]"}));
  // --set sweep.samples on a scenario without a sweep says the same.
  const std::string t = write("t.toml", swept(""));
  EXPECT_TRUE(
      has(errors(t, {"sweep.samples=10"}), t, -1, "sweep", {"neither levers nor uncertain"}));
}

TEST_F(ScenarioTest, RejectsUnknownSweepKey) {
  const std::string s = write("s.toml", swept(R"([sweep]
sampels = 10
[sweep.levers]
"global.allocation" = ["pro_rata", "max_min_fair"]
)"));
  EXPECT_TRUE(has(errors(s), s, 2, "sweep.sampels",
                  {"unknown key 'sampels'", "did you mean 'samples'",
                   "allowed keys: method, samples, levers, uncertain"}));
}

TEST_F(ScenarioTest, RejectsBadSweepMethod) {
  const std::string s = write("s.toml", swept(R"([sweep]
method = "sobl"
samples = 4
[sweep.uncertain]
"global.vendor_supply_growth" = {dist = "uniform", low = 0.1, high = 0.4}
)"));
  EXPECT_TRUE(has(errors(s), s, 2, "sweep.method",
                  {"unknown method \"sobl\"", "did you mean \"sobol\"",
                   "allowed \"monte_carlo\", \"lhs\", \"sobol\", \"saltelli\""}));
}

TEST_F(ScenarioTest, RejectsBadSweepSamples) {
  const std::string u =
      "[sweep.uncertain]\n\"global.vendor_supply_growth\" = {dist = \"uniform\", low = 0.1, "
      "high = 0.4}\n";
  const std::string s = write("s.toml", swept("[sweep]\nsamples = 0\n" + u));
  EXPECT_TRUE(has(errors(s), s, 2, "sweep.samples",
                  {"samples = 0 is out of range", "allowed an integer in [1, 1e9]"}));
  const std::string f = write("f.toml", swept("[sweep]\nsamples = 10.0\n" + u));
  EXPECT_TRUE(has(errors(f), f, 2, "sweep.samples", {"a float (10.0)", "allowed an integer"}));
  // Uncertain parameters need a sample size.
  const std::string m = write("m.toml", swept("[sweep]\nmethod = \"lhs\"\n" + u));
  EXPECT_TRUE(has(errors(m), m, 1, "sweep.samples", {"missing 'samples'", "allowed samples = N"}));
  // Levers alone: more than one sample would repeat every run.
  const std::string l = write(
      "l.toml", swept("[sweep]\nsamples = 5\n[sweep.levers]\n\"country.KOR.pue\" = [1.1, 1.2]\n"));
  EXPECT_TRUE(
      has(errors(l), l, 2, "sweep.samples", {"no uncertain parameters", "allowed samples = 1"}));
  // --set gives the same diagnostics, located at --set.
  EXPECT_TRUE(
      has(errors(write("t.toml", swept("[sweep]\nsamples = 4\n" + u)), {"sweep.samples=-3"}),
          "--set", 0, "sweep.samples", {"samples = -3 is out of range"}));
}

TEST_F(ScenarioTest, RejectsSaltelliWithoutUncertainOrWithOneSample) {
  const std::string s = write(
      "s.toml",
      swept("[sweep]\nmethod = \"saltelli\"\n[sweep.levers]\n\"country.KOR.pue\" = [1.1, 1.2]\n"));
  EXPECT_TRUE(has(errors(s), s, 2, "sweep.method",
                  {"\"saltelli\" needs uncertain parameters", "allowed [sweep.uncertain]"}));
  const std::string t =
      write("t.toml", swept("[sweep]\nmethod = \"saltelli\"\nsamples = 1\n[sweep.uncertain]\n"
                            "\"country.KOR.pue\" = {dist = \"uniform\", low = 1.1, high = 1.2}\n"));
  EXPECT_TRUE(has(errors(t), t, 3, "sweep.samples", {"too few", "allowed samples >= 2"}));
}

TEST_F(ScenarioTest, RejectsSweepOfTooManyRuns) {
  const std::string s = write("s.toml", swept(R"([sweep]
method = "saltelli"
samples = 200000000
[sweep.levers]
"global.allocation" = ["pro_rata", "max_min_fair"]
[sweep.uncertain]
"country.KOR.pue" = {dist = "uniform", low = 1.1, high = 1.2}
)"));
  EXPECT_TRUE(
      has(errors(s), s, 3, "sweep.samples",
          {"2 policies x 600000000 samples per policy = 1200000000", "allowed at most 1e9"}));
  // A Latin hypercube keeps one permutation of the samples per parameter in memory.
  const std::string t = write("t.toml", swept(R"([sweep]
method = "lhs"
samples = 60000000
[sweep.uncertain]
"country.KOR.pue" = {dist = "uniform", low = 1.1, high = 1.2}
"country.JPN.pue" = {dist = "uniform", low = 1.1, high = 1.2}
)"));
  EXPECT_TRUE(has(errors(t), t, 3, "sweep.samples",
                  {"samples * parameters = 120000000", "allowed at most 1e8", "use sobol"}));
}

TEST_F(ScenarioTest, RejectsSetOfOtherSweepKeys) {
  const std::string s =
      write("s.toml", swept("[sweep.levers]\n\"country.KOR.pue\" = [1.1, 1.2]\n"));
  EXPECT_TRUE(
      has(errors(s, {"sweep.levers=1"}), "--set", 0, "sweep.levers",
          {"cannot be set from the command line", "allowed sweep.samples and sweep.method"}));
}

TEST_F(ScenarioTest, RejectsSimulationAndCountrySetLevers) {
  const std::string s = write("s.toml", swept(R"([sweep.levers]
"simulation.end_year" = [2040, 2050]
"countries.include" = [["KOR"], ["KOR", "JPN"]]
"sweep.samples" = [1, 2]
)"));
  const auto ds = errors(s);
  EXPECT_TRUE(has(ds, s, 2, "sweep.levers.\"simulation.end_year\"",
                  {"simulation settings cannot be levers", "length of every output array",
                   "allowed global.NAME, defaults.NAME, country.*.NAME or country.ISO3.NAME"}));
  EXPECT_TRUE(has(ds, s, 3, "sweep.levers.\"countries.include\"",
                  {"cannot be a lever", "same countries", "allowed global.NAME"}));
  EXPECT_TRUE(has(ds, s, 4, "sweep.levers.\"sweep.samples\"", {"cannot be levers"}));
}

TEST_F(ScenarioTest, RejectsUnknownLeverKeyWithSuggestion) {
  const std::string s = write("s.toml", swept(R"([sweep.levers]
"global.vendor_suply" = [1e6, 2e6]
"country.KOX.pue" = [1.1, 1.2]
"country.KOR.peu" = [1.1, 1.2]
"global.data" = ["a.csv"]
)"));
  const auto ds = errors(s);
  EXPECT_TRUE(has(ds, s, 2, "sweep.levers.\"global.vendor_suply\"",
                  {"unknown global parameter", "did you mean 'vendor_supply'"}));
  EXPECT_TRUE(has(
      ds, s, 3, "sweep.levers.\"country.KOX.pue\"",
      {"country KOX is not in the scenario", "did you mean 'KOR'", "allowed countries: KOR, JPN"}));
  EXPECT_TRUE(has(ds, s, 4, "sweep.levers.\"country.KOR.peu\"", {"did you mean 'pue'"}));
  EXPECT_TRUE(has(ds, s, 5, "sweep.levers.\"global.data\"", {"cannot be a lever"}));
}

TEST_F(ScenarioTest, RejectsLeverThatIsNotANonEmptyArray) {
  const std::string s = write("s.toml", swept(R"([sweep.levers]
"country.KOR.pue" = 1.2
"country.JPN.pue" = []
"global.accel_kw" = [1.5, 2, 1.5]
)"));
  const auto ds = errors(s);
  EXPECT_TRUE(
      has(ds, s, 2, "sweep.levers.\"country.KOR.pue\"",
          {"wrong type: a float (1.2)", "allowed a non-empty array of alternative values"}));
  EXPECT_TRUE(has(ds, s, 3, "sweep.levers.\"country.JPN.pue\"",
                  {"empty array", "allowed a non-empty array"}));
  EXPECT_TRUE(has(ds, s, 4, "sweep.levers.\"global.accel_kw\"[2]",
                  {"value 1.5 is listed twice (first as [0])", "allowed each alternative once"}));
}

TEST_F(ScenarioTest, RejectsInvalidLeverValueAtItsLine) {
  const std::string s = write("s.toml", swept(R"([sweep.levers]
"country.KOR.grid_add_mw_per_year" = [
  800,
  -5,
]
"country.KOR.targets" = [[[2030, 1000]], [[2030, -1]]]
"global.allocation" = ["pro_rata", "max-min-fair"]
"country.KOR.export_tier" = [1, 2.0]
)"));
  const auto ds = errors(s);
  EXPECT_TRUE(has(ds, s, 4, "sweep.levers.\"country.KOR.grid_add_mw_per_year\"[1]",
                  {"grid_add_mw_per_year = -5 is out of range", "allowed a number in [0, 1e+06]"}));
  EXPECT_TRUE(has(ds, s, 6, "sweep.levers.\"country.KOR.targets\"[1][0]",
                  {"MW = -1 is out of range", "allowed a number in [0, 1e+07]"}));
  EXPECT_TRUE(has(ds, s, 7, "sweep.levers.\"global.allocation\"[1]",
                  {"unknown value \"max-min-fair\"", "did you mean \"max_min_fair\""}));
  EXPECT_TRUE(has(ds, s, 8, "sweep.levers.\"country.KOR.export_tier\"[1]",
                  {"a float (2.0)", "allowed an integer in [1, 3]"}));
  EXPECT_EQ(ds.size(), 4u) << describe(ds);
}

TEST_F(ScenarioTest, RejectsLeverValueBreakingAnotherRule) {
  // pue 2 makes KOR's start state draw (55 + 0) * 2 = 110 MW from a 100 MW grid.
  const std::string s =
      write("s.toml", swept("[sweep.levers]\n\"country.KOR.pue\" = [1.2, 2.0]\n"));
  EXPECT_TRUE(has(errors(s), s, 2, "sweep.levers.\"country.KOR.pue\"[1]",
                  {"with country.KOR.pue = 2.0", "country.KOR.grid_mw", "grid_mw = 100 is below"}));
}

TEST_F(ScenarioTest, RejectsUncertainKeyThatIsNotARealParameter) {
  const std::string s = write("s.toml", swept(R"([sweep]
samples = 4
[sweep.uncertain]
"country.KOR.export_tier" = {dist = "uniform", low = 1, high = 3}
"global.allocation" = {dist = "choice", values = [0, 1]}
"country.KOR.targets" = {dist = "uniform", low = 1, high = 3}
"simulation.dt" = {dist = "uniform", low = 0.25, high = 0.5}
"defaults.pue" = {dist = "uniform", low = 1.1, high = 1.2}
"global.vendor_suply" = {dist = "uniform", low = 1e6, high = 2e6}
)"));
  const auto ds = errors(s);
  EXPECT_TRUE(
      has(ds, s, 4, "sweep.uncertain.\"country.KOR.export_tier\"",
          {"takes integer values", "allowed global.NAME",
           "as a lever instead, e.g. [sweep.levers] \"country.KOR.export_tier\" = [1, 2]"}));
  EXPECT_TRUE(has(ds, s, 5, "sweep.uncertain.\"global.allocation\"",
                  {"takes names", "[sweep.levers] \"global.allocation\""}));
  EXPECT_TRUE(has(ds, s, 6, "sweep.uncertain.\"country.KOR.targets\"",
                  {"list of milestones", "as a lever instead"}));
  EXPECT_TRUE(has(ds, s, 7, "sweep.uncertain.\"simulation.dt\"", {"cannot be uncertain"}));
  EXPECT_TRUE(has(ds, s, 8, "sweep.uncertain.\"defaults.pue\"", {"write country.*.pue"}));
  EXPECT_TRUE(has(ds, s, 9, "sweep.uncertain.\"global.vendor_suply\"",
                  {"unknown global parameter", "did you mean 'vendor_supply'"}));
}

TEST_F(ScenarioTest, RejectsUncertainCountryOrShockNotInScenario) {
  const std::string s = write("s.toml", swept(R"([sweep]
samples = 4
[sweep.uncertain]
"country.KOX.pue" = {dist = "uniform", low = 1.1, high = 1.2}
"global.supply_shocks[1].factor" = {dist = "uniform", low = 0.1, high = 0.2}
"global.supply_shocks[0].factr" = {dist = "uniform", low = 0.1, high = 0.2}
)"));
  const auto ds = errors(s);
  EXPECT_TRUE(has(ds, s, 4, "sweep.uncertain.\"country.KOX.pue\"",
                  {"country KOX is not in the scenario", "did you mean 'KOR'",
                   "allowed countries: KOR, JPN, or * for every country"}));
  EXPECT_TRUE(has(ds, s, 5, "sweep.uncertain.\"global.supply_shocks[1].factor\"",
                  {"supply_shocks[1] does not exist", "allowed indices 0 to 0"}));
  EXPECT_TRUE(has(ds, s, 6, "sweep.uncertain.\"global.supply_shocks[0].factr\"",
                  {"unknown supply-shock field 'factr'", "did you mean 'factor'"}));
}

TEST_F(ScenarioTest, RejectsDistributionWithWrongKeys) {
  const std::string s = write("s.toml", swept(R"([sweep]
samples = 4
[sweep.uncertain]
"country.KOR.pue" = {dist = "uniform", low = 1.1, hihg = 1.2}
"country.JPN.pue" = {dist = "uniforn", low = 1.1, high = 1.2}
"global.accel_kw" = {low = 1.1, high = 1.2}
"global.accel_flops" = 2e15
"global.accel_price_usd" = {dist = "normal", mean = 7e4, sd = 1e4, multiply = "yes"}
)"));
  const auto ds = errors(s);
  EXPECT_TRUE(has(ds, s, 4, "sweep.uncertain.\"country.KOR.pue\".hihg",
                  {"unknown key 'hihg' in a uniform distribution", "did you mean 'high'",
                   "allowed keys: dist, low, high, multiply"}));
  EXPECT_TRUE(has(ds, s, 4, "sweep.uncertain.\"country.KOR.pue\"",
                  {"missing 'high'", "allowed {dist = \"uniform\", low = X, high = X}"}));
  EXPECT_TRUE(has(ds, s, 5, "sweep.uncertain.\"country.JPN.pue\".dist",
                  {"unknown distribution \"uniforn\"", "did you mean \"uniform\"",
                   "allowed \"uniform\", \"normal\", \"lognormal\", \"triangular\", \"choice\""}));
  EXPECT_TRUE(has(ds, s, 6, "sweep.uncertain.\"global.accel_kw\"", {"missing 'dist'"}));
  EXPECT_TRUE(has(ds, s, 7, "sweep.uncertain.\"global.accel_flops\"",
                  {"wrong type: a float", "allowed an inline table"}));
  EXPECT_TRUE(has(ds, s, 8, "sweep.uncertain.\"global.accel_price_usd\".multiply",
                  {"where a boolean is expected", "allowed true"}));
}

TEST_F(ScenarioTest, RejectsDistributionParametersOutOfRange) {
  const std::string s = write("s.toml", swept(R"([sweep]
samples = 4
[sweep.uncertain]
"country.KOR.pue" = {dist = "uniform", low = 1.3, high = 1.2}
"country.JPN.pue" = {dist = "normal", mean = 1.3, sd = 0}
"global.other_demand" = {dist = "lognormal", median = -1, sigma = 0}
"global.accel_kw" = {dist = "triangular", low = 1, mode = 3, high = 2}
"global.vendor_supply" = {dist = "uniform", low = nan, high = inf}
)"));
  const auto ds = errors(s);
  EXPECT_TRUE(has(ds, s, 4, "sweep.uncertain.\"country.KOR.pue\".low",
                  {"low = 1.3 is not below high = 1.2", "allowed low < high"}));
  EXPECT_TRUE(has(ds, s, 5, "sweep.uncertain.\"country.JPN.pue\".sd", {"allowed sd > 0"}));
  EXPECT_TRUE(has(ds, s, 6, "sweep.uncertain.\"global.other_demand\".median",
                  {"median = -1", "allowed median > 0"}));
  EXPECT_TRUE(
      has(ds, s, 6, "sweep.uncertain.\"global.other_demand\".sigma", {"allowed sigma > 0"}));
  EXPECT_TRUE(has(ds, s, 7, "sweep.uncertain.\"global.accel_kw\".mode",
                  {"mode = 3 is outside [low, high] = [1, 2]", "allowed low <= mode <= high"}));
  EXPECT_TRUE(has(ds, s, 8, "sweep.uncertain.\"global.vendor_supply\".low",
                  {"not finite", "allowed a finite number"}));
  EXPECT_TRUE(has(ds, s, 8, "sweep.uncertain.\"global.vendor_supply\".high", {"not finite"}));
}

TEST_F(ScenarioTest, RejectsBadChoice) {
  const std::string s = write("s.toml", swept(R"([sweep]
samples = 4
[sweep.uncertain]
"global.chip_lifetime_years" = {dist = "choice", values = [0.1, 5, 6], weights = [0.5, 0.25, 0.2]}
"global.accel_kw" = {dist = "choice", values = [1, 2], weights = [1.5, -0.5]}
"global.accel_flops" = {dist = "choice", values = [1e15, 2e15], weights = [1.0]}
"global.accel_price_usd" = {dist = "choice", values = []}
)"));
  const auto ds = errors(s);
  EXPECT_TRUE(has(ds, s, 4, "sweep.uncertain.\"global.chip_lifetime_years\".weights",
                  {"weights sum to 0.95", "allowed weights summing to 1 (within 1e-9)"}));
  EXPECT_TRUE(has(ds, s, 5, "sweep.uncertain.\"global.accel_kw\".weights[1]",
                  {"weight -0.5 is negative", "allowed weights >= 0"}));
  EXPECT_TRUE(has(ds, s, 6, "sweep.uncertain.\"global.accel_flops\".weights",
                  {"weights has 1 items but values has 2", "allowed one weight per value"}));
  EXPECT_TRUE(has(ds, s, 7, "sweep.uncertain.\"global.accel_price_usd\".values",
                  {"empty array", "allowed a non-empty array"}));
  // Each value must be a valid value of the parameter (chips retire in whole steps of dt).
  const std::string t = write("t.toml", swept(R"([sweep]
samples = 4
[sweep.uncertain]
"global.chip_lifetime_years" = {dist = "choice", values = [0.1, 5, 60]}
)"));
  const auto dt = errors(t);
  EXPECT_TRUE(has(dt, t, 4, "sweep.uncertain.\"global.chip_lifetime_years\".values[0]",
                  {"chip_lifetime_years = 0.1 is out of range", "allowed a number in [0.25, 50]"}));
  EXPECT_TRUE(has(dt, t, 4, "sweep.uncertain.\"global.chip_lifetime_years\".values[2]",
                  {"= 60 is out of range"}));
}

TEST_F(ScenarioTest, RejectsDistributionWithNoMassInRange) {
  const std::string s = write("s.toml", swept(R"([sweep]
samples = 4
[sweep.uncertain]
"global.vendor_supply" = {dist = "uniform", low = -2, high = -1}
"country.*.pue" = {dist = "uniform", low = 4, high = 6, multiply = true}
)"));
  const auto ds = errors(s);
  EXPECT_TRUE(has(ds, s, 4, "sweep.uncertain.\"global.vendor_supply\"",
                  {"uniform [-2, -1] gives no probability to the allowed range of vendor_supply",
                   "a number in [0, 1e+11]"}));
  // pue 1.3 times at least 4 is above 5: nothing left for KOR.
  EXPECT_TRUE(
      has(ds, s, 5, "sweep.uncertain.\"country.*.pue\"",
          {"times the resolved pue for KOR (1.3)", "gives no probability", "a number in [1, 5]"}));
}

TEST_F(ScenarioTest, RejectsParameterBothLeverAndUncertain) {
  const std::string s = write("s.toml", swept(R"([sweep]
samples = 4
[sweep.levers]
"country.KOR.pue" = [1.1, 1.2]
"global.supply_shocks" = [[], [{start = 2030, end = 2031, factor = 0.5}]]
"defaults.pue" = [1.2, 1.3]
[sweep.uncertain]
"country.*.pue" = {dist = "uniform", low = 1.1, high = 1.2}
"global.supply_shocks[0].factor" = {dist = "uniform", low = 0.1, high = 0.2}
"country.JPN.workforce_growth" = {dist = "uniform", low = 1, high = 2}
"country.*.workforce_growth" = {dist = "uniform", low = 1, high = 2}
"global.supply_shocks[0].end" = {dist = "uniform", low = 2029, high = 2030}
)"));
  const auto ds = errors(s);
  EXPECT_TRUE(has(ds, s, 8, "sweep.uncertain.\"country.*.pue\"",
                  {"also set by the lever sweep.levers.\"country.KOR.pue\" (line 4)",
                   "allowed each parameter either as a lever or as uncertain",
                   "or uncertain with multiply = true"}));
  EXPECT_TRUE(has(ds, s, 9, "sweep.uncertain.\"global.supply_shocks[0].factor\"",
                  {"also set by the lever sweep.levers.\"global.supply_shocks\""}));
  EXPECT_TRUE(has(ds, s, 11, "sweep.uncertain.\"country.*.workforce_growth\"",
                  {"also sampled by sweep.uncertain.\"country.JPN.workforce_growth\" (line 10)",
                   "allowed each parameter sampled once"}));
  EXPECT_TRUE(has(ds, s, 6, "sweep.levers.\"defaults.pue\"",
                  {"sets the same parameter as the lever sweep.levers.\"country.KOR.pue\""}));
  // The lever gave shock 0 no other field to keep: start and end are both free only if
  // sampled separately, so sampling both is refused.
  const std::string t = write("t.toml", swept(R"([sweep]
samples = 4
[sweep.uncertain]
"global.supply_shocks[0].start" = {dist = "uniform", low = 2027, high = 2028}
"global.supply_shocks[0].end" = {dist = "uniform", low = 2029, high = 2030}
)"));
  EXPECT_TRUE(
      has(errors(t), t, 5, "sweep.uncertain.\"global.supply_shocks[0].end\"",
          {"start and end of supply_shocks[0] are both sampled", "allowed sampling one of them"}));
}

TEST_F(ScenarioTest, SweepFactorMayScaleALever) {
  // The policy sets KOR's grid lead time; a shared factor then scales every country's.
  const std::string s = write("s.toml", swept(R"([sweep]
samples = 4
[sweep.levers]
"country.KOR.grid_lead_years" = [3.5, 1.75]
[sweep.uncertain]
"country.*.grid_lead_years" = {dist = "uniform", low = 0.75, high = 1.5, multiply = true}
)"));
  const Scenario sc = load_scenario(s);
  EXPECT_EQ(sc.sweep.policies(), 2);
  ASSERT_EQ(sc.sweep.uncertain.size(), 1u);
  EXPECT_TRUE(sc.sweep.uncertain[0].multiply);
  // Each lever value must leave the factor some valid values: 20 * 2 is above 30 years.
  const std::string t = write("t.toml", swept(R"([sweep]
samples = 4
[sweep.levers]
"country.KOR.grid_lead_years" = [3.5, 20]
[sweep.uncertain]
"country.*.grid_lead_years" = {dist = "uniform", low = 2, high = 3, multiply = true}
)"));
  EXPECT_TRUE(has(errors(t), t, 4, "sweep.levers.\"country.KOR.grid_lead_years\"[1]",
                  {"with country.KOR.grid_lead_years = 20: "
                   "sweep.uncertain.\"country.*.grid_lead_years\": ",
                   "times the resolved grid_lead_years for KOR (20)", "gives no probability"}));
}

TEST_F(ScenarioTest, SweepProblemsAreReportedWithTheRest) {
  // A scenario error elsewhere does not hide the sweep's own syntax problems.
  const std::string s = write("s.toml", swept(R"([sweep]
method = "sobl"
samples = 4
[sweep.uncertain]
"country.KOR.pue" = {dist = "uniform", low = 1.1, hihg = 1.2}
)") + "pue = 9\n");
  const auto ds = errors(s);
  EXPECT_TRUE(has(ds, s, 2, "sweep.method", {"unknown method"}));
  EXPECT_TRUE(has(ds, s, 5, "sweep.uncertain.\"country.KOR.pue\".hihg", {"unknown key"}));
  EXPECT_TRUE(has(ds, s, -1, "country.JPN.pue", {"out of range"}));
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
