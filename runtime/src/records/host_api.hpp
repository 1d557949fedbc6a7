// The host's side of the ABI: the ef_host_api table handed to every plugin, and the host-defined
// structs behind the opaque handles that plugins only see as pointers.
#pragma once

#include <evalflow/plugin.h>

#include <functional>
#include <string>
#include <vector>

#include "records/record.hpp"

namespace evalflow {

struct FieldDecl {
  std::string name;
  ef_type type = EF_TYPE_ANY;
};

// Receives one log line of a node; set per node instance by whoever creates it.
using LogSink = std::function<void(ef_log_level level, const std::string& message)>;

// What the host knows about one node instance; `info` is what the plugin sees and must stay first,
// so that host->log can find the rest from the pointer it is given.
struct NodeContext {
  ef_node_info info{};
  std::string node_name;
  std::string dataset_abbr;
  std::string model_abbr;
  std::string pipeline_dir;
  std::string run_dir;
  LogSink log;

  NodeContext() = default;
  NodeContext(const NodeContext&) = delete;
  NodeContext& operator=(const NodeContext&) = delete;
  // Points info's strings at the members; call after setting them.
  void publish();
};

const ef_host_api& host_api();

}  // namespace evalflow

struct ef_field_list {
  std::vector<evalflow::FieldDecl> fields;
};

// One pending async submission. The completion runs exactly once, on the plugin's thread.
struct ef_ticket {
  evalflow::RecordPtr record;
  std::function<void(evalflow::RecordPtr, evalflow::StatusPtr)> on_complete;
};
