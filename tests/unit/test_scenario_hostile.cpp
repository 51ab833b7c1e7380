// Scenario loading on hostile input (issue 16, items 8-10, 12 and 13): what crashed, hung
// or printed the wrong thing before is refused with a located error, and what is large
// but valid loads.

#include <sys/stat.h>

#include <string>
#include <vector>

#include "scenario_support.hpp"

using namespace sovcap;
using namespace sovcap::testing;

namespace {

std::string korea(const std::string& name_line = "name = \"Korea\"") {
  std::string k = kKorea;
  return "[country.KOR]\n" + name_line + k.substr(k.find('\n'));
}

// ---- what toml11 does not survive ------------------------------------------------------

TEST_F(ScenarioTest, DeepNestingIsRefusedBeforeTheParser) {
  // 10,000 '[' overflowed toml11's recursion (SIGSEGV), in a file and in --set.
  const std::string deep = "a = " + std::string(10000, '[') + "\n";
  const auto ds = errors(write("s.toml", deep));
  EXPECT_TRUE(has(ds, path("s.toml"), 1, "", {"nests arrays and tables 65 deep", "at most 64"}))
      << describe(ds);
  EXPECT_EQ(ds.front().column, 5 + 64);
  const std::string ok = write("ok.toml", korea());
  EXPECT_TRUE(has(errors(ok, {"country.KOR.pue=" + std::string(10000, '[')}), "--set", 0,
                  "country.KOR.pue", {"(character 65 of the value)", "at most 64"}));
  // So do 100,000 dotted key parts and 10,000 entries of one inline table (each costs
  // toml11 the line's length).
  std::string dotted = "a";
  for (int i = 0; i < 100000; ++i) dotted += ".a";
  EXPECT_TRUE(has(errors(write("d.toml", dotted + " = 1\n")), path("d.toml"), 1, "",
                  {"a dotted key of more than 64 parts"}));
  std::string wide = "a = {";
  for (int i = 0; i < 10000; ++i) wide += (i ? ", k" : "k") + std::to_string(i) + " = 1";
  EXPECT_TRUE(has(errors(write("w.toml", wide + "}\n")), path("w.toml"), 1, "",
                  {"an inline table of more than 256 entries", "write a [table] instead"}));
  // Nesting inside strings and comments is text, not nesting.
  EXPECT_NO_THROW(load_scenario(write("t.toml", "# " + std::string(100, '[') + "\n" +
                                                    korea("name = \"" + std::string(100, '{') +
                                                          "\""))));
}

TEST_F(ScenarioTest, InvalidUtf8IsRefusedAtItsLineAndColumn) {
  // toml11 read past its buffer on this and pointed at column 230.
  auto ds = errors(write("s.toml", korea() + "a = '\x9e'\n"));
  EXPECT_TRUE(has(ds, path("s.toml"), 9, "", {"byte 0x9E is not UTF-8"})) << describe(ds);
  EXPECT_EQ(ds.front().column, 6);
  write("c.csv", std::string(kCsvHeader) + "\nKOR,K\xC3\x28rea,55,100,50,2e9,2000,\n");
  ds = errors(write("c.toml", "[countries]\ndata = \"c.csv\"\n"));
  EXPECT_TRUE(has(ds, path("c.csv"), 2, "", {"byte 0xC3 is not UTF-8"})) << describe(ds);
  EXPECT_EQ(ds.front().column, 6);
  const std::string ok = write("ok.toml", korea());
  EXPECT_TRUE(has(errors(ok, {"country.KOR.name=\"\xff\""}), "--set", 0, "",
                  {"byte 0xFF (character 19 of the value) is not UTF-8"}));
}

// ---- values in range whose trends are not ------------------------------------------------

// A scheduled growth is held to the same bound at its point that moves the level furthest:
// 5 a year from 2030 would overflow as a constant 5 does; a scheduled level has no trend.
TEST_F(ScenarioTest, ScheduledGrowthsThatLeaveTheRangeAreRefused) {
  const std::string sim = "[simulation]\nstart_year = 1900.0\nend_year = 2300.0\ndt = 1.0\n";
  auto ds = errors(write("s.toml", sim + "[global]\nvendor_supply = 1e11\n"
                                         "vendor_supply_growth = [[1900, 0.1], [2030, 5]]\n" + korea()));
  EXPECT_TRUE(has(ds, path("s.toml"), 7, "global.vendor_supply_growth",
                  {"vendor_supply_growth = 5 a year leaves the range 1e-60 .. 1e60"}))
      << describe(ds);
  load_scenario(write("ok.toml", sim + "[global]\nvendor_supply = [[1900, 1e11], [2300, 1e3]]\n"
                                       "vendor_supply_growth = 5\n" + korea()));
}

TEST_F(ScenarioTest, TrendsThatLeaveTheirRangeOverTheHorizonAreRefused) {
  // vendor_supply reached inf (and NaN through inf * 0) while every value was in range.
  const std::string sim = "[simulation]\nstart_year = 1900.0\nend_year = 2300.0\ndt = 1.0\n";
  auto ds = errors(write("s.toml", sim + "[global]\nvendor_supply = 1e11\nvendor_supply_growth = 5\n" +
                                       korea()));
  // 1e11 * 6^(y - 1900) passes 1e60 at y = 1900 + 49 / log10(6) = 1962.97.
  EXPECT_TRUE(has(ds, path("s.toml"), 7, "global.vendor_supply_growth",
                  {"vendor_supply = 1e+11 changing by vendor_supply_growth = 5 a year leaves the "
                   "range 1e-60 .. 1e60 in year 1962", "reaches 1e322"}))
      << describe(ds);
  // Shrinking trends too (a chip's power toward 0 makes chip counts overflow), and the
  // countries' own: each reported where its growth is given.
  ds = errors(write("k.toml", sim + "[global]\naccel_kw_growth = -0.5\n" + korea() +
                                  "budget_growth = 5.0\n"));
  EXPECT_TRUE(has(ds, path("k.toml"), 6, "global.accel_kw_growth",
                  {"accel_kw = 2 (built-in default) changing by accel_kw_growth = -0.5"}))
      << describe(ds);
  EXPECT_TRUE(has(ds, path("k.toml"), 15, "country.KOR.budget_growth", {"budget_usd_per_year = 2000000000 changing by budget_growth = 5"}))
      << describe(ds);
  // The same values over the usual horizon are fine, and so is a zero level.
  const Scenario sc = load_scenario(
      write("ok.toml", "[global]\nvendor_supply = 0.0\nvendor_supply_growth = 5\naccel_kw_growth = -0.5\n" +
                           korea() + "budget_growth = 5.0\n"));
  EXPECT_DOUBLE_EQ(sc.params.global[GlobalParam::vendor_supply_growth], 5.0);
  // A sampled growth is checked at the ends of its distribution, each country's level
  // with it.
  ds = errors(write("u.toml", sim + "[global]\nvendor_supply = 1e11\n" + korea() +
                                  "[sweep]\nsamples = 4\n[sweep.uncertain]\n"
                                  "\"global.vendor_supply_growth\" = {dist = \"uniform\", low = 0.0, high = 5.0}\n"
                                  "\"country.*.budget_growth\" = {dist = \"triangular\", low = 0.0, mode = 0.1, high = 4.0}\n"));
  EXPECT_TRUE(has(ds, path("u.toml"), 18, "sweep.uncertain.\"global.vendor_supply_growth\"",
                  {"at 5, an end of the distribution: vendor_supply = 1e+11 changing by"}))
      << describe(ds);
  EXPECT_TRUE(has(ds, path("u.toml"), 19, "sweep.uncertain.\"country.*.budget_growth\"",
                  {"an end of the distribution for KOR: budget_usd_per_year = 2000000000 changing by budget_growth = 3.99"}))
      << describe(ds);
}

// ---- data files that are not files -----------------------------------------------------

TEST_F(ScenarioTest, DataFilesMustBeRegularFilesOfBoundedSize) {
  // /dev/zero read until memory ran out; a FIFO without a writer blocked forever.
  const std::string fifo = path("fifo.csv");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& data : {std::string("/dev/zero"), fifo}) {
    const auto ds = errors(write("s.toml", "[countries]\ndata = \"" + data + "\"\n"));
    EXPECT_TRUE(has(ds, path("s.toml"), 2, "countries.data",
                    {"cannot read '" + data + "'", "not a regular file"}))
        << describe(ds);
  }
  const std::string big = write("big.csv", "");
  fs::resize_file(big, 16u * 1024 * 1024 + 1);
  const auto ds = errors(write("b.toml", "[countries]\ndata = \"big.csv\"\n"));
  EXPECT_TRUE(has(ds, path("b.toml"), 2, "countries.data",
                  {"16777217 bytes", "up to 16 MiB"}))
      << describe(ds);
}

// ---- size: linear where it was quadratic -----------------------------------------------

TEST_F(ScenarioTest, TenThousandShocksOnOneLineLoad) {
  // 1,000 took 1.6 s and 10,000 over a minute: toml11 scans back to the line's start for
  // each value. A problem after them is still located at its column on that line.
  std::string shocks;
  for (int i = 0; i < 10000; ++i)
    shocks += (i ? ", " : "") + std::string("{start = 2027.0, end = 2027.5, factor = 0.99}");
  const std::string head = "[global]\nsupply_shocks = [";
  const Scenario sc = load_scenario(write("s.toml", head + shocks + "]\n" + korea()));
  ASSERT_EQ(sc.params.global.supply_shocks.size(), 10000u);
  EXPECT_DOUBLE_EQ(sc.params.global.supply_shocks.back().factor, 0.99);

  const std::string bad = shocks + ", {start = 2027.0, end = 2028.0, factor = -1}";
  auto ds = errors(write("b.toml", head + bad + "]\n" + korea()));
  EXPECT_TRUE(has(ds, path("b.toml"), 2, "global.supply_shocks[10000].factor",
                  {"factor = -1 is out of range"}))
      << describe(ds);
  EXPECT_EQ(static_cast<std::size_t>(ds.front().column),
            std::string("supply_shocks = [").size() + bad.rfind("-1") + 1);
  ds = errors(write("x.toml", head + shocks + " x]\n" + korea()));
  EXPECT_TRUE(has(ds, path("x.toml"), 2, "", {"TOML syntax error"})) << describe(ds);
  EXPECT_EQ(static_cast<std::size_t>(ds.front().column),
            std::string("supply_shocks = [").size() + shocks.size() + 2);
}

TEST_F(ScenarioTest, SweepOfTooManyRunsIsRefusedBeforeItsLeverValuesAreLoaded) {
  // Two levers of 100k values each hung: each value was loaded as a scenario first.
  std::string a, b;
  for (int i = 1; i <= 100000; ++i) {
    a += (i > 1 ? ", " : "") + std::to_string(i) + ".0";
    b += (i > 1 ? ", " : "") + std::to_string(i);
  }
  const auto ds = errors(write("s.toml", korea() + "[sweep.levers]\n\"global.vendor_supply\" = [" +
                                             a + "]\n\"global.other_demand\" = [" + b + "]\n"));
  EXPECT_TRUE(has(ds, path("s.toml"), -1, "sweep.samples",
                  {"1e+10 runs: allowed at most 1e9 runs in a sweep"}))
      << describe(ds);
  // Below that, a lever of very many values is refused itself: each is loaded as a scenario.
  EXPECT_TRUE(has(ds, path("s.toml"), 10, "sweep.levers.\"global.vendor_supply\"",
                  {"100000 alternatives: allowed at most 100 per lever"}))
      << describe(ds);
}

// ---- messages ----------------------------------------------------------------------------

TEST_F(ScenarioTest, ControlCharactersInNamesAreRefused) {
  // A terminal escape was printed raw and \u0000 cut the name short without a word.
  for (const char* esc : {"\\u001b[2J", "\\u0000", "\\t", "\\u009b"}) {
    const auto ds = errors(write("s.toml", korea(std::string("name = \"Ko") + esc + "rea\"")));
    EXPECT_TRUE(has(ds, path("s.toml"), 2, "country.KOR.name",
                    {"the name holds the control character U+00", "allowed printable text"}))
        << esc << describe(ds);
  }
  write("c.csv", std::string(kCsvHeader) + "\nKOR,Ko\x1b[31mrea,55,100,50,2e9,2000,\n");
  auto ds = errors(write("c.toml", "[countries]\ndata = \"c.csv\"\n"));
  EXPECT_TRUE(has(ds, path("c.csv"), 2, "country.KOR.name", {"control character U+001B"}))
      << describe(ds);
  ds = errors(write("n.toml", "[countries]\ndata = \"c.csv\\u0000.txt\"\n"));
  EXPECT_TRUE(has(ds, path("n.toml"), 2, "countries.data", {"the file name holds"}))
      << describe(ds);
  // Whatever a message quotes, it prints no control character.
  ds = errors(write("k.toml", korea() + "\"x\\u001b[2J\" = 1\n"));
  for (const auto& d : ds)
    EXPECT_EQ(format_diagnostic(d).find('\x1b'), std::string::npos) << format_diagnostic(d);
  EXPECT_NE(format_diagnostic(ds.front()).find("x\\x1B[2J"), std::string::npos) << describe(ds);
}

TEST_F(ScenarioTest, ADataFileThatIsNoCsvIsNotQuoted) {
  // The first line of /etc/shadow went into the message.
  write("shadow", "root:$6$secret-hash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n");
  auto ds = errors(write("s.toml", "[countries]\ndata = \"shadow\"\n"));
  ASSERT_EQ(ds.size(), 1u) << describe(ds);
  EXPECT_TRUE(has(ds, path("shadow"), 1, "", {"not a countries CSV", "header row naming iso3"}));
  EXPECT_EQ(describe(ds).find("secret"), std::string::npos) << describe(ds);
  ds = errors(write("g.toml", "[global]\ndata = \"shadow\"\n" + korea()));
  EXPECT_TRUE(has(ds, path("shadow"), 1, "", {"not a global-defaults CSV"})) << describe(ds);
  EXPECT_EQ(describe(ds).find("secret"), std::string::npos) << describe(ds);
}

TEST_F(ScenarioTest, CrOnlyLineEndsAreNamed) {
  // They were reported as "empty file" (the first comment line swallowed the file).
  write("c.csv", "# comment\r" + std::string(kCsvHeader) + "\rKOR,Korea,55,100,50,2e9,2000,\r");
  const auto ds = errors(write("s.toml", "[countries]\ndata = \"c.csv\"\n"));
  EXPECT_TRUE(has(ds, path("c.csv"), 1, "", {"CR-only line ends", "allowed LF or CRLF"}))
      << describe(ds);
  EXPECT_EQ(ds.front().column, 10);
}

TEST_F(ScenarioTest, OverflowingLiteralsAreShownAsWritten) {
  // They were shown clamped, as 9223372036854775807 and 1.797693135e+308.
  const std::string f = write("s.toml", "[simulation]\nseed = 99_999_999_999_999_999_999\n" +
                                            korea() + "pue = -1e999\n");
  const auto ds = errors(f);
  EXPECT_TRUE(has(ds, path("s.toml"), 2, "simulation.seed",
                  {"99_999_999_999_999_999_999 overflows a 64-bit integer"}))
      << describe(ds);
  EXPECT_TRUE(has(ds, path("s.toml"), 11, "country.KOR.pue", {"-1e999 overflows a double"}))
      << describe(ds);
  const std::string ok = write("ok.toml", korea());
  EXPECT_TRUE(has(errors(ok, {"global.vendor_supply=0x1_0000_0000_0000_0000"}), "--set", 0,
                  "global.vendor_supply", {"0x1_0000_0000_0000_0000 overflows a 64-bit"}));
  EXPECT_TRUE(has(errors(ok, {"country.KOR.targets=[[2030, 1e400]]"}), "--set", 0,
                  "country.KOR.targets[0][1]", {"1e400 overflows a double"}));
  // The largest values that fit are values, not overflows.
  EXPECT_TRUE(has(errors(ok, {"simulation.seed=9223372036854775807"}), "--set", 0,
                  "simulation.seed", {"seed = 9223372036854775807 is out of range"}));
}

}  // namespace
