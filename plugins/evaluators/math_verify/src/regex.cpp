#include "regex.hpp"

#include <cstdint>
#include <stdexcept>

namespace evalflow::math_verify {

Match::Match(const Regex& regex)
    : data_(pcre2_match_data_create_from_pattern(regex.code_.get(), nullptr), pcre2_match_data_free) {}

size_t Match::start(int group) const {
  const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data_.get());
  if (static_cast<uint32_t>(group) >= pcre2_get_ovector_count(data_.get())) return std::string_view::npos;
  const PCRE2_SIZE value = ovector[2 * static_cast<size_t>(group)];
  return value == PCRE2_UNSET ? std::string_view::npos : value;
}

size_t Match::end(int group) const {
  const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data_.get());
  if (static_cast<uint32_t>(group) >= pcre2_get_ovector_count(data_.get())) return std::string_view::npos;
  const PCRE2_SIZE value = ovector[2 * static_cast<size_t>(group) + 1];
  return value == PCRE2_UNSET ? std::string_view::npos : value;
}

std::string_view Match::text(std::string_view subject, int group) const {
  if (!matched(group)) return {};
  return subject.substr(start(group), end(group) - start(group));
}

Regex::Regex(std::string_view pattern, uint32_t options) : code_(nullptr, pcre2_code_free) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                    options | PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &error, &offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    throw std::logic_error("math_verify: bad regex at offset " + std::to_string(offset) + ": " +
                           reinterpret_cast<const char*>(message) + " in " + std::string(pattern));
  }
  code_.reset(code);
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter when JIT is unavailable
}

bool Regex::search(std::string_view subject, size_t offset, Match& match) const {
  if (offset > subject.size()) return false;
  const int rc = pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(),
                             offset, 0, match.data_.get(), nullptr);
  return rc > 0;
}

bool Regex::contains(std::string_view subject) const {
  Match match(*this);
  return search(subject, 0, match);
}

std::string Regex::replace_all(std::string_view subject, std::string_view replacement) const {
  std::string output;
  output.resize(subject.size() * 2 + 64);
  while (true) {
    PCRE2_SIZE length = output.size();
    const int rc =
        pcre2_substitute(code_.get(), reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
                         PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH, nullptr, nullptr,
                         reinterpret_cast<PCRE2_SPTR>(replacement.data()), replacement.size(),
                         reinterpret_cast<PCRE2_UCHAR*>(output.data()), &length);
    if (rc == PCRE2_ERROR_NOMEMORY) {
      output.resize(length + 1);
      continue;
    }
    if (rc < 0) return std::string(subject);
    output.resize(length);
    return output;
  }
}

std::vector<std::string> Regex::split(std::string_view subject) const {
  std::vector<std::string> parts;
  Match match(*this);
  size_t last = 0;
  size_t offset = 0;
  while (offset <= subject.size() && search(subject, offset, match)) {
    if (match.end() == match.start()) {
      offset = match.end() + 1;
      continue;
    }
    parts.emplace_back(subject.substr(last, match.start() - last));
    last = offset = match.end();
  }
  parts.emplace_back(subject.substr(last));
  return parts;
}

int Regex::group_number(const char* name) const {
  return pcre2_substring_number_from_name(code_.get(), reinterpret_cast<PCRE2_SPTR>(name));
}

int Regex::group_count() const {
  uint32_t count = 0;
  pcre2_pattern_info(code_.get(), PCRE2_INFO_CAPTURECOUNT, &count);
  return static_cast<int>(count);
}

std::vector<std::pair<std::string, int>> Regex::named_groups() const {
  uint32_t count = 0;
  uint32_t entry_size = 0;
  PCRE2_SPTR table = nullptr;
  pcre2_pattern_info(code_.get(), PCRE2_INFO_NAMECOUNT, &count);
  pcre2_pattern_info(code_.get(), PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
  pcre2_pattern_info(code_.get(), PCRE2_INFO_NAMETABLE, &table);
  std::vector<std::pair<std::string, int>> groups;
  for (uint32_t i = 0; i < count; ++i) {
    PCRE2_SPTR entry = table + static_cast<size_t>(i) * entry_size;
    const int number = (entry[0] << 8) | entry[1];
    groups.emplace_back(reinterpret_cast<const char*>(entry + 2), number);
  }
  return groups;
}

}  // namespace evalflow::math_verify
