// The hindcast (scenarios/hindcast.toml): the model run from the state of 2024.0 on its own
// data (data/countries_2024.csv, data/global_2024.csv) to 2026.0, against the 2026 data set
// (data/countries.csv it_mw, with the low/high of data/countries_sources.csv). The bounds and
// the reasons for them are stated in docs/data-sources.md, "Hindcast 2024 -> 2026":
//
//   1. Every country within x0.5-x2 of its 2026 value: the range the data set gives most
//      inferred it_mw (docs/data-sources.md section 8). A miss beyond it is bigger than the
//      2026 data's own uncertainty.
//   2. Every country within the 2026 data's own low/high range for it_mw, except the known
//      misses listed in kKnownMisses (each with its direction and reason in the docs).
//   3. The 20 countries' total within [sum of lows, sum of highs] of the 2026 data: the
//      data's range with its errors taken as fully correlated, which they largely are (most
//      it_mw come from one world total split by shares).
//
// The 2024 data were not tuned to these bounds (the notes in countries_2024_sources.csv give
// each value's reasoning); the bounds are the 2026 data's, not the hindcast's result.

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "support.hpp"

#include "sovcap/csv.hpp"
#include "sovcap/model.hpp"
#include "sovcap/results.hpp"
#include "sovcap/scenario.hpp"

namespace sovcap {
namespace {

namespace fs = std::filesystem;
const fs::path kScenarios = fs::path(SOVCAP_SOURCE_DIR) / "scenarios";

// Countries whose 2026.0 hindcast lies outside the 2026 data's low/high (bound 2), with the
// side they miss on: -1 below the low end, +1 above the high end. USA: the model under-builds
// (docs/data-sources.md: no cash at the start and the spending rule's reserve for the chips
// of a 4 GW pipeline hold back new shells in 2024; the 2024 capex trend it is given was
// overtaken in 2025). If a change moves one of these into its range, this test fails so that
// the list and the docs are brought up to date.
const std::map<std::string, int> kKnownMisses = {{"USA", -1}};

RunResult run(const Scenario& sc) { return testing::simulate(sc.params); }

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Range {
  double low = std::nan("");
  double high = std::nan("");
};

// The low/high of `parameter` for every country in a provenance CSV.
std::map<std::string, Range> ranges(const fs::path& sources, const std::string& parameter) {
  const CsvDocument doc = parse_csv(read_file(sources));
  EXPECT_TRUE(doc.errors.empty()) << sources;
  std::map<std::string, Range> out;
  if (doc.records.empty()) return out;
  std::map<std::string, int> col;
  for (const auto& f : doc.records[0].fields) col[f.text] = f.index;
  for (std::size_t r = 1; r < doc.records.size(); ++r) {
    const auto& fs = doc.records[r].fields;
    if (fs[static_cast<std::size_t>(col.at("parameter"))].text != parameter) continue;
    const auto lo = parse_number(fs[static_cast<std::size_t>(col.at("low"))].text);
    const auto hi = parse_number(fs[static_cast<std::size_t>(col.at("high"))].text);
    out[fs[static_cast<std::size_t>(col.at("iso3"))].text] = {lo ? *lo : std::nan(""), hi ? *hi : std::nan("")};
  }
  return out;
}

struct Hindcast {
  Scenario sc, data26;
  RunResult r;
  std::map<std::string, Range> range26;
};

const Hindcast& hindcast() {
  static const Hindcast h = [] {
    Hindcast out;
    out.sc = load_scenario((kScenarios / "hindcast.toml").string());
    out.data26 = load_scenario((kScenarios / "baseline.toml").string());
    out.r = run(out.sc);
    out.range26 = ranges(kScenarios / "data" / "countries_sources.csv", "it_mw");
    return out;
  }();
  return h;
}

TEST(Hindcast, RunsFrom2024To2026OnItsOwnDataForTheSameCountries) {
  const auto& h = hindcast();
  const auto& p = h.sc.params;
  EXPECT_EQ(p.sim.start_year, 2024.0);
  EXPECT_EQ(p.sim.end_year, 2026.0);
  EXPECT_EQ(h.data26.params.sim.start_year, 2026.0);  // the data it is compared with
  EXPECT_NE(fs::path(h.sc.csv_path).filename(), fs::path(h.data26.csv_path).filename());
  ASSERT_EQ(p.countries.iso3, h.data26.params.countries.iso3);
  // It starts from its own 2024 state, not from the 2026 one: every country smaller.
  for (int i = 0; i < p.countries.size(); ++i)
    EXPECT_LT(p.countries.at(i, CountryParam::it_mw), h.data26.params.countries.at(i, CountryParam::it_mw))
        << p.countries.iso3[i];
}

TEST(Hindcast, EveryCountryWithinAFactorTwoOfThe2026Data) {
  const auto& h = hindcast();
  const auto& p = h.sc.params;
  const int end = p.sim.steps();
  for (int i = 0; i < p.countries.size(); ++i) {
    const double model = h.r[CountrySeries::it_mw](i, end);
    const double data = h.data26.params.countries.at(i, CountryParam::it_mw);
    EXPECT_GE(model, 0.5 * data) << p.countries.iso3[i] << ": hindcast " << model << " MW, data " << data;
    EXPECT_LE(model, 2.0 * data) << p.countries.iso3[i] << ": hindcast " << model << " MW, data " << data;
  }
}

TEST(Hindcast, EveryCountryWithinThe2026DataRangeButTheKnownMisses) {
  const auto& h = hindcast();
  const auto& p = h.sc.params;
  const int end = p.sim.steps();
  for (int i = 0; i < p.countries.size(); ++i) {
    const std::string& iso3 = p.countries.iso3[i];
    SCOPED_TRACE(iso3);
    ASSERT_TRUE(h.range26.count(iso3));
    const Range rg = h.range26.at(iso3);
    ASSERT_TRUE(std::isfinite(rg.low) && std::isfinite(rg.high));
    const double model = h.r[CountrySeries::it_mw](i, end);
    const int side = model < rg.low ? -1 : model > rg.high ? 1 : 0;
    const auto miss = kKnownMisses.find(iso3);
    EXPECT_EQ(side, miss == kKnownMisses.end() ? 0 : miss->second)
        << "hindcast " << model << " MW, 2026 range " << rg.low << "-" << rg.high
        << " (update kKnownMisses and docs/data-sources.md if this moved)";
  }
}

TEST(Hindcast, TotalWithinTheSumOfThe2026Ranges) {
  const auto& h = hindcast();
  const auto& p = h.sc.params;
  const int end = p.sim.steps();
  double model = 0.0, data = 0.0, low = 0.0, high = 0.0;
  for (int i = 0; i < p.countries.size(); ++i) {
    model += h.r[CountrySeries::it_mw](i, end);
    data += h.data26.params.countries.at(i, CountryParam::it_mw);
    low += h.range26.at(p.countries.iso3[i]).low;
    high += h.range26.at(p.countries.iso3[i]).high;
  }
  EXPECT_GE(model, low) << "hindcast total " << model << " MW, 2026 data " << data;
  EXPECT_LE(model, high) << "hindcast total " << model << " MW, 2026 data " << data;
}

}  // namespace
}  // namespace sovcap
