// `evalflow chat-template`: JSONL rows {"messages": [...], "add_generation_prompt": bool} on stdin to
// {"text": ...} on stdout: the prompt a model's chat template makes of them, as transformers'
// apply_chat_template(messages, tokenize=False) renders it. Other fields of a row (tools, enable_thinking,
// ...) are passed to the template as variables.
#include <evalflow/text/chat_template.hpp>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.hpp"
#include "pipeline_arguments.hpp"

namespace evalflow::cli {
namespace {

struct ChatTemplateOptions {
  std::string tokenizer_dir;
  std::string config_file;
};

void run_chat_template(const ChatTemplateOptions& options) {
  const std::string origin = options.config_file.empty() ? options.tokenizer_dir : options.config_file;
  std::optional<text::ChatTemplate> chat_template;
  try {
    chat_template = options.config_file.empty()
                        ? text::ChatTemplate::from_model_dir(options.tokenizer_dir)
                        : text::ChatTemplate::from_tokenizer_config(options.config_file);
  } catch (const text::ChatTemplateError& error) {
    fail(error.what());
  }
  std::string line;
  for (std::size_t line_number = 1; std::getline(std::cin, line); ++line_number) {
    if (line.empty()) continue;
    const std::string where = "stdin line " + std::to_string(line_number) + ": ";
    auto row = nlohmann::ordered_json::parse(line, nullptr, false);
    if (row.is_discarded() || !row.is_object()) fail(where + "not a JSON object");
    if (!row.contains("messages") || !row["messages"].is_array()) fail(where + "has no \"messages\" list");
    const nlohmann::ordered_json messages = std::move(row["messages"]);
    row.erase("messages");
    bool add_generation_prompt = false;
    if (row.contains("add_generation_prompt")) {
      if (!row["add_generation_prompt"].is_boolean()) fail(where + "\"add_generation_prompt\" is not a bool");
      add_generation_prompt = row["add_generation_prompt"].get<bool>();
      row.erase("add_generation_prompt");
    }
    nlohmann::ordered_json out;
    try {
      out["text"] = chat_template->render(messages, add_generation_prompt, row);
    } catch (const text::ChatTemplateError& error) {
      fail(where + origin + ": " + error.what());
    }
    const std::string text = out.dump() + "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
}

}  // namespace

void add_chat_template_command(CLI::App& app) {
  auto options = std::make_shared<ChatTemplateOptions>();
  CLI::App* command = app.add_subcommand(
      "chat-template",
      "Render JSONL {\"messages\", \"add_generation_prompt\"} rows from stdin to {\"text\"} prompts");
  command
      ->add_option("--tokenizer", options->tokenizer_dir,
                   "Directory holding the model's tokenizer_config.json")
      ->check(CLI::ExistingDirectory);
  command
      ->add_option("--config", options->config_file,
                   "The tokenizer_config.json to use (instead of --tokenizer's)")
      ->check(CLI::ExistingFile);
  command->callback([options] {
    if (options->tokenizer_dir.empty() && options->config_file.empty())
      fail("give --tokenizer DIR or --config FILE");
    run_chat_template(*options);
  });
}

}  // namespace evalflow::cli
