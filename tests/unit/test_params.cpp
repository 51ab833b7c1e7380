// The parameter registry and the target path.

#include <set>
#include <string>

#include <gtest/gtest.h>

#include "sovcap/params.hpp"

namespace sovcap {
namespace {

TEST(Params, NamesAreUniqueWithinEachScope) {
  std::set<std::string> seen;
  for (const auto& s : param_specs())
    EXPECT_TRUE(seen.insert(std::string(scope_name(s.scope)) + "." + std::string(s.name)).second)
        << s.name;
}

TEST(Params, EveryDefaultIsInsideItsAllowedRange) {
  for (const auto& s : param_specs()) {
    if (s.required() || s.kind == ParamKind::targets || s.kind == ParamKind::shocks) continue;
    EXPECT_TRUE(s.in_range(s.default_value)) << s.name << " default " << s.default_value;
    EXPECT_FALSE(s.unit.empty() && s.scope != ParamScope::simulation) << s.name;
    EXPECT_FALSE(s.meaning.empty()) << s.name;
  }
}

TEST(Params, RegistryIndexMatchesTheEnums) {
  EXPECT_EQ(spec(GlobalParam::accel_kw).name, "accel_kw");
  EXPECT_EQ(spec(GlobalParam::tier2_cap).name, "tier2_cap");
  EXPECT_EQ(spec(CountryParam::it_mw).name, "it_mw");
  EXPECT_EQ(spec(CountryParam::domestic_price_ratio).name, "domestic_price_ratio");
  EXPECT_EQ(find_param(ParamScope::country, "pue")->index, static_cast<int>(CountryParam::pue));
  EXPECT_EQ(find_param(ParamScope::global, "pue"), nullptr);
}

TEST(Params, RangesHonourOpenAndClosedBounds) {
  const auto& pue = spec(CountryParam::pue);  // [1, 5]
  EXPECT_TRUE(pue.in_range(1.0));
  EXPECT_FALSE(pue.in_range(0.999));
  EXPECT_FALSE(pue.in_range(std::nan("")));
  const auto& kw = spec(GlobalParam::accel_kw);  // (0, 100]
  EXPECT_FALSE(kw.in_range(0.0));
  EXPECT_EQ(kw.allowed(), "a number in (0, 100]");
  const auto& tier = spec(CountryParam::export_tier);
  EXPECT_TRUE(tier.in_range(2.0));
  EXPECT_FALSE(tier.in_range(2.5));
  EXPECT_EQ(spec(GlobalParam::allocation).allowed(), "one of \"pro_rata\", \"max_min_fair\"");
}

// Every key a cross-parameter rule names is a registry parameter, and a rule checked
// after another names one listed before it (the loader's loop relies on both).
TEST(ParamRules, NameRegistryKeysAndEarlierRules) {
  auto known = [](std::string_view key) {
    const auto dot = key.find('.');
    const std::string_view scope = key.substr(0, dot), name = key.substr(dot + 1);
    for (ParamScope s : {ParamScope::simulation, ParamScope::global, ParamScope::country})
      if (scope == scope_name(s)) return find_param(s, name) != nullptr;
    return false;
  };
  std::set<std::string_view> seen;
  for (const ParamRule& r : param_rules()) {
    EXPECT_TRUE(known(r.key)) << r.name << ": " << r.key;
    for (auto k : r.needs) EXPECT_TRUE(known(k)) << r.name << ": " << k;
    ASSERT_FALSE(r.at.empty()) << r.name;
    for (auto k : r.at) EXPECT_TRUE(known(k)) << r.name << ": " << k;
    EXPECT_TRUE(r.after.empty() || seen.count(r.after)) << r.name << " after " << r.after;
    EXPECT_TRUE(seen.insert(r.name).second) << "duplicate rule " << r.name;
  }
}

TEST(ParamRules, ReadResolvedValuesAndReportTheirProblems) {
  RunParams p;
  p.sim.dt = 1.0;
  p.global = GlobalParams::defaults();
  p.countries.iso3 = {"KOR"};
  p.countries.values.resize(1, kNumCountryParams);
  for (int k = 0; k < kNumCountryParams; ++k)
    p.countries.values(0, k) = spec(static_cast<CountryParam>(k)).default_value;
  p.countries.at(0, CountryParam::build_lead_years) = 0.5;
  const RuleValues v{p, 0, [](std::string_view key) { return key == "simulation.dt"; }};
  EXPECT_DOUBLE_EQ(v("simulation.dt"), 1.0);
  EXPECT_DOUBLE_EQ(v("global.accel_kw"), 2.0);
  EXPECT_DOUBLE_EQ(v("country.pue"), 1.3);
  for (const ParamRule& r : param_rules()) {
    if (r.name == "build_lead_whole_steps") {
      EXPECT_EQ(r.check(v),
                "build_lead_years = 0.5 (built-in default) is shorter than the step dt = 1: the "
                "model's delay lines are in whole steps, so allowed build_lead_years >= dt");
    } else if (r.name == "grid_lead_whole_steps") {
      EXPECT_EQ(r.check(v), "");  // 4 years >= dt
    }
  }
}

TEST(TargetPath, PiecewiseLinearFromStartThroughTargetsThenFlat) {
  const std::vector<Target> tg = {{2028.0, 200.0}, {2030.0, 1000.0}};
  EXPECT_DOUBLE_EQ(target_at(tg, 2026.0, 50.0, 2026.0), 50.0);
  EXPECT_DOUBLE_EQ(target_at(tg, 2026.0, 50.0, 2027.0), 125.0);
  EXPECT_DOUBLE_EQ(target_at(tg, 2026.0, 50.0, 2028.0), 200.0);
  EXPECT_DOUBLE_EQ(target_at(tg, 2026.0, 50.0, 2029.5), 800.0);
  EXPECT_DOUBLE_EQ(target_at(tg, 2026.0, 50.0, 2035.0), 1000.0);
  EXPECT_DOUBLE_EQ(target_at({}, 2026.0, 50.0, 2035.0), 50.0);
  EXPECT_DOUBLE_EQ(target_at(tg, 2026.0, 50.0, 2025.0), 50.0);
}

}  // namespace
}  // namespace sovcap
