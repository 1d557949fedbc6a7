#include "is_equiv.hpp"

#include <evalflow/math_text/normalize_final_answer.hpp>

#include "strip_string.hpp"

namespace evalflow::math_string {
namespace {

std::optional<std::string> strip(std::string_view string, Version version) {
  if (version == Version::v1) return strip_string_v1(string);
  return strip_string_v2(string);
}

}  // namespace

bool is_equiv(std::optional<std::string_view> prediction, std::optional<std::string_view> reference,
              Version version) {
  if (!prediction || !reference) return !prediction && !reference;
  // AISBench ends with `str1 == str2`; every step before it is a function of each string alone, so
  // equal strings are equivalent whatever happens in between, and testing that first saves the work.
  if (*prediction == *reference) return true;
  const std::optional<std::string> stripped_prediction = strip(*prediction, version);
  if (stripped_prediction) {
    if (const std::optional<std::string> stripped_reference = strip(*reference, version)) {
      if (*stripped_prediction == *stripped_reference) return true;
      if (math_text::normalize_final_answer(*stripped_prediction) ==
          math_text::normalize_final_answer(*stripped_reference)) {
        return true;
      }
    }
  }
  return math_text::normalize_final_answer(*prediction) == math_text::normalize_final_answer(*reference);
}

}  // namespace evalflow::math_string
