// The record behind the ABI's opaque ef_record: one (sample, replica) travelling through the graph.
#pragma once

#include <evalflow/plugin.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Defined at global scope because plugin.h declares it there.
struct ef_record {
  // Where a record failed: a per-record failure skips the remaining nodes and is counted, never scored.
  struct Failure {
    std::string node;
    std::string message;
    ef_code code = EF_INTERNAL;
    bool during_inference = false;
  };

  std::shared_ptr<const std::string> dataset;
  int64_t index = 0;
  int32_t replica = 0;
  // Few fields per record: a vector with linear lookup beats a hash map here.
  std::vector<std::pair<std::string, nlohmann::json>> fields;
  std::optional<Failure> failure;
  // The prediction was read back from an earlier run (--resume): inference is skipped.
  bool resumed = false;
  // The run stopped before the record reached the model: it is neither stored nor counted (resume sends it).
  bool not_run = false;
  // sample_content_hash() when the record reached the model's place in the chain; stored with the row.
  std::string content_hash;
  // Host bookkeeping: which (model, dataset) lane of the graph the record travels in.
  int lane = -1;

  [[nodiscard]] const nlohmann::json* find(std::string_view name) const;
  nlohmann::json& at(std::string_view name);  // inserts null when missing
  void erase(std::string_view name);
  [[nodiscard]] nlohmann::json to_json() const;
};

struct ef_status {
  ef_code code;
  std::string message;
};

namespace evalflow {

using Record = ef_record;
using RecordPtr = std::shared_ptr<Record>;

// Owns a status returned through the ABI.
struct StatusDeleter {
  void operator()(ef_status* status) const { delete status; }
};
using StatusPtr = std::unique_ptr<ef_status, StatusDeleter>;

ef_type type_of(const nlohmann::json& value);
const char* type_name(ef_type type);
const char* kind_name(ef_node_kind kind);
// Parses "string", "int", ... as written in YAML declarations; EF_TYPE_MISSING when unknown.
ef_type type_from_name(std::string_view name);

}  // namespace evalflow
