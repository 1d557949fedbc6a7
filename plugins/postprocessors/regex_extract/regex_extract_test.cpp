// The extractor and its presets on real-looking model outputs. Each expected value is what the reference's
// own code returns on that text (its regex under Python's `re`, checked with CPython 3.11 when written).
#include <gtest/gtest.h>

#include <evalflow/plugin.hpp>

#include "extractor.hpp"
#include "presets.hpp"

namespace evalflow::regex_extract {
namespace {

using nlohmann::json;

Extraction run(const json& options, std::string_view text) {
  return Extractor::from_options(with_preset(options)).extract(text);
}
std::string preset(const char* name, std::string_view text) {
  return run({{"preset", name}}, text).text;
}

// A reasoning trace that changes its mind: two "Answer:" lines, the final one last.
constexpr std::string_view kTwoAnswers =
    "Let me think. If the ester hydrolyses first, Answer: B would follow.\n"
    "Wait, that ignores the ring strain. Re-checking the second step...\n\n"
    "**Final answer**\nAnswer: D";
constexpr std::string_view kBoldMarkdown = "The spin-orbit term dominates.\n\n**Answer: C**";
constexpr std::string_view kBoxedOnly = "So the energy is lowest for option C.\n\n$\\boxed{C}$";
constexpr std::string_view kBoxedText = "Therefore the answer is $\\boxed{\\text{A}}$.";
constexpr std::string_view kLowercase = "answer: c";
constexpr std::string_view kDollarLetter = "Answer: $B$";
constexpr std::string_view kNoAnswer = "I am not sure which option is right; each has problems.";

TEST(Presets, SimpleEvalsTakesTheFirstAnswerLine) {
  EXPECT_EQ(preset("simple_evals_mc", kTwoAnswers), "B");
  EXPECT_EQ(preset("simple_evals_mc", kBoldMarkdown), "C");
  EXPECT_EQ(preset("simple_evals_mc", kDollarLetter), "B");  // \$? since 2025-01
  EXPECT_EQ(preset("simple_evals_mc", kLowercase), "c");     // (?i) also matches the letter: scored wrong
  EXPECT_EQ(preset("simple_evals_mc", kBoxedOnly), "");
  EXPECT_EQ(preset("simple_evals_mc", kNoAnswer), "");
  // [ \t]* does not cross lines; the 2024 pattern's \s* does.
  EXPECT_EQ(preset("simple_evals_mc", "Answer:\nA"), "");
  EXPECT_EQ(preset("simple_evals_mc_2024", "Answer:\nA"), "A");
  EXPECT_EQ(preset("simple_evals_mc_2024", kDollarLetter), "");
}

TEST(Presets, AisbenchGpqaTodayTakesTheLastAnswerLine) {
  EXPECT_EQ(preset("aisbench_gpqa", kTwoAnswers), "D");
  EXPECT_EQ(preset("aisbench_gpqa", kBoldMarkdown), "C");
  EXPECT_EQ(preset("aisbench_gpqa", kLowercase), "c");
  EXPECT_EQ(preset("aisbench_gpqa", kBoxedOnly), "");  // no fallback: AISBench returns None
  EXPECT_EQ(preset("aisbench_gpqa", kNoAnswer), "");
  // \s* crosses the line break and the letter may start a word: "Answer: Based" reads as B.
  EXPECT_EQ(preset("aisbench_gpqa", "Answer:\n\nBased on the above, D"), "B");
}

TEST(Presets, AisbenchGpqaV3TookTheFirstAnswerLine) {
  EXPECT_EQ(preset("aisbench_gpqa_v3_0_20250412", kTwoAnswers), "B");
  EXPECT_EQ(preset("aisbench_gpqa_v3_0_20250412", kBoldMarkdown), "C");
  EXPECT_EQ(preset("aisbench_gpqa_v3_0_20250412", kBoxedOnly), "");
}

TEST(Presets, AnswerOrBoxedFallsBackToTheLastBox) {
  const json options = {{"preset", "gpqa_answer_or_boxed"}};
  EXPECT_EQ(run(options, kTwoAnswers).text, "D");
  EXPECT_EQ(run(options, kTwoAnswers).rule_name, "answer_line");
  EXPECT_EQ(run(options, kBoxedOnly).text, "C");
  EXPECT_EQ(run(options, kBoxedOnly).rule_name, "boxed");
  EXPECT_EQ(run(options, kBoxedText).text, "A");
  EXPECT_EQ(run(options, "\\boxed{A} at first, then \\boxed{ B }").text, "B");
  const Extraction none = run(options, kNoAnswer);
  EXPECT_EQ(none.text, "");
  EXPECT_EQ(none.rule, -1);
  EXPECT_EQ(none.rule_name, "");
}

TEST(Presets, AisbenchMmluProLettersToP) {
  EXPECT_EQ(preset("aisbench_mmlu_pro", "... so the answer is J.\nANSWER: J"), "J");
  EXPECT_EQ(preset("aisbench_mmlu_pro", "Answer: E\n\nAnswer: F"), "E");
  EXPECT_EQ(preset("aisbench_mmlu_pro", "The answer is (F)."), "");
}

constexpr std::string_view kGsm8kOutput =
    "Natalia sold 48/2 = 24 clips in May.\nAltogether she sold 48+24 = 72 clips.\nanswer:$72";

TEST(Presets, LmEvalFlexibleExtractTakesTheLastNumberLikeToken) {
  EXPECT_EQ(preset("lm_eval_flexible_extract", kGsm8kOutput), "$72");  // the $ is kept; its metric ignores it
  EXPECT_EQ(preset("lm_eval_flexible_extract", "It costs $1,234.50 in total."), "$1,234.50");
  EXPECT_EQ(preset("lm_eval_flexible_extract", "So 3 + 4 = 7"), "7");  // single digits: the second group
  EXPECT_EQ(preset("lm_eval_flexible_extract", "The total is 18."), "18.");
  EXPECT_EQ(preset("lm_eval_flexible_extract", "no numbers here"), "[invalid]");
}

TEST(Presets, LmEvalStrictMatchNeedsTheHashes) {
  EXPECT_EQ(preset("lm_eval_strict_match", "so 5 + 7 = 12\n#### 12"), "12");
  EXPECT_EQ(preset("lm_eval_strict_match", kGsm8kOutput), "[invalid]");
}

TEST(Presets, AisbenchGsm8kLastNumberBeforeAnyNextQuestion) {
  EXPECT_EQ(preset("aisbench_gsm8k", kGsm8kOutput), "72");
  EXPECT_EQ(preset("aisbench_gsm8k", "The answer is 3.5 hours.\n\nQuestion: A train leaves at 9"), "3.5");
  EXPECT_EQ(preset("aisbench_gsm8k", "She is -3 degrees colder; 1,250 total"), "250");  // \d+ stops at ','
  EXPECT_EQ(preset("aisbench_gsm8k", "I cannot tell."), "NULL");
}

TEST(Presets, Gsm8kGoldIsTheTextAfterTheHashesWithoutCommas) {
  const json options = {{"preset", "gsm8k_gold"}};
  EXPECT_EQ(run(options, "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\n#### 72").text, "72");
  EXPECT_EQ(run(options, "He earns 1,200 * 3 = 3,600\n#### 3,600").text, "3600");
  const Extractor extractor = Extractor::from_options(with_preset(options));
  EXPECT_TRUE(extractor.required());
  EXPECT_EQ(extractor.extract("no hashes").rule, -1);
}

TEST(Extractor, PatternsAreTriedInOrderAndNamedByPosition) {
  const json options = {{"patterns", {"final: (\\d+)", "(\\d+)"}}};
  const Extraction first = run(options, "7 then final: 9");
  EXPECT_EQ(first.text, "9");
  EXPECT_EQ(first.rule_name, "0");
  const Extraction second = run(options, "just 7");
  EXPECT_EQ(second.text, "7");
  EXPECT_EQ(second.rule, 1);
  EXPECT_EQ(second.rule_name, "1");
}

TEST(Extractor, GroupZeroFlagsNormalisationAndFallback) {
  const json options = {{"patterns", {{{"regex", "answer is (\\w+)"}, {"flags", "i"}, {"group", 0}}}},
                        {"normalize", {{"strip", true}, {"remove", {"answer is "}}, {"case", "upper"}}},
                        {"fallback", "none"}};
  EXPECT_EQ(run(options, "The answer is paris").text, "PARIS");
  EXPECT_EQ(run(options, "THE ANSWER IS PARIS").text,
            "ANSWER IS PARIS");                     // removal is literal, before the case
  EXPECT_EQ(run(options, "no idea").text, "none");  // the fallback is not normalised
}

TEST(Extractor, DotAllAndMultilineFlags) {
  EXPECT_EQ(run({{"patterns", {{{"regex", "<a>(.*)</a>"}, {"flags", "s"}}}}}, "<a>x\ny</a>").text, "x\ny");
  EXPECT_EQ(run({{"patterns", {"<a>(.*)</a>"}}}, "<a>x\ny</a>").text, "");
  EXPECT_EQ(
      run({{"patterns", {{{"regex", "^(\\d+)$"}, {"flags", "m"}, {"select", "last"}}}}}, "1\n22\nx").text,
      "22");
}

TEST(Extractor, UnicodeDigitsAndSpacesAsInPython) {
  // Python 3's \d matches Arabic-Indic digits and \s a no-break space; so does PCRE2 with UCP.
  EXPECT_EQ(run({{"patterns", {"(\\d+)"}}}, "\xd9\xa3\xd9\xa4").text, "\xd9\xa3\xd9\xa4");
  EXPECT_EQ(run({{"patterns", {"Answer:\\s*(\\w)"}}},
                "Answer:\xc2\xa0"
                "B")
                .text,
            "B");
}

TEST(Extractor, EmptyMatchesAdvanceLikeFinditer) {
  // re.findall("x*", "axb") == ['', 'x', '', '']: the last match is empty, the second one 'x'.
  const json last = {{"patterns", {{{"regex", "x*"}, {"select", "last"}}}}};
  EXPECT_EQ(run(last, "axb").rule, 0);
  EXPECT_EQ(run(last, "axb").text, "");
  EXPECT_EQ(run({{"patterns", {"(x+)|(?=b)"}}}, "axb").text, "x");
}

TEST(Extractor, BadOptionsSayWhatToFix) {
  EXPECT_THROW(Extractor::from_options(json::object()), sdk::Error);
  try {
    Extractor::from_options({{"patterns", {"ok", "(unclosed"}}});
    FAIL();
  } catch (const sdk::Error& error) {
    EXPECT_NE(std::string(error.what()).find("patterns[1]"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("offset"), std::string::npos) << error.what();
  }
  try {
    Extractor::from_options({{"patterns", {{{"regex", "(a)"}, {"group", 2}}}}});
    FAIL();
  } catch (const sdk::Error& error) {
    EXPECT_NE(std::string(error.what()).find("1 capture group"), std::string::npos) << error.what();
  }
  try {
    with_preset({{"preset", "gpqa"}});
    FAIL();
  } catch (const sdk::Error& error) {
    EXPECT_NE(std::string(error.what()).find("aisbench_gpqa"), std::string::npos) << error.what();
  }
}

TEST(Presets, OptionsGivenWithAPresetReplaceItsOwn) {
  const json merged = with_preset({{"preset", "gsm8k_gold"}, {"output", "gold_number"}});
  EXPECT_EQ(merged["output"], "gold_number");
  EXPECT_EQ(merged["input"], "gold");
  EXPECT_FALSE(merged.contains("preset"));
  for (const Preset& each : presets()) {
    EXPECT_NO_THROW(Extractor::from_options(with_preset({{"preset", std::string(each.name)}}))) << each.name;
  }
}

}  // namespace
}  // namespace evalflow::regex_extract
