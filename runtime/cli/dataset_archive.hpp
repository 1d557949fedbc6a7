// The file operations of `evalflow data fetch`: downloading (libcurl), checking (MD5 and SHA-256, the zip's
// own CRCs, the gzip trailer) and unpacking (libzip, zlib). What is fetched from where:
// dataset_catalogue.hpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace evalflow::cli {

// Downloads `url` (http, https or file) to `destination`; the error says what failed and what to do.
Status download(const std::string& url, const std::filesystem::path& destination);

struct Digests {
  std::string md5;
  std::string sha256;
  std::uintmax_t size = 0;
};
Result<Digests> digest_file(const std::filesystem::path& file);

// Checks every entry of the zip (central directory consistency, each entry's CRC by reading it whole)
// and writes the entries below `directory`. Refuses entries that would land outside it.
// Returns the paths written, relative to `directory`.
Result<std::vector<std::string>> unpack_zip(const std::filesystem::path& archive,
                                            const std::filesystem::path& directory);

// Gunzips `archive` into `destination` (through a .part file); zlib checks the gzip CRC.
Status gunzip_file(const std::filesystem::path& archive, const std::filesystem::path& destination);

}  // namespace evalflow::cli
