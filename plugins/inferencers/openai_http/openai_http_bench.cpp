// Parsing speed of the streaming path: SSE framing alone, and framing plus decoding each vLLM chunk into
// the completion (what the event loop does per token). Items are SSE events.
#include <benchmark/benchmark.h>

#include <string>

#include "completion.hpp"
#include "sse_parser.hpp"
#include "wire_format.hpp"

namespace {

using namespace evalflow;

constexpr int kEvents = 4096;

// A reasoning model's stream in vLLM's exact format: role chunk, reasoning and content tokens, usage, [DONE].
const std::string& vllm_stream() {
  static const std::string stream = [] {
    const test_server::ResponseIdentity identity{test_server::Api::kChat, "chatcmpl-8c1e0f4b2d9a4e7f",
                                                 1732790000, "DeepSeek-R1-Distill-Qwen-14B"};
    static const char* const kTokens[] = {" Let", " me", " compute", " \\frac{", "3", "}{",
                                          "4",    "}",   " of",      " x",       "."};
    std::string text = test_server::role_event(identity);
    for (int i = 0; i < kEvents - 3; ++i) {
      text += test_server::token_event(identity, kTokens[i % 11], i < kEvents / 2, "reasoning_content",
                                       i == kEvents - 4 ? "stop" : "");
    }
    text += test_server::usage_event(identity, {120, kEvents - 3});
    text += test_server::kDoneEvent;
    return text;
  }();
  return stream;
}

// Feeds the stream in pieces of state.range(0) bytes, as network reads deliver it.
template <class Feed>
void feed_in_pieces(benchmark::State& state, Feed&& feed) {
  const std::string& stream = vllm_stream();
  const auto piece = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    for (size_t at = 0; at < stream.size(); at += piece) feed(std::string_view(stream).substr(at, piece));
  }
  state.SetItemsProcessed(state.iterations() * kEvents);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * stream.size()));
}

void BM_SseFraming(benchmark::State& state) {
  size_t events = 0;
  openai_http::SseParser parser([&](std::string_view data) { events += data.size() > 0 ? 1 : 0; });
  feed_in_pieces(state, [&](std::string_view bytes) { parser.feed(bytes); });
  benchmark::DoNotOptimize(events);
}
BENCHMARK(BM_SseFraming)->Arg(300)->Arg(16384);

void BM_SseFramingAndChunkDecoding(benchmark::State& state) {
  openai_http::CompletionDecoder decoder;
  openai_http::Completion completion;
  int64_t token_events = 0;
  openai_http::SseParser parser([&](std::string_view data) {
    const openai_http::DecodeResult result = decoder.apply_stream_event(data, completion);
    token_events += result.carried_text ? 1 : 0;
    if (completion.done) completion = openai_http::Completion{};
  });
  feed_in_pieces(state, [&](std::string_view bytes) { parser.feed(bytes); });
  benchmark::DoNotOptimize(token_events);
}
BENCHMARK(BM_SseFramingAndChunkDecoding)->Arg(300)->Arg(16384);

}  // namespace

BENCHMARK_MAIN();
