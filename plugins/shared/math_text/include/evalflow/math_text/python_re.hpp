// The few Python `re` calls of AISBench's math code whose patterns are `OPEN(.*?)CLOSE` with literal
// delimiters, rewritten as scans with the same results as Python (leftmost, non-overlapping matches;
// '.' never crosses a newline). Hand-written because std::regex is slow and differs from Python, and
// because these patterns need no engine at all.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace evalflow::math_text::py {

enum class Keep { inner, nothing };

// re.sub(OPEN + '(.*?)' + CLOSE, r'\1' or '', text).
std::string sub_lazy(std::string_view text, std::string_view open, std::string_view close, Keep keep);

// re.findall(OPEN + '(.*?)' + CLOSE, text)[-1], or nullopt when findall finds nothing.
std::optional<std::string_view> findall_last_lazy(std::string_view text, std::string_view open,
                                                  std::string_view close);

}  // namespace evalflow::math_text::py
