#include "dataset_archive.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <zip.h>
#include <zlib.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>

namespace fs = std::filesystem;

namespace evalflow::cli {

namespace {

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};
struct CurlCleanup {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct DigestFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
struct ZipDiscard {
  void operator()(zip_t* archive) const { zip_discard(archive); }
};
struct ZipFileClose {
  void operator()(zip_file_t* file) const { zip_fclose(file); }
};
struct GzClose {
  void operator()(gzFile_s* file) const { gzclose(file); }
};

std::string hex(const unsigned char* bytes, unsigned size) {
  std::string text;
  for (unsigned i = 0; i < size; ++i) text += fmt::format("{:02x}", bytes[i]);
  return text;
}

// An entry name that stays inside the target folder: relative, no "..", no drive or root.
bool is_safe_entry(const std::string& name) {
  const fs::path path(name);
  if (name.empty() || path.is_absolute() || path.has_root_name()) return false;
  for (const auto& part : path) {
    if (part == "..") return false;
  }
  return true;
}

}  // namespace

Status download(const std::string& url, const fs::path& destination) {
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!initialised) return Error{"libcurl could not be initialised"};
  std::unique_ptr<std::FILE, FileCloser> out(std::fopen(destination.c_str(), "wb"));
  if (!out) return Error{fmt::format("{}: cannot open for writing", destination.string())};
  std::unique_ptr<CURL, CurlCleanup> curl(curl_easy_init());
  if (!curl) return Error{"libcurl could not create a transfer"};
  std::array<char, CURL_ERROR_SIZE> details{};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, out.get());  // the default callback fwrite()s
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, 20L);
  // Stalled transfers (under 1 kB/s for 60 s) stop instead of hanging; slow links still finish.
  curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(curl.get(), CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, details.data());
  const CURLcode code = curl_easy_perform(curl.get());
  out.reset();
  if (code == CURLE_OK) return ok_status();
  std::error_code ignored;
  fs::remove(destination, ignored);
  const std::string reason = details[0] != '\0' ? details.data() : curl_easy_strerror(code);
  std::string advice;
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
      advice =
          "this machine looks offline or cannot reach the host: download the file on a machine with internet "
          "access, copy it into a folder here and run again with --mirror file:///that/folder/";
      break;
    case CURLE_HTTP_RETURNED_ERROR:
    case CURLE_FILE_COULDNT_READ_FILE:
      advice =
          "the file is not at that address: check --mirror (it must end with the folder holding the .zip)";
      break;
    default:
      advice = "run again; if it keeps failing, download the file by hand and use --mirror file:///folder/";
  }
  return Error{fmt::format("cannot download {}: {} ({})", url, reason, advice)};
}

Result<Digests> digest_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error{fmt::format("{}: cannot open", file.string())};
  std::unique_ptr<EVP_MD_CTX, DigestFree> md5(EVP_MD_CTX_new());
  std::unique_ptr<EVP_MD_CTX, DigestFree> sha256(EVP_MD_CTX_new());
  if (!md5 || !sha256 || EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr) != 1 ||
      EVP_DigestInit_ex(sha256.get(), EVP_sha256(), nullptr) != 1) {
    return Error{"OpenSSL could not start MD5/SHA-256"};
  }
  Digests digests;
  std::array<char, 1 << 16> buffer{};
  while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0) {
    const auto count = static_cast<size_t>(in.gcount());
    EVP_DigestUpdate(md5.get(), buffer.data(), count);
    EVP_DigestUpdate(sha256.get(), buffer.data(), count);
    digests.size += count;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> value{};
  unsigned size = 0;
  EVP_DigestFinal_ex(md5.get(), value.data(), &size);
  digests.md5 = hex(value.data(), size);
  EVP_DigestFinal_ex(sha256.get(), value.data(), &size);
  digests.sha256 = hex(value.data(), size);
  return digests;
}

Result<std::vector<std::string>> unpack_zip(const fs::path& archive, const fs::path& directory) {
  int open_error = 0;
  std::unique_ptr<zip_t, ZipDiscard> zip(zip_open(archive.c_str(), ZIP_CHECKCONS | ZIP_RDONLY, &open_error));
  if (!zip) {
    zip_error_t error;
    zip_error_init_with_code(&error, open_error);
    const std::string reason = zip_error_strerror(&error);
    zip_error_fini(&error);
    return Error{
        fmt::format("{}: not a valid zip archive: {} (delete it and fetch again)", archive.string(), reason)};
  }
  const zip_int64_t entries = zip_get_num_entries(zip.get(), 0);
  std::vector<std::string> written;
  std::array<char, 1 << 16> buffer{};
  for (zip_int64_t index = 0; index < entries; ++index) {
    const char* raw_name = zip_get_name(zip.get(), static_cast<zip_uint64_t>(index), 0);
    const std::string name = raw_name != nullptr ? raw_name : "";
    if (!is_safe_entry(name)) {
      return Error{fmt::format("{}: entry '{}' would be written outside {}; refusing the archive",
                               archive.string(), name, directory.string())};
    }
    const fs::path target = directory / name;
    std::error_code error;
    if (name.ends_with('/')) {
      fs::create_directories(target, error);
      if (error) return Error{fmt::format("{}: cannot create folder: {}", target.string(), error.message())};
      continue;
    }
    fs::create_directories(target.parent_path(), error);
    if (error)
      return Error{
          fmt::format("{}: cannot create folder: {}", target.parent_path().string(), error.message())};
    std::unique_ptr<zip_file_t, ZipFileClose> entry(
        zip_fopen_index(zip.get(), static_cast<zip_uint64_t>(index), 0));
    if (!entry) {
      return Error{
          fmt::format("{}: cannot read entry '{}': {}", archive.string(), name, zip_strerror(zip.get()))};
    }
    const fs::path partial = target.string() + ".part";
    {
      std::ofstream out(partial, std::ios::binary);
      if (!out) return Error{fmt::format("{}: cannot open for writing", partial.string())};
      zip_int64_t count = 0;
      // libzip checks the entry's CRC-32 when the last byte has been read: a damaged entry fails here.
      while ((count = zip_fread(entry.get(), buffer.data(), buffer.size())) > 0) {
        out.write(buffer.data(), static_cast<std::streamsize>(count));
      }
      if (count < 0) {
        const std::string reason = zip_file_strerror(entry.get());
        out.close();
        fs::remove(partial, error);
        return Error{fmt::format("{}: entry '{}' is damaged: {} (delete the archive and fetch again)",
                                 archive.string(), name, reason)};
      }
      if (!out) return Error{fmt::format("{}: write failed (disk full?)", partial.string())};
    }
    fs::rename(partial, target, error);
    if (error) return Error{fmt::format("{}: cannot move into place: {}", target.string(), error.message())};
    written.push_back(name);
  }
  return written;
}

Status gunzip_file(const fs::path& archive, const fs::path& destination) {
  std::unique_ptr<gzFile_s, GzClose> in(gzopen(archive.c_str(), "rb"));
  if (!in) return Error{fmt::format("{}: cannot open", archive.string())};
  // zlib would copy a file that is not gzip as it is ("transparent" reading): refuse it instead.
  if (gzdirect(in.get()) != 0)
    return Error{fmt::format("{}: not a gzip file (check --mirror)", archive.string())};
  const fs::path partial = destination.string() + ".part";
  std::ofstream out(partial, std::ios::binary);
  if (!out) return Error{fmt::format("{}: cannot open for writing", partial.string())};
  std::array<char, 1 << 16> buffer{};
  int count = 0;
  // zlib checks the gzip trailer (CRC-32 and length) when it reaches the end: a damaged file fails here.
  while ((count = gzread(in.get(), buffer.data(), buffer.size())) > 0) out.write(buffer.data(), count);
  // A file cut short reads to its end and leaves Z_BUF_ERROR ("unexpected end of file") behind.
  int code = Z_OK;
  const char* reason = gzerror(in.get(), &code);
  if (count < 0 || code != Z_OK) {
    std::error_code ignored;
    out.close();
    fs::remove(partial, ignored);
    return Error{
        fmt::format("{}: not a valid gzip file: {} (delete it and fetch again)", archive.string(), reason)};
  }
  out.close();
  if (!out) return Error{fmt::format("{}: write failed (disk full?)", partial.string())};
  std::error_code error;
  fs::rename(partial, destination, error);
  if (error)
    return Error{fmt::format("{}: cannot move into place: {}", destination.string(), error.message())};
  return ok_status();
}

}  // namespace evalflow::cli
