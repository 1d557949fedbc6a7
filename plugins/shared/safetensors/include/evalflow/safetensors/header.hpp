// The header of a .safetensors file (8-byte little-endian length, then a JSON object of tensor name ->
// {dtype, shape, data_offsets}), parsed and checked without trusting any number in it: a checkpoint is
// outside input, and a crafted header must give an error naming the file, never an out-of-bounds view.
#ifndef EVALFLOW_SAFETENSORS_HEADER_HPP
#define EVALFLOW_SAFETENSORS_HEADER_HPP

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace evalflow::safetensors {

struct TensorRecord {
  std::string name;
  std::string dtype;  // "F32", "F16", "BF16", "F64", "I64", "I32"
  std::vector<int64_t> shape;
  size_t offset = 0;  // from the start of the file
  size_t size = 0;    // bytes: the product of the shape times the dtype's size
};

// Bytes per element of a supported dtype; 0 for any other.
size_t dtype_size(std::string_view dtype);

// Every tensor of the file whose bytes are `file` (the whole mapping). Throws std::runtime_error starting
// with `path` for a short file, a header length beyond the file, malformed JSON, a missing or mistyped
// field, an unsupported dtype, a negative dimension, an element count that overflows, or data offsets that
// do not match the shape or leave the file.
std::vector<TensorRecord> parse_header(std::string_view file, const std::string& path);

}  // namespace evalflow::safetensors

#endif  // EVALFLOW_SAFETENSORS_HEADER_HPP
