// LiveCodeBench's code extraction (lcb_runner/utils/extraction_utils.py, extract_code for chat models):
// the lines strictly between two lines that contain "```" anywhere; "" when fewer than two such lines.
#ifndef EVALFLOW_CODE_EXTRACT_CODE_EXTRACT_HPP
#define EVALFLOW_CODE_EXTRACT_CODE_EXTRACT_HPP

#include <string>
#include <string_view>
#include <vector>

namespace evalflow::code_extract {

enum class Block {
  last,  // between the last two fence lines: LiveCodeBench's rule since late 2024
  first  // between the first two fence lines: its earlier rule (still commented out in its code)
};

struct ExtractOptions {
  Block block = Block::last;
  bool after_think = true;  // R1-style outputs: look only after the last "</think>", when there is one
  // Empty: LiveCodeBench's rule, blind to language tags. Otherwise fence lines are paired in order into
  // blocks (opening, closing), and only blocks whose opening fence is tagged with one of these (compared
  // lower-case; "" = an untagged fence) are candidates for `block`.
  std::vector<std::string> languages;
};

std::string extract_code(std::string_view text, const ExtractOptions& options);

}  // namespace evalflow::code_extract

#endif  // EVALFLOW_CODE_EXTRACT_CODE_EXTRACT_HPP
