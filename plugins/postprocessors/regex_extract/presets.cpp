#include "presets.hpp"

#include <evalflow/plugin.hpp>
#include <string>

namespace evalflow::regex_extract {
namespace {

// Raw strings hold the patterns exactly as the references write them in Python.
constexpr Preset kPresets[] = {
    {"simple_evals_mc",
     "simple-evals common.py ANSWER_PATTERN_MULTICHOICE (since 2025-01), first match (re.search)",
     R"json({"patterns": [{"regex": "(?i)Answer[ \\t]*:[ \\t]*\\$?([A-D])\\$?", "select": "first"}]})json"},
    {"simple_evals_mc_2024", "simple-evals common.py ANSWER_PATTERN_MULTICHOICE until 2025-01, first match",
     R"json({"patterns": [{"regex": "(?i)Answer\\s*:\\s*([A-D])", "select": "first"}]})json"},
    {"aisbench_gpqa", "AISBench GPQA_Simple_Eval_postprocess since #442 (2026-08-06): last match, else None",
     R"json({"patterns": [{"regex": "(?i)ANSWER\\s*:\\s*([A-D])", "select": "last"}]})json"},
    {"aisbench_gpqa_v3_0_20250412",
     "AISBench GPQA_Simple_Eval_postprocess before #442 (v3.0 releases, the seed's v3.0-20250412): first "
     "match",
     R"json({"patterns": [{"regex": "(?i)ANSWER\\s*:\\s*([A-D])", "select": "first"}]})json"},
    {"gpqa_answer_or_boxed",
     "evalflow: the last ANSWER: letter, else the last \\boxed{X} or \\boxed{\\text{X}} (no reference has "
     "this)",
     R"json({"patterns": [
          {"name": "answer_line", "regex": "(?i)ANSWER\\s*:\\s*([A-D])", "select": "last"},
          {"name": "boxed", "regex": "\\\\boxed\\{\\s*(?:\\\\text\\{\\s*([A-D])\\s*\\}|([A-D]))\\s*\\}",
           "select": "last", "group": "first_non_empty"}]})json"},
    {"aisbench_mmlu_pro", "AISBench mmlu_pro_gen_0_shot_str: match_answer_pattern, first match, else ''",
     R"json({"patterns": [{"regex": "(?i)ANSWER\\s*:\\s*([A-P])", "select": "first"}]})json"},
    {"lm_eval_flexible_extract",
     "lm-eval gsm8k flexible-extract: RegexFilter group_select -1, fallback [invalid]",
     R"json({"patterns": [{"regex": "(-?[$0-9.,]{2,})|(-?[0-9]+)", "select": "last", "group": "first_non_empty"}],
         "normalize": {"strip": true}, "fallback": "[invalid]"})json"},
    {"lm_eval_strict_match", "lm-eval gsm8k strict-match: RegexFilter '#### (\\-?[0-9\\.\\,]+)', take_first",
     R"json({"patterns": [{"regex": "#### (\\-?[0-9\\.\\,]+)", "select": "first"}], "normalize": {"strip": true},
         "fallback": "[invalid]"})json"},
    {"aisbench_gsm8k", "AISBench gsm8k_postprocess: text before 'Question:', its last number, else NULL",
     R"json({"stop_at": ["Question:"], "patterns": [{"regex": "\\-?\\d+\\.\\d+|\\-?\\d+", "select": "last"}],
         "fallback": "NULL"})json"},
    {"gsm8k_gold", "AISBench gsm8k_dataset_postprocess: text.split('#### ')[1].replace(',', '')",
     R"json({"input": "gold", "output": "gold", "required": true,
         "patterns": [{"regex": "#### ((?:(?!#### )[\\s\\S])*)", "select": "first"}], "normalize": {"remove": [","]}})json"},
};

}  // namespace

std::span<const Preset> presets() {
  return kPresets;
}

nlohmann::json with_preset(const nlohmann::json& options) {
  const auto preset_name = options.find("preset");
  if (preset_name == options.end()) return options;
  const std::string name = preset_name->get<std::string>();
  for (const Preset& preset : kPresets) {
    if (preset.name != name) continue;
    nlohmann::json merged = nlohmann::json::parse(preset.options);
    for (const auto& [key, value] : options.items()) {
      if (key != "preset") merged[key] = value;
    }
    return merged;
  }
  std::string known;
  for (const Preset& preset : kPresets) known += (known.empty() ? "" : ", ") + std::string(preset.name);
  throw sdk::invalid_argument("unknown preset '" + name + "': use one of " + known);
}

}  // namespace evalflow::regex_extract
