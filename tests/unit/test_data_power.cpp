// Data set 2 (issue 14, DATA_AUDIT.md rows 7 and 8): the contracted power of the grid queues
// and the dated Gulf export licences, checked on the shipped baseline against the values read
// straight from the data files (docs/data-sources.md, section 10).

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support.hpp"

#include "sovcap/model.hpp"
#include "sovcap/results.hpp"
#include "sovcap/scenario.hpp"

namespace sovcap {
namespace {

namespace fs = std::filesystem;
const fs::path kScenarios = fs::path(SOVCAP_SOURCE_DIR) / "scenarios";
const fs::path kCountries = kScenarios / "data" / "countries.csv";

RunResult run(const Scenario& sc) { return testing::simulate(sc.params); }

// The cell of `column` in the row of `iso3` of countries.csv, as text ("" when empty).
std::string csv_cell(const std::string& iso3, const std::string& column) {
  std::ifstream in(kCountries);
  std::vector<std::string> header;
  auto split = [](const std::string& s) {
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (char ch : s) {
      if (ch == '"') quoted = !quoted;
      else if (ch == ',' && !quoted) cells.emplace_back();
      else cells.back() += ch;
    }
    return cells;
  };
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto cells = split(line);
    if (header.empty()) { header = cells; continue; }
    if (cells[0] != iso3) continue;
    for (std::size_t k = 0; k < header.size() && k < cells.size(); ++k)
      if (header[k] == column) return cells[k];
  }
  ADD_FAILURE() << "no " << iso3 << "/" << column << " in " << kCountries;
  return "";
}

// A CSV schedule cell "YEAR:VALUE;YEAR:VALUE", parsed here on its own (not by the loader).
struct Point {
  double year, value;
};
std::vector<Point> points(const std::string& cell) {
  std::vector<Point> out;
  std::size_t at = 0;
  while (at < cell.size()) {
    const std::size_t end = std::min(cell.find(';', at), cell.size());
    const std::string piece = cell.substr(at, end - at);
    const std::size_t colon = piece.find(':');
    out.push_back({std::stod(piece.substr(0, colon)), std::stod(piece.substr(colon + 1))});
    at = end + 1;
  }
  return out;
}

// A real schedule's value at t: flat before the first and after the last point, linear
// between (docs/model.md, section 7a).
double value_at(const std::vector<Point>& s, double t) {
  if (t <= s.front().year) return s.front().value;
  for (std::size_t k = 0; k + 1 < s.size(); ++k)
    if (t < s[k + 1].year)
      return s[k].value +
             (s[k + 1].value - s[k].value) * (t - s[k].year) / (s[k + 1].year - s[k].year);
  return s.back().value;
}

// Each queued arrival is in the country's grid power from the end of the step its year falls
// in (a = floor((year - start) / dt), in grid_mw at index a + 1), and not before. Until a grid
// request made at the start could have arrived (index grid_lead/dt + 1), the grid holds
// exactly grid_mw plus the arrivals so far; after that at least that much. For the USA (grid_mw
// 29,000, arrivals 2,500 / 5,150 / 5,250 / 8,000 / 8,000 in 2026.5, 2027, 2028, 2029, 2030) the
// grid is 31,500 from 2026.75, 36,650 from 2027.25, 41,900 from 2028.25, 49,900 from 2029.25
// and at least 57,900 from 2030.25 (the first requests arrive then too).
TEST(DataPower, EveryQueuedArrivalIsInTheGridInItsYear) {
  const auto sc = load_scenario((kScenarios / "baseline.toml").string());
  const auto r = run(sc);
  const auto& sim = sc.params.sim;
  int queues = 0;
  for (const std::string iso3 : {"USA", "GBR", "DEU", "NLD"}) {
    SCOPED_TRACE(iso3);
    const auto queue = points(csv_cell(iso3, "grid_queue"));
    ASSERT_FALSE(queue.empty());
    ++queues;
    const int i = sc.params.countries.find(iso3);
    ASSERT_GE(i, 0);
    const double grid0 = std::stod(csv_cell(iso3, "grid_mw"));
    const int first_request =
        static_cast<int>(std::lround(std::stod(csv_cell(iso3, "grid_lead_years")) / sim.dt)) + 1;
    for (int k = 0; k <= sim.steps(); ++k) {
      double expected = grid0;
      for (const Point& p : queue)
        if (static_cast<int>(std::floor((p.year - sim.start_year) / sim.dt + 1e-9)) + 1 <= k)
          expected += p.value;
      const double grid = r[CountrySeries::grid_mw](i, k);
      if (k < first_request) EXPECT_NEAR(grid, expected, 1e-9 * expected) << "index " << k;
      else EXPECT_GE(grid, expected * (1.0 - 1e-12)) << "index " << k;
    }
  }
  EXPECT_EQ(queues, 4);
}

// The Gulf's vendor chips stay within their dated licences: the rate received over each step
// is at most the licence read at the step's start (tier2_cap's schedule in countries.csv:
// SAU 35,000/yr, ARE 42,500/yr in 2026, both 100,000/yr from 2027). HUMAIN's and G42's 2026
// licences are one-off amounts, so what each gets over 2026 is at most that amount. And the
// licences decide the Gulf: each country is held at its licence (received = cap) in some step.
TEST(DataPower, GulfVendorChipsStayWithinTheirDatedLicences) {
  const auto sc = load_scenario((kScenarios / "baseline.toml").string());
  const auto r = run(sc);
  const auto& sim = sc.params.sim;
  for (const std::string iso3 : {"SAU", "ARE"}) {
    SCOPED_TRACE(iso3);
    const int i = sc.params.countries.find(iso3);
    ASSERT_GE(i, 0);
    ASSERT_EQ(std::stod(csv_cell(iso3, "export_tier")), 2.0);
    const auto licence = points(csv_cell(iso3, "tier2_cap"));
    ASSERT_FALSE(licence.empty());
    double in_2026 = 0.0;
    int held = 0;
    for (int n = 1; n <= sim.steps(); ++n) {
      const double t = sim.time(n - 1);
      const double cap = value_at(licence, t);
      const double got = r[CountrySeries::chip_received](i, n);
      EXPECT_LE(got, cap * (1.0 + 1e-12)) << "step from " << t;
      if (t < 2027.0) in_2026 += got * sim.dt;
      if (got >= cap * (1.0 - 1e-9)) ++held;
    }
    EXPECT_LE(in_2026, licence.front().value * (1.0 + 1e-12));
    EXPECT_GT(held, 0);
  }
}

// Capacity at the start of `year` (annual points of the quarterly record).
double it_at(const RunResult& r, const SimulationSettings& sim, int i, double year) {
  const int k = static_cast<int>(std::lround((year - sim.start_year) / sim.dt));
  return r[CountrySeries::it_mw](i, k);
}

// With the queue the USA grows every year to its final target (2032): the audit's freeze at
// 36 GW over 2029-2031 (grid_mw alone, 45,000 / 1.25) is gone. Without the queue and the
// on-site orders (grid_queue = 0, onsite_add_mw_per_year = 0: only the 29,000 MW connected at
// the start) it stands still at 29,000 / 1.25 = 23,200 MW from 2029 until the first grid
// requests arrive in 2030.25 (measured: 23,200 in 2029, 2030 and 2031): the check is not one
// that passes whatever the data.
TEST(DataPower, TheUsaNoLongerStallsWithItsQueue) {
  const auto sc = load_scenario((kScenarios / "baseline.toml").string());
  const auto& sim = sc.params.sim;
  const int usa = sc.params.countries.find("USA");
  ASSERT_GE(usa, 0);
  const auto r = run(sc);
  for (int year = 2027; year < 2032; ++year) {
    SCOPED_TRACE(year);
    EXPECT_GT(it_at(r, sim, usa, year + 1), it_at(r, sim, usa, year) + 1000.0);
  }
  EXPECT_DOUBLE_EQ(it_at(r, sim, usa, 2032), 58000.0);  // the 2031 target, in service

  const std::vector<std::string> no_bridge = {"country.USA.grid_queue=0",
                                              "country.USA.onsite_add_mw_per_year=0"};
  const auto bare = load_scenario((kScenarios / "baseline.toml").string(), no_bridge);
  const auto b = run(bare);
  int flat = 0;
  for (int year = 2027; year < 2031; ++year)
    if (it_at(b, sim, usa, year + 1) < it_at(b, sim, usa, year) + 1000.0) ++flat;
  EXPECT_GE(flat, 2);
  EXPECT_NEAR(it_at(b, sim, usa, 2030), 29000.0 / 1.25, 1e-6);
}

// export_controls.toml keeps the Gulf's 2026 licences (SAU 35,000, ARE 42,500 a year) through
// 2026 and caps every tier-2 country at the diffusion-rule 13,300 a year from 2027.0: its
// [country.SAU] and [country.ARE] tier2_cap replace the data set's 100,000 a year from 2027.
// India is tier 1 through 2026 (no cap) and tier 2 from 2027.0.
TEST(DataPower, ExportControlsScenarioReplacesTheGulfLicences) {
  const auto sc = load_scenario((kScenarios / "export_controls.toml").string());
  const auto r = run(sc);
  const auto& sim = sc.params.sim;
  struct Licence {
    std::string iso3;
    double until_2027;  // the most a year before 2027.0; 0: no cap
  };
  for (const Licence& c : {Licence{"SAU", 35000.0}, Licence{"ARE", 42500.0}, Licence{"IND", 0.0}}) {
    SCOPED_TRACE(c.iso3);
    const int i = sc.params.countries.find(c.iso3);
    ASSERT_GE(i, 0);
    double before = 0.0, after = 0.0;
    for (int n = 1; n <= sim.steps(); ++n) {
      const double t = sim.time(n - 1);  // the step from t to t + dt
      double& most = t < 2027.0 - 1e-9 ? before : after;
      most = std::max(most, r[CountrySeries::chip_received](i, n));
    }
    EXPECT_LE(after, 13300.0 * (1.0 + 1e-12));
    EXPECT_GT(after, 0.0);
    // Through 2026 the licence is more than the rule's: the Gulf's is the data set's (and
    // used above 13,300), India's none (tier 1).
    EXPECT_GT(before, 13300.0 * 1.5);
    if (c.until_2027 > 0.0) {
      EXPECT_LE(before, c.until_2027 * (1.0 + 1e-12));
    }
  }
}

}  // namespace
}  // namespace sovcap
