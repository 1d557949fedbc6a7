#include "test_support.hpp"

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

namespace evalflow::torch_local::testing {

std::filesystem::path fixture_dir(const std::string& model) {
  return std::filesystem::path(TORCH_LOCAL_SOURCE_DIR) / "testdata" / model;
}

std::vector<ReferencePrompt> load_reference(const std::string& model) {
  std::ifstream stream(fixture_dir(model) / "reference.json");
  const auto reference = nlohmann::json::parse(stream);
  std::vector<ReferencePrompt> prompts;
  for (const auto& prompt : reference.at("prompts")) {
    prompts.push_back({prompt.at("ids").get<std::vector<int64_t>>(),
                       prompt.at("last_logits").get<std::vector<float>>(),
                       prompt.at("greedy").get<std::vector<int64_t>>()});
  }
  return prompts;
}

at::TensorOptions test_options() {
  const char* device = std::getenv("EVALFLOW_TEST_DEVICE");
  return at::TensorOptions()
      .dtype(at::kFloat)
      .device(device != nullptr ? at::Device(device) : at::Device(at::kCPU));
}

double relative_error(const at::Tensor& actual, const std::vector<float>& expected) {
  const at::Tensor reference = at::tensor(expected);
  const at::Tensor values = actual.to(at::kCPU).to(at::kFloat).reshape({-1});
  return (values - reference).abs().max().item<double>() / reference.abs().max().item<double>();
}

}  // namespace evalflow::torch_local::testing
