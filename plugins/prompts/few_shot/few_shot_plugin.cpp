// The few_shot node type: in-context examples from a second file (few_shot_examples.hpp), joined into one
// string field for prompt_template to place (AISBench's ice token, lm-eval's num_fewshot).
#include <embedded/kFewShotOptionsSchema.hpp>
#include <evalflow/plugin.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "few_shot_examples.hpp"

namespace evalflow::few_shot {
namespace {

using sdk::json;

Selection selection_from(const json& options) {
  const std::string name = options.value("select", "first");
  if (name == "ids") return Selection::kIds;
  if (name == "seeded") return Selection::kSeeded;
  return Selection::kFirst;
}

std::optional<Turns> turns_from(const json& options) {
  if (!options.contains("turns")) return std::nullopt;
  const json& turns = options["turns"];
  return Turns{.user = turns.at("user").get<std::string>(),
               .assistant = turns.at("assistant").get<std::string>()};
}

Options options_from(const json& options) {
  if (options.contains("template") == options.contains("turns")) {
    throw sdk::invalid_argument(
        "give either `template` (the examples as one text) or `turns` (each example a user and an assistant "
        "message), not both or neither");
  }
  Options result{.template_text = options.value("template", std::string()),
                 .turns = turns_from(options),
                 .selection = selection_from(options),
                 .k = options.value("k", size_t{5}),
                 .ids = options.value("ids", std::vector<size_t>{}),
                 .seed = options.value("seed", uint64_t{0}),
                 .match_field = options.value("match_field", std::string()),
                 .question_field = options.value("question_field", "question"),
                 .separator = options.value("separator", "\n"),
                 .end = options.value("end", "\n")};
  if (result.selection == Selection::kIds) {
    if (result.ids.empty())
      throw sdk::invalid_argument("select: ids needs `ids` (positions in the examples file)");
    result.k = result.ids.size();
  }
  // Named: a range-for over a temporary's items() would read freed memory.
  const json choice_lists = options.value("choice_lists", json::object());
  for (const auto& [name, spec] : choice_lists.items()) {
    result.choice_lists.push_back({.field = spec.at("field").get<std::string>(),
                                   .name = name,
                                   .format = spec.value("format", "{letter}. {text}"),
                                   .skip = spec.value("skip", std::vector<std::string>{})});
  }
  return result;
}

FewShotExamples load(const json& options, const sdk::NodeInfo& info) {
  std::filesystem::path path(options.at("path").get<std::string>());
  if (path.is_relative()) path = std::filesystem::path(info.pipeline_dir) / path;
  try {
    return {read_jsonl_rows(path.string()), options_from(options), path.string()};
  } catch (const std::invalid_argument& error) {
    throw sdk::invalid_argument(error.what());
  }
}

class FewShot {
 public:
  FewShot(const json& options, const sdk::NodeInfo& info)
      : question_field_(options.value("question_field", "question")),
        match_field_(options.value("match_field", std::string())),
        output_(options.value("output", "few_shot")),
        turns_(options.contains("turns")),
        examples_(load(options, info)) {}

  static void resolve_fields(const json& options, sdk::FieldList& reads, sdk::FieldList& writes) {
    reads.add(options.value("question_field", "question"), EF_TYPE_STRING);
    if (options.contains("match_field")) reads.add(options["match_field"].get<std::string>(), EF_TYPE_ANY);
    writes.add(options.value("output", "few_shot"),
               options.contains("turns") ? EF_TYPE_LIST : EF_TYPE_STRING);
  }

  void process(sdk::Record& record) const {
    const std::string_view question = record.require_string(question_field_.c_str());
    std::string match;
    if (!match_field_.empty()) {
      const auto value = record.value(match_field_.c_str());
      if (!value) throw sdk::invalid_argument("field '" + match_field_ + "' (match_field) is missing");
      match = value->is_string() ? value->get<std::string>() : value->dump();
    }
    std::string examples;
    try {
      examples = examples_.for_question(match, question);
    } catch (const std::invalid_argument& error) {
      throw sdk::invalid_argument(error.what());
    }
    if (turns_) {
      record.set_json_text(output_.c_str(), examples);
    } else {
      record.set(output_.c_str(), examples);
    }
  }

 private:
  std::string question_field_;
  std::string match_field_;
  std::string output_;
  bool turns_;
  FewShotExamples examples_;
};

const ef_node_type kFewShot = sdk::function_node_type<FewShot>({
    .name = "few_shot",
    .description =
        "In-context examples from a second file (fixed positions as AISBench's FixKRetriever, or seeded per "
        "question), rendered through an example template into one string field, or into user/assistant chat "
        "turns",
    .concurrency = EF_CONCURRENCY_UNLIMITED,
    .options_schema = kFewShotOptionsSchema,
});

}  // namespace
}  // namespace evalflow::few_shot

EVALFLOW_PLUGIN("few_shot", "1.0.0", "MIT", "In-context examples for prompts", &evalflow::few_shot::kFewShot)
