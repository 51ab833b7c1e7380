#include "progress.hpp"

#include <iomanip>
#include <sstream>
#include <string>

namespace sovcap::app {

void ProgressBar::update(long long done, long long total, long long done_at_start,
                         Clock::time_point now) {
  if (!enabled_) return;
  if (done < total && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double rate = secs > 0 ? static_cast<double>(done - done_at_start) / secs : 0.0;
  const int width = 30;
  const int filled = total > 0 ? static_cast<int>(width * done / total) : width;
  std::ostringstream os;
  os << "\r[" << std::string(static_cast<std::size_t>(filled), '#')
     << std::string(static_cast<std::size_t>(width - filled), '.') << "] " << done << "/" << total
     << " runs  " << std::fixed << std::setprecision(0) << rate << " runs/s";
  if (rate > 0 && done < total) {
    const auto left = static_cast<long long>(static_cast<double>(total - done) / rate);
    os << "  ETA " << left / 3600 << ":" << std::setw(2) << std::setfill('0') << (left / 60) % 60
       << ":" << std::setw(2) << left % 60;
  }
  // Blank out what a longer line before left (the ETA is gone at 100%).
  std::string line = os.str();
  const std::size_t length = line.size();
  if (length < drawn_) line.append(drawn_ - length, ' ');
  drawn_ = length;
  out_ << line << (done >= total ? "\n" : "") << std::flush;
}

}  // namespace sovcap::app
