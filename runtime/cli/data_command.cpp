// `evalflow data fetch`: downloads, checks and prepares the files of the datasets in the catalogue
// (dataset_catalogue.cpp): OpenCompass's archives for byte-level parity with AISBench (the repository ships
// those rows already: data/README.md), and the data of the code benchmarks, written where their fragments
// read it. Without names it lists what it can fetch.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "commands.hpp"
#include "dataset_fetch.hpp"
#include "pipeline_arguments.hpp"

namespace evalflow::cli {

namespace {

struct FetchArguments {
  std::vector<std::string> names;
  FetchSettings settings;
};

void fetch(const FetchArguments& arguments) {
  if (arguments.names.empty()) {
    std::cout << describe_catalogue();
    return;
  }
  std::vector<const DatasetEntry*> chosen;
  for (const auto& name : arguments.names) {
    const auto& catalogue = dataset_catalogue();
    const auto entry = std::find_if(catalogue.begin(), catalogue.end(),
                                    [&](const DatasetEntry& candidate) { return candidate.name == name; });
    if (entry == catalogue.end()) {
      std::string known;
      for (const auto& candidate : catalogue) known += (known.empty() ? "" : ", ") + candidate.name;
      fail(fmt::format("data fetch: no dataset named '{}' (known: {}; `evalflow data fetch` lists them)",
                       name, known));
    }
    chosen.push_back(&*entry);
  }
  std::vector<std::string> errors;
  for (const auto* entry : chosen) {
    if (auto done = fetch_dataset(*entry, arguments.settings); !done) errors.push_back(done.error());
  }
  if (!errors.empty()) {
    std::string message = fmt::format("data fetch: {} of {} datasets failed:", errors.size(), chosen.size());
    for (const auto& error : errors) message += "\n  " + error;
    fail(message);
  }
}

}  // namespace

void add_data_command(CLI::App& app) {
  CLI::App* data =
      app.add_subcommand("data", "Dataset files: fetch, check and prepare what the fragments read");
  data->require_subcommand(1);
  auto arguments = std::make_shared<FetchArguments>();
  CLI::App* command = data->add_subcommand(
      "fetch",
      "Download, check (size, md5/sha256, zip and gzip CRCs) and prepare datasets; no name: list them");
  command->add_option("names", arguments->names,
                      "Datasets to fetch (aime, math, livecodebench_v5, livecodebench_v6, humaneval)");
  command->add_option("--dir", arguments->settings.folder,
                      "Folder to write into (default: each dataset's own)");
  command->add_option(
      "--mirror", arguments->settings.mirror,
      "Base URL replacing each dataset's (http://, https:// or file:///folder/ holding copies "
      "made elsewhere)");
  command->add_flag("--skip-checksum", arguments->settings.skip_checksum,
                    "Use a file even when its size or checksum differs from the published one (warns)");
  command->add_flag("--keep-archive", arguments->settings.keep_archive,
                    "Keep the downloaded files (.zip, .gz, release .jsonl) next to what they became");
  command->callback([arguments] { fetch(*arguments); });
}

}  // namespace evalflow::cli
