// Reads *.safetensors checkpoints (single file or sharded with model.safetensors.index.json) by mapping the
// files into memory: tensors are views of the mapping until they are copied to their device and dtype.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace evalflow::torch_local {

class MappedFile;

class SafetensorsCheckpoint {
 public:
  // Opens every shard of the checkpoint in `model_dir`. Throws std::runtime_error naming the file on a
  // missing file, a malformed header or an unsupported dtype.
  static SafetensorsCheckpoint open(const std::filesystem::path& model_dir);

  [[nodiscard]] bool contains(const std::string& name) const { return entries_.contains(name); }
  // The tensor as stored (a CPU view of the mapping that keeps it alive). Throws if absent.
  [[nodiscard]] at::Tensor tensor(const std::string& name) const;
  // The file that holds `name`, for error messages.
  [[nodiscard]] std::string file_of(const std::string& name) const;

 private:
  struct Entry {
    std::shared_ptr<MappedFile> file;
    at::ScalarType dtype;
    std::vector<int64_t> shape;
    size_t offset;  // from the start of the file
    size_t size;
  };
  std::map<std::string, Entry> entries_;
  static void add_file(const std::filesystem::path& path, std::map<std::string, Entry>& entries);
};

}  // namespace evalflow::torch_local
