// One created plugin node: its instance, its context, and calls that turn ABI statuses into results.
#pragma once

#include <memory>
#include <string>

#include "records/host_api.hpp"
#include "validate/validated_pipeline.hpp"

namespace evalflow {

class NodeInstance {
 public:
  // Creates the plugin's instance; the error names the node and the plugin.
  static Result<std::unique_ptr<NodeInstance>> create(const ResolvedNode& node,
                                                      std::unique_ptr<NodeContext> context);
  ~NodeInstance();
  NodeInstance(const NodeInstance&) = delete;
  NodeInstance& operator=(const NodeInstance&) = delete;

  [[nodiscard]] const ef_node_type& type() const { return *type_; }
  [[nodiscard]] const std::string& name() const { return context_->node_name; }
  [[nodiscard]] void* raw() const { return instance_; }

  // Source: true and `out` filled, false at the end.
  Result<bool> next(Record& out);
  [[nodiscard]] int64_t count() const;
  // Function and aggregate nodes.
  StatusPtr process(Record& record);
  StatusPtr submit(ef_ticket* ticket);
  // Async nodes: submissions worked on at once; 0 when the plugin does not say (ABI 1.0 or no limit).
  [[nodiscard]] int64_t capacity() const;
  // Async nodes: numbers for the live progress (ef_node_type::stats); null when the plugin gives none.
  [[nodiscard]] nlohmann::json stats() const;
  Result<nlohmann::json> report();
  StatusPtr flush();

 private:
  NodeInstance() = default;
  const ef_node_type* type_ = nullptr;
  std::unique_ptr<NodeContext> context_;
  void* instance_ = nullptr;
};

}  // namespace evalflow
