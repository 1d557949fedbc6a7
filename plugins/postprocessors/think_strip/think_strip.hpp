// The think_strip postprocessor's logic, independent of the plugin ABI.
#pragma once

#include <string_view>

namespace evalflow::think_strip {

struct VisibleAnswer {
  std::string_view text;  // a view into the output passed in
  bool truncated;         // a <think> was opened and never closed
};

// What a reasoning model shows as its answer: the text after the last "</think>" (the whole text when
// there is none, as when the chat template pre-fills "<think>\n" and only "</think>" is generated).
// A "<think>" after that point that is never closed means the output stopped while thinking: the text
// is cut there and the answer is marked truncated.
VisibleAnswer visible_answer(std::string_view output);

}  // namespace evalflow::think_strip
