// few_shot's logic: AISBench's MMLU-Pro 5-shot examples string, positions within a category, listed ids,
// the seeded choice pinned to its Python equivalent, and the errors.
#include "few_shot_examples.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace evalflow::few_shot {
namespace {

using nlohmann::json;

// MMLU-Pro's validation rows as AISBench's MMLUProDataset reads them (options list, letter answer, category).
std::vector<json> mmlu_pro_rows() {
  return {
      {{"question", "Which unit measures force?"},
       {"options", {"joule", "newton", "N/A", "watt"}},
       {"answer", "B"},
       {"category", "physics"}},
      {{"question", "What is 7 * 6?"}, {"options", {"42", "36"}}, {"answer", "A"}, {"category", "math"}},
      {{"question", "What is the speed of light in vacuum, roughly?"},
       {"options", {"3e5 km/s", "3e3 km/s"}},
       {"answer", "A"},
       {"category", "physics"}},
  };
}

Options mmlu_pro_options(size_t k) {
  Options options;
  options.template_text = "Question:\n{question}\nOptions:\n{options_str}\nAnswer: {answer}";
  options.k = k;
  options.match_field = "category";
  options.choice_lists = {
      {.field = "options", .name = "options_str", .format = "{letter}. {text}", .skip = {"N/A"}}};
  return options;
}

TEST(FewShotExamples, RendersAisbenchMmluProExamplesOfTheQuestionsCategory) {
  const FewShotExamples examples(mmlu_pro_rows(), mmlu_pro_options(2), "validation.jsonl");
  // AISBench: generate_ice = "\n".join(ice_template filled per example) + "\n" (ice_separator,
  // ice_eos_token), the examples being the category's rows at fix_id_list positions; options_str skips N/A,
  // keeps letters.
  EXPECT_EQ(examples.for_question("physics", "Which is a vector?"),
            "Question:\nWhich unit measures force?\nOptions:\nA. joule\nB. newton\nD. watt\nAnswer: B\n"
            "Question:\nWhat is the speed of light in vacuum, roughly?\nOptions:\nA. 3e5 km/s\nB. 3e3 "
            "km/s\nAnswer: A\n");
  const FewShotExamples one(mmlu_pro_rows(), mmlu_pro_options(1), "validation.jsonl");
  EXPECT_EQ(one.for_question("math", "What is 1 + 1?"),
            "Question:\nWhat is 7 * 6?\nOptions:\nA. 42\nB. 36\nAnswer: A\n");
}

// OpenCompass's chat few-shot (ice_template with HUMAN/BOT rounds): each example a user turn and the
// assistant's answer, in the order FixKRetriever picks them.
TEST(FewShotExamples, TurnsMakeAUserAndAnAssistantMessagePerExample) {
  Options options = mmlu_pro_options(2);
  options.template_text.clear();
  options.turns = Turns{.user = "{question}\n{options_str}", .assistant = "The answer is ({answer})."};
  const FewShotExamples examples(mmlu_pro_rows(), options, "validation.jsonl");
  EXPECT_EQ(json::parse(examples.for_question("physics", "Which is a vector?")), json::parse(R"([
              {"role": "user", "content": "Which unit measures force?\nA. joule\nB. newton\nD. watt"},
              {"role": "assistant", "content": "The answer is (B)."},
              {"role": "user", "content": "What is the speed of light in vacuum, roughly?\nA. 3e5 km/s\nB. 3e3 km/s"},
              {"role": "assistant", "content": "The answer is (A)."}])"));
}

TEST(FewShotExamples, TooFewExamplesInTheCategoryFailWithTheCount) {
  const FewShotExamples examples(mmlu_pro_rows(), mmlu_pro_options(2), "validation.jsonl");
  try {
    (void)examples.for_question("math", "What is 1 + 1?");
    FAIL() << "k = 2 with one math example must fail";
  } catch (const std::invalid_argument& error) {
    EXPECT_STREQ(
        error.what(),
        "validation.jsonl has 1 examples whose category is 'math', too few for the selection (k = 2 or the "
        "listed ids): lower k or add examples");
  }
  EXPECT_THROW((void)examples.for_question("law", "q"), std::invalid_argument);
}

std::vector<json> numbered_rows(size_t count) {
  std::vector<json> rows;
  for (size_t i = 0; i < count; ++i) rows.push_back({{"question", "q" + std::to_string(i)}, {"answer", i}});
  return rows;
}

TEST(FewShotExamples, ListedIdsInTheirOrderWithCustomSeparators) {
  Options options;
  options.template_text = "{question}={answer}";
  options.selection = Selection::kIds;
  options.ids = {3, 0};
  options.k = 2;
  options.separator = "; ";
  options.end = "\n\n";
  const FewShotExamples examples(numbered_rows(4), options, "train.jsonl");
  EXPECT_EQ(examples.for_question("", "anything"), "q3=3; q0=0\n\n");  // a number as its JSON text
}

TEST(FewShotExamples, SeededChoiceIsPythonsShuffleOfThePositionsPerQuestion) {
  Options options;
  options.template_text = "{question}";
  options.selection = Selection::kSeeded;
  options.k = 3;
  options.separator = ",";
  options.end = "";
  const FewShotExamples examples(numbered_rows(8), options, "train.jsonl");
  // Python: h = FNV-1a-64(b"0" b"\x1f" question); p = list(range(8)); random.Random(h).shuffle(p); p[:3]
  // "What is 2 + 2?": h = 11003944118195906904 -> [7, 3, 2]; the spider question: 6942964258244879354 -> [6,
  // 0, 4].
  EXPECT_EQ(examples.for_question("", "What is 2 + 2?"), "q7,q3,q2");
  EXPECT_EQ(examples.for_question("", "How many legs does a spider have?"), "q6,q0,q4");
  options.seed = 7;  // seed 7: [3, 5, 4] and [7, 5, 1]
  const FewShotExamples reseeded(numbered_rows(8), options, "train.jsonl");
  EXPECT_EQ(reseeded.for_question("", "What is 2 + 2?"), "q3,q5,q4");
  EXPECT_EQ(reseeded.for_question("", "How many legs does a spider have?"), "q7,q5,q1");
}

TEST(FewShotExamples, SeededNeverShowsTheQuestionItself) {
  Options options;
  options.template_text = "{question}";
  options.selection = Selection::kSeeded;
  options.k = 3;
  const FewShotExamples examples(numbered_rows(4), options, "test.jsonl");
  for (int i = 0; i < 4; ++i) {
    const std::string question = "q" + std::to_string(i);
    const std::string shown = examples.for_question("", question);
    EXPECT_EQ(shown.find(question + "\n"), std::string::npos) << shown;
    EXPECT_EQ(std::count(shown.begin(), shown.end(), '\n'), 3);
  }
  options.k = 4;  // only 3 others exist
  const FewShotExamples too_many(numbered_rows(4), options, "test.jsonl");
  EXPECT_THROW((void)too_many.for_question("", "q0"), std::invalid_argument);
}

TEST(FewShotExamples, AnExampleWithoutATemplateKeyNamesRowAndKey) {
  Options options;
  options.template_text = "{question} -> {solution}";
  try {
    const FewShotExamples examples(numbered_rows(2), options, "train.jsonl");
    FAIL() << "a missing key must fail";
  } catch (const std::invalid_argument& error) {
    EXPECT_STREQ(error.what(),
                 "train.jsonl row 1: no key 'solution', which the example template's {solution} needs: fix "
                 "the file or "
                 "the template");
  }
}

TEST(FewShotExamples, ReadsJsonLinesAndNamesTheBadLine) {
  const auto path = std::filesystem::temp_directory_path() / "few_shot_test_examples.jsonl";
  {
    std::ofstream out(path);
    out << "{\"question\": \"a\"}\n\n{\"question\": \"b\"}\n";
  }
  EXPECT_EQ(read_jsonl_rows(path.string()).size(), 2U);
  {
    std::ofstream out(path);
    out << "{\"question\": \"a\"}\n[1, 2]\n";
  }
  try {
    (void)read_jsonl_rows(path.string());
    FAIL() << "a line that is no object must fail";
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()), path.string() + ":2: not a JSON object: fix or remove this line");
  }
  std::filesystem::remove(path);
  EXPECT_THROW((void)read_jsonl_rows(path.string()), std::invalid_argument);
}

}  // namespace
}  // namespace evalflow::few_shot
