// RANDOM-WEIGHT stand-ins for user-supplied image models, written as ONNX bytes at test time:
// [1,3,S,S] -> AveragePool (S/7)x(S/7) -> Flatten [1,147] -> MatMul [147,D] -> [1,D]. They check
// a slot's plumbing (contract, shapes, dtype, latency, an analyzer's wiring); their outputs mean
// nothing.
#pragma once

#include <random>
#include <string>

#include "onnx_writer.h"

namespace clipdex::testing {

inline OnnxGraph RandomPooledProjectionGraph(int outputs, int side, const std::string& input,
                                             const std::string& output, unsigned seed,
                                             float weight_scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0, weight_scale);
  std::vector<float> w(147 * outputs);
  for (float& v : w) v = n(rng);
  OnnxGraph g;
  g.inputs = {{input, {1, 3, side, side}}};
  g.outputs = {{output, {1, outputs}}};
  g.initializers = {{"W", {147, outputs}, w}};
  g.nodes = {
      {"AveragePool",
       {input},
       {"pooled"},
       {{"kernel_shape", {side / 7, side / 7}, true}, {"strides", {side / 7, side / 7}, true}}},
      {"Flatten", {"pooled"}, {"flat"}, {{"axis", {1}, false}}},
      {"MatMul", {"flat", "W"}, {output}, {}}};
  return g;
}

// A CLIP image encoder stand-in (slot clip_image): [1,3,224,224] -> [1,dims].
inline OnnxGraph RandomClipGraph(int dims, int side = 224) {
  return RandomPooledProjectionGraph(dims, side, "pixel_values", "image_embeds", 42);
}

// A CLIP text encoder stand-in (slot clip_text): token ids int64 [1,77] -> Cast to float ->
// MatMul by a random [77,dims] matrix -> [1,dims]. Texts with different tokens get different
// embeddings; the values mean nothing.
inline OnnxGraph RandomClipTextGraph(int dims, unsigned seed = 7) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0, 1);
  std::vector<float> w(77 * static_cast<size_t>(dims));
  for (float& v : w) v = n(rng);
  OnnxGraph g;
  g.inputs = {{"input_ids", {1, 77}}};
  g.int64_inputs = {"input_ids"};
  g.outputs = {{"text_embeds", {1, dims}}};
  g.initializers = {{"W", {77, dims}, w}};
  g.nodes = {{"Cast", {"input_ids"}, {"ids"}, {{"to", {1}, false}}},
             {"MatMul", {"ids", "W"}, {"text_embeds"}, {}}};
  return g;
}

}  // namespace clipdex::testing
