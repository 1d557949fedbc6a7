#include "math_postprocess.hpp"

#include <evalflow/math_text/boxed.hpp>
#include <evalflow/math_text/normalize_final_answer.hpp>
#include <evalflow/math_text/python_str.hpp>

namespace evalflow::math_boxed {

std::string math_postprocess_v2(std::string_view text) {
  if (auto boxed = math_text::extract_boxed_answer(text, /*strip_double_curly_brace=*/true);
      boxed && !boxed->empty()) {
    return std::move(*boxed);
  }
  // Pieces of text.split('.'), searched in an ASCII-lowered copy (see py::ascii_lower for why that is
  // the same as Python's str.lower() here).
  const std::string lowered = math_text::py::ascii_lower(text);
  const std::string_view lowered_view = lowered;
  size_t start = 0;
  while (true) {
    const size_t dot = text.find('.', start);
    const size_t end = dot == std::string_view::npos ? text.size() : dot;
    const std::string_view piece = lowered_view.substr(start, end - start);
    if (math_text::py::contains(piece, "final answer") || math_text::py::contains(piece, "answer is")) {
      return math_text::normalize_final_answer(text.substr(start, end - start));
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return math_text::normalize_final_answer(text.substr(0, text.find('.')));
}

}  // namespace evalflow::math_boxed
