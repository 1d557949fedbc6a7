#include "few_shot_examples.hpp"

#include <evalflow/python_random/python_random.hpp>

#include <fstream>
#include <numeric>
#include <span>
#include <stdexcept>

#include "choice_order.hpp"
#include "prompt_template.hpp"

namespace evalflow::few_shot {
namespace {

// A value as text: strings as they are, anything else as its JSON text (as prompt_template does).
std::string text_of(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::string render_choices(const nlohmann::json& list, const ChoiceList& choices, const std::string& where) {
  if (!list.is_array()) throw std::invalid_argument(where + ": '" + choices.field + "' is not a list");
  std::vector<std::string> texts;
  for (const auto& item : list) texts.push_back(text_of(item));
  return choice_shuffle::render_choice_list({texts.begin(), texts.end()}, choices.format, choices.skip);
}

}  // namespace

FewShotExamples::FewShotExamples(const std::vector<nlohmann::json>& rows, const Options& options,
                                 const std::string& source)
    : options_(options), source_(source) {
  // The example template is a prompt_template (one turn, or the user and assistant turns): the same
  // placeholder rules, rendered once per example.
  const auto example = prompt_template::PromptTemplate::from_options(
      options.turns ? nlohmann::json{{"messages",
                                      {{{"role", "user"}, {"content", options.turns->user}},
                                       {{"role", "assistant"}, {"content", options.turns->assistant}}}}}
                    : nlohmann::json{{"template", options.template_text}});
  std::vector<std::string> values(example.fields().size());
  std::vector<std::string_view> views(values.size());
  for (size_t row = 0; row < rows.size(); ++row) {
    const std::string where = source + " row " + std::to_string(row + 1);
    const nlohmann::json& fields = rows[row];
    for (size_t i = 0; i < values.size(); ++i) {
      const std::string& name = example.fields()[i];
      const auto list = std::find_if(options.choice_lists.begin(), options.choice_lists.end(),
                                     [&](const ChoiceList& choices) { return choices.name == name; });
      const std::string& key = list != options.choice_lists.end() ? list->field : name;
      if (!fields.contains(key)) {
        std::string message = where;
        message.append(": no key '").append(key).append("', which the example template's {").append(name);
        message += "} needs: fix the file or the template";
        throw std::invalid_argument(message);
      }
      values[i] = list != options.choice_lists.end() ? render_choices(fields[key], *list, where)
                                                     : text_of(fields[key]);
      views[i] = values[i];
    }
    std::string messages;
    example.render(views, messages);
    rendered_.push_back(options.turns
                            ? messages.substr(1, messages.size() - 2)
                            : nlohmann::json::parse(messages).at(0).at("content").get<std::string>());
    questions_.push_back(fields.contains(options.question_field) ? text_of(fields[options.question_field])
                                                                 : "");
    if (!options.match_field.empty()) {
      if (!fields.contains(options.match_field)) {
        throw std::invalid_argument(where + ": no key '" + options.match_field + "' (match_field)");
      }
      by_match_[text_of(fields[options.match_field])].push_back(row);
    }
  }
  all_.resize(rendered_.size());
  std::iota(all_.begin(), all_.end(), 0);
}

std::vector<size_t> FewShotExamples::choose(const std::vector<size_t>& candidates,
                                            std::string_view question) const {
  if (options_.selection == Selection::kSeeded) {
    // random.Random(h).shuffle(positions)[:k], h = FNV-1a-64 of str(seed) \x1f question; the question
    // itself (an example file that is the test split) is never its own example.
    std::vector<size_t> pool;
    for (const size_t position : candidates) {
      if (questions_[position] != question) pool.push_back(position);
    }
    if (pool.size() < options_.k) return {};
    uint64_t hash = choice_shuffle::fnv1a64(std::to_string(options_.seed));
    hash = choice_shuffle::fnv1a64(question, choice_shuffle::fnv1a64("\x1f", hash));
    python_random::PythonRandom(hash).shuffle(std::span<size_t>(pool));
    pool.resize(options_.k);
    return pool;
  }
  std::vector<size_t> positions(options_.k);
  std::iota(positions.begin(), positions.end(), 0);
  if (options_.selection == Selection::kIds) positions = options_.ids;
  std::vector<size_t> chosen;
  for (const size_t position : positions) {
    if (position >= candidates.size()) return {};
    chosen.push_back(candidates[position]);
  }
  return chosen;
}

std::string FewShotExamples::for_question(std::string_view match, std::string_view question) const {
  const std::vector<size_t>* candidates = &all_;
  static const std::vector<size_t> kNone;
  if (!options_.match_field.empty()) {
    const auto found = by_match_.find(match);
    candidates = found != by_match_.end() ? &found->second : &kNone;
  }
  const std::vector<size_t> chosen = choose(*candidates, question);
  if (chosen.empty()) {
    const std::string scope = options_.match_field.empty()
                                  ? ""
                                  : " whose " + options_.match_field + " is '" + std::string(match) + "'";
    throw std::invalid_argument(source_ + " has " + std::to_string(candidates->size()) + " examples" + scope +
                                ", too few for the selection (k = " + std::to_string(options_.k) +
                                " or the listed ids): lower k or add examples");
  }
  // Turns are messages' JSON text, joined into one JSON list.
  const bool turns = options_.turns.has_value();
  std::string out = turns ? "[" : "";
  for (size_t i = 0; i < chosen.size(); ++i) {
    if (i > 0) out += turns ? "," : options_.separator;
    out += rendered_[chosen[i]];
  }
  return out + (turns ? "]" : options_.end);
}

std::vector<nlohmann::json> read_jsonl_rows(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument(path + ": cannot open the examples file: check `path`");
  std::vector<nlohmann::json> rows;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json row = nlohmann::json::parse(line, nullptr, false);
    if (row.is_discarded() || !row.is_object()) {
      throw std::invalid_argument(path + ":" + std::to_string(number) +
                                  ": not a JSON object: fix or remove this line");
    }
    rows.push_back(std::move(row));
  }
  if (rows.empty()) throw std::invalid_argument(path + ": no examples in the file");
  return rows;
}

}  // namespace evalflow::few_shot
