#include "wire_format.hpp"

#include <nlohmann/json.hpp>

namespace evalflow::test_server {
namespace {

using nlohmann::json;

json head(const ResponseIdentity& identity, bool chunk) {
  const char* object =
      identity.api == Api::kChat ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion";
  return {{"id", identity.id}, {"object", object}, {"created", identity.created}, {"model", identity.model}};
}

json finish_value(std::string_view finish_reason) {
  return finish_reason.empty() ? json(nullptr) : json(finish_reason);
}

json usage_value(const Usage& usage) {
  return {{"prompt_tokens", usage.prompt_tokens},
          {"total_tokens", usage.prompt_tokens + usage.completion_tokens},
          {"completion_tokens", usage.completion_tokens}};
}

std::string event(const json& chunk) {
  return "data: " + chunk.dump() + "\n\n";
}

}  // namespace

std::string role_event(const ResponseIdentity& identity) {
  json chunk = head(identity, true);
  chunk["choices"] = json::array({{{"index", 0},
                                   {"delta", {{"role", "assistant"}, {"content", ""}}},
                                   {"logprobs", nullptr},
                                   {"finish_reason", nullptr}}});
  return event(chunk);
}

std::string token_event(const ResponseIdentity& identity, std::string_view text, bool reasoning,
                        std::string_view reasoning_field, std::string_view finish_reason) {
  json chunk = head(identity, true);
  json choice = {{"index", 0}};
  if (identity.api == Api::kChat) {
    choice["delta"] = {{reasoning ? std::string(reasoning_field) : std::string("content"), text}};
  } else {
    choice["text"] = text;
  }
  choice["logprobs"] = nullptr;
  choice["finish_reason"] = finish_value(finish_reason);
  if (!finish_reason.empty()) choice["stop_reason"] = nullptr;
  chunk["choices"] = json::array({choice});
  return event(chunk);
}

std::string usage_event(const ResponseIdentity& identity, const Usage& usage) {
  json chunk = head(identity, true);
  chunk["choices"] = json::array();
  chunk["usage"] = usage_value(usage);
  return event(chunk);
}

std::string full_response(const ResponseIdentity& identity, std::string_view reasoning,
                          std::string_view content, std::string_view reasoning_field,
                          std::string_view finish_reason, const Usage& usage) {
  json response = head(identity, false);
  json choice = {{"index", 0}};
  if (identity.api == Api::kChat) {
    json message = {{"role", "assistant"}};
    message[std::string(reasoning_field)] = reasoning.empty() ? json(nullptr) : json(reasoning);
    message["content"] = content;
    message["tool_calls"] = json::array();
    choice["message"] = std::move(message);
  } else {
    choice["text"] = content;
  }
  choice["logprobs"] = nullptr;
  choice["finish_reason"] = finish_value(finish_reason);
  choice["stop_reason"] = nullptr;
  response["choices"] = json::array({choice});
  response["usage"] = usage_value(usage);
  response["prompt_logprobs"] = nullptr;
  return response.dump();
}

std::string broken_response(const ResponseIdentity& identity, BrokenShape shape) {
  json response = head(identity, false);
  json choice = {{"index", 0}, {"logprobs", nullptr}, {"finish_reason", "stop"}};
  if (shape == BrokenShape::kNullContent) choice["message"] = {{"role", "assistant"}, {"content", nullptr}};
  response["choices"] = shape == BrokenShape::kNoChoices ? json::array() : json::array({choice});
  return response.dump();
}

std::string broken_stream(const ResponseIdentity& identity, BrokenShape shape) {
  if (shape == BrokenShape::kNoChoices) return std::string(kDoneEvent);
  json chunk = head(identity, true);
  json choice = {{"index", 0}, {"logprobs", nullptr}, {"finish_reason", "stop"}};
  if (shape == BrokenShape::kNullContent) choice["delta"] = {{"role", "assistant"}, {"content", nullptr}};
  chunk["choices"] = json::array({choice});
  return event(chunk) + std::string(kDoneEvent);
}

std::string error_body(int status, std::string_view type, std::string_view message) {
  return json{{"object", "error"}, {"message", message}, {"type", type}, {"param", nullptr}, {"code", status}}
      .dump();
}

}  // namespace evalflow::test_server
