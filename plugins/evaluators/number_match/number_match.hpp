// number_match's logic, independent of the plugin ABI: is a numeric answer equal to the reference number,
// as GSM8K evaluators decide it.
#pragma once

#include <optional>
#include <string_view>

namespace evalflow::number_match {

enum class Rule {
  // Both sides cleaned of what models and datasets write around numbers (white space, `$`, thousands
  // commas, a trailing `%` or `.`), then compared as numbers: "$1,234.00" equals "1234".
  kLenient,
  // AISBench's Gsm8kEvaluator.is_equal: pred == refer, or abs(float(pred) - int(refer)) < 1e-6 with
  // Python's float() and int() syntax; anything they reject is simply not equal.
  kAisbenchGsm8k,
};

struct Verdict {
  bool correct = false;
  bool gold_is_number = false;  // false: the reference itself is not a number under the rule
};

// `tolerance`: the largest absolute difference that still counts as equal (strictly less, as AISBench).
Verdict compare(std::string_view prediction, std::string_view gold, Rule rule, double tolerance);

// The number `text` stands for under the lenient cleaning; nullopt when it is not one.
std::optional<double> lenient_number(std::string_view text);
// Python's float(text) (decimal, exponent, inf/nan, underscores between digits); nullopt where it raises.
std::optional<double> python_float(std::string_view text);
// Python's int(text) in base 10 (sign, underscores between digits); nullopt where it raises or overflows.
std::optional<double> python_int(std::string_view text);

}  // namespace evalflow::number_match
