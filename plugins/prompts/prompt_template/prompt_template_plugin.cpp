// prompt_template: fills AISBench-style chat templates from record fields and writes `messages`.
#include <embedded/kPromptTemplateOptionsSchema.hpp>
#include <evalflow/plugin.hpp>

#include <string>
#include <vector>

#include "prompt_template.hpp"

namespace {

namespace sdk = evalflow::sdk;
using evalflow::prompt_template::PromptTemplate;

constexpr const char* kMessagesField = "messages";

class PromptTemplateNode {
 public:
  PromptTemplateNode(const sdk::json& options, const sdk::NodeInfo& /*info*/)
      : template_(PromptTemplate::from_options(options)) {}

  static void resolve_fields(const sdk::json& options, sdk::FieldList& reads, sdk::FieldList& /*writes*/) {
    // Named: a range-for over a temporary's member would read freed memory.
    const PromptTemplate prompt = PromptTemplate::from_options(options);
    for (size_t i = 0; i < prompt.fields().size(); ++i) {
      reads.add(prompt.fields()[i], prompt.is_turns(i) ? EF_TYPE_LIST : EF_TYPE_ANY);
    }
  }

  // Runs on many threads at once: the buffers are per thread and keep their capacity between records.
  void process(sdk::Record& record) const {
    thread_local std::vector<std::string_view> values;
    thread_local std::vector<std::string> non_string_values;
    thread_local std::string messages;
    const auto& fields = template_.fields();
    values.resize(fields.size());
    non_string_values.resize(fields.size());
    for (size_t i = 0; i < fields.size(); ++i) {
      if (template_.is_turns(i)) {
        const auto turns = record.value(fields[i].c_str());
        if (!turns) throw sdk::invalid_argument("field '" + fields[i] + "' (an `examples` entry) is missing");
        non_string_values[i] = PromptTemplate::turns_text(*turns, fields[i]);
        values[i] = non_string_values[i];
        continue;
      }
      if (auto text = record.string(fields[i].c_str())) {
        values[i] = *text;
        continue;
      }
      // Numbers, booleans, lists: their JSON text, like AISBench's str() of a number.
      std::string& text = non_string_values[i];
      text.clear();
      auto append = [](void* context, const char* data, size_t size) {
        static_cast<std::string*>(context)->append(data, size);
      };
      if (sdk::host().get_json(record.raw(), fields[i].c_str(), append, &text) == 0) {
        throw sdk::invalid_argument("field '" + fields[i] + "' named by the placeholder {" + fields[i] +
                                    "} is missing: write it upstream, or list the fields to substitute in "
                                    "`fields` so that {" +
                                    fields[i] + "} stays literal");
      }
      values[i] = text;
    }
    messages.clear();
    template_.render(values, messages);
    record.set_json_text(kMessagesField, messages);
  }

 private:
  PromptTemplate template_;
};

const ef_field kWrites[] = {{kMessagesField, EF_TYPE_LIST}};

const ef_node_type kPromptTemplate = sdk::function_node_type<PromptTemplateNode>({
    .name = "prompt_template",
    .description = "AISBench-style {field} substitution into chat messages; writes `messages`",
    .concurrency = EF_CONCURRENCY_UNLIMITED,
    .writes = kWrites,
    .options_schema = kPromptTemplateOptionsSchema,
});

}  // namespace

EVALFLOW_PLUGIN("prompt_template", "1.0.0", "MIT", "Chat prompt templates with {field} placeholders",
                &kPromptTemplate)
