// The JSON vLLM's OpenAI-compatible server sends, field for field: stream chunks (role-only first chunk,
// content or reasoning deltas, the finish_reason on the last token, the usage chunk) and whole responses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace evalflow::test_server {

enum class Api { kChat, kCompletions };

struct ResponseIdentity {
  Api api = Api::kChat;
  std::string id;  // chatcmpl-N or cmpl-N
  int64_t created = 0;
  std::string model;
};

struct Usage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
};

// `data: {...}\n\n` events.
std::string role_event(const ResponseIdentity& identity);
// A token: content, or reasoning under `reasoning_field` (chat only); the last one carries finish_reason.
std::string token_event(const ResponseIdentity& identity, std::string_view text, bool reasoning,
                        std::string_view reasoning_field, std::string_view finish_reason);
std::string usage_event(const ResponseIdentity& identity, const Usage& usage);
inline constexpr std::string_view kDoneEvent = "data: [DONE]\n\n";

std::string full_response(const ResponseIdentity& identity, std::string_view reasoning,
                          std::string_view content, std::string_view reasoning_field,
                          std::string_view finish_reason, const Usage& usage);

// Answers no real server should send, for the client's checks: a response whose `choices` is empty, whose
// choice has no message, or whose message's content is null.
enum class BrokenShape { kNoChoices, kNoMessage, kNullContent };
std::string broken_response(const ResponseIdentity& identity, BrokenShape shape);
// The same shapes as a stream's events (kNoChoices: only `data: [DONE]`).
std::string broken_stream(const ResponseIdentity& identity, BrokenShape shape);

// vLLM's error body: {"object": "error", "message": ..., "type": ..., "param": null, "code": status}.
std::string error_body(int status, std::string_view type, std::string_view message);

}  // namespace evalflow::test_server
