// SHA-256 (FIPS 180-4) of bytes or of a whole file, as lowercase hex, computed by OpenSSL's
// libcrypto (Debian's libssl-dev). Used to check that a model file is the one its manifest slot
// names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "util/status.h"

namespace clipdex {

std::string Sha256Hex(const void* data, size_t size);
// Reads the file in 1 MiB chunks. Fails with "<file>: cannot read".
Result<std::string> Sha256File(const std::filesystem::path& path);

}  // namespace clipdex
