// A third-party plugin, built out of tree with find_package(evalflow): reverses a string field.
#include <evalflow/plugin.hpp>

#include <string>

namespace {

class Reverse {
 public:
  Reverse(const evalflow::sdk::json& options, const evalflow::sdk::NodeInfo& /*info*/)
      : field_(options.value("field", "prediction")) {}

  static void resolve_fields(const evalflow::sdk::json& options, evalflow::sdk::FieldList& reads,
                             evalflow::sdk::FieldList& writes) {
    const std::string field = options.value("field", "prediction");
    reads.add(field, EF_TYPE_STRING);
    writes.add(field + "_reversed", EF_TYPE_STRING);
  }

  void process(evalflow::sdk::Record& record) {
    std::string text(record.require_string(field_.c_str()));
    record.set((field_ + "_reversed").c_str(), std::string(text.rbegin(), text.rend()));
  }

 private:
  std::string field_;
};

const ef_node_type kReverse = evalflow::sdk::function_node_type<Reverse>({
    .name = "oot_reverse",
    .description = "Reverses a string field (an out-of-tree plugin)",
    .concurrency = EF_CONCURRENCY_UNLIMITED,
    .options_schema = R"({"type": "object", "properties": {"field": {"type": "string"}},
                          "additionalProperties": false})",
});

}  // namespace

EVALFLOW_PLUGIN("reverse", "1.0.0", "Apache-2.0", "Out-of-tree ABI test plugin", &kReverse)
