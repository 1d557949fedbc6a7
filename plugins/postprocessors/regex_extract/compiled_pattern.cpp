#include "compiled_pattern.hpp"

#include <cstdint>
#include <stdexcept>

namespace evalflow::regex_extract {

CompiledPattern::CompiledPattern(std::string_view pattern, uint32_t options)
    : code_(nullptr, pcre2_code_free) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                    options | PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &error, &offset, nullptr);
  if (code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    throw std::invalid_argument("pattern '" + std::string(pattern) + "' does not compile at offset " +
                                std::to_string(offset) + ": " + reinterpret_cast<const char*>(message));
  }
  code_.reset(code);
  pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // the interpreter runs when JIT is unavailable
  uint32_t count = 0;
  pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &count);
  group_count_ = static_cast<int>(count);
}

std::vector<Groups> CompiledPattern::find_all(std::string_view subject) const {
  std::unique_ptr<pcre2_match_data, void (*)(pcre2_match_data*)> data(
      pcre2_match_data_create_from_pattern(code_.get(), nullptr), pcre2_match_data_free);
  std::vector<Groups> matches;
  size_t offset = 0;
  uint32_t flags = 0;
  while (offset <= subject.size()) {
    const int rc = pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(),
                               offset, flags, data.get(), nullptr);
    if (rc == PCRE2_ERROR_NOMATCH && flags != 0) {
      // An empty match was just found here: like Python, step over one character and search again.
      flags = 0;
      ++offset;
      while (offset < subject.size() && (static_cast<unsigned char>(subject[offset]) & 0xC0) == 0x80)
        ++offset;
      continue;
    }
    if (rc <= 0) break;
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data.get());
    Groups groups;
    for (int group = 0; group <= group_count_; ++group) {
      const PCRE2_SIZE start = ovector[2 * group];
      if (group >= rc || start == PCRE2_UNSET) {
        groups.spans.emplace_back(std::nullopt);
      } else {
        groups.spans.emplace_back(std::make_pair(start, ovector[2 * group + 1]));
      }
    }
    offset = ovector[1];
    // After an empty match, the next one must not be empty at the same place.
    flags = ovector[0] == ovector[1] ? PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED : 0;
    matches.push_back(std::move(groups));
  }
  return matches;
}

}  // namespace evalflow::regex_extract
