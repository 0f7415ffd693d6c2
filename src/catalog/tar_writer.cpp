#include "catalog/tar_writer.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

namespace clipdex {
namespace {

constexpr size_t kBlock = 512;
// ustar size field: 11 octal digits.
constexpr uint64_t kMaxMemberSize = (uint64_t{1} << 33) - 1;

struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using EntryPtr = std::unique_ptr<archive_entry, EntryFree>;

// libarchive's message ("Write error") plus the system's reason when there is one ("No space
// left on device"), so a full disk reads as one.
std::string ArchiveError(archive* a) {
  const char* why = archive_error_string(a);
  std::string out = why != nullptr ? why : "libarchive error";
  if (const int e = archive_errno(a); e > 0 && out.find(std::strerror(e)) == std::string::npos) {
    out += ": ";
    out += std::strerror(e);
  }
  return out;
}

}  // namespace

void TarWriter::ArchiveFree::operator()(archive* a) const { archive_write_free(a); }

uint64_t TarMemberBytes(uint64_t size) { return kBlock + (size + kBlock - 1) / kBlock * kBlock; }

Result<std::unique_ptr<TarWriter>> TarWriter::Create(const std::filesystem::path& path) {
  ArchivePtr a(archive_write_new());
  if (!a) return Status::Error("cannot create " + path.string() + ": out of memory");
  // Plain ustar (no PAX extension headers, which carry times), 512-byte blocks and no padding of
  // the last block: the archive is the members and the two zero end blocks, nothing else.
  if (archive_write_set_format_ustar(a.get()) != ARCHIVE_OK ||
      archive_write_set_bytes_per_block(a.get(), static_cast<int>(kBlock)) != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(a.get(), 1) != ARCHIVE_OK ||
      archive_write_open_filename(a.get(), path.c_str()) != ARCHIVE_OK) {
    return Status::Error("cannot create " + path.string() + ": " + ArchiveError(a.get()));
  }
  return std::unique_ptr<TarWriter>(new TarWriter(path, std::move(a)));
}

Status TarWriter::WriteHeader(const std::string& name, uint64_t size) {
  if (!archive_) return Status::Error(path_.string() + ": already closed");
  if (name.empty() || name.size() > 100) {
    return Status::Error(path_.string() + ": member name '" + name + "' must be 1-100 bytes");
  }
  if (size > kMaxMemberSize) {
    return Status::Error(path_.string() + ": member " + name + " is larger than 8 GiB");
  }
  EntryPtr e(archive_entry_new());
  if (!e) return Status::Error(path_.string() + ": out of memory");
  // Every field that could differ between runs is fixed; no user or group names.
  archive_entry_set_pathname(e.get(), name.c_str());
  archive_entry_set_filetype(e.get(), AE_IFREG);
  archive_entry_set_perm(e.get(), 0644);
  archive_entry_set_uid(e.get(), 0);
  archive_entry_set_gid(e.get(), 0);
  archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
  archive_entry_set_mtime(e.get(), kTarMtime, 0);
  if (archive_write_header(archive_.get(), e.get()) != ARCHIVE_OK) {
    return Status::Error("cannot write " + path_.string() + ": " + ArchiveError(archive_.get()));
  }
  bytes_ += kBlock;
  return Status::Ok();
}

Status TarWriter::Write(const void* data, size_t n) {
  if (n > 0 && archive_write_data(archive_.get(), data, n) != static_cast<la_ssize_t>(n)) {
    return Status::Error("cannot write " + path_.string() + ": " + ArchiveError(archive_.get()));
  }
  bytes_ += n;
  return Status::Ok();
}

// libarchive pads each member to the block itself; the count keeps bytes_written() exact.
void TarWriter::CountPadding(uint64_t size) { bytes_ += (kBlock - size % kBlock) % kBlock; }

Status TarWriter::AddBytes(const std::string& name, std::string_view data) {
  if (Status s = WriteHeader(name, data.size()); !s.ok()) return s;
  if (Status s = Write(data.data(), data.size()); !s.ok()) return s;
  CountPadding(data.size());
  return Status::Ok();
}

Status TarWriter::AddFile(const std::string& name, const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::Error("cannot read " + file.string() + ": " + std::strerror(errno));
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(file, ec);
  if (ec) return Status::Error("cannot read " + file.string() + ": " + ec.message());
  if (Status s = WriteHeader(name, size); !s.ok()) return s;
  std::vector<char> buf(64 * 1024);
  uint64_t copied = 0;
  while (copied < size) {
    const auto want = static_cast<std::streamsize>(std::min<uint64_t>(buf.size(), size - copied));
    in.read(buf.data(), want);
    const auto got = static_cast<size_t>(in.gcount());
    if (got == 0) return Status::Error("cannot read " + file.string() + ": file shrank");
    if (Status s = Write(buf.data(), got); !s.ok()) return s;
    copied += got;
  }
  CountPadding(size);
  return Status::Ok();
}

Status TarWriter::Close() {
  if (!archive_) return Status::Error(path_.string() + ": already closed");
  ArchivePtr a = std::move(archive_);
  // Writes the two zero end blocks and closes the file.
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return Status::Error("cannot write " + path_.string() + ": " + ArchiveError(a.get()));
  }
  bytes_ += 2 * kBlock;
  return Status::Ok();
}

Status ReadTar(const std::filesystem::path& path,
               const std::function<bool(const std::string& name)>& want,
               const std::function<void(const std::string& name, uint64_t size,
                                        const std::string& data)>& fn) {
  const Status truncated = Status::Error(path.string() + ": not a complete tar archive");
  // libarchive accepts an archive that stops cleanly after a member; a complete one ends with
  // the two zero blocks, which is what tells a finished shard from one cut short.
  {
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    if (!f) return Status::Error("cannot read " + path.string() + ": " + std::strerror(errno));
    const auto end = static_cast<uint64_t>(f.tellg());
    if (end < 2 * kBlock || end % kBlock != 0) return truncated;
    std::array<char, 2 * kBlock> tail{};
    f.seekg(static_cast<std::streamoff>(end - tail.size()));
    if (!f.read(tail.data(), tail.size())) return truncated;
    if (!std::all_of(tail.begin(), tail.end(), [](char c) { return c == 0; })) return truncated;
  }
  struct ReadFree {
    void operator()(archive* a) const { archive_read_free(a); }
  };
  std::unique_ptr<archive, ReadFree> a(archive_read_new());
  if (!a) return Status::Error("cannot read " + path.string() + ": out of memory");
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 64 * 1024) != ARCHIVE_OK) {
    return Status::Error("cannot read " + path.string() + ": " + ArchiveError(a.get()));
  }
  archive_entry* e = nullptr;
  while (true) {
    const int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) return Status::Ok();
    if (r != ARCHIVE_OK) return truncated;
    const std::string name = archive_entry_pathname(e) != nullptr ? archive_entry_pathname(e) : "";
    const auto size = static_cast<uint64_t>(std::max<la_int64_t>(0, archive_entry_size(e)));
    std::string data;
    if (want(name)) {
      data.resize(static_cast<size_t>(size));
      if (size > 0 && archive_read_data(a.get(), data.data(), data.size()) !=
                          static_cast<la_ssize_t>(data.size())) {
        return truncated;
      }
    } else if (archive_read_data_skip(a.get()) != ARCHIVE_OK) {
      return truncated;
    }
    fn(name, size, data);
  }
}

}  // namespace clipdex
