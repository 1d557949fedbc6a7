#include <gtest/gtest.h>

#include "accuracy.hpp"

namespace evalflow::accuracy {
namespace {

TEST(AccuracyCounter, PercentWithFullPrecision) {
  AccuracyCounter counter;
  for (int i = 0; i < 3; ++i) counter.add(i == 0);
  const auto report = counter.report();
  EXPECT_DOUBLE_EQ(report["accuracy"].get<double>(), 100.0 / 3.0);
  EXPECT_EQ(report["correct"], 1);
  EXPECT_EQ(report["total"], 3);
}

TEST(AccuracyCounter, AllAndNone) {
  AccuracyCounter all;
  all.add(true);
  all.add(true);
  EXPECT_EQ(all.report()["accuracy"].get<double>(), 100.0);
  AccuracyCounter none;
  none.add(false);
  EXPECT_EQ(none.report()["accuracy"].get<double>(), 0.0);
}

TEST(AccuracyCounter, NothingScoredIsNullNotZero) {
  const auto report = AccuracyCounter().report();
  EXPECT_TRUE(report["accuracy"].is_null());
  EXPECT_EQ(report["total"], 0);
}

}  // namespace
}  // namespace evalflow::accuracy
