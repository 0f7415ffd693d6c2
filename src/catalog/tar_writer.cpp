#include "catalog/tar_writer.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

namespace clipdex {
namespace {

constexpr size_t kBlock = 512;
// ustar size field: 11 octal digits.
constexpr uint64_t kMaxMemberSize = (uint64_t{1} << 33) - 1;

// Writes `value` as zero-padded octal of width-1 digits plus a NUL into field[0..width).
void Octal(char* field, size_t width, uint64_t value) {
  field[width - 1] = '\0';
  for (size_t i = width - 1; i-- > 0;) {
    field[i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
}

}  // namespace

uint64_t TarMemberBytes(uint64_t size) { return kBlock + (size + kBlock - 1) / kBlock * kBlock; }

Result<std::unique_ptr<TarWriter>> TarWriter::Create(const std::filesystem::path& path) {
  FilePtr f(std::fopen(path.c_str(), "wb"));
  if (!f) return Status::Error("cannot create " + path.string() + ": " + std::strerror(errno));
  return std::make_unique<TarWriter>(path, std::move(f));
}

Status TarWriter::Write(const void* data, size_t n) {
  if (!file_) return Status::Error(path_.string() + ": already closed");
  if (std::fwrite(data, 1, n, file_.get()) != n) {
    return Status::Error("cannot write " + path_.string() + ": " + std::strerror(errno));
  }
  bytes_ += n;
  return Status::Ok();
}

Status TarWriter::Pad(uint64_t size) {
  static const std::array<char, kBlock> kZeros{};
  size_t rest = static_cast<size_t>((kBlock - size % kBlock) % kBlock);
  return rest ? Write(kZeros.data(), rest) : Status::Ok();
}

Status TarWriter::WriteHeader(const std::string& name, uint64_t size) {
  if (name.empty() || name.size() > 100) {
    return Status::Error(path_.string() + ": member name '" + name + "' must be 1-100 bytes");
  }
  if (size > kMaxMemberSize) {
    return Status::Error(path_.string() + ": member " + name + " is larger than 8 GiB");
  }
  std::array<char, kBlock> h{};
  std::memcpy(h.data(), name.data(), name.size());  // name[100]
  Octal(h.data() + 100, 8, 0644);                   // mode
  Octal(h.data() + 108, 8, 0);                      // uid
  Octal(h.data() + 116, 8, 0);                      // gid
  Octal(h.data() + 124, 12, size);                  // size
  Octal(h.data() + 136, 12, static_cast<uint64_t>(kTarMtime));
  h[156] = '0';                             // typeflag: regular file
  std::memcpy(h.data() + 257, "ustar", 6);  // magic "ustar\0"
  std::memcpy(h.data() + 263, "00", 2);     // version
  // Checksum: sum of all header bytes with the checksum field taken as 8 spaces.
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (char c : h) sum += static_cast<unsigned char>(c);
  Octal(h.data() + 148, 7, sum);  // six digits, NUL, then the space already there
  return Write(h.data(), h.size());
}

Status TarWriter::AddBytes(const std::string& name, std::string_view data) {
  if (Status s = WriteHeader(name, data.size()); !s.ok()) return s;
  if (Status s = Write(data.data(), data.size()); !s.ok()) return s;
  return Pad(data.size());
}

Status TarWriter::AddFile(const std::string& name, const std::filesystem::path& file) {
  FilePtr in(std::fopen(file.c_str(), "rb"));
  if (!in) return Status::Error("cannot read " + file.string() + ": " + std::strerror(errno));
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(file, ec);
  if (ec) return Status::Error("cannot read " + file.string() + ": " + ec.message());
  if (Status s = WriteHeader(name, size); !s.ok()) return s;
  std::vector<char> buf(64 * 1024);
  uint64_t copied = 0;
  while (copied < size) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), size - copied));
    size_t got = std::fread(buf.data(), 1, want, in.get());
    if (got == 0) return Status::Error("cannot read " + file.string() + ": file shrank");
    if (Status s = Write(buf.data(), got); !s.ok()) return s;
    copied += got;
  }
  return Pad(size);
}

Status TarWriter::Close() {
  static const std::array<char, 2 * kBlock> kEnd{};
  if (Status s = Write(kEnd.data(), kEnd.size()); !s.ok()) return s;
  std::FILE* f = file_.release();
  if (std::fclose(f) != 0) {
    return Status::Error("cannot write " + path_.string() + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

Status ReadTar(const std::filesystem::path& path,
               const std::function<bool(const std::string& name)>& want,
               const std::function<void(const std::string& name, uint64_t size,
                                        const std::string& data)>& fn) {
  TarWriter::FilePtr f(std::fopen(path.c_str(), "rb"));
  if (!f) return Status::Error("cannot read " + path.string() + ": " + std::strerror(errno));
  const Status truncated = Status::Error(path.string() + ": not a complete tar archive");
  std::array<char, kBlock> h{};
  while (true) {
    if (std::fread(h.data(), 1, kBlock, f.get()) != kBlock) return truncated;
    if (std::all_of(h.begin(), h.end(), [](char c) { return c == 0; })) {
      // End of archive: a second zero block follows.
      if (std::fread(h.data(), 1, kBlock, f.get()) != kBlock) return truncated;
      return Status::Ok();
    }
    const std::string name(h.data(), strnlen(h.data(), 100));
    uint64_t size = 0;
    for (size_t i = 124; i < 124 + 11 && h[i] >= '0' && h[i] <= '7'; ++i) {
      size = size * 8 + static_cast<uint64_t>(h[i] - '0');
    }
    const uint64_t padded = (size + kBlock - 1) / kBlock * kBlock;
    std::string data;
    if (want(name)) {
      data.resize(static_cast<size_t>(size));
      if (size > 0 && std::fread(data.data(), 1, data.size(), f.get()) != data.size()) {
        return truncated;
      }
      if (std::fseek(f.get(), static_cast<long>(padded - size), SEEK_CUR) != 0) return truncated;
    } else if (std::fseek(f.get(), static_cast<long>(padded), SEEK_CUR) != 0) {
      return truncated;
    }
    fn(name, size, data);
  }
}

}  // namespace clipdex
