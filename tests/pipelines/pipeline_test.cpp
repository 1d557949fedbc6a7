// Pipelines end to end through the runtime: composition and overrides, every validation error kind,
// two datasets sharing one inferencer, resume, failures, a bad JSONL line.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "config/pipeline_spec.hpp"
#include "graph/pipeline_run.hpp"
#include "store/run_directory.hpp"
#include "validate/loaded_pipeline.hpp"
#include "validate/validated_pipeline.hpp"

namespace evalflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("evalflow_pipeline_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    write("questions_a.jsonl", rows("a", 12));
    write("questions_b.jsonl", rows("b", 8));
    write("q.jsonl", rows("q", 1));  // the data file of the validation tests' pipelines
  }

  static std::string rows(const std::string& prefix, int count) {
    std::string text;
    for (int i = 0; i < count; ++i) {
      text += json{{"question", prefix + " question " + std::to_string(i)}, {"answer", std::to_string(i * 7)}}
                  .dump() +
              "\n";
    }
    return text;
  }

  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }

  // A pipeline of two datasets through the probe inferencer; `extra` is appended to the model options.
  fs::path two_dataset_pipeline(const std::string& model_options = "{}") {
    const std::string dataset = R"(
  - abbr: DATASET
    nodes:
      - {name: load, type: jsonl_loader, options: {path: questions_LETTER.jsonl, output_column: answer}}
      - {name: prompt, type: prompt_template, options: {template: "{question}\nAnswer."}}
      - {use: model}
      - {name: judge, type: exact_match})";
    std::string text = "plugin_paths: [" + std::string(EVALFLOW_TEST_PLUGIN_DIR) + "]\n" +
                       "model: {abbr: probe, type: probe_inferencer, options: " + model_options + "}\n" +
                       "datasets:";
    for (const std::string letter : {"a", "b"}) {
      std::string item = std::regex_replace(dataset, std::regex("DATASET"), "set_" + letter);
      text += std::regex_replace(item, std::regex("LETTER"), letter);
    }
    return write("pipeline.yaml", text + "\n");
  }

  Result<RunReport> run(const PipelineSources& sources, std::optional<fs::path> resume = std::nullopt) {
    auto loaded = load_pipeline(sources);
    if (!loaded) return Error{loaded.error()};
    loaded_ = std::move(*loaded);
    RunOptions options;
    options.work_dir = dir_ / "outputs";
    options.resume = std::move(resume);
    options.show_progress = false;
    return run_pipeline(loaded_->pipeline, options);
  }

  // The validation error for a pipeline whose datasets section is `datasets`.
  std::string validation_error(const std::string& datasets, const std::string& model = "") {
    const fs::path file =
        write("bad.yaml", "plugin_paths: [" + std::string(EVALFLOW_TEST_PLUGIN_DIR) + ", " +
                              std::string(EVALFLOW_ABI_PLUGIN_DIR) + "]\n" + model + datasets);
    PipelineSources sources;
    sources.pipeline = file;
    auto loaded = load_pipeline(sources);
    return loaded ? std::string() : loaded.error();
  }

  static json read_json(const fs::path& file) {
    std::ifstream stream(file);
    return json::parse(stream);
  }

  static std::vector<json> read_jsonl(const fs::path& file) {
    std::vector<json> lines;
    std::ifstream stream(file);
    std::string line;
    while (std::getline(stream, line)) lines.push_back(json::parse(line));
    return lines;
  }

  fs::path dir_;
  std::unique_ptr<LoadedPipeline> loaded_;  // the last run's pipeline and its plugins
};

TEST_F(PipelineTest, TwoDatasetsShareOneInferencerAndRunConcurrently) {
  PipelineSources sources;
  sources.pipeline = two_dataset_pipeline(R"({"delay_us": 3000})");
  auto report = run(sources);
  ASSERT_TRUE(report) << report.error();
  ASSERT_EQ(report->lanes.size(), 2U);
  for (const auto& lane : report->lanes) {
    EXPECT_EQ(lane.failed, 0);
    EXPECT_DOUBLE_EQ(lane.metrics.at("accuracy").get<double>(), 100.0) << lane.dataset;
  }
  EXPECT_EQ(report->lanes[0].total, 12);
  EXPECT_EQ(report->lanes[1].total, 8);
  // One probe instance saw every record of both datasets, with both in flight at once.
  const json probe = read_json(report->run_dir / "probe_probe.json");
  EXPECT_EQ(probe["submitted"], 20);
  EXPECT_TRUE(probe["datasets_overlapped"].get<bool>());
  // AISBench's layout and field names.
  const auto predictions = read_jsonl(report->run_dir / "predictions" / "probe" / "set_a.jsonl");
  ASSERT_EQ(predictions.size(), 12U);
  for (const char* field : {"data_abbr", "id", "replica", "origin_prompt", "prediction", "gold"}) {
    EXPECT_TRUE(predictions[0].contains(field)) << field;
  }
  EXPECT_EQ(read_json(report->run_dir / "results" / "probe" / "set_b.json")["accuracy"], 100.0);
  EXPECT_TRUE(fs::exists(report->run_dir / "configs" / "pipeline.yaml"));
  EXPECT_TRUE(fs::exists(report->run_dir / "logs" / "run.log"));
}

TEST_F(PipelineTest, DatasetsSharingAModelTakeItsSlotsInTurn) {
  // set_a is queued first and has more samples: without turns it would take every slot before set_b.
  write("questions_a.jsonl", rows("a", 40));
  PipelineSources sources;
  sources.pipeline = two_dataset_pipeline(R"({"delay_us": 200, "capacity": 2})");
  auto report = run(sources);
  ASSERT_TRUE(report) << report.error();
  const json probe = read_json(report->run_dir / "probe_probe.json");
  EXPECT_LE(probe["max_in_flight"].get<int>(), 2) << "the host submits no more than the plugin's capacity";
  const auto order = probe["submission_order"].get<std::vector<std::string>>();
  ASSERT_GE(order.size(), 16U);
  const auto b_in_first_16 = std::count(order.begin(), order.begin() + 16, "set_b");
  EXPECT_GE(b_in_first_16, 7) << "set_b got " << b_in_first_16 << " of the first 16 slots";
}

TEST_F(PipelineTest, RowsKeepEveryFieldTheChainWrote) {
  write("questions_a.jsonl",
        json{{"question", "q"}, {"answer", "1"}, {"level", 3}, {"id", "x-7"}, {"subject", "Algebra"}}.dump() +
            "\n");
  PipelineSources sources;
  sources.pipeline = two_dataset_pipeline(R"({"delay_us": 0})");
  auto report = run(sources);
  ASSERT_TRUE(report) << report.error();
  const auto rows = read_jsonl(report->run_dir / "predictions" / "probe" / "set_a.jsonl");
  ASSERT_EQ(rows.size(), 1U);
  const json& row = rows[0];
  EXPECT_EQ(row["level"], 3) << row.dump();
  EXPECT_EQ(row["subject"], "Algebra");
  EXPECT_EQ(row["question"], "q");
  EXPECT_EQ(row["id"], 0) << "the sample index keeps AISBench's name";
  EXPECT_EQ(row["id_field"], "x-7") << "a column named like a row key is kept under <name>_field";
  EXPECT_EQ(row["correct"], true) << "the evaluator's output is in the row";
  EXPECT_TRUE(row["success"].get<bool>());
  EXPECT_TRUE(row.contains("sample_hash"));
}

TEST_F(PipelineTest, CtrlCSendsNothingNewAndStoresNoRowForSamplesThatNeverReachedTheModel) {
  PipelineSources sources;
  // A capacity of 1 and a slow model: most records wait in the host when Ctrl-C comes.
  sources.pipeline = two_dataset_pipeline(R"({"delay_us": 20000, "capacity": 1})");
  std::thread interrupter([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    std::raise(SIGINT);
  });
  auto report = run(sources);
  interrupter.join();
  ASSERT_TRUE(report) << report.error();
  EXPECT_TRUE(report->interrupted);
  EXPECT_FALSE(report->abandoned) << "the one sample in flight finished within the grace period";
  const json probe = read_json(report->run_dir / "probe_probe.json");
  int64_t stored = 0;
  for (const std::string name : {"set_a", "set_b"}) {
    const auto rows = read_jsonl(report->run_dir / "predictions" / "probe" / (name + ".jsonl"));
    for (const auto& row : rows) EXPECT_TRUE(row.contains("prediction")) << row.dump();
    stored += static_cast<int64_t>(rows.size());
    EXPECT_TRUE(read_jsonl(report->run_dir / "predictions" / "probe" / (name + "_failed.jsonl")).empty());
  }
  EXPECT_LT(stored, 20) << "the run stopped early";
  EXPECT_EQ(probe["submitted"].get<int64_t>(), stored)
      << "every sample sent was finished and stored, no other";
  EXPECT_FALSE(report->lanes[0].complete());
}

TEST_F(PipelineTest, FailedRecordsAreCountedNotScoredAndResumeSendsOnlyThem) {
  PipelineSources sources;
  sources.pipeline = two_dataset_pipeline(R"({"delay_us": 0, "fail_ids": [1, 3]})");
  auto first = run(sources);
  ASSERT_TRUE(first) << first.error();
  const LaneResult& a = first->lanes[0];
  EXPECT_EQ(a.failed, 2);
  EXPECT_EQ(a.metrics["total"], 10) << "failures are not scored as wrong answers";
  EXPECT_DOUBLE_EQ(a.metrics["accuracy"].get<double>(), 100.0);
  const auto failed = read_jsonl(first->run_dir / "predictions" / "probe" / "set_a_failed.jsonl");
  ASSERT_EQ(failed.size(), 2U);
  EXPECT_NE(failed[0]["error_info"].get<std::string>().find("injected failure"), std::string::npos);

  // Resume without faults: only the 2 failed samples of each dataset are sent again.
  sources.pipeline = two_dataset_pipeline(R"({"delay_us": 0})");
  auto resumed = run(sources, first->run_dir);
  ASSERT_TRUE(resumed) << resumed.error();
  EXPECT_EQ(read_json(first->run_dir / "probe_probe.json")["submitted"], 4);
  EXPECT_EQ(resumed->lanes[0].resumed, 10);
  EXPECT_EQ(resumed->lanes[0].failed, 0);
  EXPECT_EQ(resumed->lanes[0].metrics["total"], 12);
  EXPECT_EQ(read_jsonl(first->run_dir / "predictions" / "probe" / "set_a.jsonl").size(), 12U);
  EXPECT_TRUE(read_jsonl(first->run_dir / "predictions" / "probe" / "set_a_failed.jsonl").empty());
}

TEST_F(PipelineTest, ResumeCutsATornLastLine) {
  PipelineSources sources;
  sources.pipeline = two_dataset_pipeline(R"({"delay_us": 0})");
  auto first = run(sources);
  ASSERT_TRUE(first) << first.error();
  const fs::path predictions = first->run_dir / "predictions" / "probe" / "set_b.jsonl";
  auto lines = read_jsonl(predictions);
  {
    std::ofstream out(predictions, std::ios::trunc);
    for (size_t i = 0; i + 1 < lines.size(); ++i) out << lines[i].dump() << "\n";
    out << lines.back().dump().substr(0, 20);  // killed mid-write
  }
  auto resumed = run(sources, first->run_dir);
  ASSERT_TRUE(resumed) << resumed.error();
  EXPECT_EQ(read_json(first->run_dir / "probe_probe.json")["submitted"], 1);
  EXPECT_EQ(read_jsonl(predictions).size(), 8U);
}

TEST_F(PipelineTest, NumPromptsAndSamplesShapeTheRun) {
  PipelineSources sources;
  sources.pipeline = two_dataset_pipeline();
  sources.num_prompts = 3;
  sources.samples = 4;
  auto report = run(sources);
  ASSERT_TRUE(report) << report.error();
  EXPECT_EQ(report->lanes[0].total, 12);
  const auto predictions = read_jsonl(report->run_dir / "predictions" / "probe" / "set_a.jsonl");
  std::set<std::pair<int64_t, int>> keys;
  for (const auto& row : predictions) keys.insert({row["id"].get<int64_t>(), row["replica"].get<int>()});
  EXPECT_EQ(keys.size(), 12U);
  EXPECT_EQ(keys.begin()->first, 0);
  EXPECT_EQ(keys.rbegin()->first, 2);
  EXPECT_EQ(keys.rbegin()->second, 3);
  // Without `metrics:`, a scored dataset gets sample_metrics beside accuracy: avg@n and pass@k over replicas.
  const auto& metrics = report->lanes[0].metrics;
  EXPECT_EQ(metrics.at("num_samples_per_question"), 4);
  EXPECT_DOUBLE_EQ(metrics.at("avg@4").get<double>(), metrics.at("accuracy").get<double>());
  EXPECT_TRUE(metrics.contains("pass@4"));
}

TEST_F(PipelineTest, BadJsonlLineFailsWithFileAndLine) {
  write("questions_b.jsonl", rows("b", 2) + "{\"question\": \"broken\n" + rows("b", 1));
  PipelineSources sources;
  sources.pipeline = two_dataset_pipeline();
  auto report = run(sources);
  ASSERT_FALSE(report);
  EXPECT_NE(report.error().find("questions_b.jsonl:3"), std::string::npos) << report.error();
}

TEST_F(PipelineTest, CompositionAndOverrides) {
  const fs::path model = write("model.yaml",
                               "plugin_paths: []\nmodel: {abbr: probe, type: probe_inferencer, "
                               "options: {delay_us: 5}}\n");
  // A model fragment holds only `model:`; plugin_paths belongs to pipelines.
  write("model.yaml", "model: {abbr: probe, type: probe_inferencer, options: {delay_us: 5}}\n");
  const fs::path dataset = write("dataset.yaml", R"(datasets:
  - abbr: set_a
    nodes:
      - {name: load, type: jsonl_loader, options: {path: questions_a.jsonl, output_column: answer}}
      - {name: prompt, type: prompt_template, options: {template: "{question}"}}
      - {use: model}
      - {name: judge, type: exact_match}
)");
  PipelineSources sources;
  sources.models = {model};
  sources.datasets = {dataset};
  sources.overrides = {"model.delay_us=7", "model.fail_ids=[1, 2]", "dataset.samples=3",
                       "prompt.template={question}?", "set_a.judge.case_insensitive=true"};
  auto document = compose_document(sources);
  ASSERT_TRUE(document) << document.error();
  const json& value = document->value;
  EXPECT_EQ(value["models"][0]["options"]["delay_us"], 7);
  EXPECT_EQ(value["models"][0]["options"]["fail_ids"], json::array({1, 2}));
  EXPECT_EQ(value["datasets"][0]["samples"], 3);
  EXPECT_EQ(value["datasets"][0]["nodes"][1]["options"]["template"], "{question}?");
  EXPECT_EQ(value["datasets"][0]["nodes"][3]["options"]["case_insensitive"], true);
  // Errors name the override that is wrong.
  sources.overrides = {"nosuchnode.key=1"};
  auto unknown = compose_document(sources);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().find("nosuchnode"), std::string::npos) << unknown.error();
  sources.overrides = {"model.delay_us"};
  EXPECT_FALSE(compose_document(sources));
  // An override that breaks a node's options schema is reported with the command-line origin.
  sources.overrides = {"model.delay_us=-3"};
  auto document_bad = compose_document(sources);
  ASSERT_TRUE(document_bad) << document_bad.error();
  auto spec = build_spec(std::move(*document_bad));
  ASSERT_TRUE(spec);
  spec->plugin_paths.emplace_back(EVALFLOW_TEST_PLUGIN_DIR);
  PluginRegistry registry(plugin_search_path(*spec));
  auto validated = validate_pipeline(std::move(*spec), registry);
  ASSERT_FALSE(validated);
  EXPECT_NE(validated.error().find("-s model.delay_us=-3"), std::string::npos) << validated.error();
}

// Every validation error names file:line:column and the node.
void expect_located(const std::string& error, const std::string& line_column, const std::string& node,
                    const std::string& words) {
  EXPECT_FALSE(error.empty());
  EXPECT_NE(error.find("bad.yaml:" + line_column), std::string::npos) << error;
  if (!node.empty()) EXPECT_NE(error.find("node '" + node + "'"), std::string::npos) << error;
  EXPECT_NE(error.find(words), std::string::npos) << error;
}

constexpr const char* kModel = "model: {abbr: probe, type: probe_inferencer}\n";

TEST_F(PipelineTest, ValidationSchemaError) {
  expect_located(validation_error("datasets:\n  - abbr: x\n    colour: red\n    nodes:\n"
                                  "      - {name: load, type: jsonl_loader, options: {path: q.jsonl}}\n"),
                 "3:5", "", "colour");
}

// Found by pipeline_yaml_fuzzer: malformed UTF-8 made the schema validator read past its tables.
TEST_F(PipelineTest, ValidationTextThatIsNotUtf8) {
  expect_located(validation_error("datasets:\n  - abbr: \"x\xff\xbf\xbf\xbf\xbf\xbf\xbf\xbf\"\n    nodes:\n"
                                  "      - {name: load, type: jsonl_loader, options: {path: q.jsonl}}\n"),
                 "3:", "", "not valid UTF-8");
}

TEST_F(PipelineTest, ValidationUnknownNodeType) {
  expect_located(
      validation_error("datasets:\n  - abbr: x\n    nodes:\n      - {name: load, type: no_such_loader}\n"),
      "5:28", "x.load", "unknown node type 'no_such_loader'");
}

TEST_F(PipelineTest, ValidationUnknownOption) {
  expect_located(
      validation_error("datasets:\n  - abbr: x\n    nodes:\n"
                       "      - {name: load, type: jsonl_loader, options: {path: q.jsonl, colour: 1}}\n"),
      "5:", "x.load", "colour");
}

TEST_F(PipelineTest, ValidationIllTypedOption) {
  const std::string error = validation_error(
      "datasets:\n  - abbr: x\n    nodes:\n"
      "      - {name: load, type: jsonl_loader, options: {path: q.jsonl, output_column: answer}}\n"
      "      - {name: prompt, type: prompt_template, options: {template: 42}}\n");
  expect_located(error, "6:", "x.prompt", "template");
}

TEST_F(PipelineTest, ValidationFieldNeverWritten) {
  expect_located(
      validation_error("datasets:\n  - abbr: x\n    nodes:\n"
                       "      - {name: load, type: jsonl_loader, options: {path: q.jsonl, "
                       "input_columns: [question], output_column: answer}}\n"
                       "      - {name: prompt, type: prompt_template, options: {template: \"{problem}\"}}\n"),
      "6:9", "x.prompt", "reads field 'problem'");
}

TEST_F(PipelineTest, ValidationFieldWrittenWithAnotherType) {
  expect_located(
      validation_error("datasets:\n  - abbr: x\n    nodes:\n"
                       "      - {name: load, type: jsonl_loader, options: {path: q.jsonl, "
                       "input_columns: [question], output_column: answer}}\n"
                       "      - {name: prompt, type: prompt_template, options: {template: \"{question}\"}}\n"
                       "      - {name: upper, type: c_upper, options: {field: messages}}\n"),
      "7:9", "x.upper", "reads field 'messages' as string, but 'x.prompt' writes it as list");
}

TEST_F(PipelineTest, ValidationSuggestsTheOptionMeantAndStopsThere) {
  const std::string error = validation_error(R"(
datasets:
  - abbr: x
    nodes:
      - {name: load, type: jsonl_loader, options: {path: q.jsonl, output_colum: answer}}
      - {name: prompt, type: prompt_template, options: {template: "{question}"}}
      - {name: judge, type: exact_match}
)");
  EXPECT_NE(error.find("unknown option 'output_colum'; did you mean 'output_column'?"), std::string::npos)
      << error;
  EXPECT_EQ(error.find("no node upstream writes it"), std::string::npos) << "no follow-on error: " << error;
}

TEST_F(PipelineTest, ValidationFindsAMissingDataFileAndAnInferencerInAChain) {
  const std::string error = validation_error(R"(
datasets:
  - abbr: x
    nodes:
      - {name: load, type: jsonl_loader, options: {path: missing.jsonl}}
      - {name: infer, type: probe_inferencer}
)");
  EXPECT_NE(error.find("missing.jsonl does not exist"), std::string::npos) << error;
  EXPECT_NE(error.find("an inferencer cannot stand in a dataset's chain"), std::string::npos) << error;
}

TEST_F(PipelineTest, ValidationCycle) {
  expect_located(validation_error("datasets:\n  - abbr: x\n    nodes:\n"
                                  "      - {name: load, type: jsonl_loader, options: {path: q.jsonl}}\n"
                                  "      - {name: a, type: exact_match, input: b}\n"
                                  "      - {name: b, type: exact_match}\n",
                                  kModel),
                 "7:9", "x.a", "cycle: a -> b -> a");
}

TEST_F(PipelineTest, ValidationReportsEveryProblemAtOnce) {
  const std::string error = validation_error(
      "datasets:\n  - abbr: x\n    nodes:\n"
      "      - {name: load, type: jsonl_loader, options: {path: q.jsonl, unknown_one: 1}}\n"
      "      - {name: judge, type: not_a_type}\n");
  EXPECT_NE(error.find("unknown_one"), std::string::npos) << error;
  EXPECT_NE(error.find("not_a_type"), std::string::npos) << error;
}

}  // namespace
}  // namespace evalflow
