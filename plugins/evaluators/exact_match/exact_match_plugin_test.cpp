// The exact_match node type through the real host.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <evalflow/plugin_testing/loaded_node.hpp>

namespace evalflow {
namespace {

using plugin_testing::LoadedNode;

TEST(ExactMatchPlugin, WritesCorrectFromTheConfiguredFields) {
  LoadedNode node("exact_match",
                  R"({"prediction_field": "extracted", "trim": true, "case_insensitive": true})");
  const auto fields = node.fields();
  ASSERT_EQ(fields.reads.size(), 2U);
  EXPECT_EQ(fields.reads[0].name, "extracted");
  EXPECT_EQ(fields.reads[1].name, "gold");
  Record record;
  record.at("extracted") = " Yes\n";
  record.at("gold") = "yes";
  ASSERT_EQ(node.process(record), nullptr);
  EXPECT_EQ(*record.find("correct"), true);
  record.at("extracted") = "no";
  ASSERT_EQ(node.process(record), nullptr);
  EXPECT_EQ(*record.find("correct"), false);
}

TEST(ExactMatchPlugin, DefaultsAreExactAndAMissingFieldFailsTheRecord) {
  LoadedNode node("exact_match", "{}");
  Record record;
  record.at("prediction") = "204 ";
  record.at("gold") = "204";
  ASSERT_EQ(node.process(record), nullptr);
  EXPECT_EQ(*record.find("correct"), false);
  Record missing;
  missing.at("prediction") = "204";
  StatusPtr status = node.process(missing);
  ASSERT_NE(status, nullptr);
  EXPECT_THAT(status->message, ::testing::HasSubstr("field 'gold' is missing"));
  EXPECT_FALSE(node.options_violations(R"({"trim": "yes"})").empty());
}

}  // namespace
}  // namespace evalflow
