// `evalflow data fetch`: downloads the OpenCompass archives AISBench's seed evaluation uses (aime.zip,
// math.zip), checks them and unpacks them, for users who want those exact files. The repository already
// ships the rows the pipelines read (data/README.md); this command is for byte-level parity with AISBench.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "commands.hpp"
#include "dataset_archive.hpp"
#include "pipeline_arguments.hpp"

namespace fs = std::filesystem;

namespace evalflow::cli {

namespace {

struct FetchArguments {
  std::vector<std::string> names;
  std::string directory = "data/opencompass";
  std::string mirror = kOpenCompassBaseUrl;
  bool skip_checksum = false;
  bool keep_archive = false;
};

Status fetch_one(const DatasetArchive& archive, const FetchArguments& arguments) {
  const fs::path directory(arguments.directory);
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) return Error{fmt::format("{}: cannot create: {}", directory.string(), error.message())};
  std::string base = arguments.mirror;
  if (!base.ends_with('/')) base += '/';
  const std::string url = base + archive.file;
  const fs::path downloaded = directory / (archive.file + ".part");
  std::cout << fmt::format("{}: downloading {}\n", archive.name, url) << std::flush;
  if (auto done = download(url, downloaded); !done) return done;
  const fs::path zip_file = directory / archive.file;
  fs::rename(downloaded, zip_file, error);
  if (error) return Error{fmt::format("{}: cannot move into place: {}", zip_file.string(), error.message())};

  auto digests = digest_file(zip_file);
  if (!digests) return Error{digests.error()};
  std::cout << fmt::format("{}: {} bytes, md5 {}, sha256 {}\n", archive.name, digests->size, digests->md5,
                           digests->sha256);
  if (!archive.md5.empty() && digests->md5 != archive.md5) {
    const std::string message =
        fmt::format("{}: md5 {} differs from OpenCompass's {}: the file is damaged or has changed upstream",
                    zip_file.string(), digests->md5, archive.md5);
    if (!arguments.skip_checksum) {
      return Error{message + " (kept for inspection; --skip-checksum unpacks it anyway)"};
    }
    std::cerr << "evalflow: warning: " << message << "; unpacking anyway (--skip-checksum)\n";
  }

  const fs::path target = archive.subfolder.empty() ? directory : directory / archive.subfolder;
  auto written = unpack_zip(zip_file, target);
  if (!written) return Error{written.error()};
  if (!arguments.keep_archive) fs::remove(zip_file, error);
  std::cout << fmt::format("{}: {} files unpacked into {}: {}\n", archive.name, written->size(),
                           target.string(), archive.contents);
  return ok_status();
}

void fetch(const FetchArguments& arguments) {
  std::vector<const DatasetArchive*> chosen;
  for (const auto& archive : seed_archives()) {
    if (arguments.names.empty() ||
        std::find(arguments.names.begin(), arguments.names.end(), archive.name) != arguments.names.end()) {
      chosen.push_back(&archive);
    }
  }
  for (const auto& name : arguments.names) {
    if (std::none_of(chosen.begin(), chosen.end(),
                     [&](const auto* archive) { return archive->name == name; })) {
      std::string known;
      for (const auto& archive : seed_archives()) known += (known.empty() ? "" : ", ") + archive.name;
      fail(fmt::format("data fetch: no archive named '{}' (known: {})", name, known));
    }
  }
  std::vector<std::string> errors;
  for (const auto* archive : chosen) {
    if (auto done = fetch_one(*archive, arguments); !done) errors.push_back(done.error());
  }
  if (!errors.empty()) {
    std::string message = fmt::format("data fetch: {} of {} archives failed:", errors.size(), chosen.size());
    for (const auto& error : errors) message += "\n  " + error;
    fail(message);
  }
}

}  // namespace

void add_data_command(CLI::App& app) {
  CLI::App* data = app.add_subcommand("data", "Dataset files: fetch the OpenCompass archives the seed uses");
  data->require_subcommand(1);
  auto arguments = std::make_shared<FetchArguments>();
  CLI::App* command =
      data->add_subcommand("fetch", "Download, check (md5, zip CRCs) and unpack aime.zip, math.zip");
  command->add_option("names", arguments->names, "Archives to fetch (aime, math); default: all");
  command->add_option("--dir", arguments->directory, "Folder to unpack into")->capture_default_str();
  command
      ->add_option(
          "--mirror", arguments->mirror,
          "Base URL of the archives (http://, https:// or file:///folder/ for copies made elsewhere)")
      ->capture_default_str();
  command->add_flag("--skip-checksum", arguments->skip_checksum, "Unpack even when the md5 differs (warns)");
  command->add_flag("--keep-archive", arguments->keep_archive, "Keep the .zip after unpacking");
  command->callback([arguments] { fetch(*arguments); });
}

}  // namespace evalflow::cli
