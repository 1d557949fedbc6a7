#include "sse_parser.hpp"

#include <algorithm>
#include <cstring>

namespace evalflow::openai_http {
namespace {

// The first CR or LF in [begin, end), or end.
const char* find_line_end(const char* begin, const char* end) {
  const void* lf = std::memchr(begin, '\n', static_cast<size_t>(end - begin));
  const char* limit = lf != nullptr ? static_cast<const char*>(lf) : end;
  const void* cr = std::memchr(begin, '\r', static_cast<size_t>(limit - begin));
  return cr != nullptr ? static_cast<const char*>(cr) : limit;
}

}  // namespace

void SseParser::feed(std::string_view bytes) {
  const char* cursor = bytes.data();
  const char* const end = cursor + bytes.size();
  if (last_was_cr_ && cursor != end && *cursor == '\n') ++cursor;
  last_was_cr_ = false;
  while (cursor != end) {
    const char* line_end = find_line_end(cursor, end);
    if (line_end == end) {
      line_.append(cursor, end);
      return;
    }
    if (line_.empty()) {
      process_line(std::string_view(cursor, static_cast<size_t>(line_end - cursor)));
    } else {
      line_.append(cursor, line_end);
      process_line(line_);
      line_.clear();
    }
    cursor = line_end + 1;
    if (*line_end == '\r') {
      if (cursor == end) {
        last_was_cr_ = true;
      } else if (*cursor == '\n') {
        ++cursor;
      }
    }
  }
}

void SseParser::process_line(std::string_view line) {
  if (line.empty()) {
    if (has_data_) {
      has_data_ = false;
      on_event_(data_);
      data_.clear();
    }
    return;
  }
  if (line.front() == ':') return;  // a comment, e.g. a keep-alive ping
  const size_t colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  if (field != "data") return;  // event, id and retry carry nothing an OpenAI client uses
  std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (has_data_) data_.push_back('\n');
  data_.append(value);
  has_data_ = true;
}

void SseParser::reset() {
  line_.clear();
  data_.clear();
  has_data_ = false;
  last_was_cr_ = false;
}

}  // namespace evalflow::openai_http
