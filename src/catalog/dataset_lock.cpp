#include "catalog/dataset_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

namespace clipdex {
namespace {

// Reads the holder's pid from the lock file through our own descriptor. The holder may not have
// written it yet (it locks first, then writes), hence "unknown" rather than an error.
std::string ReadHolderPid(int fd) {
  char buf[32] = {};
  ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
  if (n <= 0) return "unknown";
  std::string text(buf, static_cast<size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return "unknown";
  return text;
}

}  // namespace

Result<DatasetLock> DatasetLock::Acquire(const std::filesystem::path& dataset_dir, Mode mode) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dataset_dir, ec)) {
    return Status::Error("dataset directory " + dataset_dir.string() + " does not exist");
  }
  std::filesystem::path path = dataset_dir / ".lock";
  // O_CLOEXEC: a child exec'd by the holder (ffmpeg, a VLM server) must not keep the lock alive.
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::Error("cannot lock dataset " + dataset_dir.string() + ": " +
                         std::strerror(errno));
  }
  DatasetLock lock(fd, path);  // owns fd from here on, so every error path closes it
  int rc;
  do {
    rc = flock(fd, (mode == Mode::kShared ? LOCK_SH : LOCK_EX) | LOCK_NB);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    if (errno == EWOULDBLOCK) {
      return Status::Error("dataset " + dataset_dir.string() +
                           " is in use by another clipdex process (pid " + ReadHolderPid(fd) + ")");
    }
    return Status::Error("cannot lock dataset " + dataset_dir.string() + ": " +
                         std::strerror(errno));
  }
  std::string pid = std::to_string(getpid()) + "\n";
  // Best effort: the pid only improves the message a refused acquirer prints.
  if (ftruncate(fd, 0) == 0) {
    [[maybe_unused]] ssize_t n = pwrite(fd, pid.data(), pid.size(), 0);
  }
  return lock;
}

DatasetLock::DatasetLock(DatasetLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

DatasetLock& DatasetLock::operator=(DatasetLock&& other) noexcept {
  if (this != &other) {
    Release();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

DatasetLock::~DatasetLock() { Release(); }

void DatasetLock::Release() {
  // Closing the only descriptor of the open file description drops the flock.
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

}  // namespace clipdex
