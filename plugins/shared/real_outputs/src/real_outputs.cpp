#include <evalflow/data_io/jsonl_reader.hpp>
#include <evalflow/data_io/scalar_fields.hpp>
#include <evalflow/plugin.hpp>
#include <evalflow/real_outputs/real_outputs.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace evalflow::real_outputs {
namespace {

// Names the directory in data_io's "cannot read" errors, which expect the option that named the file.
constexpr std::string_view kDirectoryArgument = "load_real_outputs directory";

class OutputRows : public data_io::ScalarFields {
 public:
  OutputRows(std::string file, std::vector<RealOutput>& outputs)
      : file_(std::move(file)), outputs_(outputs) {}

  void end_row() override {
    const std::string& id = required_string("id");
    if (!ids_.insert(id).second) throw data_io::RowError("id `" + id + "` occurs twice: ids must be unique");
    const char* text_field = optional<std::string>("response") ? "response" : "prediction";
    outputs_.push_back({file_, id, required_string("benchmark"), required_string(text_field),
                        required_string("gold_answer"), optional<std::string>("unique_id"), std::nullopt});
  }

 private:
  std::string file_;
  std::vector<RealOutput>& outputs_;
  std::set<std::string> ids_;
};

using OutputIndex = std::map<std::pair<std::string, std::string>, RealOutput*>;

class VerdictRows : public data_io::ScalarFields {
 public:
  explicit VerdictRows(const OutputIndex& outputs) : outputs_(outputs) {}

  void end_row() override {
    const std::string& file = required_string("file");
    const std::string& id = required_string("id");
    const auto found = outputs_.find({file, id});
    if (found == outputs_.end()) {
      throw data_io::RowError("no output with id `" + id + "` in predictions file `" + file +
                              "`: the verdicts must come from that file");
    }
    RealOutput& output = *found->second;
    if (output.verdicts) throw data_io::RowError("a second verdict row for " + file + " id `" + id + "`");
    output.verdicts = Verdicts{optional<std::string>("str_v2_extracted"), optional<bool>("str_v2"),
                               optional<bool>("mv_aisbench")};
  }

 private:
  const OutputIndex& outputs_;
};

std::vector<std::filesystem::path> jsonl_files(const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.is_regular_file() && entry.path().extension() == ".jsonl") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// OutputRows keeps ids unique within a file, so every key is new.
OutputIndex index_by_file_and_id(std::vector<RealOutput>& outputs) {
  OutputIndex index;
  for (RealOutput& output : outputs) index.emplace(std::pair(output.file, output.id), &output);
  return index;
}

}  // namespace

std::vector<RealOutput> load_real_outputs(const std::filesystem::path& directory) {
  if (!std::filesystem::is_directory(directory)) {
    throw sdk::Error(EF_NOT_FOUND, "test data directory " + directory.string() +
                                       " does not exist: run from a full checkout (tests/data/predictions)");
  }
  std::vector<RealOutput> outputs;
  for (const auto& file : jsonl_files(directory)) {
    OutputRows rows(file.filename().string(), outputs);
    data_io::read_jsonl_file(file, kDirectoryArgument, rows);
  }
  const OutputIndex index = index_by_file_and_id(outputs);
  if (std::filesystem::is_directory(directory / "verdicts")) {
    VerdictRows rows(index);
    for (const auto& file : jsonl_files(directory / "verdicts"))
      data_io::read_jsonl_file(file, kDirectoryArgument, rows);
  }
  return outputs;
}

std::vector<RealOutput> load_judged_outputs(const std::filesystem::path& directory) {
  std::vector<RealOutput> outputs = load_real_outputs(directory);
  std::erase_if(outputs, [](const RealOutput& output) { return !output.verdicts.has_value(); });
  return outputs;
}

}  // namespace evalflow::real_outputs
