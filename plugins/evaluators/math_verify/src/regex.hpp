// A thin RAII wrapper over PCRE2 (JIT-compiled), used where Math-Verify relies on Python regexes.
// A compiled Regex is immutable and safe to share between threads; match state lives in Match.
#ifndef EVALFLOW_MATH_VERIFY_REGEX_HPP
#define EVALFLOW_MATH_VERIFY_REGEX_HPP

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace evalflow::math_verify {

class Regex;

// The result of one search: group spans as byte offsets (npos when a group did not take part).
class Match {
 public:
  explicit Match(const Regex& regex);
  [[nodiscard]] size_t start(int group = 0) const;
  [[nodiscard]] size_t end(int group = 0) const;
  [[nodiscard]] bool matched(int group) const { return start(group) != std::string_view::npos; }
  [[nodiscard]] std::string_view text(std::string_view subject, int group = 0) const;

 private:
  friend class Regex;
  std::unique_ptr<pcre2_match_data, void (*)(pcre2_match_data*)> data_;
};

class Regex {
 public:
  // Options: PCRE2_DOTALL and the like; UTF and Unicode properties are always on, as in Python 3.
  explicit Regex(std::string_view pattern, uint32_t options = 0);
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Finds the first match at or after offset (lookbehind may inspect text before it).
  bool search(std::string_view subject, size_t offset, Match& match) const;
  [[nodiscard]] bool contains(std::string_view subject) const;
  // Python's re.sub: replacement may use $1 / ${name}; $$ is a literal dollar.
  [[nodiscard]] std::string replace_all(std::string_view subject, std::string_view replacement) const;
  // Python's re.split (without capture groups).
  [[nodiscard]] std::vector<std::string> split(std::string_view subject) const;
  [[nodiscard]] int group_number(const char* name) const;
  [[nodiscard]] int group_count() const;
  // Every named group as (name, number).
  [[nodiscard]] std::vector<std::pair<std::string, int>> named_groups() const;

 private:
  friend class Match;
  std::unique_ptr<pcre2_code, void (*)(pcre2_code*)> code_;
};

}  // namespace evalflow::math_verify

#endif  // EVALFLOW_MATH_VERIFY_REGEX_HPP
