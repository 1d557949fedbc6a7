#include "safetensors.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <evalflow/safetensors/header.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

namespace evalflow::torch_local {

// A read-only mapping of a whole file, unmapped when the last tensor viewing it is gone.
class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& path) : path_(path.string()) {
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open " + path_ + ": " + std::strerror(errno));
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
      ::close(fd);
      throw std::runtime_error("cannot stat " + path_ + ": " + std::strerror(errno));
    }
    size_ = static_cast<size_t>(info.st_size);
    if (size_ > 0) {
      data_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    }
    ::close(fd);
    if (data_ == MAP_FAILED) throw std::runtime_error("cannot map " + path_ + ": " + std::strerror(errno));
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() {
    if (data_ != nullptr && data_ != MAP_FAILED) ::munmap(data_, size_);
  }
  [[nodiscard]] const char* data() const { return static_cast<const char*>(data_); }
  [[nodiscard]] size_t size() const { return size_; }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
  void* data_ = nullptr;
  size_t size_ = 0;
};

namespace {

at::ScalarType parse_dtype(const std::string& dtype, const std::string& where) {
  if (dtype == "F32") return at::kFloat;
  if (dtype == "F16") return at::kHalf;
  if (dtype == "BF16") return at::kBFloat16;
  if (dtype == "F64") return at::kDouble;
  if (dtype == "I64") return at::kLong;
  if (dtype == "I32") return at::kInt;
  throw std::runtime_error(where + ": dtype " + dtype + " is not supported (F32, F16, BF16, F64, I64, I32)");
}

}  // namespace

void SafetensorsCheckpoint::add_file(const std::filesystem::path& path,
                                     std::map<std::string, Entry>& entries) {
  auto file = std::make_shared<MappedFile>(path);
  for (auto& tensor : safetensors::parse_header(std::string_view(file->data(), file->size()), file->path())) {
    const std::string where = file->path() + ": tensor '" + tensor.name + "'";
    Entry entry{file, parse_dtype(tensor.dtype, where), std::move(tensor.shape), tensor.offset, tensor.size};
    entries.insert_or_assign(tensor.name, std::move(entry));
  }
}

SafetensorsCheckpoint SafetensorsCheckpoint::open(const std::filesystem::path& model_dir) {
  SafetensorsCheckpoint checkpoint;
  const auto index_path = model_dir / "model.safetensors.index.json";
  std::vector<std::filesystem::path> files;
  if (std::filesystem::exists(index_path)) {
    std::ifstream stream(index_path);
    const auto index = nlohmann::json::parse(stream);
    std::set<std::string> shard_names;
    for (const auto& [name, shard] : index.at("weight_map").items())
      shard_names.insert(shard.get<std::string>());
    for (const auto& shard : shard_names) files.push_back(model_dir / shard);
  } else if (std::filesystem::exists(model_dir / "model.safetensors")) {
    files.push_back(model_dir / "model.safetensors");
  } else {
    throw std::runtime_error("no model.safetensors or model.safetensors.index.json in " + model_dir.string() +
                             " (only safetensors checkpoints are read)");
  }
  for (const auto& file : files) add_file(file, checkpoint.entries_);
  return checkpoint;
}

at::Tensor SafetensorsCheckpoint::tensor(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) throw std::runtime_error("tensor '" + name + "' is not in the checkpoint");
  const Entry& entry = it->second;
  // The deleter holds the mapping, so the view stays valid however long the tensor lives.
  auto keep_alive = entry.file;
  void* data = const_cast<char*>(entry.file->data() + entry.offset);  // NOLINT: read-only view, never written
  return at::from_blob(
      data, entry.shape, [keep_alive](void*) {}, at::TensorOptions().dtype(entry.dtype));
}

std::string SafetensorsCheckpoint::file_of(const std::string& name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? std::string("(absent)") : it->second.file->path();
}

}  // namespace evalflow::torch_local
