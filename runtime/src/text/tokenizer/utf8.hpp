// Small UTF-8 helpers shared by the tokenizer and the chat-template renderer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace evalflow::text::detail {

void append_utf8(std::string& out, char32_t code_point);

// Decodes the code point starting at `pos` of valid UTF-8 `text` and advances `pos` past it.
char32_t next_code_point(std::string_view text, std::size_t& pos);

// The byte offset of the first invalid UTF-8 sequence, or npos when `text` is valid.
std::size_t find_invalid_utf8(std::string_view text);

// `bytes` as text, each maximal invalid subsequence replaced by U+FFFD (Rust's String::from_utf8_lossy,
// which HuggingFace's ByteLevel decoder uses).
std::string utf8_lossy(std::string_view bytes);

}  // namespace evalflow::text::detail
