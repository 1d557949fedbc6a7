// What `evalflow data fetch` can fetch: one table row per dataset, saying where its files are published, how
// to check them, how they become the file a fragment reads, and which fragments read it. Adding a dataset
// is adding a row (dataset_catalogue.cpp); the ways of turning downloads into data are the few formats below.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace evalflow::cli {

enum class DataFormat {
  zip,   // one zip archive, every entry's CRC checked, unpacked into `output` (a subfolder; "" = the folder)
  gzip,  // one .gz file, gunzipped into the file `output`
  jsonl_window,  // JSONL files read in order; the rows whose `window.column` lies in the window go into
                 // `output`
};

struct SourceFile {
  std::string name;         // appended to the base URL
  std::string md5;          // the publisher's checksum; empty: none published
  std::string sha256;       // empty: unknown (printed after the download, for the record)
  std::uintmax_t size = 0;  // bytes; 0: unknown
};

// Inclusive bounds compared as lcb_runner compares them: datetime(first) <= column <= datetime(last), both
// at midnight, so a row dated on `last` after 00:00:00 is outside.
struct DateWindow {
  std::string column;  // ISO date-time text, e.g. contest_date "2024-08-03T00:00:00"
  std::string first;   // YYYY-MM-DD
  std::string last;
};

struct DatasetEntry {
  std::string name;  // what the user types: evalflow data fetch NAME
  DataFormat format;
  std::string base_url;  // --mirror replaces it
  std::vector<SourceFile> files;
  std::string folder;  // default folder, relative to the working directory (--dir replaces it)
  std::string output;  // below the folder: the subfolder (zip) or the file written (gzip, jsonl_window)
  std::optional<DateWindow> window;
  std::string contents;                // what a user finds there
  std::vector<std::string> fragments;  // the fragments that read it (pipelines/datasets/...)
};

const std::vector<DatasetEntry>& dataset_catalogue();

}  // namespace evalflow::cli
