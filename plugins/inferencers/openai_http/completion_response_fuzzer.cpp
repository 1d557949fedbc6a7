// libFuzzer target for a non-streamed answer from an untrusted server: arbitrary bytes as the response
// body. It is either a completion with an answer or a failure that says why; an accepted response always
// held an answer field (never an empty prediction from a malformed body).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "completion.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  evalflow::openai_http::CompletionDecoder decoder;
  evalflow::openai_http::Completion completion;
  const auto result = decoder.apply_response(body, completion);
  if (result.ok && !completion.has_answer) std::abort();
  if (!result.ok && result.error.empty()) std::abort();
  return 0;
}
