// libFuzzer target for a streamed answer from an untrusted server: arbitrary bytes, cut into pieces at
// places the input chooses, through the SSE parser and the chunk decoder, as the event loop feeds them.
// The parser must produce the same events however the bytes are split; nothing may crash or leak.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "completion.hpp"
#include "sse_parser.hpp"

namespace {

std::vector<std::string> events_of(std::string_view bytes, size_t piece) {
  std::vector<std::string> events;
  evalflow::openai_http::SseParser parser([&](std::string_view data) { events.emplace_back(data); });
  for (size_t at = 0; at < bytes.size(); at += piece) parser.feed(bytes.substr(at, piece));
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t piece = 1 + data[0] % 64;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::vector<std::string> whole = events_of(bytes, bytes.size() + 1);
  if (events_of(bytes, piece) != whole) std::abort();

  evalflow::openai_http::CompletionDecoder decoder;
  evalflow::openai_http::Completion completion;
  for (const std::string& event : whole) {
    const auto result = decoder.apply_stream_event(event, completion);
    if (!result.ok && result.error.empty()) std::abort();  // a rejected chunk says why
    if (!result.ok) break;
  }
  return 0;
}
