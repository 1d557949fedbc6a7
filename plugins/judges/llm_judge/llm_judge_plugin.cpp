// The LLM judge's nodes around a `use: judge` step: judge_prompt renders the judge's messages from the
// question, the gold answer and the prediction; judge_verdict turns the judge's A/B answer into `correct`;
// cascade_summary reports the rule-based accuracy next to the judged one, and how many went to the judge.
#include <embedded/kCascadeSummaryOptionsSchema.hpp>
#include <embedded/kJudgePromptOptionsSchema.hpp>
#include <embedded/kJudgeVerdictOptionsSchema.hpp>
#include <evalflow/plugin.hpp>

#include <map>
#include <string>
#include <vector>

#include "judge_template.hpp"
#include "prompt_template.hpp"
#include "verdict.hpp"

namespace evalflow::llm_judge {
namespace {

using prompt_template::PromptTemplate;
using sdk::json;

// The field the judge model reads its messages from (`use: judge` hands it `judge_messages` as `messages`).
constexpr const char* kJudgeMessages = "judge_messages";
constexpr const char* kJudgeAnswer = "judge_prediction";

PromptTemplate judge_template(const json& options) {
  json template_options = json{{"fields", {"question", "gold", "prediction"}}};
  if (options.contains("messages")) {
    template_options["messages"] = options["messages"];
  } else {
    template_options["template"] = options.value("template", kDefaultJudgeTemplate);
  }
  return PromptTemplate::from_options(template_options);
}

// Placeholder -> record field, from the options (MATH-500 calls its question `problem`).
std::map<std::string, std::string> placeholder_fields(const json& options) {
  return {{"question", options.value("question_field", "question")},
          {"gold", options.value("gold_field", "gold")},
          {"prediction", options.value("prediction_field", "prediction")}};
}

class JudgePrompt {
 public:
  JudgePrompt(const json& options, const sdk::NodeInfo& /*info*/)
      : template_(judge_template(options)), cascade_(options.value("cascade", false)) {
    const auto fields = placeholder_fields(options);
    for (const std::string& placeholder : template_.fields())
      record_fields_.push_back(fields.at(placeholder));
  }

  static void resolve_fields(const json& options, sdk::FieldList& reads, sdk::FieldList& writes) {
    const PromptTemplate prompt = judge_template(options);
    const auto fields = placeholder_fields(options);
    for (const std::string& placeholder : prompt.fields()) reads.add(fields.at(placeholder), EF_TYPE_ANY);
    if (options.value("cascade", false)) reads.add("correct", EF_TYPE_BOOL);
    writes.add(kJudgeMessages, EF_TYPE_LIST);
  }

  void process(sdk::Record& record) const {
    // A cascade asks the judge only about what the rule-based evaluator marked wrong.
    if (cascade_ && record.boolean("correct").value_or(false)) return;
    std::vector<std::string> texts;
    texts.reserve(record_fields_.size());
    for (const std::string& field : record_fields_) {
      if (auto text = record.string(field.c_str())) {
        texts.emplace_back(*text);
      } else if (auto value = record.value(field.c_str())) {
        texts.push_back(value->dump());
      } else {
        throw sdk::invalid_argument("field '" + field +
                                    "' is missing: the judge's prompt needs it (set question_field, "
                                    "gold_field or prediction_field to the record's field)");
      }
    }
    const std::vector<std::string_view> values(texts.begin(), texts.end());
    std::string messages;
    template_.render(values, messages);
    record.set_value(kJudgeMessages, json::parse(messages));
  }

 private:
  PromptTemplate template_;
  bool cascade_;
  std::vector<std::string> record_fields_;  // the record field of each template placeholder, in order
};

class JudgeVerdict {
 public:
  JudgeVerdict(const json& options, const sdk::NodeInfo& /*info*/)
      : cascade_(options.value("cascade", false)) {}

  static void resolve_fields(const json& options, sdk::FieldList& reads, sdk::FieldList& writes) {
    reads.add(kJudgeAnswer, EF_TYPE_STRING);
    if (options.value("cascade", false)) {
      reads.add("correct", EF_TYPE_BOOL);
      writes.add("rule_correct", EF_TYPE_BOOL);
    }
  }

  void process(sdk::Record& record) const {
    const std::optional<bool> rule = cascade_ ? record.boolean("correct") : std::nullopt;
    if (cascade_) {
      if (!rule)
        throw sdk::invalid_argument("field 'correct' is missing: put the rule-based evaluator first");
      record.set("rule_correct", *rule);
    }
    const std::optional<std::string_view> answer = record.string(kJudgeAnswer);
    if (!answer) {
      if (cascade_ && *rule) {
        record.set("judged", false);
        return;
      }
      throw sdk::invalid_argument(
          "no judge_prediction: the judge was not asked (the run stopped first); --resume asks it");
    }
    const std::optional<bool> verdict = parse_verdict(*answer);
    if (!verdict) {
      throw sdk::invalid_argument("the judge answered neither A (correct) nor B (incorrect): \"" +
                                  std::string(answer->substr(0, 120)) + "\"");
    }
    record.set("judge_verdict", *verdict ? "A" : "B");
    record.set("judged", true);
    record.set("correct", *verdict);
  }

 private:
  bool cascade_;
};

class CascadeSummary {
 public:
  CascadeSummary(const json& /*options*/, const sdk::NodeInfo& /*info*/) {}

  void process(const sdk::Record& record) {
    const auto rule = record.boolean("rule_correct");
    const auto judged = record.boolean("judged");
    if (!rule || !judged) {
      throw sdk::invalid_argument(
          "fields 'rule_correct' and 'judged' are missing: put judge_verdict (cascade: true) before "
          "cascade_summary");
    }
    ++total_;
    if (*rule) ++rule_correct_;
    if (*judged) ++judged_;
    if (*judged && record.boolean("correct").value_or(false)) ++judge_accepted_;
  }

  [[nodiscard]] json report() const {
    return {{"rule_accuracy", total_ == 0 ? 0.0 : 100.0 * static_cast<double>(rule_correct_) / total_},
            {"judged", judged_},
            {"judge_accepted", judge_accepted_}};
  }

 private:
  int64_t total_ = 0;
  int64_t rule_correct_ = 0;
  int64_t judged_ = 0;
  int64_t judge_accepted_ = 0;
};

const ef_field kVerdictWrites[] = {
    {"correct", EF_TYPE_BOOL}, {"judge_verdict", EF_TYPE_STRING}, {"judged", EF_TYPE_BOOL}};
const ef_field kSummaryReads[] = {{"rule_correct", EF_TYPE_BOOL}, {"judged", EF_TYPE_BOOL}};

const ef_node_type kJudgePrompt = sdk::function_node_type<JudgePrompt>({
    .name = "judge_prompt",
    .description = "Renders the judge's messages (judge_messages) from question, gold and prediction; with "
                   "cascade: only for records the rule marked wrong",
    .concurrency = EF_CONCURRENCY_UNLIMITED,
    .options_schema = kJudgePromptOptionsSchema,
});

const ef_node_type kJudgeVerdict = sdk::function_node_type<JudgeVerdict>({
    .name = "judge_verdict",
    .description = "Reads the judge's answer (judge_prediction): A = correct, B = incorrect, anything else "
                   "fails the record",
    .concurrency = EF_CONCURRENCY_UNLIMITED,
    .writes = kVerdictWrites,
    .options_schema = kJudgeVerdictOptionsSchema,
});

const ef_node_type kCascadeSummary = sdk::aggregate_node_type<CascadeSummary>({
    .name = "cascade_summary",
    .description = "A judge cascade's figures: rule_accuracy, judged (sent to the judge), judge_accepted",
    .reads = kSummaryReads,
    .options_schema = kCascadeSummaryOptionsSchema,
});

}  // namespace
}  // namespace evalflow::llm_judge

EVALFLOW_PLUGIN(
    "llm_judge", "1.0.0", "MIT",
    "An LLM judge's prompt and verdict (OpenCompass GenericLLMEvaluator), and a cascade's summary",
    &evalflow::llm_judge::kJudgePrompt, &evalflow::llm_judge::kJudgeVerdict,
    &evalflow::llm_judge::kCascadeSummary)
