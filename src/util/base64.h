// Base64 (RFC 4648, standard alphabet, '=' padded) encoding of bytes, e.g. for data: URLs that
// carry JPEG frames to a VLM server.
#pragma once

#include <cstddef>
#include <string>

namespace clipdex {

std::string Base64Encode(const unsigned char* data, size_t size);

}  // namespace clipdex
