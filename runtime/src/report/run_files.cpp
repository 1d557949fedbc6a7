#include "report/run_files.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>

#include "records/json_text.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace evalflow::report {

namespace {

constexpr std::string_view kFailedSuffix = "_failed.jsonl";

Result<json> read_json_file(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return Error{fmt::format("{}: cannot be read", file.string())};
  json value = json::parse(in, nullptr, false);
  if (value.is_discarded())
    return Error{fmt::format("{}: is not JSON; re-run `evalflow run --resume` to rewrite it", file.string())};
  return value;
}

std::string pipeline_name(const fs::path& yaml_file) {
  if (!fs::exists(yaml_file)) return "";
  try {
    const YAML::Node node = YAML::LoadFile(yaml_file.string());
    return node["name"] ? node["name"].as<std::string>() : "";
  } catch (const YAML::Exception&) {
    return "";  // the pipeline's name is decoration; the run is still readable
  }
}

}  // namespace

Result<RunFiles> find_run_files(const fs::path& root) {
  const fs::path predictions = root / "predictions";
  if (!fs::is_directory(predictions)) {
    return Error{
        fmt::format("{}: not a run directory (no predictions/); pass a directory that `evalflow run` "
                    "wrote, e.g. outputs/20261203_081500",
                    root.string())};
  }
  RunFiles run;
  run.root = root;
  run.label = fs::absolute(root).lexically_normal().filename().string();
  if (run.label.empty()) run.label = fs::absolute(root).lexically_normal().parent_path().filename().string();
  run.run = json::object();
  if (fs::exists(root / "configs" / "run.json")) {
    auto stored = read_json_file(root / "configs" / "run.json");
    if (!stored) return Error{stored.error()};
    run.run = std::move(*stored);
  }
  run.pipeline = pipeline_name(root / "configs" / "pipeline.yaml");
  for (const auto& model_dir : fs::directory_iterator(predictions)) {
    if (!model_dir.is_directory()) continue;
    for (const auto& entry : fs::directory_iterator(model_dir.path())) {
      const std::string name = entry.path().filename().string();
      if (!name.ends_with(".jsonl")) continue;
      const bool failed = name.ends_with(kFailedSuffix);
      const std::string dataset = name.substr(0, name.size() - (failed ? kFailedSuffix.size() : 6));
      const std::string model = model_dir.path().filename().string();
      auto lane = std::find_if(run.lanes.begin(), run.lanes.end(),
                               [&](const LaneFiles& l) { return l.model == model && l.dataset == dataset; });
      if (lane == run.lanes.end()) {
        run.lanes.push_back({model, dataset, model_dir.path() / (dataset + ".jsonl"),
                             model_dir.path() / (dataset + std::string(kFailedSuffix)), nullptr});
      }
    }
  }
  for (auto& lane : run.lanes) {
    const fs::path results = root / "results" / lane.model / (lane.dataset + ".json");
    if (!fs::exists(results)) continue;
    auto value = read_json_file(results);
    if (!value) return Error{value.error()};
    lane.results = std::move(*value);
  }
  std::sort(run.lanes.begin(), run.lanes.end(), [](const LaneFiles& a, const LaneFiles& b) {
    return std::tie(a.model, a.dataset) < std::tie(b.model, b.dataset);
  });
  return run;
}

Result<int64_t> for_each_row(const fs::path& file, const std::function<void(json&& row, int64_t line)>& row) {
  if (!fs::exists(file)) return int64_t{0};
  std::ifstream in(file);
  if (!in) return Error{fmt::format("{}: cannot be read", file.string())};
  int64_t skipped = 0;
  int64_t number = 0;
  std::string line;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    std::optional<json> value = parse_json_text(line);
    if (!value || !value->is_object()) {
      ++skipped;
      continue;
    }
    row(std::move(*value), number);
  }
  return skipped;
}

Status for_each_lane_row(
    const LaneFiles& lane,
    const std::function<void(json&& row, bool from_failed_file, const fs::path& file, int64_t line)>& row) {
  for (const auto& [file, failed] : {std::pair{lane.predictions, false}, std::pair{lane.failed, true}}) {
    auto read =
        for_each_row(file, [&](json&& value, int64_t line) { row(std::move(value), failed, file, line); });
    if (!read) return Error{read.error()};
  }
  return ok_status();
}

int64_t count_lines(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return 0;
  std::vector<char> buffer(1 << 20);
  int64_t lines = 0;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = static_cast<size_t>(in.gcount());
    for (const char* p = buffer.data();
         (p = static_cast<const char*>(std::memchr(p, '\n', got - (p - buffer.data())))); ++p) {
      ++lines;
    }
  }
  return lines;
}

}  // namespace evalflow::report
