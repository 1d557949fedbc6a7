// The plugin through the real runtime (loader, host API, options schema, TBB graph, run directory), against
// the test server: answers, injected faults, failures reported and not scored, the perf summary, and the
// shipped model fragment with command-line overrides.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "config/pipeline_spec.hpp"
#include "graph/pipeline_run.hpp"
#include "test_server.hpp"
#include "validate/loaded_pipeline.hpp"
#include "validate/validated_pipeline.hpp"

namespace evalflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test_server::OpenAiTestServer;
using test_server::ServerOptions;

constexpr int kQuestions = 24;

class OpenAiHttpPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("EVALFLOW_PLUGIN_PATH", EVALFLOW_PLUGIN_DIR, 1);
    dir_ = fs::temp_directory_path() /
           ("evalflow_openai_http_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream questions(dir_ / "questions.jsonl");
    std::ofstream recorded(dir_ / "recorded.jsonl");
    for (int i = 0; i < kQuestions; ++i) {
      const std::string question =
          "Question number " + std::to_string(i) + ": what is " + std::to_string(i) + "*7?";
      questions << json{{"question", question}, {"answer", std::to_string(i * 7)}}.dump() << "\n";
      recorded << json{{"question", question}, {"response", "<think>Times.</think>" + std::to_string(i * 7)}}
                      .dump()
               << "\n";
    }
  }

  ServerOptions replaying_server() const {
    ServerOptions options;
    options.answers = test_server::AnswerSource::replay((dir_ / "recorded.jsonl").string());
    options.reasoning = true;
    options.retry_after_s = 0;
    return options;
  }

  // A dataset fragment: load, prompt, the model, the answer after </think>, exact matching.
  fs::path dataset_fragment() const {
    const fs::path file = dir_ / "dataset.yaml";
    std::ofstream(file) << R"(datasets:
  - abbr: sevens
    nodes:
      - {name: load, type: jsonl_loader, options: {path: questions.jsonl, output_column: answer}}
      - {name: prompt, type: prompt_template, options: {template: "{question}\nAnswer with the number."}}
      - {use: model}
      - {name: strip, type: think_strip}
      - {name: judge, type: exact_match, options: {prediction_field: answer_text}}
    metrics:
      - {type: accuracy}
      - {type: perf_summary}
)";
    return file;
  }

  fs::path model_fragment(const std::string& options) const {
    const fs::path file = dir_ / "model.yaml";
    std::ofstream(file) << "model: {abbr: served, type: openai_http, options: " << options << "}\n";
    return file;
  }

  Result<RunReport> run(const PipelineSources& sources) {
    auto loaded = load_pipeline(sources);
    if (!loaded) return Error{loaded.error()};
    loaded_ = std::move(*loaded);
    RunOptions options;
    options.work_dir = dir_ / "outputs";
    options.show_progress = false;
    return run_pipeline(loaded_->pipeline, options);
  }

  static std::vector<json> read_jsonl(const fs::path& file) {
    std::vector<json> lines;
    std::ifstream stream(file);
    for (std::string line; std::getline(stream, line);) lines.push_back(json::parse(line));
    return lines;
  }

  fs::path dir_;
  std::unique_ptr<LoadedPipeline> loaded_;  // the last run's pipeline and its plugins
};

TEST_F(OpenAiHttpPipeline, StreamedAnswersThroughFaultsAreScoredWithTimings) {
  ServerOptions options = replaying_server();
  options.faults = {test_server::parse_fault_rule("503@every=6"),
                    test_server::parse_fault_rule("reset@every=9"),
                    test_server::parse_fault_rule("malformed@every=13")};
  OpenAiTestServer server(options);
  const int port = server.start();
  PipelineSources sources;
  sources.models = {model_fragment(
      R"({host_ip: 127.0.0.1, host_port: )" + std::to_string(port) +
      R"(, stream: true, batch_size: 4, retry: 6, backoff: {initial_s: 0.001, max_s: 0.01}})")};
  sources.datasets = {dataset_fragment()};
  auto report = run(sources);
  ASSERT_TRUE(report) << report.error();
  ASSERT_EQ(report->lanes.size(), 1u);
  const LaneResult& lane = report->lanes[0];
  EXPECT_EQ(lane.failed, 0);
  EXPECT_EQ(lane.total, kQuestions);
  EXPECT_GT(server.faults_injected(), 5);
  EXPECT_DOUBLE_EQ(lane.metrics.at("accuracy").get<double>(), 100.0);
  // The prediction is reasoning + "</think>" + content, as AISBench stores it.
  const auto predictions = read_jsonl(report->run_dir / "predictions" / "served" / "sevens.jsonl");
  ASSERT_EQ(predictions.size(), static_cast<size_t>(kQuestions));
  for (const json& row : predictions) {
    const int64_t id = row["id"];
    EXPECT_EQ(row["prediction"], "Times.</think>" + std::to_string(id * 7));
    EXPECT_EQ(row["finish_reason"], "stop");
    EXPECT_EQ(row["completion_tokens"], 2);
    EXPECT_GT(row["prompt_tokens"].get<int>(), 3);
    EXPECT_TRUE(row["timing"]["ok"].get<bool>());
    EXPECT_TRUE(row["timing"].contains("ttft_ms"));
    EXPECT_EQ(row["timing"]["itl_ms"].size(), 1u);
  }
  const json& perf = lane.metrics.at("perf");
  EXPECT_EQ(perf["succeeded"], kQuestions);
  EXPECT_EQ(perf["total_output_tokens"], 2 * kQuestions);
  EXPECT_EQ(perf["ttft_ms"]["count"], kQuestions);
  EXPECT_GT(perf["request_throughput"].get<double>(), 0.0);
}

TEST_F(OpenAiHttpPipeline, FailedRequestsAreReportedAndNotScored) {
  ServerOptions options = replaying_server();
  options.faults = {test_server::parse_fault_rule("429@nth=3,4,5")};
  OpenAiTestServer server(options);
  const int port = server.start();
  PipelineSources sources;
  // No retries and no outage window: the server's requests 3, 4 and 5 meet a 429 and their records fail.
  sources.models = {model_fragment(R"({host_ip: 127.0.0.1, host_port: )" + std::to_string(port) +
                                   R"(, batch_size: 1, retry: 0, outage_s: 0})")};
  sources.datasets = {dataset_fragment()};
  auto report = run(sources);
  ASSERT_TRUE(report) << report.error();
  const LaneResult& lane = report->lanes[0];
  EXPECT_EQ(lane.failed, 3);
  EXPECT_EQ(lane.metrics.at("total"), kQuestions - 3) << "failures are not scored as wrong answers";
  EXPECT_DOUBLE_EQ(lane.metrics.at("accuracy").get<double>(), 100.0);
  const auto failed = read_jsonl(report->run_dir / "predictions" / "served" / "sevens_failed.jsonl");
  ASSERT_EQ(failed.size(), 3u);
  for (const json& row : failed) {
    EXPECT_NE(row["error_info"].get<std::string>().find("HTTP 429"), std::string::npos) << row["error_info"];
    EXPECT_FALSE(row["timing"]["ok"].get<bool>());
  }
}

TEST_F(OpenAiHttpPipeline, ShippedModelFragmentWorksWithOverrides) {
  OpenAiTestServer server(replaying_server());
  const int port = server.start();
  PipelineSources sources;
  sources.models = {fs::path(EVALFLOW_SOURCE_DIR) / "pipelines" / "models" / "vllm_api_general_chat.yaml"};
  sources.datasets = {dataset_fragment()};
  sources.overrides = {"model.host_ip=127.0.0.1", "model.host_port=" + std::to_string(port)};
  auto report = run(sources);
  ASSERT_TRUE(report) << report.error();
  EXPECT_EQ(report->lanes.at(0).failed, 0);
  EXPECT_DOUBLE_EQ(report->lanes[0].metrics.at("accuracy").get<double>(), 100.0);
  // The model name came from GET /v1/models; the seed's generation options went through verbatim.
  EXPECT_EQ(server.completion_requests(), kQuestions);
}

TEST_F(OpenAiHttpPipeline, OptionsAreCheckedBeforeTheRun) {
  PipelineSources sources;
  sources.models = {model_fragment(R"({host_port: 8080, batch_sise: 4})")};
  sources.datasets = {dataset_fragment()};
  auto report = run(sources);
  ASSERT_FALSE(report);
  EXPECT_NE(report.error().find("batch_sise"), std::string::npos) << report.error();
}

TEST_F(OpenAiHttpPipeline, AMissingApiKeyVariableIsNamed) {
  PipelineSources sources;
  sources.models = {model_fragment(R"({api_key_env: EVALFLOW_TEST_SURELY_UNSET_KEY, model: m})")};
  sources.datasets = {dataset_fragment()};
  auto report = run(sources);
  ASSERT_FALSE(report);
  EXPECT_NE(report.error().find("EVALFLOW_TEST_SURELY_UNSET_KEY"), std::string::npos) << report.error();
}

}  // namespace
}  // namespace evalflow
