// The plugin through the real host: options schema, fields, greedy generation on the fixture checkpoint
// from prompt_ids, chat messages through the template and tokenizer, and a whole pipeline through the graph.
#include <gtest/gtest.h>
#include <evalflow/plugin_testing/loaded_node.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "config/pipeline_spec.hpp"
#include "graph/pipeline_run.hpp"
#include "validate/loaded_pipeline.hpp"

namespace evalflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using plugin_testing::LoadedNode;

const fs::path kSourceDir = fs::path(TORCH_LOCAL_SOURCE_DIR);

RecordPtr record_with(const char* field, const json& value) {
  auto record = std::make_shared<Record>();
  record->dataset = std::make_shared<const std::string>("set");
  record->at(field) = value;
  return record;
}

std::string ids_text(const std::vector<int64_t>& ids) {
  std::string text;
  for (int64_t id : ids) text += (text.empty() ? "" : " ") + std::to_string(id);
  return text;
}

// A random-weight Qwen2 with Qwen3's tokenizer and chat template, small enough to build in milliseconds.
fs::path chat_model_dir() {
  // One folder per test: ctest runs the tests of this file in parallel processes.
  const fs::path dir =
      fs::temp_directory_path() / (std::string("torch_local_chat_model_") +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::create_directories(dir);
  const fs::path tokenizers = fs::path(EVALFLOW_SOURCE_DIR) / "tests/data/tokenizers/qwen3";
  for (const char* file : {"tokenizer.json", "tokenizer_config.json"}) {
    fs::copy_file(tokenizers / file, dir / file, fs::copy_options::overwrite_existing);
  }
  std::ofstream(dir / "config.json") << json{{"model_type", "qwen2"},       {"vocab_size", 151936},
                                             {"hidden_size", 16},           {"intermediate_size", 32},
                                             {"num_hidden_layers", 1},      {"num_attention_heads", 2},
                                             {"num_key_value_heads", 1},    {"max_position_embeddings", 1024},
                                             {"tie_word_embeddings", true}, {"eos_token_id", 151645}}
                                            .dump();
  return dir;
}

TEST(TorchLocalPlugin, DeclaresItsFieldsFromTheInputOption) {
  LoadedNode node(
      "torch_local",
      json{{"path", (kSourceDir / "testdata/tiny_qwen2").string()}, {"input", "prompt_ids"}}.dump());
  const auto fields = node.fields();
  ASSERT_EQ(fields.reads.size(), 1U);
  EXPECT_EQ(fields.reads[0].name, "prompt_ids");
  std::vector<std::string> writes;
  for (const auto& field : fields.writes) writes.push_back(field.name);
  EXPECT_EQ(writes, (std::vector<std::string>{"prediction", "finish_reason", "prompt_tokens",
                                              "completion_tokens", "timing"}));
  EXPECT_FALSE(node.options_violations(R"({"path": "x", "generation_kwargs": {"top_p": 2}})").empty());
  EXPECT_FALSE(node.options_violations(R"({"path": "x", "device": "tpu"})").empty());
}

TEST(TorchLocalPlugin, GreedyFromPromptIdsMatchesTransformers) {
  std::ifstream stream(kSourceDir / "testdata/tiny_qwen2/reference.json");
  const json reference = json::parse(stream).at("prompts").at(1);
  // The fixture has no tokenizer: the prediction is the generated ids.
  LoadedNode node("torch_local", json{{"path", (kSourceDir / "testdata/tiny_qwen2").string()},
                                      {"input", "prompt_ids"},
                                      {"generation_kwargs", {{"max_tokens", 32}, {"ignore_eos", true}}}}
                                     .dump());
  const auto record = record_with("prompt_ids", reference.at("ids"));
  ASSERT_EQ(node.submit(record), nullptr);
  EXPECT_EQ(*record->find("prediction"), ids_text(reference.at("greedy").get<std::vector<int64_t>>()));
  EXPECT_EQ(*record->find("finish_reason"), "length");
  EXPECT_EQ(*record->find("prompt_tokens"), 7);
  EXPECT_EQ(*record->find("completion_tokens"), 32);
  EXPECT_TRUE(record->find("timing")->contains("time_to_first_token_s"));
  // The live progress sees the tokens generated and an idle engine (the engine publishes its numbers just
  // after the step that finished the request); the host may send max_batch at once.
  json stats = node.stats();
  for (int i = 0; i < 200 && stats.value("running", -1) != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    stats = node.stats();
  }
  EXPECT_EQ(stats.value("tokens_total", 0), 32) << stats.dump();
  EXPECT_EQ(stats.value("running", -1), 0) << stats.dump();
  EXPECT_EQ(stats.value("queued", -1), 0) << stats.dump();
  EXPECT_EQ(stats.value("kv_used_pct", -1), 0) << stats.dump();  // every block back in the pool
  EXPECT_GT(node.capacity(), 0);
}

TEST(TorchLocalPlugin, BadPromptFailsOnlyThatRecord) {
  LoadedNode node(
      "torch_local",
      json{{"path", (kSourceDir / "testdata/tiny_qwen2").string()}, {"input", "prompt_ids"}}.dump());
  const auto record = record_with("prompt_ids", json::array({1, 100000}));
  const StatusPtr status = node.submit(record);
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->code, EF_INVALID_ARGUMENT);
  EXPECT_NE(status->message.find("outside the vocabulary"), std::string::npos) << status->message;
}

// Greedy chat generation on the random model, then again with a stop string taken from that output: the
// second prediction ends before the stop string, with finish_reason stop.
TEST(TorchLocalPlugin, StopStringsEndGenerationAndAreCutFromThePrediction) {
  auto generate = [](const json& generation_kwargs) {
    LoadedNode node("torch_local", json{{"path", chat_model_dir().string()},
                                        {"random_weights", true},
                                        {"generation_kwargs", generation_kwargs}}
                                       .dump());
    const auto record =
        record_with("messages", json::array({{{"role", "user"}, {"content", "Count to ten."}}}));
    EXPECT_EQ(node.submit(record), nullptr);
    return std::make_pair(record->find("prediction")->get<std::string>(),
                          record->find("finish_reason")->get<std::string>());
  };
  const auto [full, full_reason] = generate({{"max_tokens", 16}, {"ignore_eos", true}});
  EXPECT_EQ(full_reason, "length");
  // A stop string of three plain ASCII characters from the middle of the output.
  size_t start = 2;
  while (start + 3 <= full.size() && !std::all_of(full.begin() + start, full.begin() + start + 3, [](char c) {
           return c > ' ' && static_cast<unsigned char>(c) < 0x80;
         })) {
    ++start;
  }
  ASSERT_LE(start + 3, full.size()) << "no ASCII run in: " << full;
  const std::string stop = full.substr(start, 3);
  const auto [cut, cut_reason] = generate({{"max_tokens", 16}, {"ignore_eos", true}, {"stop", stop}});
  EXPECT_EQ(cut_reason, "stop");
  EXPECT_EQ(cut, full.substr(0, full.find(stop)));
}

// jsonl_loader -> prompt_template -> torch_local (messages, chat template, tokenizer) -> exact_match.
TEST(TorchLocalPlugin, PipelineRunsEndToEndThroughTheGraph) {
  const fs::path dir = fs::temp_directory_path() / "torch_local_pipeline";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "questions.jsonl") << R"({"question": "What is 1+1?", "answer": "2"})"
                                         << "\n"
                                         << R"({"question": "Name a prime.", "answer": "3"})"
                                         << "\n"
                                         << R"({"question": "Say hi.", "answer": "hi"})"
                                         << "\n";
  std::ofstream(dir / "pipeline.yaml")
      << "plugin_paths: [" << EVALFLOW_PLUGIN_DIR << "]\n"
      << "model: {abbr: tiny, type: torch_local, options: {path: " << chat_model_dir().string()
      << ", random_weights: true, max_batch: 2, generation_kwargs: "
         "{temperature: 0.6, top_p: 0.95, max_tokens: 6, seed: 1}}}\n"
      << R"(datasets:
  - abbr: qa
    nodes:
      - {name: load, type: jsonl_loader, options: {path: questions.jsonl, output_column: answer}}
      - {name: prompt, type: prompt_template, options: {template: "{question}"}}
      - {use: model}
      - {name: judge, type: exact_match}
)";
  PipelineSources sources;
  sources.pipeline = dir / "pipeline.yaml";
  auto loaded = load_pipeline(sources);
  ASSERT_TRUE(loaded) << loaded.error();
  RunOptions options;
  options.work_dir = dir / "outputs";
  options.show_progress = false;
  auto report = run_pipeline((*loaded)->pipeline, options);
  ASSERT_TRUE(report) << report.error();
  EXPECT_EQ(report->abort_reason, "");
  std::ifstream predictions(report->run_dir / "predictions/tiny/qa.jsonl");
  int rows = 0;
  for (std::string line; std::getline(predictions, line); ++rows) {
    const json row = json::parse(line);
    EXPECT_EQ(row.at("completion_tokens").get<int>() <= 6, true) << line;
    EXPECT_GT(row.at("prompt_tokens").get<int>(), 5) << line;  // the chat template's tokens too
    EXPECT_TRUE(row.at("finish_reason") == "length" || row.at("finish_reason") == "stop") << line;
  }
  EXPECT_EQ(rows, 3);
}

}  // namespace
}  // namespace evalflow
