// The choice_shuffle plugin through the real host: declared fields, letter fields, rendered list, gold.
#include <gtest/gtest.h>
#include <evalflow/plugin_testing/loaded_node.hpp>

namespace evalflow {
namespace {

using plugin_testing::LoadedNode;

constexpr const char* kGpqaOptions =
    R"({"choices": ["correct_answer", "incorrect_1", "incorrect_2", "incorrect_3"], "order": "aisbench_gpqa_rotation"})";

Record gpqa_row(int64_t index) {
  Record record;
  record.index = index;
  record.at("question") = "Which particle mediates the strong force?";
  record.at("correct_answer") = "gluon";
  record.at("incorrect_1") = "photon";
  record.at("incorrect_2") = "W boson";
  record.at("incorrect_3") = "graviton";
  return record;
}

TEST(ChoiceShufflePlugin, DeclaresLettersGoldAndPermutation) {
  const LoadedNode node("choice_shuffle", kGpqaOptions);
  const auto fields = node.fields();
  ASSERT_EQ(fields.reads.size(), 5U);
  EXPECT_EQ(fields.reads[0].name, "question");
  EXPECT_EQ(fields.reads[1].name, "correct_answer");
  std::vector<std::string> written;
  for (const auto& field : fields.writes) written.push_back(field.name);
  EXPECT_EQ(written, (std::vector<std::string>{"choices_text", "permutation", "A", "B", "C", "D", "gold"}));
}

TEST(ChoiceShufflePlugin, WritesTheRotatedOptionsAndTheGoldLetter) {
  LoadedNode node("choice_shuffle", kGpqaOptions);
  Record record = gpqa_row(0);
  EXPECT_EQ(node.process(record), nullptr);
  EXPECT_EQ(*record.find("A"), "photon");
  EXPECT_EQ(*record.find("D"), "gluon");
  EXPECT_EQ(*record.find("gold"), "D");
  EXPECT_EQ(*record.find("permutation"), nlohmann::json({1, 2, 3, 0}));
  EXPECT_EQ(*record.find("choices_text"), "A) photon\nB) W boson\nC) graviton\nD) gluon");
}

TEST(ChoiceShufflePlugin, ListFieldWithLetterAnswerKeptInOrderAndNaSkipped) {
  LoadedNode node("choice_shuffle", R"({"choices_field": "options", "answer_field": "answer", "order": "keep",
                                        "format": "{letter}. {text}", "skip": ["N/A"]})");
  Record record;
  record.at("question") = "Which is a noble gas?";
  record.at("options") = nlohmann::json({"N/A", "neon", "sodium"});
  record.at("answer") = "B";
  EXPECT_EQ(node.process(record), nullptr);
  EXPECT_EQ(*record.find("choices_text"), "B. neon\nC. sodium");
  EXPECT_EQ(*record.find("gold"), "B");
  EXPECT_EQ(*record.find("A"), "N/A");
}

TEST(ChoiceShufflePlugin, RecordErrorsNameTheFix) {
  LoadedNode simple_evals("choice_shuffle",
                          R"({"choices": ["correct_answer", "incorrect_1", "incorrect_2", "incorrect_3"],
                              "order": "simple_evals_gpqa", "rows": 2})");
  Record beyond = gpqa_row(2);
  const StatusPtr status = simple_evals.process(beyond);
  ASSERT_NE(status, nullptr);
  EXPECT_NE(status->message.find("rows"), std::string::npos) << status->message;

  LoadedNode letters("choice_shuffle", R"({"choices_field": "options", "answer_field": "answer"})");
  Record bad;
  bad.at("question") = "q";
  bad.at("options") = nlohmann::json({"a", "b"});
  bad.at("answer") = "E";
  ASSERT_NE(letters.process(bad), nullptr);
}

TEST(ChoiceShufflePlugin, SimpleEvalsWithoutRowsFailsCreate) {
  EXPECT_THROW(
      LoadedNode("choice_shuffle", R"({"choices": ["a", "b", "c", "d"], "order": "simple_evals_gpqa"})"),
      std::runtime_error);
}

}  // namespace
}  // namespace evalflow
