// For plugin tests: one node type loaded from the built plugins through the real host (loader, host
// API, options schema), created with given options, processing records in place.
#pragma once

#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "graph/node_instance.hpp"
#include "loader/plugin_registry.hpp"
#include "validate/json_schema.hpp"

namespace evalflow::plugin_testing {

class LoadedNode {
 public:
  // Loads `type_name` from EVALFLOW_PLUGIN_DIR (the build's plugin folder), checks `options_json`
  // against the node type's schema and creates an instance. Throws std::runtime_error saying why not.
  // `pipeline_dir` is what the node sees as NodeInfo::pipeline_dir (relative paths in options start there).
  LoadedNode(const std::string& type_name, const std::string& options_json,
             const std::string& pipeline_dir = "")
      : registry_({EVALFLOW_PLUGIN_DIR}) {
    auto found = registry_.find_node_type(type_name);
    if (!found) throw std::runtime_error(found.error());
    node_.type = *found;
    node_.display_name = "test." + type_name;
    node_.options_json = options_json;
    if (auto violations = options_violations(options_json); !violations.empty()) {
      throw std::runtime_error("options " + options_json +
                               " violate the schema: " + violations.front().message);
    }
    auto context = std::make_unique<NodeContext>();
    context->node_name = node_.display_name;
    context->pipeline_dir = pipeline_dir;
    auto created = NodeInstance::create(node_, std::move(context));
    if (!created) throw std::runtime_error(created.error());
    instance_ = std::move(*created);
  }

  [[nodiscard]] const ef_node_type& type() const { return *node_.type.type; }

  // The node type's schema checked against `options_json` (empty: valid).
  [[nodiscard]] std::vector<SchemaViolation> options_violations(const std::string& options_json) const {
    auto schema = JsonSchema::parse(type().options_schema);
    if (!schema)
      throw std::runtime_error("the options schema of " + std::string(type().name) + ": " + schema.error());
    return (*schema)->validate(nlohmann::json::parse(options_json));
  }

  // Fields read and written with these options: the static ones, then those from resolve_fields.
  struct Fields {
    std::vector<FieldDecl> reads;
    std::vector<FieldDecl> writes;
  };
  [[nodiscard]] Fields fields() const {
    Fields fields;
    for (size_t i = 0; i < type().num_reads; ++i)
      fields.reads.push_back({type().reads[i].name, type().reads[i].type});
    for (size_t i = 0; i < type().num_writes; ++i) {
      fields.writes.push_back({type().writes[i].name, type().writes[i].type});
    }
    if (type().resolve_fields != nullptr) {
      ef_field_list reads;
      ef_field_list writes;
      StatusPtr status(type().resolve_fields(&host_api(), node_.options_json.c_str(), &reads, &writes));
      if (status) throw std::runtime_error(status->message);
      fields.reads.insert(fields.reads.end(), reads.fields.begin(), reads.fields.end());
      fields.writes.insert(fields.writes.end(), writes.fields.begin(), writes.fields.end());
    }
    return fields;
  }

  // nullptr on success, else the status the plugin returned.
  StatusPtr process(Record& record) { return instance_->process(record); }

  // Sources: true and `out` filled, false at the end.
  Result<bool> next(Record& out) { return instance_->next(out); }
  [[nodiscard]] int64_t count() const { return instance_->count(); }

  // Async nodes: submits `record` and waits until the plugin completes its ticket, on any thread.
  // nullptr on success, else the status the record failed with.
  StatusPtr submit(const RecordPtr& record) {
    std::promise<StatusPtr> completed;
    auto* ticket = new ef_ticket{record, [&completed](const RecordPtr& /*done*/, StatusPtr status) {
                                   completed.set_value(std::move(status));
                                 }};
    if (StatusPtr refused = instance_->submit(ticket)) host_api().complete(ticket, refused.release());
    return completed.get_future().get();
  }

  // Async nodes: what they work on at once, and their live-progress numbers.
  [[nodiscard]] int64_t capacity() const { return instance_->capacity(); }
  [[nodiscard]] nlohmann::json stats() const { return instance_->stats(); }

  // Aggregates: the metrics reported after the records given to process().
  Result<nlohmann::json> report() { return instance_->report(); }

 private:
  PluginRegistry registry_;
  ResolvedNode node_;
  std::unique_ptr<NodeInstance> instance_;
};

}  // namespace evalflow::plugin_testing
