// The progress bar of `sovcap run` (sim/app/progress.hpp), read as a terminal shows it.

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "progress.hpp"

using sovcap::app::ProgressBar;

namespace {

// What a terminal shows of a stream of '\r'-redrawn lines: each '\r' returns to column 0,
// and text written there overwrites what was on the line, leaving the rest.
std::string shown(const std::string& stream) {
  std::string screen, line;
  std::size_t col = 0;
  for (char ch : stream) {
    if (ch == '\r') {
      col = 0;
    } else if (ch == '\n') {
      screen += line + "\n";
      line.clear();
      col = 0;
    } else {
      if (col < line.size())
        line[col] = ch;
      else
        line += ch;
      ++col;
    }
  }
  return screen + line;
}

}  // namespace

// At 100% the ETA of the line before is gone (it was left behind as "...TA 0:00:00").
TEST(ProgressBar, FinalLineLeavesNothingOfTheLineBefore) {
  std::ostringstream out;
  const auto t0 = ProgressBar::Clock::now();
  ProgressBar bar(out, true, t0);
  bar.update(99990, 100000, 0, t0 + std::chrono::seconds(3));
  EXPECT_NE(out.str().find("ETA 0:00:00"), std::string::npos) << out.str();
  bar.update(100000, 100000, 0, t0 + std::chrono::milliseconds(3001));
  const std::string screen = shown(out.str());
  EXPECT_EQ(screen.find("0:00:00"), std::string::npos) << screen;
  EXPECT_NE(screen.find("100000/100000 runs"), std::string::npos) << screen;
  EXPECT_EQ(screen.back(), '\n');
}

TEST(ProgressBar, DisabledPrintsNothing) {
  std::ostringstream out;
  ProgressBar bar(out, false);
  bar.update(1, 2, 0);
  bar.update(2, 2, 0);
  EXPECT_TRUE(out.str().empty());
}
