// `evalflow tokenize`: JSONL rows {"text": ...} on stdin to {"ids": [...]} on stdout with a model's
// tokenizer.json, or with --decode rows {"ids": [...]} to {"text": ...}; ids as HuggingFace's
// encode(text, add_special_tokens=False) and decode(ids) give them.
#include <evalflow/text/tokenizer.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.hpp"
#include "pipeline_arguments.hpp"

namespace evalflow::cli {
namespace {

struct TokenizeOptions {
  std::string tokenizer_dir;
  bool decode = false;
  bool skip_special_tokens = false;
};

nlohmann::json field_of(const std::string& line, std::size_t line_number, const char* field) {
  const auto row = nlohmann::json::parse(line, nullptr, false);
  if (row.is_discarded() || !row.is_object())
    fail("stdin line " + std::to_string(line_number) + ": not a JSON object");
  if (!row.contains(field))
    fail("stdin line " + std::to_string(line_number) + ": has no \"" + field + "\" field");
  return row.at(field);
}

void run_tokenize(const TokenizeOptions& options) {
  const std::filesystem::path path = std::filesystem::path(options.tokenizer_dir) / "tokenizer.json";
  std::optional<text::Tokenizer> tokenizer;
  try {
    tokenizer = text::Tokenizer::from_file(path);
  } catch (const text::TokenizerError& error) {
    fail(error.what());
  }
  std::string line;
  for (std::size_t line_number = 1; std::getline(std::cin, line); ++line_number) {
    if (line.empty()) continue;
    nlohmann::json out;
    try {
      if (options.decode) {
        const nlohmann::json ids = field_of(line, line_number, "ids");
        out["text"] = tokenizer->decode(ids.get<std::vector<text::TokenId>>(), options.skip_special_tokens);
      } else {
        const nlohmann::json text = field_of(line, line_number, "text");
        if (!text.is_string())
          fail("stdin line " + std::to_string(line_number) + ": \"text\" is not a string");
        out["ids"] = tokenizer->encode(text.get_ref<const std::string&>());
      }
    } catch (const nlohmann::json::exception& error) {
      fail("stdin line " + std::to_string(line_number) + ": \"ids\" is not a list of integers (" +
           error.what() + ")");
    } catch (const text::TokenizerError& error) {
      fail("stdin line " + std::to_string(line_number) + ": " + error.what());
    }
    const std::string text = out.dump() + "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
  }
}

}  // namespace

void add_tokenize_command(CLI::App& app) {
  auto options = std::make_shared<TokenizeOptions>();
  CLI::App* command = app.add_subcommand(
      "tokenize", "Encode JSONL {\"text\"} rows from stdin to {\"ids\"} (or decode {\"ids\"} to {\"text\"})");
  command->add_option("--tokenizer", options->tokenizer_dir, "Directory holding the model's tokenizer.json")
      ->required()
      ->check(CLI::ExistingDirectory);
  command->add_flag("--decode", options->decode, "Read {\"ids\"} rows and write {\"text\"} rows");
  command->add_flag("--skip-special-tokens", options->skip_special_tokens,
                    "With --decode: leave special tokens out");
  command->callback([options] { run_tokenize(*options); });
}

}  // namespace evalflow::cli
