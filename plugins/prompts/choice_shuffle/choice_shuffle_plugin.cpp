// The choice_shuffle node type: reads a question's options, orders them (choice_order.hpp) and writes them
// under letters, as a rendered list, with the permutation and the correct letter.
#include <embedded/kChoiceShuffleOptionsSchema.hpp>
#include <evalflow/plugin.hpp>

#include <string>
#include <vector>

#include "choice_order.hpp"

namespace evalflow::choice_shuffle {
namespace {

using sdk::json;

constexpr size_t kMaxLetters = 26;

Order order_from(const std::string& name) {
  if (name == "keep") return Order::kKeep;
  if (name == "aisbench_gpqa_rotation") return Order::kAisbenchGpqaRotation;
  if (name == "simple_evals_gpqa") return Order::kSimpleEvalsGpqa;
  return Order::kSeeded;
}

OrderOptions order_options_from(const json& options) {
  return {.order = order_from(options.value("order", "seeded")),
          .seed = options.value("seed", uint64_t{0}),
          .vary_by_replica = options.value("vary_by_replica", false),
          .rows = options.value("rows", int64_t{0}),
          .repeats = options.value("repeats", int64_t{4})};
}

// How many letters the node may write: the named fields, or at most max_choices from a list field.
size_t letter_count(const json& options) {
  if (auto fields = options.find("choices"); fields != options.end()) return fields->size();
  return options.value("max_choices", size_t{10});
}

class ChoiceShuffle {
 public:
  ChoiceShuffle(const json& options, const sdk::NodeInfo& /*info*/)
      : choice_fields_(options.value("choices", std::vector<std::string>{})),
        choices_field_(options.value("choices_field", std::string())),
        question_field_(options.value("question_field", "question")),
        answer_field_(options.value("answer_field", std::string())),
        answer_is_letter_(options.value("answer_format", "letter") == "letter"),
        correct_index_(options.value("correct_index", size_t{0})),
        max_letters_(letter_count(options)),
        letter_fields_(options.value("letter_fields", true)),
        format_(options.value("format", "{letter}) {text}")),
        skip_(options.value("skip", std::vector<std::string>{})),
        gold_output_(options.value("gold_output", "gold")),
        order_(make_order(options)) {
    if (choice_fields_.empty() == choices_field_.empty()) {
      throw sdk::invalid_argument(
          "give either `choices` (the option fields in source order) or `choices_field` "
          "(one list field), not both or neither");
    }
    if (max_letters_ > kMaxLetters) throw sdk::invalid_argument("at most 26 choices (letters A-Z)");
  }

  static void resolve_fields(const json& options, sdk::FieldList& reads, sdk::FieldList& writes) {
    reads.add(options.value("question_field", "question"), EF_TYPE_STRING);
    for (const auto& field : options.value("choices", std::vector<std::string>{}))
      reads.add(field, EF_TYPE_STRING);
    if (options.contains("choices_field"))
      reads.add(options["choices_field"].get<std::string>(), EF_TYPE_LIST);
    if (options.contains("answer_field")) reads.add(options["answer_field"].get<std::string>(), EF_TYPE_ANY);
    if (options.value("letter_fields", true)) {
      for (size_t i = 0; i < std::min(letter_count(options), kMaxLetters); ++i)
        writes.add(letter(i), EF_TYPE_STRING);
    }
    writes.add(options.value("gold_output", "gold"), EF_TYPE_STRING);
  }

  void process(sdk::Record& record) const {
    std::vector<std::string> texts = choice_texts(record);
    Question question{.text = record.require_string(question_field_.c_str()),
                      .choices = {texts.begin(), texts.end()},
                      .row = record.index(),
                      .replica = record.replica()};
    const size_t correct = correct_source_index(record, texts.size());
    Ordered ordered;
    try {
      ordered = order_.order(question, correct);
    } catch (const std::invalid_argument& error) {
      throw sdk::invalid_argument(error.what());
    }
    std::vector<std::string_view> shown;
    json permutation = json::array();
    for (size_t i = 0; i < ordered.permutation.size(); ++i) {
      const std::string& text = texts[ordered.permutation[i]];
      permutation.push_back(ordered.permutation[i]);
      if (letter_fields_) record.set(letter(i).c_str(), text);
      shown.push_back(text);
    }
    // Question and `shown` were built on views into `texts`, which stay alive until here.
    record.set("choices_text", render_choice_list(shown, format_, skip_));
    record.set_value("permutation", permutation);
    record.set(gold_output_.c_str(), letter(ordered.correct_letter));
  }

 private:
  static ChoiceOrder make_order(const json& options) {
    try {
      return ChoiceOrder(order_options_from(options));
    } catch (const std::invalid_argument& error) {
      throw sdk::invalid_argument(error.what());
    }
  }

  std::vector<std::string> choice_texts(const sdk::Record& record) const {
    std::vector<std::string> texts;
    if (!choice_fields_.empty()) {
      for (const auto& field : choice_fields_) texts.emplace_back(record.require_string(field.c_str()));
      return texts;
    }
    const auto list = record.value(choices_field_.c_str());
    if (!list || !list->is_array() || list->empty()) {
      throw sdk::invalid_argument("field '" + choices_field_ +
                                  "' is missing or not a non-empty list of strings");
    }
    if (list->size() > max_letters_) {
      throw sdk::invalid_argument("field '" + choices_field_ + "' has " + std::to_string(list->size()) +
                                  " options, more than max_choices (" + std::to_string(max_letters_) +
                                  "): raise max_choices");
    }
    for (const auto& item : *list) {
      if (!item.is_string())
        throw sdk::invalid_argument("field '" + choices_field_ + "' holds a non-string option");
      texts.push_back(item.get<std::string>());
    }
    return texts;
  }

  size_t correct_source_index(const sdk::Record& record, size_t count) const {
    size_t index = correct_index_;
    if (!answer_field_.empty()) {
      const auto answer = record.value(answer_field_.c_str());
      if (answer_is_letter_ && answer && answer->is_string() && answer->get<std::string>().size() == 1) {
        index = static_cast<size_t>(answer->get<std::string>()[0] - 'A');
      } else if (!answer_is_letter_ && answer && answer->is_number_integer()) {
        index = answer->get<size_t>();
      } else if (!answer_is_letter_ && answer && answer->is_string()) {
        index = std::stoul(answer->get<std::string>());
      } else {
        throw sdk::invalid_argument("field '" + answer_field_ + "' is missing or not a " +
                                    (answer_is_letter_ ? "letter" : "0-based option index"));
      }
    }
    if (index >= count) {
      throw sdk::invalid_argument("the correct option (" + std::to_string(index) + ") is not among the " +
                                  std::to_string(count) + " options: check answer_field / correct_index");
    }
    return index;
  }

  std::vector<std::string> choice_fields_;
  std::string choices_field_;
  std::string question_field_;
  std::string answer_field_;
  bool answer_is_letter_;
  size_t correct_index_;
  size_t max_letters_;
  bool letter_fields_;
  std::string format_;
  std::vector<std::string> skip_;
  std::string gold_output_;
  ChoiceOrder order_;
};

const ef_field kWrites[] = {{"choices_text", EF_TYPE_STRING}, {"permutation", EF_TYPE_LIST}};

const ef_node_type kChoiceShuffle = sdk::function_node_type<ChoiceShuffle>({
    .name = "choice_shuffle",
    .description =
        "Orders a question's options under letters (seeded per question, or a reference's order) and "
        "writes the correct letter",
    .concurrency = EF_CONCURRENCY_UNLIMITED,
    .writes = kWrites,
    .options_schema = kChoiceShuffleOptionsSchema,
});

}  // namespace
}  // namespace evalflow::choice_shuffle

EVALFLOW_PLUGIN("choice_shuffle", "1.0.0", "MIT", "Multiple-choice option ordering",
                &evalflow::choice_shuffle::kChoiceShuffle)
