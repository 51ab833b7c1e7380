// The partial file's crash safety. HDF5 rewrites its metadata in place when it flushes or
// closes a file, in no order a crash could survive: a process killed halfway leaves B-tree
// nodes that point past the end of the file. So HDF5 writes the partial through a file
// driver of ours that never changes a byte of the last saved state until the next one is
// whole on disk:
//   - bytes beyond the saved size go to the file at once (nothing saved refers to them);
//   - bytes within it are kept in memory, a page at a time, and read back from there;
//   - a save (checkpoint) syncs the new bytes, writes the kept pages and the new size to
//     PARTIAL.journal with a checksum, syncs it, copies the pages into the file, syncs it and
//     removes the journal.
// A crash before the journal is whole leaves the saved state untouched (the journal is
// discarded); one after leaves a journal that recover() copies in again. Either way the
// partial reads as of one save or the next, never as a mix. The driver also keeps the
// file descriptor open from creation to commit, so closing and reopening the file to free
// HDF5's memory never follows the path to another file.

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "sovcap/output/detail.hpp"

namespace sovcap::outfile {
namespace {

constexpr std::uint64_t kPage = 4096;
constexpr char kJournalMagic[8] = {'S', 'O', 'V', 'C', 'A', 'P', 'J', '1'};
constexpr char kJournalEnd[4] = {'E', 'N', 'D', '1'};

std::string errno_text() { return std::strerror(errno); }

void pread_all(int fd, unsigned char* buf, std::size_t size, std::uint64_t at) {
  while (size > 0) {
    const ssize_t n = ::pread(fd, buf, size, static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw OutputError("cannot read: " + errno_text());
    if (n == 0) {  // past the end: zeros, as HDF5's own drivers read
      std::memset(buf, 0, size);
      return;
    }
    buf += n;
    size -= static_cast<std::size_t>(n);
    at += static_cast<std::uint64_t>(n);
  }
}

bool pwrite_all(int fd, const unsigned char* buf, std::size_t size, std::uint64_t at) {
  while (size > 0) {
    const ssize_t n = ::pwrite(fd, buf, size, static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buf += n;
    size -= static_cast<std::size_t>(n);
    at += static_cast<std::uint64_t>(n);
  }
  return true;
}

template <typename T>
void append(Bytes& out, T v) {
  const auto* p = reinterpret_cast<const unsigned char*>(&v);
  out.insert(out.end(), p, p + sizeof v);
}

template <typename T>
bool take(const Bytes& in, std::size_t& at, T& v) {
  if (in.size() - at < sizeof v) return false;
  std::memcpy(&v, in.data() + at, sizeof v);
  at += sizeof v;
  return true;
}

void sync_folder_of(const std::string& path) {
  const int dir = ::open(folder_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

// ---- The HDF5 file driver ---------------------------------------------------------------

struct DriverInfo {
  CheckpointedFile* file;
};

struct Driver {
  H5FD_t pub;  // first: HDF5 sees a Driver* as an H5FD_t*
  CheckpointedFile* file;
  haddr_t eoa;
};

CheckpointedFile* of(const H5FD_t* f) { return reinterpret_cast<const Driver*>(f)->file; }

void* info_copy(const void* info) {
  void* copy = std::malloc(sizeof(DriverInfo));
  if (copy) std::memcpy(copy, info, sizeof(DriverInfo));
  return copy;
}
herr_t info_free(void* info) {
  std::free(info);
  return 0;
}
void* info_get(H5FD_t* f) {
  const DriverInfo info{of(f)};
  return info_copy(&info);
}

H5FD_t* driver_open(const char*, unsigned, hid_t fapl, haddr_t) {
  const auto* info = static_cast<const DriverInfo*>(H5Pget_driver_info(fapl));
  if (!info || !info->file) return nullptr;
  auto* d = new Driver{};
  d->file = info->file;
  d->eoa = 0;
  return &d->pub;
}
herr_t driver_close(H5FD_t* f) {  // the descriptor stays open: CheckpointedFile owns it
  delete reinterpret_cast<Driver*>(f);
  return 0;
}
int driver_cmp(const H5FD_t* a, const H5FD_t* b) {
  return of(a) < of(b) ? -1 : (of(a) > of(b) ? 1 : 0);
}
herr_t driver_query(const H5FD_t*, unsigned long* flags) {
  // As HDF5's sec2 driver, so that the file is laid out as it would be without this one.
  *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE |
           H5FD_FEAT_AGGREGATE_SMALLDATA | H5FD_FEAT_POSIX_COMPAT_HANDLE |
           H5FD_FEAT_DEFAULT_VFD_COMPATIBLE;
  return 0;
}
haddr_t driver_get_eoa(const H5FD_t* f, H5FD_mem_t) { return reinterpret_cast<const Driver*>(f)->eoa; }
herr_t driver_set_eoa(H5FD_t* f, H5FD_mem_t, haddr_t addr) {
  reinterpret_cast<Driver*>(f)->eoa = addr;
  of(f)->set_eoa(addr);
  return 0;
}
haddr_t driver_get_eof(const H5FD_t* f, H5FD_mem_t) { return of(f)->size(); }
herr_t driver_get_handle(H5FD_t* f, hid_t, void** handle) {
  *handle = of(f)->descriptor();
  return 0;
}
herr_t driver_read(H5FD_t* f, H5FD_mem_t, hid_t, haddr_t addr, size_t size, void* buf) {
  return of(f)->read(addr, size, static_cast<unsigned char*>(buf)) ? 0 : -1;
}
herr_t driver_write(H5FD_t* f, H5FD_mem_t, hid_t, haddr_t addr, size_t size, const void* buf) {
  return of(f)->write(addr, size, static_cast<const unsigned char*>(buf)) ? 0 : -1;
}
herr_t driver_flush(H5FD_t*, hid_t, hbool_t) { return 0; }  // saves are checkpoint()'s
herr_t driver_truncate(H5FD_t* f, hid_t, hbool_t) {
  const auto* d = reinterpret_cast<const Driver*>(f);
  return d->eoa == d->file->size() || d->file->resize(d->eoa) ? 0 : -1;
}
// As sec2 does: readers are kept out while the file is written (HDF5_USE_FILE_LOCKING=FALSE
// skips these); a file system without flock is no reason to fail.
herr_t driver_lock(H5FD_t* f, hbool_t rw) {
  const int fd = *static_cast<int*>(of(f)->descriptor());
  if (::flock(fd, (rw ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0) return 0;
  return errno == ENOSYS || errno == ENOLCK || errno == EOPNOTSUPP ? 0 : -1;
}
herr_t driver_unlock(H5FD_t* f) {
  ::flock(*static_cast<int*>(of(f)->descriptor()), LOCK_UN);
  return 0;
}

const H5FD_class_t kDriverClass = {
    "sovcap_checkpointed", static_cast<haddr_t>((std::uint64_t{1} << 62) - 1), H5F_CLOSE_WEAK,
    nullptr, nullptr, nullptr, nullptr, sizeof(DriverInfo), info_get, info_copy, info_free, 0,
    nullptr, nullptr, driver_open, driver_close, driver_cmp, driver_query, nullptr, nullptr,
    nullptr, driver_get_eoa, driver_set_eoa, driver_get_eof, driver_get_handle, driver_read,
    driver_write, driver_flush, driver_truncate, driver_lock, driver_unlock, H5FD_FLMAP_DICHOTOMY};

// Registered once per process; HDF5 keeps the registry.
hid_t driver_id() {
  static const hid_t id = H5FDregister(&kDriverClass);
  return id;
}

// ---- The journal ------------------------------------------------------------------------

struct Journal {
  std::uint64_t size = 0;  // the file's size after the save
  std::vector<std::pair<std::uint64_t, Bytes>> pages;
};

// A whole, checksummed journal, or nothing.
std::optional<Journal> read_journal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const Bytes text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  constexpr std::size_t kTrailer = sizeof(std::uint32_t) + sizeof kJournalEnd;
  if (text.size() < sizeof kJournalMagic + kTrailer ||
      std::memcmp(text.data(), kJournalMagic, sizeof kJournalMagic) != 0 ||
      std::memcmp(text.data() + text.size() - sizeof kJournalEnd, kJournalEnd, sizeof kJournalEnd) != 0)
    return std::nullopt;
  const std::size_t body = text.size() - kTrailer;
  std::uint32_t crc = 0;
  std::memcpy(&crc, text.data() + body, sizeof crc);
  if (crc != static_cast<std::uint32_t>(crc32(0L, text.data(), static_cast<uInt>(body))))
    return std::nullopt;
  Journal j;
  std::size_t at = sizeof kJournalMagic;
  std::uint64_t count = 0;
  if (!take(text, at, j.size) || !take(text, at, count)) return std::nullopt;
  for (std::uint64_t k = 0; k < count; ++k) {
    std::uint64_t addr = 0, len = 0;
    if (!take(text, at, addr) || !take(text, at, len) || len > body - at) return std::nullopt;
    j.pages.emplace_back(addr, Bytes(text.begin() + static_cast<std::ptrdiff_t>(at),
                                     text.begin() + static_cast<std::ptrdiff_t>(at + len)));
    at += len;
  }
  if (at != body) return std::nullopt;
  return j;
}

}  // namespace

CheckpointedFile::CheckpointedFile(const std::string& path, bool create) : path_(path) {
  fd_ = ::open(path.c_str(), create ? O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC : O_RDWR | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw OutputError("cannot " + std::string(create ? "create" : "open") + " file " + path + ": " +
                      errno_text());
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    ::close(fd_);
    throw OutputError("cannot read the size of " + path + ": " + errno_text());
  }
  size_ = saved_ = static_cast<std::uint64_t>(st.st_size);
  if (const char* hook = std::getenv("SOVCAP_TEST_KILL_IN_FLUSH")) kill_at_ = std::atol(hook);
}

CheckpointedFile::~CheckpointedFile() {
  if (fd_ >= 0) ::close(fd_);
}

h5::Handle CheckpointedFile::access() {
  h5::Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  const DriverInfo info{this};
  if (!fapl || driver_id() < 0 || H5Pset_driver(fapl.get(), driver_id(), &info) < 0)
    throw OutputError("cannot set up the file driver for " + path_);
  return fapl;
}

void CheckpointedFile::opened() {
  // Bytes past the saved end of file left by a process killed between saves: nothing
  // refers to them, so they need no protection.
  if (pages_.empty() && eoa_ > 0 && eoa_ < saved_) saved_ = eoa_;
}

void CheckpointedFile::step() {
  if (kill_at_ > 0 && ++steps_ == kill_at_) std::raise(SIGKILL);
}

Bytes& CheckpointedFile::page(std::uint64_t index) {
  auto it = pages_.find(index);
  if (it != pages_.end()) return it->second;
  Bytes p(kPage);
  const std::uint64_t at = index * kPage;
  pread_all(fd_, p.data(), static_cast<std::size_t>(std::min(kPage, saved_ - at)), at);
  return pages_.emplace(index, std::move(p)).first->second;
}

bool CheckpointedFile::read(std::uint64_t addr, std::size_t size, unsigned char* buf) {
  try {
    pread_all(fd_, buf, size, addr);
    for (auto it = pages_.lower_bound(addr / kPage); it != pages_.end() && it->first * kPage < addr + size; ++it) {
      const std::uint64_t from = std::max(addr, it->first * kPage);
      const std::uint64_t to = std::min({addr + size, (it->first + 1) * kPage, saved_});
      if (from < to)
        std::memcpy(buf + (from - addr), it->second.data() + (from - it->first * kPage), to - from);
    }
    return true;
  } catch (const OutputError&) {
    return false;
  }
}

bool CheckpointedFile::write(std::uint64_t addr, std::size_t size, const unsigned char* buf) {
  if (saving_) step();
  try {
    const std::uint64_t end = addr + size;
    for (std::uint64_t at = addr; at < std::min(end, saved_);) {
      const std::uint64_t index = at / kPage;
      const std::uint64_t to = std::min({end, (index + 1) * kPage, saved_});
      std::memcpy(page(index).data() + (at - index * kPage), buf + (at - addr), to - at);
      at = to;
    }
    if (end > saved_) {
      const std::uint64_t from = std::max(addr, saved_);
      if (!pwrite_all(fd_, buf + (from - addr), end - from, from)) return false;
    }
    size_ = std::max(size_, end);
    return true;
  } catch (const OutputError&) {
    return false;
  }
}

bool CheckpointedFile::resize(std::uint64_t size) {
  // Within the saved state the file only shrinks at the next save.
  if (::ftruncate(fd_, static_cast<off_t>(std::max(size, saved_))) != 0) return false;
  size_ = size;
  return true;
}

void CheckpointedFile::checkpoint() {
  const std::string fail = "cannot save " + path_ + ": ";
  step();
  if (::fdatasync(fd_) != 0) throw OutputError(fail + "cannot sync it: " + errno_text());
  step();
  struct stat st {};
  if (::fstat(fd_, &st) != 0) throw OutputError(fail + errno_text());
  if (!pages_.empty() || static_cast<std::uint64_t>(st.st_size) != size_) {
    Bytes j(kJournalMagic, kJournalMagic + sizeof kJournalMagic);
    append<std::uint64_t>(j, size_);
    append<std::uint64_t>(j, pages_.size());
    for (const auto& [index, bytes] : pages_) {
      const std::uint64_t len = std::min(kPage, saved_ - index * kPage);
      append<std::uint64_t>(j, index * kPage);
      append<std::uint64_t>(j, len);
      j.insert(j.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(len));
    }
    append<std::uint32_t>(j, static_cast<std::uint32_t>(crc32(0L, j.data(), static_cast<uInt>(j.size()))));
    j.insert(j.end(), kJournalEnd, kJournalEnd + sizeof kJournalEnd);
    const std::string journal = journal_path(path_);
    const int jfd = ::open(journal.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (jfd < 0) throw OutputError(fail + "cannot create " + journal + ": " + errno_text());
    const std::size_t half = j.size() / 2;
    const bool written = pwrite_all(jfd, j.data(), half, 0) && (step(), true) &&
                         pwrite_all(jfd, j.data() + half, j.size() - half, half) && ::fdatasync(jfd) == 0;
    const int err = errno;
    ::close(jfd);
    if (!written) throw OutputError(fail + "cannot write " + journal + ": " + std::strerror(err));
    sync_folder_of(journal);
    step();
    for (const auto& [index, bytes] : pages_) {
      const std::uint64_t len = std::min(kPage, saved_ - index * kPage);
      if (!pwrite_all(fd_, bytes.data(), static_cast<std::size_t>(len), index * kPage))
        throw OutputError(fail + "cannot write it: " + errno_text());
      step();
    }
    if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0 || ::fdatasync(fd_) != 0)
      throw OutputError(fail + "cannot sync it: " + errno_text());
    step();
    ::unlink(journal.c_str());
    step();
  }
  pages_.clear();
  saved_ = size_;
  saving_ = false;
}

void CheckpointedFile::rename_to(const std::string& path) { path_ = path; }

bool CheckpointedFile::is_at(const std::string& path) const {
  struct stat a {}, b {};
  return ::fstat(fd_, &a) == 0 && ::stat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev &&
         a.st_ino == b.st_ino;
}

std::string journal_path(const std::string& partial) { return partial + ".journal"; }

Recovery recover(const std::string& partial) {
  const std::string journal = journal_path(partial);
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(journal, ec))) return Recovery::none;
  const std::optional<Journal> j = read_journal(journal);
  if (j) {
    // A whole journal: the save was under way; finish it (again, if it was half done).
    const int fd = ::open(partial.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) throw OutputError("cannot finish the last save of " + partial + ": " + errno_text());
    bool ok = true;
    for (const auto& [addr, bytes] : j->pages) ok = ok && pwrite_all(fd, bytes.data(), bytes.size(), addr);
    ok = ok && ::ftruncate(fd, static_cast<off_t>(j->size)) == 0 && ::fdatasync(fd) == 0;
    const int err = errno;
    ::close(fd);
    if (!ok) throw OutputError("cannot finish the last save of " + partial + ": " + std::strerror(err));
  }
  // A torn journal: the save had not begun to change the file, which is as of the save before.
  if (::unlink(journal.c_str()) != 0)
    throw OutputError("cannot remove " + journal + ": " + errno_text());
  return j ? Recovery::finished : Recovery::discarded;
}

}  // namespace sovcap::outfile
