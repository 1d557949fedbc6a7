// LiveCodeBench's rule for standard-output tests (lcb_runner/evaluation/testing_util.py, grade_stdio):
// both texts are stripped and split on '\n', each line stripped; the line counts must be equal; a line
// matches when equal as text, or else when both split on white space into equally many numbers that are
// equal as Python Decimals ("1.0" == "1", "1e3" == "1000", NaN equal to nothing).
#ifndef EVALFLOW_CODE_EXEC_STDIO_MATCH_HPP
#define EVALFLOW_CODE_EXEC_STDIO_MATCH_HPP

#include <string_view>

namespace evalflow::code_exec {

bool stdio_outputs_match(std::string_view output, std::string_view expected);

}  // namespace evalflow::code_exec

#endif  // EVALFLOW_CODE_EXEC_STDIO_MATCH_HPP
