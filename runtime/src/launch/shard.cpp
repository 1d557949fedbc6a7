#include "launch/shard.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "store/run_directory.hpp"

namespace fs = std::filesystem;

namespace evalflow {

namespace {

// The first ordinal of a dataset that falls to this shard.
int64_t first_ordinal(const Shard& shard, size_t dataset_position) {
  const auto offset = static_cast<int64_t>(dataset_position % static_cast<size_t>(shard.count));
  return (shard.index - offset + shard.count) % shard.count;
}

}  // namespace

bool Shard::owns(size_t dataset_position, int64_t question, int64_t replica, int64_t samples) const {
  const int64_t ordinal = question * samples + replica;
  return ordinal % count == first_ordinal(*this, dataset_position);
}

int64_t Shard::owned(size_t dataset_position, int64_t questions, int64_t samples) const {
  const int64_t total = questions * samples;
  const int64_t first = first_ordinal(*this, dataset_position);
  return total > first ? (total - first + count - 1) / count : 0;
}

fs::path shard_file(const fs::path& run_dir) {
  return run_dir / "configs" / "shard.json";
}

Status write_shard(const fs::path& run_dir, const Shard& shard) {
  std::error_code error;
  fs::create_directories(shard_file(run_dir).parent_path(), error);
  return replace_file(shard_file(run_dir),
                      nlohmann::json{{"index", shard.index}, {"count", shard.count}}.dump(2) + "\n");
}

Result<Shard> read_shard(const fs::path& run_dir) {
  const fs::path file = shard_file(run_dir);
  if (!fs::exists(file)) return Shard{};
  std::ifstream in(file);
  const nlohmann::json value = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object() || !value.contains("index") || !value.contains("count") ||
      !value["index"].is_number_integer() || !value["count"].is_number_integer()) {
    return Error{
        fmt::format("{}: not a shard file (expected {{\"index\": I, \"count\": N}}); it was written "
                    "by `evalflow run --launcher`: restore it or start a new run",
                    file.string())};
  }
  const Shard shard{value["index"].get<int>(), value["count"].get<int>()};
  if (shard.count < 1 || shard.index < 0 || shard.index >= shard.count) {
    return Error{fmt::format("{}: shard {} of {} does not exist", file.string(), shard.index, shard.count)};
  }
  return shard;
}

}  // namespace evalflow
