// The dataset archives OpenCompass publishes and AISBench's seed documents (aime.zip, math.zip): where they
// are, how to check them, and where they unpack. Downloading (libcurl), checking (MD5 as OpenCompass
// records it, SHA-256 printed for the record, the zip's own CRCs) and unpacking (libzip) live here so that
// `evalflow data fetch` stays a thin command.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace evalflow::cli {

struct DatasetArchive {
  std::string name;       // aime, math
  std::string file;       // aime.zip
  std::string md5;        // OpenCompass's datasets_info.py; empty: unknown
  std::string subfolder;  // where it unpacks below the data folder ("" = the folder itself)
  std::string contents;   // what a user finds there, for the message after unpacking
};

// The archives the seed evaluation uses, with OpenCompass's URLs (base + file) and checksums.
const std::vector<DatasetArchive>& seed_archives();
inline constexpr const char* kOpenCompassBaseUrl =
    "http://opencompass.oss-cn-shanghai.aliyuncs.com/datasets/data/";

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

}  // namespace evalflow::cli
