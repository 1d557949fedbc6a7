#include "tokenizer/byte_level.hpp"

#include <array>

#include "tokenizer/utf8.hpp"

namespace evalflow::text::detail {
namespace {

// Every character of the mapping is below U+0144, so the reverse mapping is a small array.
constexpr char32_t kCharacterLimit = 0x144;

struct ByteLevelTables {
  std::array<std::string, 256> byte_to_text;
  std::array<int, kCharacterLimit> char_to_byte;

  ByteLevelTables() {
    char_to_byte.fill(-1);
    char32_t next_unprintable = 256;
    for (int byte = 0; byte < 256; ++byte) {
      const bool printable = (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) || byte >= 0xAE;
      const char32_t code_point = printable ? static_cast<char32_t>(byte) : next_unprintable++;
      append_utf8(byte_to_text[byte], code_point);
      char_to_byte[code_point] = byte;
    }
  }
};

const ByteLevelTables& tables() {
  static const ByteLevelTables instance;
  return instance;
}

}  // namespace

std::string_view byte_level_char(unsigned char byte) {
  return tables().byte_to_text[byte];
}

std::string to_byte_level(std::string_view bytes) {
  std::string text;
  text.reserve(bytes.size() * 2);
  for (const char byte : bytes) text += byte_level_char(static_cast<unsigned char>(byte));
  return text;
}

void append_byte_level_token_bytes(std::string& out, std::string_view token) {
  const auto& char_to_byte = tables().char_to_byte;
  const std::size_t start = out.size();
  std::size_t pos = 0;
  while (pos < token.size()) {
    const char32_t code_point = next_code_point(token, pos);
    const int byte = code_point < kCharacterLimit ? char_to_byte[code_point] : -1;
    if (byte < 0) {
      out.resize(start);
      out += token;
      return;
    }
    out.push_back(static_cast<char>(byte));
  }
}

}  // namespace evalflow::text::detail
