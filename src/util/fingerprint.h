// Content fingerprint of a file: recognises the same video after a rename or a move without
// hashing gigabytes. Reads the file size plus three 1 MiB windows (start, middle, end).
#pragma once

#include <filesystem>
#include <string>

#include "util/status.h"

namespace clipdex {

// "v1-<size hex>-<64-bit hash hex>"; errors name the reason ("permission denied").
Result<std::string> FingerprintFile(const std::filesystem::path& path);

}  // namespace clipdex
