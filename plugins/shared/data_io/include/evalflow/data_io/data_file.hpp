// Locating and reading the data files named in node options.
#ifndef EVALFLOW_DATA_IO_DATA_FILE_HPP
#define EVALFLOW_DATA_IO_DATA_FILE_HPP

#include <filesystem>
#include <string>
#include <string_view>

namespace evalflow::data_io {

// Options name files relative to the pipeline's directory (NodeInfo::pipeline_dir); absolute paths stay.
std::filesystem::path resolve_data_path(std::string_view option_path, std::string_view pipeline_dir);

// The whole file, followed by `padding` zero bytes that are not part of the returned size() (simdjson reads
// past the end of its input). Throws sdk::Error(EF_NOT_FOUND) naming the file, the reason and the option.
struct FileText {
  std::string bytes;  // the file, then the padding
  size_t size = 0;    // the file's size
  [[nodiscard]] std::string_view text() const { return {bytes.data(), size}; }
};
FileText read_data_file(const std::filesystem::path& path, std::string_view option_name, size_t padding = 0);

}  // namespace evalflow::data_io

#endif  // EVALFLOW_DATA_IO_DATA_FILE_HPP
