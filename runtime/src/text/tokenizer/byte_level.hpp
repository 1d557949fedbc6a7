// GPT-2's reversible mapping between bytes and printable characters, which byte-level BPE vocabularies
// are written in ("Ġ" is the space byte 0x20, "Ċ" is 0x0A, printable ASCII maps to itself).
#pragma once

#include <string>
#include <string_view>

namespace evalflow::text::detail {

// The UTF-8 text of the character that stands for `byte`.
std::string_view byte_level_char(unsigned char byte);

// `bytes` written in byte-level characters.
std::string to_byte_level(std::string_view bytes);

// Appends the bytes a token stands for. Like HuggingFace's ByteLevel decoder, a token holding any
// character outside the mapping (an added token such as "<｜User｜>") contributes its own UTF-8 bytes.
void append_byte_level_token_bytes(std::string& out, std::string_view token);

}  // namespace evalflow::text::detail
