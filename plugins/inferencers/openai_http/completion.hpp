// The answer of one completion request, assembled from a non-streamed response body or from the chunks
// of a stream, in either API (chat: message/delta with content and reasoning; completions: text).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace evalflow::openai_http {

struct Completion {
  std::string content;
  // Servers that separate reasoning (vLLM's reasoning parsers) send it as `reasoning_content` (older
  // vLLM) or `reasoning` (newer vLLM); both are collected here.
  std::string reasoning;
  std::string finish_reason;
  std::optional<int64_t> prompt_tokens;
  std::optional<int64_t> completion_tokens;
  int64_t token_events = 0;  // chunks that carried content or reasoning text
  bool done = false;         // the stream's `data: [DONE]` arrived
  bool has_answer = false;   // a content, reasoning or text field held a string (even an empty one)

  // AISBench's stored form: reasoning + "</think>" + content when the server separated reasoning.
  [[nodiscard]] std::string prediction() const;
};

// What one decoded JSON document told about the completion.
struct DecodeResult {
  bool ok = true;
  bool carried_text = false;  // content or reasoning text: a token event for the timings
  std::string error;          // why the document is not a usable chunk or response, or the server's error
};

// Decodes JSON documents into a Completion with simdjson's on-demand parser (the stream chunks are the
// hot path: one per token). Reuses its parser and buffer, so keep one per thread; not thread-safe.
class CompletionDecoder {
 public:
  CompletionDecoder();
  ~CompletionDecoder();
  CompletionDecoder(const CompletionDecoder&) = delete;
  CompletionDecoder& operator=(const CompletionDecoder&) = delete;

  // One `data:` payload of a stream. `[DONE]` marks the end.
  DecodeResult apply_stream_event(std::string_view data, Completion& completion);
  // A whole non-streamed response body.
  DecodeResult apply_response(std::string_view body, Completion& completion);

 private:
  DecodeResult apply_document(std::string_view json, Completion& completion);

  struct Parser;  // keeps simdjson's large header out of every file that includes this one
  std::unique_ptr<Parser> parser_;
};

}  // namespace evalflow::openai_http
