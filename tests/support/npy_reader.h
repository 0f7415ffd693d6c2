// Test helper: reads a NumPy .npy file holding little-endian float32 ('<f4') in C order (format
// versions 1-3). Enough for reference embeddings; anything else is an error naming the file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "util/status.h"

namespace clipdex::testing {

struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

inline Result<NpyArray> ReadNpyFloat32(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(path.string() + ": cannot read");
  char magic[8];
  if (!in.read(magic, 8) || std::string(magic, 6) != "\x93NUMPY") {
    return Status::Error(path.string() + ": not a .npy file");
  }
  uint32_t header_len = 0;
  unsigned char len[4] = {0, 0, 0, 0};
  const int len_bytes = magic[6] == 1 ? 2 : 4;
  in.read(reinterpret_cast<char*>(len), len_bytes);
  for (int k = len_bytes - 1; k >= 0; --k) header_len = (header_len << 8) | len[k];
  std::string header(header_len, '\0');
  if (!in.read(header.data(), header_len)) return Status::Error(path.string() + ": short header");
  if (header.find("'descr': '<f4'") == std::string::npos ||
      header.find("'fortran_order': False") == std::string::npos) {
    return Status::Error(path.string() + ": not little-endian float32 in C order: " + header);
  }
  NpyArray a;
  const size_t open = header.find('(', header.find("'shape'"));
  const size_t close = header.find(')', open);
  std::string dims = header.substr(open + 1, close - open - 1);
  size_t pos = 0;
  while (pos < dims.size()) {
    size_t comma = dims.find(',', pos);
    std::string d = dims.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (d.find_first_of("0123456789") != std::string::npos) a.shape.push_back(std::stoll(d));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  int64_t count = 1;
  for (int64_t d : a.shape) count *= d;
  a.data.resize(static_cast<size_t>(count));
  if (!in.read(reinterpret_cast<char*>(a.data.data()),
               static_cast<std::streamsize>(count * sizeof(float)))) {
    return Status::Error(path.string() + ": truncated data");
  }
  return a;
}

}  // namespace clipdex::testing
