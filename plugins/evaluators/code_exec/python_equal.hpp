// LiveCodeBench's call-based check, `prediction == json.loads(expected)` in Python, done outside the
// sandbox on the prediction as the harness encodes it (harness.py `encode`): numbers equal by value
// across int, float and bool (True == 1 == 1.0), lists element-wise, objects by key set and values;
// anything the harness tagged {"$py": ...} (a tuple inside, a set, inf/nan, an object) equals nothing.
#ifndef EVALFLOW_CODE_EXEC_PYTHON_EQUAL_HPP
#define EVALFLOW_CODE_EXEC_PYTHON_EQUAL_HPP

#include <nlohmann/json.hpp>

namespace evalflow::code_exec {

bool python_equal(const nlohmann::json& prediction, const nlohmann::json& expected);

}  // namespace evalflow::code_exec

#endif  // EVALFLOW_CODE_EXEC_PYTHON_EQUAL_HPP
