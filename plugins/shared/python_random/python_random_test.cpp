// Known values: the reference output of Matsumoto and Nishimura's mt19937ar.c, and CPython 3.11's
// random module (each derivable by hand from the algorithm, as the first test shows).
#include <gtest/gtest.h>

#include <evalflow/python_random/python_random.hpp>
#include <numeric>

namespace evalflow::python_random {
namespace {

TEST(PythonRandom, SeedZeroGivesCPythonsFirstOutputs) {
  PythonRandom rng(0);
  EXPECT_EQ(rng.getrandbits(32), 3626764237U);
  EXPECT_EQ(rng.getrandbits(32), 1654615998U);
  EXPECT_EQ(rng.getrandbits(32), 3255389356U);
}

TEST(PythonRandom, RandomIsTheWellKnownFirstValueForSeedZero) {
  // (3626764237 >> 5) * 2^26 + (1654615998 >> 6), over 2^53.
  EXPECT_EQ(PythonRandom(0).random(), 0.8444218515250481);
}

TEST(PythonRandom, InitByArrayMatchesTheMt19937arReferenceOutput) {
  // mt19937ar.out: init_by_array({0x123, 0x234, 0x345, 0x456}); Python's seed
  // 0x456_00000345_00000234_00000123.
  const uint32_t key[] = {0x123, 0x234, 0x345, 0x456};
  PythonRandom rng{std::span<const uint32_t>(key)};
  for (const uint32_t expected : {1067595299U, 955945823U, 477289528U, 4107218783U, 4228976476U}) {
    EXPECT_EQ(rng.next_uint32(), expected);
  }
}

TEST(PythonRandom, SeedsWiderThan32BitsUseTwoWords) {
  PythonRandom rng((1ULL << 40) + 5);  // random.Random(2**40 + 5)
  EXPECT_EQ(rng.getrandbits(32), 2166296868U);
  EXPECT_EQ(rng.getrandbits(32), 2220160828U);
}

TEST(PythonRandom, RandbelowRejectsValuesOutOfRange) {
  PythonRandom rng(7);
  for (const uint32_t expected : {5U, 2U, 6U, 0U, 1U}) EXPECT_EQ(rng.randbelow(10), expected);
  // Seed 0 by hand: getrandbits(3) of the first output is 6 (rejected for n = 4), of the second 3.
  EXPECT_EQ(PythonRandom(0).randbelow(4), 3U);
}

TEST(PythonRandom, SampleOfRange4ReproducesSimpleEvalsPermutations) {
  // simple-evals gpqa_eval.py: rng = random.Random(0); rng.sample(range(4), 4) per example in order.
  PythonRandom rng(0);
  const std::vector<std::vector<size_t>> expected = {{3, 1, 0, 2}, {3, 1, 2, 0}, {2, 3, 0, 1},
                                                     {2, 0, 3, 1}, {1, 3, 0, 2}, {2, 1, 0, 3}};
  for (const auto& permutation : expected) EXPECT_EQ(rng.sample_indices(4, 4), permutation);
}

TEST(PythonRandom, SampleOfTenAndPartialSamples) {
  EXPECT_EQ(PythonRandom(0).sample_indices(10, 10), (std::vector<size_t>{6, 9, 0, 2, 4, 3, 5, 1, 8, 7}));
  EXPECT_EQ(PythonRandom(0).sample_indices(10, 3), (std::vector<size_t>{6, 9, 0}));
  EXPECT_THROW(PythonRandom(0).sample_indices(3, 4), std::invalid_argument);
  EXPECT_THROW(PythonRandom(0).sample_indices(1000, 3), std::invalid_argument);
}

TEST(PythonRandom, ShuffleMatchesCPython) {
  std::vector<int> ten(10);
  std::iota(ten.begin(), ten.end(), 0);
  PythonRandom(0).shuffle(std::span<int>(ten));
  EXPECT_EQ(ten, (std::vector<int>{7, 8, 1, 5, 3, 4, 2, 0, 9, 6}));
  std::vector<int> four = {0, 1, 2, 3};
  PythonRandom(12345).shuffle(std::span<int>(four));
  EXPECT_EQ(four, (std::vector<int>{1, 0, 2, 3}));
}

}  // namespace
}  // namespace evalflow::python_random
