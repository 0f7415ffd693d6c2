#include "curate/codes_spill.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "util/temp_file.h"

namespace clipdex {

Result<CodesSpill> CodesSpill::Create(const std::filesystem::path& dir) {
  auto file = TempFile::Create(dir, "dedup-codes");
  if (!file.ok()) return file.status();
  const int fd = file->Release();
  std::FILE* f = fdopen(fd, "w+b");
  if (f == nullptr) {
    const int e = errno;
    close(fd);
    return Status::Error("cannot create a temporary file in " + dir.string() + " (" +
                         std::strerror(e) + ")");
  }
  return CodesSpill(f);
}

Status CodesSpill::Add(const ClipCodes& codes) {
  record_.assign(4, '\0');
  record_ += EncodeClipCodes(codes);
  const auto n = static_cast<uint32_t>(record_.size() - 4);
  for (int b = 0; b < 4; ++b) record_[b] = static_cast<char>((n >> (8 * b)) & 0xff);
  if (std::fwrite(record_.data(), 1, record_.size(), file_.get()) != record_.size()) {
    return Status::Error(std::string("cannot write the temporary codes file (") +
                         std::strerror(errno) + ")");
  }
  ++count_;
  bytes_ += record_.size();
  stored_ += codes.stored.size();
  queries_ += codes.queries.size() + codes.mirrored.size();
  return Status::Ok();
}

Status CodesSpill::ForEachBatch(const BatchFn& fn, size_t batch_bytes) const {
  const auto failed = [](const char* why) {
    return Status::Error(std::string("cannot read the temporary codes file (") + why + ")");
  };
  std::FILE* f = file_.get();
  if (std::fflush(f) != 0 || std::fseek(f, 0, SEEK_SET) != 0) return failed(std::strerror(errno));
  // Uninitialised (make_unique_for_overwrite): zeroing 64 MB three times a pass cost more than
  // reading a small spill. No larger than the file, so small spills stay cheap.
  size_t capacity = static_cast<size_t>(
      std::min<uint64_t>(std::max<size_t>(batch_bytes, 1 << 16), std::max<uint64_t>(bytes_, 1)));
  auto buffer = std::make_unique_for_overwrite<char[]>(capacity);
  std::vector<std::string_view> blobs;
  size_t have = 0;  // bytes in buffer
  size_t index = 0;
  uint64_t left = bytes_;
  while (left > 0 || have > 0) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(capacity - have, left));
    if (want > 0) {
      if (std::fread(buffer.get() + have, 1, want, f) != want) {
        return failed(std::feof(f) ? "shorter than written" : std::strerror(errno));
      }
      have += want;
      left -= want;
    }
    blobs.clear();
    size_t at = 0;
    while (have - at >= 4) {
      uint32_t n = 0;
      for (int b = 0; b < 4; ++b) {
        n |= uint32_t{static_cast<unsigned char>(buffer[at + b])} << (8 * b);
      }
      if (have - at - 4 < n) break;
      blobs.emplace_back(buffer.get() + at + 4, n);
      at += 4 + n;
    }
    if (blobs.empty()) {
      if (left == 0) return failed("truncated record");
      if (have == capacity) {
        // A record larger than the buffer (a clip has at most a few kB of codes): grow it.
        auto larger = std::make_unique_for_overwrite<char[]>(capacity * 2);
        std::memcpy(larger.get(), buffer.get(), have);
        buffer = std::move(larger);
        capacity *= 2;
      }
      continue;
    }
    if (Status st = fn(index, blobs); !st.ok()) return st;
    index += blobs.size();
    std::memmove(buffer.get(), buffer.get() + at, have - at);
    have -= at;
  }
  // Later Adds append.
  if (std::fseek(f, 0, SEEK_END) != 0) return failed(std::strerror(errno));
  return Status::Ok();
}

}  // namespace clipdex
