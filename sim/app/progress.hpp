#pragma once
// The progress bar `sovcap run` draws on a terminal (stderr): runs done, rate and time left.

#include <chrono>
#include <cstddef>
#include <ostream>

namespace sovcap::app {

// Redraws one line in place ('\r'), at most ten times a second, and ends it with a newline
// once every run is done.
class ProgressBar {
 public:
  using Clock = std::chrono::steady_clock;
  ProgressBar(std::ostream& out, bool enabled, Clock::time_point start = Clock::now())
      : out_(out), enabled_(enabled), start_(start), last_(start) {}
  void update(long long done, long long total, long long done_at_start,
              Clock::time_point now = Clock::now());

 private:
  std::ostream& out_;
  bool enabled_;
  Clock::time_point start_, last_;
  std::size_t drawn_ = 0;  // characters of the line on screen, '\r' included
};

}  // namespace sovcap::app
