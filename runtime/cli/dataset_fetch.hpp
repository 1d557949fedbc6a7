// Fetching one catalogue entry (dataset_catalogue.hpp): download each file, check it, and turn it into the
// file a fragment reads, in the entry's format.
#pragma once

#include <string>

#include "common/result.hpp"
#include "dataset_catalogue.hpp"

namespace evalflow::cli {

struct FetchSettings {
  std::string folder;  // empty: each entry's own folder
  std::string mirror;  // empty: each entry's base URL
  bool skip_checksum = false;
  bool keep_archive = false;  // keep the downloaded files next to what they became
};

// Prints progress to stdout; the error names the file and says what to do.
Status fetch_dataset(const DatasetEntry& entry, const FetchSettings& settings);

// The catalogue as `evalflow data fetch` without names prints it: each name, its source, what it writes
// where, and the fragments that read it.
std::string describe_catalogue();

}  // namespace evalflow::cli
