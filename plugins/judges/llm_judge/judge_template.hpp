// The judge's default prompt: GenericLLMEvaluator's shape (grading instructions, then the question, the gold
// answer and the prediction between markers, then the A/B instruction), in our own words. A pipeline may
// give its own `messages` or `template` with the same {question}, {gold} and {prediction} placeholders.
#pragma once

namespace evalflow::llm_judge {

inline constexpr const char* kDefaultJudgeTemplate =
    "You are grading an answer. Decide whether the candidate's final answer agrees with the reference "
    "answer; do not solve the question yourself, and take the reference answer as correct.\n"
    "- The forms may differ (a fraction or a decimal, an equivalent expression, other wording): judge the "
    "meaning.\n"
    "- A question with several parts or blanks is correct only when every part agrees.\n"
    "- Ignore \\boxed{} and formatting around the final answer.\n\n"
    "Reply with one letter and nothing else:\n"
    "A: CORRECT\n"
    "B: INCORRECT\n\n"
    "<Original Question Begin>:\n{question}\n<Original Question End>\n\n"
    "<Gold Target Begin>:\n{gold}\n<Gold Target End>\n\n"
    "<Predicted Answer Begin>:\n{prediction}\n<Predicted End>\n\n"
    "Your grade (A or B):";

}  // namespace evalflow::llm_judge
