// The option orders. Reference rows are what the references' loaders produce on the same input (AISBench's
// GPQADataset.load and simple-evals' GPQAEval.__init__, run under CPython 3.11 when written); the seeded
// order is pinned to its documented Python equivalent so that anyone can recompute it.
#include <gtest/gtest.h>

#include <set>

#include "choice_order.hpp"

namespace evalflow::choice_shuffle {
namespace {

const std::vector<std::string_view> kGpqaChoices = {"right", "w1", "w2", "w3"};  // the correct one first

Ordered order_row(const ChoiceOrder& order, int64_t row, int32_t replica = 0) {
  return order.order({.text = "q", .choices = kGpqaChoices, .row = row, .replica = replica}, 0);
}

TEST(AisbenchGpqaRotation, RotatesByTheRowCountFromOne) {
  const ChoiceOrder order({.order = Order::kAisbenchGpqaRotation});
  // Row 0 is AISBench's cnt 1: pattern BCDA, so the correct option lands on D.
  const std::vector<std::vector<size_t>> permutations = {
      {1, 2, 3, 0}, {2, 3, 0, 1}, {3, 0, 1, 2}, {0, 1, 2, 3}, {1, 2, 3, 0}};
  const std::string golds = "DCBAD";
  for (int64_t row = 0; row < 5; ++row) {
    const Ordered ordered = order_row(order, row);
    EXPECT_EQ(ordered.permutation, permutations[row]) << "row " << row;
    EXPECT_EQ(letter(ordered.correct_letter), std::string(1, golds[row])) << "row " << row;
  }
}

TEST(AisbenchGpqaRotation, TheGoldIsTheFirstLetterWithTheCorrectText) {
  // AISBench compares texts: a wrong option identical to the right one takes the gold if it comes first.
  const ChoiceOrder order({.order = Order::kAisbenchGpqaRotation});
  const std::vector<std::string_view> duplicated = {"same", "w1", "w2", "same"};
  const Ordered ordered = order.order({.text = "q", .choices = duplicated, .row = 0}, 0);  // BCDA
  EXPECT_EQ(letter(ordered.correct_letter), "C");  // option 3 ("same") sits on C, before the real one on D
}

TEST(SimpleEvalsGpqa, PermutationsOfAllRowsThenTheNextRepeat) {
  // simple-evals with a 3-row CSV: examples = rows * 4, permutation j = the j-th rng.sample(range(4), 4).
  const ChoiceOrder order({.order = Order::kSimpleEvalsGpqa, .rows = 3});
  const std::vector<std::vector<size_t>> permutations = {
      {3, 1, 0, 2}, {3, 1, 2, 0}, {2, 3, 0, 1}, {2, 0, 3, 1}, {1, 3, 0, 2}, {2, 1, 0, 3},
      {3, 1, 0, 2}, {3, 2, 1, 0}, {0, 3, 1, 2}, {3, 1, 0, 2}, {0, 3, 2, 1}, {1, 2, 3, 0}};
  const std::string golds = "CDCBCCCDACAD";
  for (size_t j = 0; j < permutations.size(); ++j) {
    const auto replica = static_cast<int32_t>(j / 3);
    const auto row = static_cast<int64_t>(j % 3);
    const Ordered ordered = order_row(order, row, replica);
    EXPECT_EQ(ordered.permutation, permutations[j]) << "example " << j;
    EXPECT_EQ(letter(ordered.correct_letter), std::string(1, golds[j])) << "example " << j;
  }
}

TEST(SimpleEvalsGpqa, RefusesWhatItsTableDoesNotCover) {
  EXPECT_THROW(ChoiceOrder({.order = Order::kSimpleEvalsGpqa}), std::invalid_argument);  // no rows
  const ChoiceOrder order({.order = Order::kSimpleEvalsGpqa, .rows = 3});
  EXPECT_THROW(order_row(order, 3), std::invalid_argument);
  EXPECT_THROW(order_row(order, 0, 4), std::invalid_argument);
  const std::vector<std::string_view> five = {"a", "b", "c", "d", "e"};
  EXPECT_THROW(order.order({.text = "q", .choices = five}, 0), std::invalid_argument);
}

TEST(Seeded, IsRandomRandomOfTheContentHashShuffled) {
  // Python: h = fnv1a64(b"0" b"\x1f" question (b"\x1f" choice)...); p = list(range(4));
  // random.Random(h).shuffle(p)
  const std::vector<std::string_view> choices = {"4", "3", "5", "22"};
  const Question question{.text = "What is 2+2?", .choices = choices};
  EXPECT_EQ(ChoiceOrder({}).order(question, 0).permutation, (std::vector<size_t>{0, 3, 2, 1}));
  EXPECT_EQ(ChoiceOrder({.seed = 1}).order(question, 0).permutation, (std::vector<size_t>{2, 1, 3, 0}));
  Question second_sample = question;
  second_sample.replica = 1;
  EXPECT_EQ(ChoiceOrder({}).order(second_sample, 0).permutation, (std::vector<size_t>{0, 3, 2, 1}));
  EXPECT_EQ(ChoiceOrder({.vary_by_replica = true}).order(second_sample, 0).permutation,
            (std::vector<size_t>{3, 1, 0, 2}));
  const Ordered ordered = ChoiceOrder({.seed = 1}).order(question, 0);
  EXPECT_EQ(letter(ordered.correct_letter), "D");  // option 0 is shown under D
}

TEST(Seeded, DependsOnContentNotOnPositionOrRunOrder) {
  const ChoiceOrder order({});
  const std::vector<std::string_view> choices = {"6", "5", "7", "33"};
  const Question at_row_0{.text = "What is 3+3?", .choices = choices, .row = 0};
  Question at_row_9 = at_row_0;
  at_row_9.row = 9;
  EXPECT_EQ(order.order(at_row_0, 0).permutation, (std::vector<size_t>{1, 3, 2, 0}));
  EXPECT_EQ(order.order(at_row_9, 0).permutation, order.order(at_row_0, 0).permutation);
}

TEST(Seeded, SpreadsTheCorrectAnswerOverAllLetters) {
  // The bug this guards against: one RNG state for all questions, every gold on the same letter.
  const ChoiceOrder order({});
  std::set<size_t> letters;
  for (int i = 0; i < 40; ++i) {
    const std::string text = "question " + std::to_string(i);
    letters.insert(order.order({.text = text, .choices = kGpqaChoices}, 0).correct_letter);
  }
  EXPECT_EQ(letters.size(), 4U);
}

TEST(Keep, KeepsTheSourceOrder) {
  const std::vector<std::string_view> ten = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
  const Ordered ordered = ChoiceOrder({.order = Order::kKeep}).order({.text = "q", .choices = ten}, 7);
  EXPECT_EQ(ordered.permutation, (std::vector<size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(letter(ordered.correct_letter), "H");
}

TEST(Fnv1a64, KnownValues) {
  EXPECT_EQ(fnv1a64(""), 14695981039346656037ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);  // the FNV reference test vector
}

}  // namespace
}  // namespace evalflow::choice_shuffle
