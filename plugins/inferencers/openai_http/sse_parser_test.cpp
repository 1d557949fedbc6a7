#include "sse_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace evalflow::openai_http {
namespace {

std::vector<std::string> parse_in_pieces(std::string_view stream, size_t piece) {
  std::vector<std::string> events;
  SseParser parser([&](std::string_view data) { events.emplace_back(data); });
  for (size_t at = 0; at < stream.size(); at += piece) parser.feed(stream.substr(at, piece));
  return events;
}

TEST(SseParser, DataLinesEndedByAnEmptyLineAreOneEvent) {
  const auto events = parse_in_pieces("data: {\"a\":1}\n\ndata: [DONE]\n\n", 1000);
  EXPECT_EQ(events, (std::vector<std::string>{"{\"a\":1}", "[DONE]"}));
}

TEST(SseParser, SeveralDataLinesAreJoinedWithNewlines) {
  EXPECT_EQ(parse_in_pieces("data: one\ndata:two\ndata\n\n", 1000), (std::vector<std::string>{"one\ntwo\n"}));
}

TEST(SseParser, CommentsAndOtherFieldsCarryNoData) {
  const auto events =
      parse_in_pieces(": ping\n\nevent: message\nid: 7\nretry: 10\ndata: x\n\n: bye\n\n", 1000);
  EXPECT_EQ(events, (std::vector<std::string>{"x"}));
}

TEST(SseParser, OnlyOneLeadingSpaceIsRemoved) {
  EXPECT_EQ(parse_in_pieces("data:   spaced \n\n", 1000), (std::vector<std::string>{"  spaced "}));
}

TEST(SseParser, AllThreeLineEndingsWork) {
  EXPECT_EQ(parse_in_pieces("data: a\r\n\r\ndata: b\r\rdata: c\n\n", 1000),
            (std::vector<std::string>{"a", "b", "c"}));
}

TEST(SseParser, AnySplitOfTheBytesGivesTheSameEvents) {
  const std::string stream =
      "data: {\"x\":\"\\u00e9\"}\r\n\r\n: keep-alive\r\ndata: 2\r\ndata: 3\r\n\r\ndata: [DONE]\n\n";
  const auto whole = parse_in_pieces(stream, stream.size());
  ASSERT_EQ(whole.size(), 3u);
  for (size_t piece = 1; piece < stream.size(); ++piece) {
    EXPECT_EQ(parse_in_pieces(stream, piece), whole) << "pieces of " << piece << " bytes";
  }
}

TEST(SseParser, AnEventWithoutItsEmptyLineIsPartial) {
  std::vector<std::string> events;
  SseParser parser([&](std::string_view data) { events.emplace_back(data); });
  parser.feed("data: complete\n\ndata: cut");
  EXPECT_EQ(events, (std::vector<std::string>{"complete"}));
  EXPECT_TRUE(parser.has_partial_event());
  parser.reset();
  EXPECT_FALSE(parser.has_partial_event());
  parser.feed("data: fresh\n\n");
  EXPECT_EQ(events.back(), "fresh");
}

}  // namespace
}  // namespace evalflow::openai_http
