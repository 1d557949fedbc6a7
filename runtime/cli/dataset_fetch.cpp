#include "dataset_fetch.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "dataset_archive.hpp"

namespace fs = std::filesystem;

namespace evalflow::cli {

namespace {

fs::path folder_of(const DatasetEntry& entry, const FetchSettings& settings) {
  return settings.folder.empty() ? fs::path(entry.folder) : fs::path(settings.folder);
}

std::string url_of(const DatasetEntry& entry, const SourceFile& file, const FetchSettings& settings) {
  std::string base = settings.mirror.empty() ? entry.base_url : settings.mirror;
  if (!base.ends_with('/')) base += '/';
  return base + file.name;
}

// Downloads one file into `folder` and checks what is known of it. A file that fails its checks is kept
// for inspection unless --skip-checksum says to use it anyway.
Result<fs::path> download_checked(const DatasetEntry& entry, const SourceFile& file, const fs::path& folder,
                                  const FetchSettings& settings) {
  const std::string url = url_of(entry, file, settings);
  const fs::path downloaded = folder / (file.name + ".part");
  std::cout << fmt::format("{}: downloading {}\n", entry.name, url) << std::flush;
  if (auto done = download(url, downloaded); !done) return Error{done.error()};
  const fs::path target = folder / file.name;
  std::error_code error;
  fs::rename(downloaded, target, error);
  if (error) return Error{fmt::format("{}: cannot move into place: {}", target.string(), error.message())};

  auto digests = digest_file(target);
  if (!digests) return Error{digests.error()};
  std::cout << fmt::format("{}: {}: {} bytes, md5 {}, sha256 {}\n", entry.name, file.name, digests->size,
                           digests->md5, digests->sha256);
  std::string mismatches;
  auto differs = [&](const std::string& what, const std::string& got, const std::string& published) {
    mismatches += fmt::format("{}{} {} differs from the published {}", mismatches.empty() ? "" : ", ", what,
                              got, published);
  };
  if (!file.md5.empty() && digests->md5 != file.md5) differs("md5", digests->md5, file.md5);
  if (!file.sha256.empty() && digests->sha256 != file.sha256) differs("sha256", digests->sha256, file.sha256);
  if (file.size != 0 && digests->size != file.size)
    differs("size", std::to_string(digests->size), std::to_string(file.size));
  if (!mismatches.empty()) {
    const std::string message =
        fmt::format("{}: {}: the file is damaged or has changed upstream", target.string(), mismatches);
    if (!settings.skip_checksum) {
      return Error{message + " (kept for inspection; --skip-checksum uses it anyway)"};
    }
    std::cerr << "evalflow: warning: " << message << "; using it anyway (--skip-checksum)\n";
  }
  return target;
}

void remove_unless_kept(const fs::path& file, const FetchSettings& settings) {
  std::error_code ignored;
  if (!settings.keep_archive) fs::remove(file, ignored);
}

Status fetch_zip(const DatasetEntry& entry, const fs::path& folder, const FetchSettings& settings) {
  auto zip_file = download_checked(entry, entry.files.front(), folder, settings);
  if (!zip_file) return Error{zip_file.error()};
  const fs::path target = entry.output.empty() ? folder : folder / entry.output;
  auto written = unpack_zip(*zip_file, target);
  if (!written) return Error{written.error()};
  remove_unless_kept(*zip_file, settings);
  std::cout << fmt::format("{}: {} files unpacked into {}: {}\n", entry.name, written->size(),
                           target.string(), entry.contents);
  return ok_status();
}

Status fetch_gzip(const DatasetEntry& entry, const fs::path& folder, const FetchSettings& settings) {
  auto gz_file = download_checked(entry, entry.files.front(), folder, settings);
  if (!gz_file) return Error{gz_file.error()};
  const fs::path target = folder / entry.output;
  if (auto done = gunzip_file(*gz_file, target); !done) return done;
  remove_unless_kept(*gz_file, settings);
  std::cout << fmt::format("{}: {}: {}\n", entry.name, target.string(), entry.contents);
  return ok_status();
}

// The column's date-time in one comparable form: "YYYY-MM-DDTHH:MM:SS..." (Python's fromisoformat also
// takes a space for the T, and a date alone means midnight).
std::string comparable_time(std::string text) {
  if (text.size() == 10) return text + "T00:00:00";
  if (text.size() > 10 && text[10] == ' ') text[10] = 'T';
  return text;
}

struct WindowCount {
  int64_t kept = 0;
  int64_t rows = 0;
};

// Appends the rows of `file` whose window column lies in the window to `out`, byte for byte.
Status copy_rows_in_window(const fs::path& file, const DateWindow& window, std::ofstream& out,
                           WindowCount& count) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error{fmt::format("{}: cannot open", file.string())};
  const std::string first = comparable_time(window.first);
  const std::string last = comparable_time(window.last);
  std::string line;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto row = nlohmann::json::parse(line, nullptr, false);
    if (row.is_discarded() || !row.is_object())
      return Error{
          fmt::format("{}:{}: not a JSON object (delete the file and fetch again)", file.string(), number)};
    const auto column = row.find(window.column);
    if (column == row.end() || !column->is_string()) {
      return Error{
          fmt::format("{}:{}: no text column '{}': not the file this dataset expects (check --mirror)",
                      file.string(), number, window.column)};
    }
    ++count.rows;
    const std::string when = comparable_time(column->get<std::string>());
    if (when < first || when > last) continue;
    out << line << '\n';
    ++count.kept;
  }
  return ok_status();
}

Status fetch_jsonl_window(const DatasetEntry& entry, const fs::path& folder, const FetchSettings& settings) {
  const DateWindow& window = *entry.window;
  const fs::path target = folder / entry.output;
  const fs::path partial = target.string() + ".part";
  std::ofstream out(partial, std::ios::binary);
  if (!out) return Error{fmt::format("{}: cannot open for writing", partial.string())};
  WindowCount count;
  std::error_code error;
  auto give_up = [&](std::string message) {
    out.close();
    fs::remove(partial, error);
    return Error{std::move(message)};
  };
  // One file at a time, removed once filtered: the releases are gigabytes, the window a small part of them.
  // A file that fails is kept for inspection.
  for (const SourceFile& file : entry.files) {
    auto downloaded = download_checked(entry, file, folder, settings);
    if (!downloaded) return give_up(downloaded.error());
    if (auto done = copy_rows_in_window(*downloaded, window, out, count); !done) return give_up(done.error());
    remove_unless_kept(*downloaded, settings);
  }
  out.close();
  if (!out) return give_up(fmt::format("{}: write failed (disk full?)", partial.string()));
  if (count.kept == 0) {
    return give_up(
        fmt::format("{}: none of the {} rows has {} in {}..{}: not the release this dataset expects "
                    "(check --mirror)",
                    entry.name, count.rows, window.column, window.first, window.last));
  }
  fs::rename(partial, target, error);
  if (error) return Error{fmt::format("{}: cannot move into place: {}", target.string(), error.message())};
  std::cout << fmt::format("{}: {} of {} rows ({} {}..{}) written to {}\n", entry.name, count.kept,
                           count.rows, window.column, window.first, window.last, target.string());
  return ok_status();
}

}  // namespace

Status fetch_dataset(const DatasetEntry& entry, const FetchSettings& settings) {
  const fs::path folder = folder_of(entry, settings);
  std::error_code error;
  fs::create_directories(folder, error);
  if (error) return Error{fmt::format("{}: cannot create: {}", folder.string(), error.message())};
  switch (entry.format) {
    case DataFormat::zip:
      return fetch_zip(entry, folder, settings);
    case DataFormat::gzip:
      return fetch_gzip(entry, folder, settings);
    case DataFormat::jsonl_window:
      return fetch_jsonl_window(entry, folder, settings);
  }
  return Error{entry.name + ": unknown data format"};
}

std::string describe_catalogue() {
  std::string text =
      "Datasets that `evalflow data fetch NAME...` fetches (--dir replaces the folder, --mirror the address; "
      "folders are relative to the working directory, so run it from the repository root for the fragments "
      "to find the files):\n";
  for (const DatasetEntry& entry : dataset_catalogue()) {
    std::string files;
    for (const SourceFile& file : entry.files) files += (files.empty() ? "" : ", ") + file.name;
    std::string written = (fs::path(entry.folder) / entry.output).string();
    if (entry.format == DataFormat::zip && !written.ends_with('/')) written += '/';
    std::string readers;
    for (const std::string& fragment : entry.fragments) readers += (readers.empty() ? "" : ", ") + fragment;
    text += fmt::format(
        "\n{}\n  from     {} {}\n  writes   {}: {}\n  read by  {}\n", entry.name, entry.base_url, files,
        written, entry.contents,
        readers.empty() ? "no fragment by default (the repository ships its rows: data/README.md)" : readers);
  }
  return text;
}

}  // namespace evalflow::cli
