#include "catalog/webdataset_writer.h"

#include <cctype>
#include <cstdio>

namespace clipdex {
namespace fs = std::filesystem;

Result<ShardLimit> ParseShardSize(const std::string& text) {
  auto bad = [&text]() {
    return Status::Error("--shard-size: expected N (clips) or N followed by KB, MB or GB, got '" +
                         text + "'");
  };
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 12) return bad();
  const uint64_t n = std::stoull(text.substr(0, digits));
  if (n == 0) return bad();
  std::string unit = text.substr(digits);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ShardLimit limit;
  if (unit.empty()) {
    limit.max_samples = static_cast<long>(n);
    return limit;
  }
  const uint64_t scale = unit == "KB"   ? 1000ull
                         : unit == "MB" ? 1000000ull
                         : unit == "GB" ? 1000000000ull
                                        : 0ull;
  if (scale == 0) return bad();
  limit.max_samples = 0;
  limit.max_bytes = n * scale;
  return limit;
}

std::string WebDatasetWriter::ShardName(int index) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "shard-%06d.tar", index);
  return buf;
}

Result<std::unique_ptr<WebDatasetWriter>> WebDatasetWriter::Create(const fs::path& dir,
                                                                   ShardLimit limit) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::Error("cannot create " + dir.string() + ": " + ec.message());
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("shard-", 0) == 0 && (name.ends_with(".tar") || name.ends_with(".partial"))) {
      return Status::Error(dir.string() +
                           " already holds shard-*.tar files; use an empty directory");
    }
  }
  if (ec) return Status::Error("cannot read " + dir.string() + ": " + ec.message());
  return std::make_unique<WebDatasetWriter>(dir, limit);
}

WebDatasetWriter::~WebDatasetWriter() = default;

Status WebDatasetWriter::CloseShard() {
  if (!tar_) return Status::Ok();
  std::unique_ptr<TarWriter> tar = std::move(tar_);
  if (Status s = tar->Close(); !s.ok()) return s;
  fs::path final_path = tar->path();
  final_path.replace_extension();  // drop ".partial"
  std::error_code ec;
  fs::rename(tar->path(), final_path, ec);
  if (ec) return Status::Error("cannot rename " + tar->path().string() + ": " + ec.message());
  return Status::Ok();
}

Status WebDatasetWriter::Add(const std::string& key, const std::vector<SampleMember>& members) {
  if (key.empty() || key.find_first_of("./") != std::string::npos) {
    return Status::Error("webdataset key '" + key + "' must be non-empty, without '.' or '/'");
  }
  uint64_t sample_bytes = 0;
  for (const auto& m : members) {
    std::error_code ec;
    uint64_t size = m.file.empty() ? m.bytes.size() : fs::file_size(m.file, ec);
    if (ec) return Status::Error("cannot read " + m.file.string() + ": " + ec.message());
    sample_bytes += TarMemberBytes(size);
  }
  if (tar_ && shard_samples_ > 0) {
    const bool full_by_count = limit_.max_samples > 0 && shard_samples_ >= limit_.max_samples;
    // 1024: the end-of-archive blocks the shard will still get.
    const bool full_by_size =
        limit_.max_bytes > 0 && tar_->bytes_written() + sample_bytes + 1024 > limit_.max_bytes;
    if (full_by_count || full_by_size) {
      if (Status s = CloseShard(); !s.ok()) return s;
    }
  }
  if (!tar_) {
    auto tar = TarWriter::Create(dir_ / (ShardName(shard_index_) + ".partial"));
    if (!tar.ok()) return tar.status();
    tar_ = std::move(tar.value());
    ++shard_index_;
    shard_samples_ = 0;
  }
  for (const auto& m : members) {
    const std::string name = key + "." + m.extension;
    Status s = m.file.empty() ? tar_->AddBytes(name, m.bytes) : tar_->AddFile(name, m.file);
    if (!s.ok()) return s;
  }
  ++shard_samples_;
  ++samples_;
  return Status::Ok();
}

Status WebDatasetWriter::Finish() { return CloseShard(); }

}  // namespace clipdex
