// AISBench's string MATHEvaluator.is_equiv (datasets/math.py), versions v1 and v2.
#pragma once

#include <optional>
#include <string_view>

namespace evalflow::math_string {

enum class Version { v1, v2 };

// Equal when: both are None; else strip(a) == strip(b); else normalize_final_answer of the stripped
// strings; else normalize_final_answer of the raw strings; else raw equality. A step that raises in
// Python (only v1's strip can) just fails, as AISBench swallows the exception.
bool is_equiv(std::optional<std::string_view> prediction, std::optional<std::string_view> reference,
              Version version);

}  // namespace evalflow::math_string
