// libFuzzer target for safetensors headers: arbitrary bytes as a checkpoint file. Either an error, or
// tensors that each lie wholly inside the file with exactly shape x dtype bytes.
#include <evalflow/safetensors/header.hpp>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& tensor : evalflow::safetensors::parse_header(file, "fuzz.safetensors")) {
      if (tensor.offset > file.size() || tensor.size > file.size() - tensor.offset) std::abort();
      size_t elements = 1;
      for (const int64_t dimension : tensor.shape) elements *= static_cast<size_t>(dimension);
      if (elements * evalflow::safetensors::dtype_size(tensor.dtype) != tensor.size) std::abort();
    }
  } catch (const std::runtime_error& error) {
    if (std::string_view(error.what()).empty()) std::abort();
  }
  return 0;
}
