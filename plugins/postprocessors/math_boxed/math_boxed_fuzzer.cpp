// libFuzzer target for answer extraction: math_postprocess_v2 (last \boxed{} with brace matching, the
// "answer is" fallback) and normalize_final_answer on arbitrary bytes. Besides crashes, hangs and leaks
// it checks what must hold for every input.
#include <evalflow/math_text/boxed.hpp>
#include <evalflow/math_text/normalize_final_answer.hpp>
#include <evalflow/math_text/python_str.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "math_postprocess.hpp"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace math_text = evalflow::math_text;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const bool valid_utf8 = math_text::py::is_valid_utf8(text);

  if (const auto boxed = math_text::last_boxed_only_string(text)) {
    require(boxed->starts_with("\\boxed") || boxed->starts_with("\\fbox"));
    require(boxed->ends_with('}'));
  }
  const std::string extracted = evalflow::math_boxed::math_postprocess_v2(text);
  const std::string normalized = math_text::normalize_final_answer(text);
  // Only ASCII is ever cut or inserted, and characters are never split: valid UTF-8 stays valid.
  if (valid_utf8) {
    require(math_text::py::is_valid_utf8(extracted));
    require(math_text::py::is_valid_utf8(normalized));
  }
  // normalize_final_answer deletes every newline and '$' it does not turn into something else.
  require(normalized.find('\n') == std::string::npos && normalized.find('$') == std::string::npos);
  return 0;
}
