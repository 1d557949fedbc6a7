// What the test server answers: a fixed text, the prompt echoed, or a recorded output replayed from a
// JSONL file (for example tests/data/predictions/*.jsonl), looked up by the prompt text.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace evalflow::test_server {

class AnswerSource {
 public:
  static AnswerSource fixed(std::string text);
  static AnswerSource echo();
  // Each line is an object; `key_field` holds the prompt text (or the question the prompt template wraps),
  // `output_field` the recorded output. Empty field names try the usual ones: question, prompt_query,
  // problem, prompt, origin_prompt; response, prediction. Throws std::runtime_error naming file:line.
  static AnswerSource replay(const std::string& path, const std::string& key_field = "",
                             const std::string& output_field = "");

  // The answer to a prompt: a replayed record matches when its key equals the prompt; else, since prompt
  // templates wrap the question in instructions, when the prompt contains the key (the longest such key
  // wins); else when the key contains the first 80 characters of the prompt (a recording made with
  // another harness's instructions around the question).
  [[nodiscard]] std::optional<std::string> answer_for(std::string_view prompt) const;
  [[nodiscard]] size_t recorded() const { return keys_.size(); }

 private:
  enum class Kind { kFixed, kEcho, kReplay };
  Kind kind_ = Kind::kFixed;
  std::string fixed_;
  std::vector<std::string> keys_;
  std::vector<std::string> outputs_;
  std::unordered_map<std::string_view, size_t> exact_;  // views into keys_
};

// Splits text into the pieces the server streams as tokens: a run of non-space characters with the
// spaces before it, at most 8 bytes, never splitting a UTF-8 sequence. Joined, they give the text back.
std::vector<std::string_view> split_tokens(std::string_view text);

}  // namespace evalflow::test_server
