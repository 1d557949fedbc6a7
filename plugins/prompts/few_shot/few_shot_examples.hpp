// few_shot's logic, independent of the plugin ABI: in-context examples read from a second file (a train or
// validation split), each rendered once through an example template, and the k shown before a question
// chosen the way AISBench's FixKRetriever does (fixed positions) or seeded by the question itself.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace evalflow::few_shot {

enum class Selection {
  kFirst,   // positions 0..k-1 (FixKRetriever with fix_id_list [0, ..., k-1])
  kIds,     // the listed positions (FixKRetriever's fix_id_list)
  kSeeded,  // random.Random(FNV-1a-64 of seed, question).sample(candidates, k): per question, no global RNG
};

// A list field of an example rendered as lettered lines under another name (MMLU-Pro's options_str).
struct ChoiceList {
  std::string field;  // the list in the example row
  std::string name;   // the placeholder it is offered as
  std::string format = "{letter}. {text}";
  std::vector<std::string> skip;  // option texts left out, their letters kept
};

// An example as a chat exchange (OpenCompass's ice_template with HUMAN/BOT rounds, lm-eval's
// fewshot_as_multiturn): a user turn and the assistant's answer, each a template like `template_text`.
struct Turns {
  std::string user;
  std::string assistant;
};

struct Options {
  std::string template_text;   // an example, {key} from the example's row (other braces stay literal)
  std::optional<Turns> turns;  // instead of template_text: the examples become chat messages
  Selection selection = Selection::kFirst;
  size_t k = 5;
  std::vector<size_t> ids;  // kIds
  uint64_t seed = 0;        // kSeeded
  std::string match_field;  // only examples whose value here equals the question's (MMLU-Pro: category)
  std::string question_field = "question";  // hashed by kSeeded; an example with the same text is never shown
  std::vector<ChoiceList> choice_lists;
  std::string separator = "\n";  // between examples (AISBench's ice_separator)
  std::string end = "\n";        // after the last one (ice_eos_token)
};

class FewShotExamples {
 public:
  // `rows`: the example file's objects in order; `source` names the file in errors. Renders every example.
  // Throws std::invalid_argument saying which row and key, and what to do.
  FewShotExamples(const std::vector<nlohmann::json>& rows, const Options& options, const std::string& source);

  // The examples for one question: `match` is the question's match_field value (ignored without
  // match_field), `question` its question_field text. Joined text, or with `turns` the JSON text of a list of
  // {"role", "content"} messages, user and assistant for each example. Throws std::invalid_argument when too
  // few examples qualify.
  [[nodiscard]] std::string for_question(std::string_view match, std::string_view question) const;

  [[nodiscard]] size_t size() const { return rendered_.size(); }

 private:
  [[nodiscard]] std::vector<size_t> choose(const std::vector<size_t>& candidates,
                                           std::string_view question) const;

  Options options_;
  std::string source_;
  std::vector<std::string> rendered_;   // text, or with turns the two messages' JSON text without brackets
  std::vector<std::string> questions_;  // each example's question_field text ("" when absent)
  std::map<std::string, std::vector<size_t>, std::less<>> by_match_;  // match value -> example positions
  std::vector<size_t> all_;                                           // 0..n-1, without match_field
};

// The example rows of a JSONL file. Throws std::invalid_argument naming file:line.
std::vector<nlohmann::json> read_jsonl_rows(const std::string& path);

}  // namespace evalflow::few_shot
