// Writes small ONNX models byte by byte (protobuf wire format), so tests can build a model at
// test time without Python or the onnx package. Only what the tests need: float tensors, a few
// operators with int/ints attributes, fixed shapes. Field numbers follow onnx/onnx.proto.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace clipdex::testing {

// Protobuf wire-format writer: varints, length-delimited fields, packed repeated fields.
class ProtoWriter {
 public:
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      bytes_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    bytes_.push_back(static_cast<char>(v));
  }
  void Tag(int field, int wire_type) { Varint((static_cast<uint64_t>(field) << 3) | wire_type); }
  void Int(int field, int64_t v) {
    Tag(field, 0);
    Varint(static_cast<uint64_t>(v));
  }
  void Bytes(int field, const std::string& b) {
    Tag(field, 2);
    Varint(b.size());
    bytes_ += b;
  }
  void Message(int field, const ProtoWriter& m) { Bytes(field, m.bytes_); }
  void PackedInts(int field, const std::vector<int64_t>& v) {
    ProtoWriter p;
    for (int64_t x : v) p.Varint(static_cast<uint64_t>(x));
    Bytes(field, p.bytes_);
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

struct OnnxAttribute {
  std::string name;
  std::vector<int64_t> ints;  // one value -> INT attribute unless `is_list`
  bool is_list = false;
};

struct OnnxNode {
  std::string op_type;
  std::vector<std::string> inputs, outputs;
  std::vector<OnnxAttribute> attributes;
};

struct OnnxFloatTensor {
  std::string name;
  std::vector<int64_t> dims;
  std::vector<float> values;
};

struct OnnxGraph {
  std::vector<OnnxNode> nodes;
  std::vector<OnnxFloatTensor> initializers;
  std::vector<std::pair<std::string, std::vector<int64_t>>> inputs, outputs;  // float32 values
  std::vector<std::string> int64_inputs;  // names among `inputs` that hold int64 values instead
  int opset = 13;
};

inline ProtoWriter OnnxValueInfo(const std::string& name, const std::vector<int64_t>& shape,
                                 int elem_type = 1 /* FLOAT; 7 = INT64 */) {
  ProtoWriter dims;
  for (int64_t d : shape) {
    ProtoWriter dim;
    dim.Int(1, d);  // Dimension.dim_value
    dims.Message(1, dim);
  }
  ProtoWriter tensor_type;
  tensor_type.Int(1, elem_type);
  tensor_type.Message(2, dims);
  ProtoWriter type;
  type.Message(1, tensor_type);  // TypeProto.tensor_type
  ProtoWriter info;
  info.Bytes(1, name);
  info.Message(2, type);
  return info;
}

// The serialized ModelProto (IR version 8) of `graph`.
inline std::string SerializeOnnxModel(const OnnxGraph& graph) {
  ProtoWriter g;
  for (const OnnxNode& n : graph.nodes) {
    ProtoWriter node;
    for (const auto& i : n.inputs) node.Bytes(1, i);
    for (const auto& o : n.outputs) node.Bytes(2, o);
    node.Bytes(4, n.op_type);
    for (const OnnxAttribute& a : n.attributes) {
      ProtoWriter attr;
      attr.Bytes(1, a.name);
      if (a.is_list) {
        attr.PackedInts(8, a.ints);
        attr.Int(20, 7);  // AttributeType INTS
      } else {
        attr.Int(3, a.ints.at(0));
        attr.Int(20, 2);  // AttributeType INT
      }
      node.Message(5, attr);
    }
    g.Message(1, node);
  }
  g.Bytes(2, "clipdex_test_graph");
  for (const OnnxFloatTensor& t : graph.initializers) {
    ProtoWriter tensor;
    tensor.PackedInts(1, t.dims);
    tensor.Int(2, 1);  // data_type FLOAT
    tensor.Bytes(8, t.name);
    std::string raw(t.values.size() * sizeof(float), '\0');
    std::memcpy(raw.data(), t.values.data(), raw.size());  // little-endian, as ONNX wants
    tensor.Bytes(9, raw);
    g.Message(5, tensor);
  }
  for (const auto& [name, shape] : graph.inputs) {
    const bool int64 = std::find(graph.int64_inputs.begin(), graph.int64_inputs.end(), name) !=
                       graph.int64_inputs.end();
    g.Message(11, OnnxValueInfo(name, shape, int64 ? 7 : 1));
  }
  for (const auto& [name, shape] : graph.outputs) g.Message(12, OnnxValueInfo(name, shape));
  ProtoWriter opset;
  opset.Bytes(1, "");
  opset.Int(2, graph.opset);
  ProtoWriter model;
  model.Int(1, 8);  // ir_version
  model.Bytes(2, "clipdex-tests");
  model.Message(7, g);
  model.Message(8, opset);
  return model.bytes();
}

inline void WriteOnnxModel(const OnnxGraph& graph, const std::filesystem::path& path) {
  std::ofstream(path, std::ios::binary) << SerializeOnnxModel(graph);
}

}  // namespace clipdex::testing
