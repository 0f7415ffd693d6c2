#include "util/temp_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace clipdex {
namespace {

constexpr size_t kBufferBytes = size_t{1} << 20;

Status WriteError() {
  return Status::Error(std::string("cannot write a temporary file (") + std::strerror(errno) + ")");
}

}  // namespace

Result<TempFile> TempFile::Create(const std::filesystem::path& dir, std::string_view stem) {
  std::string leaf = ".";
  leaf.append(stem).append("-XXXXXX");
  std::string name = (dir / leaf).string();
  const int fd = mkstemp(name.data());
  if (fd < 0) {
    return Status::Error("cannot create a temporary file in " + dir.string() + " (" +
                         std::strerror(errno) + ")");
  }
  unlink(name.c_str());  // gone with the last descriptor, however the process ends
  return TempFile(fd);
}

TempFile::TempFile(TempFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      written_(other.written_),
      buffer_(std::move(other.buffer_)) {}

TempFile& TempFile::operator=(TempFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    written_ = other.written_;
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

TempFile::~TempFile() {
  if (fd_ >= 0) close(fd_);
}

int TempFile::Release() { return std::exchange(fd_, -1); }

Status TempFile::Append(const void* data, size_t bytes) {
  buffer_.append(static_cast<const char*>(data), bytes);
  return buffer_.size() >= kBufferBytes ? Flush() : Status::Ok();
}

Status TempFile::Flush() {
  size_t at = 0;
  while (at < buffer_.size()) {
    const ssize_t n =
        pwrite(fd_, buffer_.data() + at, buffer_.size() - at, static_cast<off_t>(written_ + at));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return WriteError();
    at += static_cast<size_t>(n);
  }
  written_ += buffer_.size();
  buffer_.clear();
  return Status::Ok();
}

Status TempFile::ReadAt(void* out, size_t bytes, uint64_t offset) const {
  auto* p = static_cast<char*>(out);
  size_t at = 0;
  while (at < bytes) {
    const ssize_t n = pread(fd_, p + at, bytes - at, static_cast<off_t>(offset + at));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return Status::Error(std::string("cannot read a temporary file (") +
                           (n == 0 ? "shorter than written" : std::strerror(errno)) + ")");
    }
    at += static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace clipdex
