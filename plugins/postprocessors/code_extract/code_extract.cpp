#include "code_extract.hpp"

#include <vector>

namespace evalflow::code_extract {

std::string extract_code(std::string_view text, const ExtractOptions& options) {
  if (options.after_think) {
    const size_t think_end = text.rfind("</think>");
    if (think_end != std::string_view::npos) text.remove_prefix(think_end + 8);
  }
  std::vector<std::string_view> lines;  // Python's split("\n"): a trailing "\n" gives a last empty line
  for (size_t start = 0;;) {
    const size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  std::vector<size_t> fences;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find("```") != std::string_view::npos) fences.push_back(i);
  }
  if (fences.size() < 2) return "";
  const size_t open = options.block == Block::last ? fences[fences.size() - 2] : fences[0];
  const size_t close = options.block == Block::last ? fences.back() : fences[1];
  std::string code;
  for (size_t i = open + 1; i < close; ++i) {
    if (i > open + 1) code += '\n';
    code += lines[i];
  }
  return code;
}

}  // namespace evalflow::code_extract
