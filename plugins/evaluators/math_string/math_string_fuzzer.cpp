// libFuzzer target for the string evaluators: strip_string v1/v2 and is_equiv on arbitrary bytes, split
// into prediction and reference at the first NUL byte. Checks the properties is_equiv must have.
#include <evalflow/math_text/python_str.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "is_equiv.hpp"
#include "strip_string.hpp"

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using evalflow::math_string::is_equiv;
  using evalflow::math_string::Version;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t separator = input.find('\0');
  const std::string_view prediction = input.substr(0, separator);
  const std::string_view reference = separator == std::string_view::npos ? "" : input.substr(separator + 1);

  for (const Version version : {Version::v1, Version::v2}) {
    const bool equal = is_equiv(prediction, reference, version);
    require(equal == is_equiv(reference, prediction, version));
    require(is_equiv(prediction, prediction, version));
    require(!is_equiv(prediction, std::nullopt, version));
  }
  if (evalflow::math_text::py::is_valid_utf8(prediction)) {
    require(evalflow::math_text::py::is_valid_utf8(evalflow::math_string::strip_string_v2(prediction)));
    if (const auto stripped = evalflow::math_string::strip_string_v1(prediction)) {
      require(evalflow::math_text::py::is_valid_utf8(*stripped));
    }
  }
  return 0;
}
