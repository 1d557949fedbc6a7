#include "code_extract.hpp"

#include <algorithm>
#include <cctype>

namespace evalflow::code_extract {
namespace {

// Python's split("\n"): a trailing "\n" gives a last empty line.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (size_t start = 0;;) {
    const size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return lines;
    start = end + 1;
  }
}

// The info string's first word after the fence ("```Python3 title" -> "python3"), lower-case.
std::string fence_language(std::string_view line) {
  std::string_view rest = line.substr(line.find("```") + 3);
  while (!rest.empty() && rest.front() == '`') rest.remove_prefix(1);
  while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front())) != 0) rest.remove_prefix(1);
  std::string language;
  for (char c : rest) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) break;
    language += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return language;
}

std::string join_between(const std::vector<std::string_view>& lines, size_t open, size_t close) {
  std::string code;
  for (size_t i = open + 1; i < close; ++i) {
    if (i > open + 1) code += '\n';
    code += lines[i];
  }
  return code;
}

}  // namespace

std::string extract_code(std::string_view text, const ExtractOptions& options) {
  if (options.after_think) {
    const size_t think_end = text.rfind("</think>");
    if (think_end != std::string_view::npos) text.remove_prefix(think_end + 8);
  }
  const auto lines = split_lines(text);
  std::vector<size_t> fences;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find("```") != std::string_view::npos) fences.push_back(i);
  }
  if (options.languages.empty()) {
    if (fences.size() < 2) return "";
    const size_t open = options.block == Block::last ? fences[fences.size() - 2] : fences[0];
    const size_t close = options.block == Block::last ? fences.back() : fences[1];
    return join_between(lines, open, close);
  }
  std::vector<std::pair<size_t, size_t>> blocks;  // (opening, closing) fence lines of the wanted languages
  for (size_t i = 0; i + 1 < fences.size(); i += 2) {
    const std::string language = fence_language(lines[fences[i]]);
    if (std::find(options.languages.begin(), options.languages.end(), language) != options.languages.end()) {
      blocks.emplace_back(fences[i], fences[i + 1]);
    }
  }
  if (blocks.empty()) return "";
  const auto& [open, close] = options.block == Block::last ? blocks.back() : blocks.front();
  return join_between(lines, open, close);
}

}  // namespace evalflow::code_extract
