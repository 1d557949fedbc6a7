#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <evalflow/plugin.hpp>

#include <string>
#include <vector>

#include "prompt_template.hpp"

namespace evalflow::prompt_template {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using json = nlohmann::json;

json render(const PromptTemplate& prompt, const std::vector<std::string_view>& values) {
  std::string out;
  prompt.render(values, out);
  return json::parse(out);
}

std::string options_error(const json& options) {
  try {
    (void)PromptTemplate::from_options(options);
  } catch (const sdk::Error& error) {
    EXPECT_EQ(error.code(), EF_INVALID_ARGUMENT);
    return error.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(PromptTemplate, AisBenchMath500PromptKeepsBoxedLiteral) {
  const auto prompt = PromptTemplate::from_options(
      {{"template", "{problem}\nPlease reason step by step, and put your final answer within \\boxed{}."}});
  EXPECT_THAT(prompt.fields(), ElementsAre("problem"));
  EXPECT_EQ(render(prompt, {"What is $\\frac{1}{2}$ of \"4\"?"}), json::parse(R"([{"role": "user", "content":
              "What is $\\frac{1}{2}$ of \"4\"?\nPlease reason step by step, and put your final answer within \\boxed{}."}])"));
}

TEST(PromptTemplate, MessagesWithAisBenchRolesInOrder) {
  const auto prompt =
      PromptTemplate::from_options({{"messages",
                                     {{{"role", "SYSTEM"}, {"content", "You are {persona}."}},
                                      {{"role", "HUMAN"}, {"prompt", "Q: {question}"}},
                                      {{"role", "BOT"}, {"prompt", "A: {answer}"}},
                                      {{"role", "user"}, {"content", "And {question} again?"}}}}});
  EXPECT_THAT(prompt.fields(), ElementsAre("persona", "question", "answer"));
  EXPECT_EQ(render(prompt, {"terse", "2+2", "4"}), json::parse(R"([
      {"role": "system", "content": "You are terse."},
      {"role": "user", "content": "Q: 2+2"},
      {"role": "assistant", "content": "A: 4"},
      {"role": "user", "content": "And 2+2 again?"}])"));
}

TEST(PromptTemplate, OnlyIdentifierPlaceholdersAreSubstituted) {
  const auto prompt = PromptTemplate::from_options({{"template", "{} {1x} {a b} {{q}} {q}{q} {q"}});
  EXPECT_THAT(prompt.fields(), ElementsAre("q"));
  EXPECT_EQ(render(prompt, {"V"})[0]["content"], "{} {1x} {a b} {V} VV {q");
}

TEST(PromptTemplate, FieldsOptionLimitsWhatIsSubstituted) {
  const auto prompt = PromptTemplate::from_options(
      {{"template", "Solve {problem}: find $\\frac{a}{b}$ with {a}."}, {"fields", {"problem"}}});
  EXPECT_THAT(prompt.fields(), ElementsAre("problem"));
  EXPECT_EQ(render(prompt, {"this"})[0]["content"], "Solve this: find $\\frac{a}{b}$ with {a}.");
}

TEST(PromptTemplate, ValuesAreEscapedAndNeverReparsed) {
  const auto prompt = PromptTemplate::from_options({{"template", "<{a}|{b}>"}});
  EXPECT_EQ(render(prompt, {"{b} \"quoted\"\n\t\\", ""})[0]["content"], "<{b} \"quoted\"\n\t\\|>");
  EXPECT_EQ(render(PromptTemplate::from_options({{"template", "no fields"}}), {})[0]["content"], "no fields");
}

TEST(PromptTemplate, ExamplesEntryPlacesTheListsMessagesAmongTheTurns) {
  const auto prompt = PromptTemplate::from_options({{"messages",
                                                     {{{"role", "SYSTEM"}, {"prompt", "Be brief."}},
                                                      {{"examples", "shots"}},
                                                      {{"role", "HUMAN"}, {"prompt", "{question}"}}}}});
  EXPECT_THAT(prompt.fields(), ElementsAre("shots", "question"));
  EXPECT_TRUE(prompt.is_turns(0));
  EXPECT_FALSE(prompt.is_turns(1));
  const std::string shots = PromptTemplate::turns_text(
      json::parse(R"([{"role": "user", "content": "1+1?"}, {"role": "BOT", "content": "\"2\""}])"), "shots");
  EXPECT_EQ(render(prompt, {shots, "2+2?"}), json::parse(R"([{"role": "system", "content": "Be brief."},
    {"role": "user", "content": "1+1?"}, {"role": "assistant", "content": "\"2\""},
    {"role": "user", "content": "2+2?"}])"));
  const auto first = PromptTemplate::from_options(
      {{"messages", {{{"examples", "shots"}}, {{"role", "user"}, {"content", "{question}"}}}}});
  EXPECT_EQ(render(first, {shots, "3+3?"}).size(), 3U);
  const auto only = PromptTemplate::from_options({{"messages", {{{"examples", "shots"}}}}});
  EXPECT_EQ(render(only, {shots}).size(), 2U);
}

TEST(PromptTemplate, ExamplesMustBeMessages) {
  const auto error = [](const char* text) {
    try {
      (void)PromptTemplate::turns_text(json::parse(text), "shots");
    } catch (const sdk::Error& failure) {
      return std::string(failure.what());
    }
    return std::string();
  };
  EXPECT_THAT(error("[]"), HasSubstr("field 'shots' (an `examples` entry) must be a non-empty list"));
  EXPECT_THAT(error(R"("text")"), HasSubstr("non-empty list"));
  EXPECT_THAT(error(R"([{"role": "judge", "content": "x"}])"), HasSubstr("item 0: not a {role, content}"));
  EXPECT_THAT(error(R"([{"role": "user", "content": "x"}, {"role": "user", "content": 3}])"),
              HasSubstr("item 1"));
  EXPECT_THAT(options_error({{"messages",
                              {{{"examples", "question"}}, {{"role", "user"}, {"content", "{question}"}}}}}),
              HasSubstr("both a placeholder and an `examples` list"));
}

TEST(PromptTemplate, RoleNames) {
  EXPECT_EQ(chat_role("HUMAN"), "user");
  EXPECT_EQ(chat_role("BOT"), "assistant");
  EXPECT_EQ(chat_role("SYSTEM"), "system");
  EXPECT_EQ(chat_role("assistant"), "assistant");
  EXPECT_FALSE(chat_role("Human").has_value());
}

TEST(PromptTemplate, BadOptionsSayWhatToDo) {
  EXPECT_THAT(options_error(json::object()), HasSubstr("give either `messages`"));
  EXPECT_THAT(options_error({{"template", "a"}, {"messages", {{{"role", "user"}, {"content", "b"}}}}}),
              HasSubstr("not both"));
  EXPECT_THAT(
      options_error(
          {{"messages", {{{"role", "user"}, {"content", "a"}}, {{"role", "robot"}, {"content", "b"}}}}}),
      HasSubstr("messages[1]: unknown role 'robot': use system, user or assistant"));
  EXPECT_THAT(options_error({{"messages", {{{"role", "user"}}}}}),
              HasSubstr("messages[0]: `content` is missing"));
  EXPECT_THAT(options_error({{"messages", json::array()}}), HasSubstr("non-empty list"));
}

}  // namespace
}  // namespace evalflow::prompt_template
