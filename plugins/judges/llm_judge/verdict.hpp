// The judge's answer read as a verdict, in OpenCompass GenericLLMEvaluator's convention: A = correct,
// B = incorrect. Strict on purpose: what is neither is a per-record failure, never a silent score.
#pragma once

#include <optional>
#include <string_view>

namespace evalflow::llm_judge {

// true for A (or CORRECT), false for B (or INCORRECT), nullopt for anything else. Reads what follows the
// last </think>, ignores surrounding whitespace, markdown emphasis, quotes and brackets, and accepts the
// letter alone or followed by a non-letter ("A", "**B**", "(A)", "A: CORRECT", "B.").
std::optional<bool> parse_verdict(std::string_view judge_output);

}  // namespace evalflow::llm_judge
