// libFuzzer target: the LaTeX parser and the whole grading path must never crash, hang or leak on
// any input, and must stop at their time budget.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "latex_lexer.hpp"
#include "latex_parser.hpp"
#include "math_verify.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace evalflow::math_verify;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Budget budget(std::chrono::milliseconds(200));
  try {
    parse_latex(text, true, budget);
  } catch (const ParseError&) {
  } catch (const BudgetExceeded&) {
  }
  static const Verifier verifier(Mode::kAisbench, std::chrono::milliseconds(200));
  const size_t split = size / 2;
  (void)verifier.grade(text.substr(0, split), text.substr(split));
  return 0;
}
