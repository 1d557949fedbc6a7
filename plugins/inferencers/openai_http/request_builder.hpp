// Builds the JSON bodies of OpenAI-compatible completion requests. Generation options are passed through
// verbatim; the keys the client owns (model, messages/prompt, stream, stream_options) are refused there.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace evalflow::openai_http {

enum class ApiMode { kChat, kCompletions };

class RequestBuilder {
 public:
  // Throws std::invalid_argument when generation_kwargs is not an object or sets a key the client owns.
  RequestBuilder(ApiMode mode, const std::string& model, bool stream,
                 const nlohmann::json& generation_kwargs);

  // The request path below the base URL: "/chat/completions" or "/completions".
  [[nodiscard]] std::string_view path() const;
  [[nodiscard]] ApiMode mode() const { return mode_; }
  [[nodiscard]] bool stream() const { return stream_; }

  // `messages_json` is the JSON text of the messages list, spliced in without re-parsing.
  [[nodiscard]] std::string chat_body(std::string_view messages_json) const;
  [[nodiscard]] std::string completion_body(std::string_view prompt) const;

 private:
  ApiMode mode_;
  bool stream_;
  std::string prefix_;  // `{"model":...,"stream":...,<generation kwargs>,` : the part shared by every request
};

}  // namespace evalflow::openai_http
