// The compact text form of a clip's CLIP image embedding (attribute `embedding.clip`, written by
// the aesthetic analyzer, read by `clipdex dedup --semantic`).
//
// Format: "i8:<D>:<scale>:<base64>" where <base64> (standard alphabet, '=' padded) holds D signed
// bytes q[k] and the value is q[k] * scale. The vector is L2-normalised before quantising and
// scale = max|v| / 127, so every component is within scale / 2 of its value: for D = 512 the
// decoded vector's cosine to the original is above 0.9999 (tests/analyze/clip_embedding_test.cpp
// checks >= 0.99). int8 rather than float16: 4/3 x D characters (683 for 512-d) instead of twice
// that, and cosine dedup does not need more precision.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace clipdex {

// v scaled to unit length; an all-zero (or empty) vector stays as it is.
std::vector<float> L2Normalised(std::vector<float> v);

// The text form of L2Normalised(embedding).
std::string EncodeClipEmbedding(const std::vector<float>& embedding);

// Parses the text form; the result is L2-normalised again (quantisation moves the length a
// little). Errors say what is wrong ("embedding.clip: ...").
Result<std::vector<float>> DecodeClipEmbedding(std::string_view text);

// Dot product of two vectors of equal length (their cosine when both are unit length).
double Dot(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace clipdex
