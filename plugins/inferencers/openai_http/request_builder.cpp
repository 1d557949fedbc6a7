#include "request_builder.hpp"

#include <array>
#include <stdexcept>

namespace evalflow::openai_http {

RequestBuilder::RequestBuilder(ApiMode mode, const std::string& model, bool stream,
                               const nlohmann::json& generation_kwargs)
    : mode_(mode), stream_(stream) {
  if (!generation_kwargs.is_null() && !generation_kwargs.is_object()) {
    throw std::invalid_argument("generation_kwargs must be an object, got " + generation_kwargs.dump());
  }
  static constexpr std::array kOwnedKeys = {"model", "messages", "prompt", "stream", "stream_options"};
  nlohmann::json head = nlohmann::json::object();
  for (const char* key : kOwnedKeys) {
    if (generation_kwargs.is_object() && generation_kwargs.contains(key)) {
      throw std::invalid_argument(std::string("generation_kwargs must not set '") + key +
                                  "': the inferencer sets it (use the options model, mode and stream)");
    }
  }
  head["model"] = model;
  head["stream"] = stream;
  // The usage chunk gives the token counts that the perf summary and the records need.
  if (stream) head["stream_options"] = {{"include_usage", true}};
  if (generation_kwargs.is_object()) head.update(generation_kwargs);
  prefix_ = head.dump();
  prefix_.pop_back();  // reopen the object: the input goes last
  prefix_.push_back(',');
}

std::string_view RequestBuilder::path() const {
  return mode_ == ApiMode::kChat ? "/chat/completions" : "/completions";
}

std::string RequestBuilder::chat_body(std::string_view messages_json) const {
  static constexpr std::string_view kKey = R"("messages":)";
  std::string body;
  body.reserve(prefix_.size() + kKey.size() + messages_json.size() + 1);
  body.append(prefix_).append(kKey).append(messages_json).push_back('}');
  return body;
}

std::string RequestBuilder::completion_body(std::string_view prompt) const {
  static constexpr std::string_view kKey = R"("prompt":)";
  const std::string quoted = nlohmann::json(prompt).dump();
  std::string body;
  body.reserve(prefix_.size() + kKey.size() + quoted.size() + 1);
  body.append(prefix_).append(kKey).append(quoted).push_back('}');
  return body;
}

}  // namespace evalflow::openai_http
