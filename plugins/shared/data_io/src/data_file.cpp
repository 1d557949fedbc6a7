#include <evalflow/data_io/data_file.hpp>

#include <evalflow/plugin.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace evalflow::data_io {

std::filesystem::path resolve_data_path(std::string_view option_path, std::string_view pipeline_dir) {
  std::filesystem::path path(option_path);
  if (path.is_absolute() || pipeline_dir.empty()) return path.lexically_normal();
  return (std::filesystem::path(pipeline_dir) / path).lexically_normal();
}

FileText read_data_file(const std::filesystem::path& path, std::string_view option_name, size_t padding) {
  auto fail = [&](const char* reason) {
    return sdk::Error(EF_NOT_FOUND, "cannot read '" + path.string() + "': " + reason + ": check the `" +
                                        std::string(option_name) +
                                        "` option (relative paths start at the pipeline's directory)");
  };
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw fail(std::strerror(errno));
  if (std::filesystem::is_directory(path)) throw fail("it is a directory");
  if (std::fseek(file.get(), 0, SEEK_END) != 0) throw fail(std::strerror(errno));
  const long size = std::ftell(file.get());
  if (size < 0) throw fail(std::strerror(errno));
  std::rewind(file.get());
  FileText result;
  result.size = static_cast<size_t>(size);
  result.bytes.assign(result.size + padding, '\0');
  if (std::fread(result.bytes.data(), 1, result.size, file.get()) != result.size) {
    throw fail("the file changed or could not be read completely");
  }
  return result;
}

}  // namespace evalflow::data_io
