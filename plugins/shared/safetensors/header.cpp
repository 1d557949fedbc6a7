#include <evalflow/safetensors/header.hpp>

#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace evalflow::safetensors {

namespace {

bool multiply_overflows(size_t a, size_t b, size_t& product) {
  return __builtin_mul_overflow(a, b, &product);
}

}  // namespace

size_t dtype_size(std::string_view dtype) {
  if (dtype == "F64" || dtype == "I64") return 8;
  if (dtype == "F32" || dtype == "I32") return 4;
  if (dtype == "F16" || dtype == "BF16") return 2;
  return 0;
}

std::vector<TensorRecord> parse_header(std::string_view file, const std::string& path) {
  uint64_t header_size = 0;
  if (file.size() < sizeof(header_size)) throw std::runtime_error(path + ": too short for safetensors");
  std::memcpy(&header_size, file.data(), sizeof(header_size));  // little-endian, as is x86-64 and arm64
  if (header_size > file.size() - sizeof(header_size)) {
    throw std::runtime_error(path + ": the header length (" + std::to_string(header_size) +
                             " bytes) exceeds the file: not a safetensors file, or a truncated one");
  }
  const size_t data_start = sizeof(header_size) + header_size;
  const size_t data_size = file.size() - data_start;
  const nlohmann::json header =
      nlohmann::json::parse(file.substr(sizeof(header_size), header_size), nullptr, false);
  if (!header.is_object()) throw std::runtime_error(path + ": the safetensors header is not a JSON object");

  std::vector<TensorRecord> tensors;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") continue;
    const std::string where = path + ": tensor '" + name + "'";
    if (!info.is_object() || !info.contains("dtype") || !info["dtype"].is_string() ||
        !info.contains("shape") || !info["shape"].is_array() || !info.contains("data_offsets") ||
        !info["data_offsets"].is_array() || info["data_offsets"].size() != 2) {
      throw std::runtime_error(where + ": needs a string dtype, a shape list and two data_offsets");
    }
    TensorRecord tensor{.name = name, .dtype = info["dtype"].get<std::string>()};
    const size_t element_size = dtype_size(tensor.dtype);
    if (element_size == 0) {
      throw std::runtime_error(where + ": dtype " + tensor.dtype +
                               " is not supported (F32, F16, BF16, F64, I64, I32)");
    }
    size_t bytes = element_size;
    for (const auto& dimension : info["shape"]) {
      if (!dimension.is_number_unsigned())
        throw std::runtime_error(where + ": a dimension is not a whole number >= 0");
      const uint64_t value = dimension.get<uint64_t>();
      if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
          multiply_overflows(bytes, static_cast<size_t>(value), bytes)) {
        throw std::runtime_error(where + ": its shape holds more bytes than any file");
      }
      tensor.shape.push_back(static_cast<int64_t>(value));
    }
    const auto& offsets = info["data_offsets"];
    if (!offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned()) {
      throw std::runtime_error(where + ": data_offsets must be whole numbers >= 0");
    }
    const uint64_t begin = offsets[0].get<uint64_t>();
    const uint64_t end = offsets[1].get<uint64_t>();
    if (begin > end || end > data_size || end - begin != bytes) {
      throw std::runtime_error(where + ": data_offsets [" + std::to_string(begin) + ", " +
                               std::to_string(end) + "] do not match its shape and dtype (" +
                               std::to_string(bytes) + " bytes), or leave the file's " +
                               std::to_string(data_size) + " data bytes");
    }
    tensor.offset = data_start + begin;
    tensor.size = bytes;
    tensors.push_back(std::move(tensor));
  }
  return tensors;
}

}  // namespace evalflow::safetensors
