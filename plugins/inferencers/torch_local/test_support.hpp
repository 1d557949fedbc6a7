// Shared by torch_local's tests: the fixture checkpoints in testdata/ and the device they run on.
// EVALFLOW_TEST_DEVICE=cuda runs them on the GPU (fp32 there too: TF32 stays off, libtorch's default).
#pragma once

#include <ATen/ATen.h>

#include <filesystem>
#include <string>
#include <vector>

#include "transformer.hpp"

namespace evalflow::torch_local::testing {

struct ReferencePrompt {
  std::vector<int64_t> ids;
  std::vector<float> last_logits;
  std::vector<int64_t> greedy;
};

std::filesystem::path fixture_dir(const std::string& model);
std::vector<ReferencePrompt> load_reference(const std::string& model);
at::TensorOptions test_options();
// max|actual - expected| / max|expected|
double relative_error(const at::Tensor& actual, const std::vector<float>& expected);

}  // namespace evalflow::torch_local::testing
