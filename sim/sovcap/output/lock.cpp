#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "sovcap/output/detail.hpp"

namespace sovcap::outfile {
namespace {

std::string first_line_of(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

// The start of process `pid` in clock ticks since boot (field 22 of /proc/PID/stat), "" where
// there is no /proc. With the boot id it tells a live owner from a new process that was
// given the same pid.
std::string process_start(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');  // the command name may hold spaces and parentheses
  if (close == std::string::npos) return "";
  std::istringstream rest(text.substr(close + 1));
  std::string field;
  for (int k = 3; k <= 22 && rest >> field; ++k)
    if (k == 22) return field;
  return "";
}

// Who holds a lock: the fields of its file, "key value" a line.
struct Holder {
  long pid = 0;
  std::string host, boot_id, proc_start, started;
};

Holder read_holder(int fd) {
  std::string text;
  char buf[1024];
  ssize_t n;
  while ((n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(text.size()))) > 0 && text.size() < 8192)
    text.append(buf, static_cast<std::size_t>(n));
  Holder h;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto sp = line.find(' ');
    if (sp == std::string::npos) continue;
    const std::string key = line.substr(0, sp), value = line.substr(sp + 1);
    if (key == "pid") h.pid = std::atol(value.c_str());
    else if (key == "host") h.host = value;
    else if (key == "boot_id") h.boot_id = value;
    else if (key == "proc_start") h.proc_start = value;
    else if (key == "started") h.started = value;
  }
  return h;
}

// Whether the holder is certainly gone: it ran on this host, and since then the machine
// rebooted, or its pid is free or now names a process that started at another time.
bool provably_dead(const Holder& h, const std::string& my_boot_id) {
  if (h.pid <= 0 || h.host.empty() || h.host != host_name()) return false;
  if (!h.boot_id.empty() && !my_boot_id.empty() && h.boot_id != my_boot_id) return true;
  if (::kill(static_cast<pid_t>(h.pid), 0) != 0 && errno == ESRCH) return true;
  return !h.proc_start.empty() && h.boot_id == my_boot_id && process_start(h.pid) != h.proc_start;
}

bool same_file(int fd, const std::string& path) {
  struct stat a {}, b {};
  return ::fstat(fd, &a) == 0 && ::stat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev &&
         a.st_ino == b.st_ino;
}

// flock where the file system has it; false only when another process holds it.
bool try_flock(int fd) {
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return true;
  return errno != EWOULDBLOCK;
}

// Writes the lock's text to a hidden file beside it and links that to the lock's name, so
// the lock appears whole or not at all: a process killed between an O_EXCL create and its
// write would leave an empty lock that nothing could prove stale. Returns the descriptor
// (flock taken where the file system has it), or -1 with errno (EEXIST: taken). Where the
// file system has no hard links, falls back to O_EXCL on the name itself.
int create_lock(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const bool linkable = fd >= 0;
  if (!linkable) fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return -1;
  try_flock(fd);
  if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    const int err = errno;
    ::unlink((linkable ? tmp : path).c_str());
    ::close(fd);
    errno = err;
    return -1;
  }
  if (!linkable) return fd;
  const int linked = ::link(tmp.c_str(), path.c_str());
  const int err = errno;
  ::unlink(tmp.c_str());
  if (linked == 0) return fd;
  ::close(fd);
  if (err == EPERM || err == ENOSYS || err == EOPNOTSUPP) {  // no hard links here
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    try_flock(fd);
    if (::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size())) return fd;
    const int werr = errno;
    ::unlink(path.c_str());
    ::close(fd);
    errno = werr;
    return -1;
  }
  errno = err;
  return -1;
}

}  // namespace

OutputLock::OutputLock(const std::string& output) : path_(output + kLockSuffix) {
  const std::string boot_id = first_line_of("/proc/sys/kernel/random/boot_id");
  std::ostringstream text;
  text << "pid " << ::getpid() << "\nhost " << host_name() << "\nboot_id " << boot_id
       << "\nproc_start " << process_start(::getpid()) << "\nstarted " << utc_now_iso8601() << "\n";
  for (int attempt = 0; attempt < 5; ++attempt) {
    fd_ = create_lock(path_, text.str());
    if (fd_ >= 0) return;
    if (errno != EEXIST)
      throw OutputError("cannot write " + output + ": cannot create the lock file " + path_ +
                        ": " + std::strerror(errno));
    const int other = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
    if (other < 0) continue;  // released meanwhile: try again
    const bool unlocked = try_flock(other);
    const Holder h = read_holder(other);
    // Taken over only from an owner that is certainly gone, and only while the name still
    // names the file inspected (another process may have taken it over meanwhile).
    if (unlocked && provably_dead(h, boot_id) && same_file(other, path_)) {
      ::unlink(path_.c_str());
      ::close(other);
      continue;
    }
    ::close(other);
    std::ostringstream why;
    why << output << " is being written by another process";
    if (h.pid > 0) why << " (pid " << h.pid << " on host " << (h.host.empty() ? "?" : h.host)
                       << ", started " << (h.started.empty() ? "?" : h.started) << ")";
    why << "; lock file " << path_ << ". Wait for it to finish or stop it; if no such process "
        << "is running any more, delete " << path_;
    throw OutputRefused(why.str());
  }
  throw OutputError("cannot write " + output + ": cannot take the lock file " + path_ +
                    ": it keeps changing hands");
}

OutputLock::~OutputLock() { release(); }

void OutputLock::release() noexcept {
  if (fd_ < 0) return;
  // Only our own lock file: never one that replaced it under the same name.
  if (same_file(fd_, path_)) ::unlink(path_.c_str());
  ::close(fd_);
  fd_ = -1;
}

}  // namespace sovcap::outfile
