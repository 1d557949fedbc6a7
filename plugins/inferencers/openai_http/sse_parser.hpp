// Incremental parser for Server-Sent Events (the WHATWG event-stream format) as OpenAI-compatible servers
// send them: `data:` lines, `:` comments, events ended by an empty line, any of CRLF, LF or CR as line end.
// Bytes arrive in arbitrary pieces (a line or even a CRLF may be split across network reads).
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace evalflow::openai_http {

class SseParser {
 public:
  // Called once per complete event that carried data, with the data lines joined by '\n'. The view is
  // valid only during the call.
  using EventHandler = std::function<void(std::string_view data)>;

  explicit SseParser(EventHandler on_event) : on_event_(std::move(on_event)) {}

  void feed(std::string_view bytes);
  // True when the bytes so far end inside an event; the WHATWG algorithm discards such an event when the
  // stream ends, and callers report the stream as truncated.
  [[nodiscard]] bool has_partial_event() const { return !line_.empty() || has_data_; }
  void reset();

 private:
  void process_line(std::string_view line);

  EventHandler on_event_;
  std::string line_;  // a line split across feeds
  std::string data_;  // data lines of the event being read
  bool has_data_ = false;
  bool last_was_cr_ = false;  // a CR ended the previous feed: a LF starting the next one is its pair
};

}  // namespace evalflow::openai_http
