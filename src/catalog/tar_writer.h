// TarWriter: POSIX ustar export shards written with libarchive (Debian's libarchive-dev). Only
// regular files, and every header field that could vary between runs is fixed (mtime kTarMtime,
// uid/gid 0, mode 0644, no user or group names, no PAX headers, no padding past the end blocks),
// so the same members in the same order give byte-identical archives. Streams: a member copied
// from a file goes through a 64 KiB buffer, never whole into memory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "util/status.h"

struct archive;

namespace clipdex {

// 2020-01-01T00:00:00Z: fixed for determinism, and not 0 so no tool calls it implausibly old.
inline constexpr int64_t kTarMtime = 1577836800;

// Bytes one member of `size` bytes takes in the archive: header + data padded to 512.
uint64_t TarMemberBytes(uint64_t size);

// Reads a ustar archive (as TarWriter writes them) member by member: `fn(name, size, data)`
// where `data` is the member's bytes when want(name) said so, else empty. Error when the file
// cannot be read or is not a complete archive (a header or data cut short, no end blocks).
Status ReadTar(
    const std::filesystem::path& path, const std::function<bool(const std::string& name)>& want,
    const std::function<void(const std::string& name, uint64_t size, const std::string& data)>& fn);

class TarWriter {
 public:
  // Creates (truncates) `path`. Error: "cannot create X: <reason>".
  static Result<std::unique_ptr<TarWriter>> Create(const std::filesystem::path& path);
  ~TarWriter() = default;
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  // Names are plain relative names up to 100 bytes (longer ones are an error: no PAX headers).
  Status AddBytes(const std::string& name, std::string_view data);
  Status AddFile(const std::string& name, const std::filesystem::path& file);
  // Writes the two zero end blocks and closes the file; the archive is complete only after this.
  Status Close();

  uint64_t bytes_written() const { return bytes_; }
  const std::filesystem::path& path() const { return path_; }

  struct ArchiveFree {
    void operator()(archive* a) const;
  };
  using ArchivePtr = std::unique_ptr<archive, ArchiveFree>;

 private:
  TarWriter(std::filesystem::path path, ArchivePtr a)
      : path_(std::move(path)), archive_(std::move(a)) {}
  Status WriteHeader(const std::string& name, uint64_t size);
  Status Write(const void* data, size_t n);
  void CountPadding(uint64_t size);

  std::filesystem::path path_;
  ArchivePtr archive_;
  uint64_t bytes_ = 0;
};

}  // namespace clipdex
