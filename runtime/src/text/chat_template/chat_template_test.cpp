#include <evalflow/text/chat_template.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <string>
#include <vector>

#include "test_data.hpp"

namespace evalflow::text {
namespace {

using json = nlohmann::ordered_json;

const std::string& kData = testing::kTokenizerData;

std::vector<json> read_jsonl(const std::string& path) {
  return testing::read_jsonl<json>(path);
}

const ChatTemplate& template_named(const std::string& name) {
  static const std::map<std::string, ChatTemplate> templates = [] {
    std::map<std::string, ChatTemplate> loaded;
    loaded.emplace("qwen3", ChatTemplate::from_tokenizer_config(kData + "qwen3/tokenizer_config.json"));
    loaded.emplace("deepseek_v3",
                   ChatTemplate::from_tokenizer_config(kData + "deepseek_v3/tokenizer_config.json"));
    loaded.emplace("deepseek_r1_distill_qwen",
                   ChatTemplate::from_tokenizer_config(
                       kData + "deepseek_r1_distill_qwen/tokenizer_config.reconstructed.json"));
    return loaded;
  }();
  return templates.at(name);
}

// transformers 5.17 apply_chat_template output for every (template, conversation, add_generation_prompt).
TEST(ChatTemplateReference, EveryRowIsByteIdenticalToTransformers) {
  const std::vector<json> rows = read_jsonl(kData + "reference/chat_templates.jsonl");
  ASSERT_EQ(rows.size(), 30u);
  for (const json& row : rows) {
    const std::string rendered = template_named(row.at("template").get<std::string>())
                                     .render(row.at("messages"), row.at("add_generation_prompt").get<bool>());
    EXPECT_EQ(rendered, row.at("text").get<std::string>())
        << row.at("template") << " conversation " << row.at("conv") << " add_generation_prompt "
        << row.at("add_generation_prompt");
  }
}

// jinja2 3.1 configured as transformers configures it (tools/text/gen_chat_template_cases.py): one Jinja
// feature per row, and the real templates on tool-call and reasoning conversations.
TEST(ChatTemplateReference, JinjaFeaturesAndToolConversationsMatchJinja2) {
  const std::vector<json> rows = read_jsonl(kData + "reference/jinja_cases.jsonl");
  ASSERT_GE(rows.size(), 30u);
  for (const json& row : rows) {
    std::string rendered;
    try {
      if (row.contains("template")) {
        rendered = ChatTemplate(row.at("template").get<std::string>())
                       .render(json::array(), false, row.at("variables"));
      } else {
        rendered =
            ChatTemplate::from_tokenizer_config(kData + row.at("config").get<std::string>())
                .render(row.at("messages"), row.at("add_generation_prompt").get<bool>(), row.at("variables"));
      }
    } catch (const ChatTemplateError& error) {
      ADD_FAILURE() << row.at("name") << ": " << error.what();
      continue;
    }
    EXPECT_EQ(rendered, row.at("text").get<std::string>()) << row.at("name");
  }
}

std::string error_of(const std::string& source, const json& variables = json::object()) {
  try {
    (void)ChatTemplate(source).render(json::array(), false, variables);
  } catch (const ChatTemplateError& error) {
    return error.what();
  }
  return "no error";
}

TEST(ChatTemplate, RefusesUnsupportedSyntaxNamingTheLine) {
  EXPECT_EQ(error_of("{% macro greet() %}hi{% endmacro %}"),
            "chat template line 1: unsupported statement 'macro'");
  EXPECT_EQ(error_of("line one\n{{ text|wordwrap }}"), "chat template line 2: unsupported filter 'wordwrap'");
  EXPECT_EQ(error_of("{% if x %}\n\n{{ x is callable }}{% endif %}"),
            "chat template line 3: unsupported test 'callable'");
  EXPECT_EQ(error_of("a\n{% if x %}\nb"),
            "chat template line 3: template ended inside a block: expected 'endif'");
  EXPECT_EQ(error_of("{{ 'open }}"), "chat template line 1: unterminated string literal");
  EXPECT_EQ(error_of("\n{{ x + }}"), "chat template line 2: expected an expression, found end of tag");
}

TEST(ChatTemplate, ReportsRuntimeErrorsWithTheLine) {
  EXPECT_EQ(error_of("{% for m in messages %}\n{% endfor %}\n{{ raise_exception('Roles must alternate') }}"),
            "chat template line 3: the template raised an exception: Roles must alternate");
  EXPECT_EQ(error_of("\n{{ missing.attribute }}"), "chat template line 2: 'missing' is undefined");
  EXPECT_EQ(error_of("{{ 'a' + 1 }}"),
            "chat template line 1: unsupported operand type(s) for +: 'str' and 'int'");
  EXPECT_EQ(error_of("{% set n = 5 %}{% set n.x = 1 %}"),
            "chat template line 1: cannot assign attribute 'x' of 'n', which is not a namespace");
}

// Python's integers are unbounded and jinja2's sandbox bounds range(); evalflow refuses what it cannot
// compute exactly instead of producing a wrong number (cases found by chat_template_fuzzer).
TEST(ChatTemplate, RefusesIntegersBeyond64BitsAndSandboxLimits) {
  EXPECT_EQ(error_of("{{ 99999999999999999999 }}"),
            "chat template line 1: integer literal 99999999999999999999 does not fit in 64 bits");
  EXPECT_EQ(error_of("{{ 9223372036854775807 + 1 }}"), "chat template line 1: integer overflow in +");
  EXPECT_EQ(error_of("{{ 2 ** 64 }}"), "chat template line 1: integer overflow in **");
  EXPECT_EQ(error_of("{% for i in range(1000000) %}{% endfor %}"),
            "chat template line 1: range too big: jinja2's sandbox allows 100000 items");
  EXPECT_EQ(error_of("{{ '\\U00110000' }}"),
            "chat template line 1: \\U00110000 is not a Unicode scalar value");
  EXPECT_EQ(ChatTemplate("{{ 2 ** 62 }} {{ 1e999 }}").render(json::array(), false),
            "4611686018427387904 inf");
}

TEST(ChatTemplate, ReadsSpecialTokensInBothFormsFromTokenizerConfig) {
  const ChatTemplate deepseek =
      ChatTemplate::from_tokenizer_config(kData + "deepseek_v3/tokenizer_config.json");
  EXPECT_EQ(deepseek.variables().at("bos_token"),
            "<\uff5cbegin\u2581of\u2581sentence\uff5c>");  // an AddedToken object
  const ChatTemplate qwen3 = ChatTemplate::from_tokenizer_config(kData + "qwen3/tokenizer_config.json");
  EXPECT_EQ(qwen3.variables().at("eos_token"), "<|im_end|>");  // a plain string
  EXPECT_FALSE(qwen3.variables().contains("bos_token"));       // null in the file: undefined in the template
}

// Newer model folders keep the template in chat_template.jinja, beside a tokenizer_config.json without one.
TEST(ChatTemplate, ReadsChatTemplateJinjaFromAModelFolder) {
  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("evalflow_chat_template_" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  json config = json::parse(std::ifstream(kData + "qwen3/tokenizer_config.json"));
  std::ofstream(folder / "chat_template.jinja") << config["chat_template"].get<std::string>();
  config.erase("chat_template");
  std::ofstream(folder / "tokenizer_config.json") << config.dump();

  const ChatTemplate from_folder = ChatTemplate::from_model_dir(folder);
  EXPECT_EQ(from_folder.variables().at("eos_token"), "<|im_end|>");
  for (const json& row : read_jsonl(kData + "reference/chat_templates.jsonl")) {
    if (row.at("template") != "qwen3") continue;
    EXPECT_EQ(from_folder.render(row.at("messages"), row.at("add_generation_prompt").get<bool>()),
              row.at("text").get<std::string>())
        << "conversation " << row.at("conv");
  }
  std::filesystem::remove(folder / "chat_template.jinja");
  try {
    (void)ChatTemplate::from_model_dir(folder);
    ADD_FAILURE() << "expected ChatTemplateError without any template";
  } catch (const ChatTemplateError& error) {
    EXPECT_EQ(std::string(error.what()),
              (folder / "tokenizer_config.json").string() + ": has no chat_template");
  }
  std::filesystem::remove_all(folder);
  // Without chat_template.jinja the folder's tokenizer_config.json is used.
  EXPECT_EQ(ChatTemplate::from_model_dir(kData + "deepseek_v3")
                .render(json::array({{{"role", "user"}, {"content", "hi"}}}), true),
            "<\uff5cbegin\u2581of\u2581sentence\uff5c><\uff5cUser\uff5c>hi<\uff5cAssistant\uff5c>");
}

TEST(ChatTemplate, NamesTheConfigFileWhenItHasNoTemplate) {
  try {
    (void)ChatTemplate::from_tokenizer_config(kData + "qwen3/tokenizer.json.missing");
    FAIL() << "expected ChatTemplateError";
  } catch (const ChatTemplateError& error) {
    EXPECT_EQ(std::string(error.what()), kData + "qwen3/tokenizer.json.missing: cannot open");
  }
}

}  // namespace
}  // namespace evalflow::text
