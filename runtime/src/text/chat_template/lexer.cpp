#include "chat_template/lexer.hpp"

#include <evalflow/text/chat_template.hpp>

#include "tokenizer/utf8.hpp"

namespace evalflow::text::jinja {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

[[noreturn]] void fail(int line, const std::string& message) {
  throw ChatTemplateError("chat template line " + std::to_string(line) + ": " + message);
}

int count_newlines(std::string_view text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

// Jinja normalises "\r\n" and "\r" to "\n" and, unless keep_trailing_newline, drops one final newline.
std::string normalize_newlines(std::string_view source, bool keep_trailing_newline) {
  std::string text;
  text.reserve(source.size());
  for (std::size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
      text += '\n';
    } else {
      text += source[i];
    }
  }
  if (!keep_trailing_newline && !text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// A string literal's value: Python's unicode-escape decoding, which jinja2 applies to literals.
std::string unescape(std::string_view body, int line) {
  std::string value;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\' || i + 1 == body.size()) {
      value += body[i];
      continue;
    }
    const char escaped = body[++i];
    switch (escaped) {
      case 'n':
        value += '\n';
        break;
      case 't':
        value += '\t';
        break;
      case 'r':
        value += '\r';
        break;
      case 'b':
        value += '\b';
        break;
      case 'f':
        value += '\f';
        break;
      case 'v':
        value += '\v';
        break;
      case 'a':
        value += '\a';
        break;
      case '0':
        value += '\0';
        break;
      case '\\':
        value += '\\';
        break;
      case '\'':
        value += '\'';
        break;
      case '"':
        value += '"';
        break;
      case '\n':
        break;
      case 'x':
      case 'u':
      case 'U': {
        const std::size_t digits = escaped == 'x' ? 2 : escaped == 'u' ? 4 : 8;
        const std::string hex(body.substr(i + 1, digits));
        if (hex.size() != digits || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
          fail(line, "malformed \\" + std::string(1, escaped) + " escape in a string");
        }
        const auto code_point = static_cast<char32_t>(std::stoul(hex, nullptr, 16));
        if (code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
          fail(line, "\\" + std::string(1, escaped) + hex + " is not a Unicode scalar value");
        }
        detail::append_utf8(value, code_point);
        i += digits;
        break;
      }
      default:
        value += '\\';
        value += escaped;
    }
  }
  return value;
}

// Tokenises the inside of a tag, from `pos` up to the closing delimiter; returns the position after it and
// whether the closing delimiter carried a '-' (strip after) or '+' (keep the newline) modifier.
struct TagEnd {
  std::size_t next = 0;
  char modifier = 0;
};

TagEnd tokenize_tag(const std::string& source, std::size_t pos, char closing, int& line,
                    std::vector<Token>& tokens) {
  static constexpr std::string_view kTwoCharOperators[] = {"==", "!=", "<=", ">=", "//", "**"};
  while (pos < source.size()) {
    const char c = source[pos];
    if (is_space(c)) {
      if (c == '\n') ++line;
      ++pos;
      continue;
    }
    // The closing delimiter, possibly with a whitespace modifier: "-%}", "+%}", "%}" (or "}}").
    for (const char modifier : {'-', '+', '\0'}) {
      const std::size_t at = pos + (modifier ? 1 : 0);
      if ((modifier == 0 || c == modifier) && at + 1 < source.size() && source[at] == closing &&
          source[at + 1] == '}') {
        tokens.push_back({Token::Kind::kEnd, "", line});
        return {at + 2, modifier};
      }
    }
    if (is_name_start(c)) {
      const std::size_t start = pos;
      while (pos < source.size() && is_name_char(source[pos])) ++pos;
      tokens.push_back({Token::Kind::kName, source.substr(start, pos - start), line});
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      const std::size_t start = pos;
      while (pos < source.size() &&
             (std::isdigit(static_cast<unsigned char>(source[pos])) || source[pos] == '_'))
        ++pos;
      bool is_float = false;
      if (pos + 1 < source.size() && source[pos] == '.' &&
          std::isdigit(static_cast<unsigned char>(source[pos + 1]))) {
        is_float = true;
        ++pos;
        while (pos < source.size() && std::isdigit(static_cast<unsigned char>(source[pos]))) ++pos;
      }
      // An exponent ("1e20", "2.5E-3") also makes a float.
      if (pos < source.size() && (source[pos] == 'e' || source[pos] == 'E')) {
        std::size_t digits_at = pos + 1;
        if (digits_at < source.size() && (source[digits_at] == '+' || source[digits_at] == '-')) ++digits_at;
        if (digits_at < source.size() && std::isdigit(static_cast<unsigned char>(source[digits_at]))) {
          is_float = true;
          pos = digits_at;
          while (pos < source.size() && std::isdigit(static_cast<unsigned char>(source[pos]))) ++pos;
        }
      }
      std::string digits = source.substr(start, pos - start);
      std::erase(digits, '_');
      tokens.push_back({is_float ? Token::Kind::kFloat : Token::Kind::kInteger, digits, line});
    } else if (c == '\'' || c == '"') {
      const int start_line = line;
      std::size_t end = pos + 1;
      while (end < source.size() && source[end] != c) {
        if (source[end] == '\\') ++end;
        if (end < source.size() && source[end] == '\n') ++line;
        ++end;
      }
      if (end >= source.size()) fail(start_line, "unterminated string literal");
      tokens.push_back({Token::Kind::kString,
                        unescape(std::string_view(source).substr(pos + 1, end - pos - 1), start_line),
                        start_line});
      pos = end + 1;
    } else {
      std::string op(1, c);
      for (const std::string_view two : kTwoCharOperators) {
        if (source.compare(pos, 2, two) == 0) op = two;
      }
      if (std::string_view("+-*/%~|.,:()[]{}=<>!").find(c) == std::string_view::npos) {
        fail(line, "unexpected character '" + op + "'");
      }
      tokens.push_back({Token::Kind::kOperator, op, line});
      pos += op.size();
    }
  }
  fail(line, std::string("tag not closed: expected '") + closing + "}'");
}

}  // namespace

std::vector<Chunk> lex(std::string_view raw_source, const LexOptions& options) {
  const std::string source = normalize_newlines(raw_source, options.keep_trailing_newline);
  std::vector<Chunk> chunks;
  std::size_t pos = 0;
  int line = 1;
  bool line_starting = true;  // the previous tag's end consumed a newline (for lstrip_blocks)
  while (pos <= source.size()) {
    std::size_t tag = source.find('{', pos);
    while (tag != std::string::npos &&
           (tag + 1 >= source.size() ||
            std::string_view("{%#").find(source[tag + 1]) == std::string_view::npos)) {
      tag = source.find('{', tag + 1);
    }
    std::string text = source.substr(pos, tag == std::string::npos ? std::string::npos : tag - pos);
    const int text_line = line;
    line += count_newlines(text);
    if (tag == std::string::npos) {
      if (!text.empty()) chunks.push_back({Chunk::Kind::kText, std::move(text), {}, text_line});
      break;
    }
    const char kind = source[tag + 1];
    const char left_modifier =
        tag + 2 < source.size() && (source[tag + 2] == '-' || source[tag + 2] == '+') ? source[tag + 2] : 0;
    if (left_modifier == '-') {
      text.erase(text.find_last_not_of(" \t\n\r\f\v") + 1);
    } else if (left_modifier != '+' && options.lstrip_blocks && kind != '{') {
      const std::size_t line_start = text.rfind('\n') + 1;  // 0 when there is no newline
      if ((line_start > 0 || line_starting) && line_start < text.size() &&
          text.find_first_not_of(" \t\f\v\r", line_start) == std::string::npos) {
        text.erase(line_start);
      }
    }
    if (!text.empty()) chunks.push_back({Chunk::Kind::kText, std::move(text), {}, text_line});

    const int tag_line = line;
    std::size_t inside = tag + 2 + (left_modifier ? 1 : 0);
    TagEnd end;
    Chunk chunk{kind == '{' ? Chunk::Kind::kExpression : Chunk::Kind::kStatement, "", {}, tag_line};
    if (kind == '#') {
      const std::size_t close = source.find("#}", inside);
      if (close == std::string::npos) fail(tag_line, "comment not closed: expected '#}'");
      line += count_newlines(std::string_view(source).substr(inside, close - inside));
      end = {close + 2, close > inside && (source[close - 1] == '-' || source[close - 1] == '+')
                            ? source[close - 1]
                            : '\0'};
    } else {
      end = tokenize_tag(source, inside, kind == '{' ? '}' : '%', line, chunk.tokens);
      if (chunk.tokens.size() == 1) fail(tag_line, kind == '{' ? "empty expression" : "empty statement");
      chunks.push_back(std::move(chunk));
    }
    pos = end.next;
    line_starting = false;
    if (end.modifier == '-') {
      // jinja2 consumes the whitespace with the tag, so a newline in it starts a line for lstrip_blocks.
      const std::size_t after = source.find_first_not_of(" \t\n\r\f\v", pos);
      const std::size_t stop = after == std::string::npos ? source.size() : after;
      line += count_newlines(std::string_view(source).substr(pos, stop - pos));
      line_starting = stop > pos && source[stop - 1] == '\n';
      pos = stop;
    } else if (end.modifier != '+' && options.trim_blocks && kind != '{' && pos < source.size() &&
               source[pos] == '\n') {
      ++pos;
      ++line;
      line_starting = true;
    }
  }
  return chunks;
}

}  // namespace evalflow::text::jinja
