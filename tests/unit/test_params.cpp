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
