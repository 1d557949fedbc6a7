#include "tokenizer/byte_level.hpp"

#include <array>
#include <unordered_map>

#include "tokenizer/utf8.hpp"

namespace evalflow::text::detail {
namespace {

struct ByteLevelTables {
  std::array<std::string, 256> byte_to_text;
  std::unordered_map<char32_t, unsigned char> char_to_byte;

  ByteLevelTables() {
    char32_t next_unprintable = 256;
    for (int byte = 0; byte < 256; ++byte) {
      const bool printable = (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) || byte >= 0xAE;
      const char32_t code_point = printable ? static_cast<char32_t>(byte) : next_unprintable++;
      append_utf8(byte_to_text[byte], code_point);
      char_to_byte.emplace(code_point, static_cast<unsigned char>(byte));
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
    const auto found = char_to_byte.find(next_code_point(token, pos));
    if (found == char_to_byte.end()) {
      out.resize(start);
      out += token;
      return;
    }
    out.push_back(static_cast<char>(found->second));
  }
}

}  // namespace evalflow::text::detail
