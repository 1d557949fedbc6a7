// One PCRE2 pattern compiled once (JIT when available) and searched from many threads: the compiled code
// is immutable, each search gets its own match data.
#pragma once

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace evalflow::regex_extract {

// Group spans of one match as byte offsets into the subject; an unset group is nullopt.
struct Groups {
  std::vector<std::optional<std::pair<size_t, size_t>>> spans;  // [0] is the whole match
};

class CompiledPattern {
 public:
  // Throws std::invalid_argument with PCRE2's message and the offset. UTF and Unicode properties are on,
  // as in Python 3's `re` for str patterns (\d, \s and \w are Unicode-aware).
  CompiledPattern(std::string_view pattern, uint32_t options);

  [[nodiscard]] int group_count() const { return group_count_; }
  // Every non-overlapping match from left to right, as Python's re.finditer.
  [[nodiscard]] std::vector<Groups> find_all(std::string_view subject) const;

 private:
  std::unique_ptr<pcre2_code, void (*)(pcre2_code*)> code_;
  int group_count_ = 0;
};

}  // namespace evalflow::regex_extract
