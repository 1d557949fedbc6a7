#include "think_strip.hpp"

namespace evalflow::think_strip {

VisibleAnswer visible_answer(std::string_view output) {
  constexpr std::string_view kOpen = "<think>";
  constexpr std::string_view kClose = "</think>";
  std::string_view text = output;
  if (const size_t close = output.rfind(kClose); close != std::string_view::npos) {
    text = output.substr(close + kClose.size());
  }
  const size_t unclosed = text.find(kOpen);
  if (unclosed == std::string_view::npos) return {text, false};
  return {text.substr(0, unclosed), true};
}

}  // namespace evalflow::think_strip
