#include "completion.hpp"

#include <gtest/gtest.h>

namespace evalflow::openai_http {
namespace {

TEST(CompletionDecoder, ChatStreamInVllmWireFormat) {
  CompletionDecoder decoder;
  Completion completion;
  const char* head = R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m",)";
  auto chunk = [&](const std::string& choices) {
    return std::string(head) + R"("choices":)" + choices + "}";
  };
  // The role-only first chunk carries no text: it is no token event.
  DecodeResult role = decoder.apply_stream_event(
      chunk(
          R"([{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}])"),
      completion);
  EXPECT_TRUE(role.ok);
  EXPECT_FALSE(role.carried_text);
  for (const char* piece : {"Let", " me", " think"}) {
    const DecodeResult result =
        decoder.apply_stream_event(chunk(std::string(R"([{"index":0,"delta":{"reasoning_content":")") +
                                         piece + R"("},"logprobs":null,"finish_reason":null}])"),
                                   completion);
    EXPECT_TRUE(result.ok) << result.error;
    EXPECT_TRUE(result.carried_text);
  }
  EXPECT_TRUE(
      decoder
          .apply_stream_event(chunk(R"([{"index":0,"delta":{"content":"\\boxed{4}"},"finish_reason":null}])"),
                              completion)
          .carried_text);
  EXPECT_TRUE(decoder
                  .apply_stream_event(chunk(R"([{"index":0,"delta":{"content":"."},"finish_reason":"stop",)"
                                            R"("stop_reason":null}])"),
                                      completion)
                  .ok);
  const DecodeResult usage = decoder.apply_stream_event(
      chunk(R"([],"usage":{"prompt_tokens":12,"total_tokens":18,"completion_tokens":6})"), completion);
  EXPECT_TRUE(usage.ok);
  EXPECT_FALSE(usage.carried_text);
  EXPECT_FALSE(completion.done);
  EXPECT_TRUE(decoder.apply_stream_event("[DONE]", completion).ok);
  EXPECT_TRUE(completion.done);
  EXPECT_EQ(completion.prediction(), "Let me think</think>\\boxed{4}.");
  EXPECT_EQ(completion.finish_reason, "stop");
  EXPECT_EQ(completion.prompt_tokens, 12);
  EXPECT_EQ(completion.completion_tokens, 6);
}

TEST(CompletionDecoder, NewerVllmNamesTheFieldReasoning) {
  CompletionDecoder decoder;
  Completion completion;
  EXPECT_TRUE(
      decoder.apply_stream_event(R"({"choices":[{"delta":{"reasoning":"hm","content":null}}]})", completion)
          .ok);
  EXPECT_TRUE(decoder
                  .apply_stream_event(R"({"choices":[{"delta":{"content":"42"},"finish_reason":"length"}]})",
                                      completion)
                  .ok);
  EXPECT_EQ(completion.prediction(), "hm</think>42");
  EXPECT_EQ(completion.finish_reason, "length");
}

TEST(CompletionDecoder, WithoutReasoningThePredictionIsTheContent) {
  CompletionDecoder decoder;
  Completion completion;
  ASSERT_TRUE(
      decoder
          .apply_stream_event(R"({"choices":[{"delta":{"content":"plain \"quoted\" \u00e9"}}]})", completion)
          .ok);
  EXPECT_EQ(completion.prediction(), "plain \"quoted\" \xc3\xa9");
}

TEST(CompletionDecoder, CompletionsApiStreamsText) {
  CompletionDecoder decoder;
  Completion completion;
  for (const char* text : {"The", " answer"}) {
    ASSERT_TRUE(
        decoder
            .apply_stream_event(std::string(R"({"object":"text_completion","choices":[{"index":0,"text":")") +
                                    text + R"(","logprobs":null,"finish_reason":null,"stop_reason":null}]})",
                                completion)
            .carried_text);
  }
  EXPECT_EQ(completion.prediction(), "The answer");
}

TEST(CompletionDecoder, NonStreamedChatResponse) {
  CompletionDecoder decoder;
  Completion completion;
  const DecodeResult result = decoder.apply_response(
      R"({"id":"chatcmpl-9","object":"chat.completion","created":3,"model":"m","choices":[{"index":0,)"
      R"("message":{"role":"assistant","reasoning_content":"think","content":"done","tool_calls":[]},)"
      R"("logprobs":null,"finish_reason":"stop","stop_reason":null}],)"
      R"("usage":{"prompt_tokens":5,"total_tokens":9,"completion_tokens":4},"prompt_logprobs":null})",
      completion);
  ASSERT_TRUE(result.ok) << result.error;
  EXPECT_EQ(completion.prediction(), "think</think>done");
  EXPECT_EQ(completion.finish_reason, "stop");
  EXPECT_EQ(completion.completion_tokens, 4);
}

TEST(CompletionDecoder, OnlyTheFirstChoiceCounts) {
  CompletionDecoder decoder;
  Completion completion;
  ASSERT_TRUE(
      decoder
          .apply_response(R"({"choices":[{"text":"first","finish_reason":"stop"},{"text":"second"}]})",
                          completion)
          .ok);
  EXPECT_EQ(completion.content, "first");
}

TEST(CompletionDecoder, MalformedJsonIsAnError) {
  CompletionDecoder decoder;
  Completion completion;
  for (const char* bad : {R"({"choices":[{)", R"({"choices":[{"delta":{"content":5}}]})"}) {
    const DecodeResult result = decoder.apply_stream_event(bad, completion);
    EXPECT_FALSE(result.ok) << bad;
    EXPECT_NE(result.error.find("invalid JSON"), std::string::npos) << result.error;
  }
}

TEST(CompletionDecoder, ABodyThatIsNotAnObjectSaysWhatCame) {
  CompletionDecoder decoder;
  Completion completion;
  for (const char* bad : {"not json", "[1,2]", "\"text\""}) {
    const DecodeResult result = decoder.apply_response(bad, completion);
    EXPECT_FALSE(result.ok) << bad;
    EXPECT_NE(result.error.find("not a JSON object (it starts '" + std::string(bad).substr(0, 5)),
              std::string::npos)
        << result.error;
    EXPECT_EQ(result.error.find("requested type"), std::string::npos)
        << "no simdjson jargon: " << result.error;
  }
  const DecodeResult html =
      decoder.apply_response("<!DOCTYPE html>\n<html><body>502 Bad Gateway</body></html>", completion);
  EXPECT_NE(html.error.find("an HTML page"), std::string::npos) << html.error;
  EXPECT_NE(html.error.find(".../v1"), std::string::npos) << html.error;
}

// A choice without a message, or a message whose content is null, holds no answer: never an empty one.
TEST(CompletionDecoder, AResponseWithoutAnAnswerIsAnError) {
  for (const char* body :
       {R"({"choices":[{"index":0,"finish_reason":"stop"}]})",
        R"({"choices":[{"message":{"role":"assistant","content":null},"finish_reason":"stop"}]})",
        R"({"choices":[{"text":null,"finish_reason":"length"}]})"}) {
    CompletionDecoder decoder;
    Completion completion;
    const DecodeResult result = decoder.apply_response(body, completion);
    EXPECT_FALSE(result.ok) << body;
    EXPECT_NE(result.error.find("holds no answer"), std::string::npos) << result.error;
  }
  CompletionDecoder decoder;
  Completion empty_answer;
  EXPECT_TRUE(
      decoder
          .apply_response(R"({"choices":[{"message":{"content":""},"finish_reason":"stop"}]})", empty_answer)
          .ok)
      << "an empty string is an answer (the model said nothing), and is scored";
}

TEST(CompletionDecoder, ErrorObjectsFromTheServerAreErrors) {
  CompletionDecoder decoder;
  Completion completion;
  DecodeResult openai_style =
      decoder.apply_stream_event(R"({"error":{"message":"engine died","code":500}})", completion);
  EXPECT_FALSE(openai_style.ok);
  EXPECT_NE(openai_style.error.find("engine died"), std::string::npos);
  DecodeResult vllm_style = decoder.apply_response(
      R"({"object":"error","message":"context too long","type":"BadRequestError"})", completion);
  EXPECT_FALSE(vllm_style.ok);
  EXPECT_NE(vllm_style.error.find("context too long"), std::string::npos);
}

TEST(CompletionDecoder, AResponseWithoutChoicesIsAnError) {
  CompletionDecoder decoder;
  Completion completion;
  EXPECT_FALSE(decoder.apply_response(R"({"id":"x","choices":[]})", completion).ok);
}

}  // namespace
}  // namespace evalflow::openai_http
