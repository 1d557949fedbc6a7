// The run directory's storage: appends that report write errors, the lock, failures kept until replaced,
// stale rows dropped, bad rows named by file:line, unique run ids, protocol differences.
#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
#include <thread>

#include "store/prediction_store.hpp"
#include "store/run_config.hpp"
#include "store/run_directory.hpp"
#include "store/run_lock.hpp"

namespace evalflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("evalflow_store_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  static size_t lines(const fs::path& file) {
    std::ifstream in(file);
    size_t count = 0;
    for (std::string line; std::getline(in, line);) count += line.empty() ? 0 : 1;
    return count;
  }
  static std::string row(int64_t id, const std::string& hash, const std::string& extra = "") {
    return json{{"id", id}, {"replica", 0}, {"sample_hash", hash}, {"prediction", "p" + extra}}.dump();
  }
  fs::path dir_;
};

TEST_F(StoreTest, AFailedWriteNamesTheFileAndEveryLaterCallFails) {
  auto appender = JsonlAppender::open("/dev/full", /*truncate=*/false);
  ASSERT_TRUE(appender) << appender.error();
  ASSERT_TRUE((*appender)->append_line("{\"id\":0}"));  // buffered
  const auto flushed = (*appender)->flush();
  ASSERT_FALSE(flushed);
  EXPECT_NE(flushed.error().find("/dev/full"), std::string::npos) << flushed.error();
  EXPECT_NE(flushed.error().find("No space left on device"), std::string::npos) << flushed.error();
  EXPECT_FALSE((*appender)->append_line("{\"id\":1}")) << "nothing more is written after a failure";
}

// configs/ is read back by --resume: a write that fails (here the temporary's name is taken by a directory)
// leaves the file as it was, never a part of the new one (run_contract_soak_test found a kill -9 during the
// old in-place write leaving pipeline.yaml empty).
TEST_F(StoreTest, ReplacingAFileLeavesTheOldOneOrTheNewOneWhole) {
  const fs::path file = dir_ / "pipeline.yaml";
  ASSERT_TRUE(replace_file(file, "datasets: [old]\n"));
  ASSERT_TRUE(replace_file(file, "datasets: [new]\n"));
  std::ifstream first(file);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(first), {}), "datasets: [new]\n");
  fs::create_directories(dir_ / "pipeline.yaml.tmp");
  const Status failed = replace_file(file, "datasets: [newer]\n");
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().find("pipeline.yaml.tmp: cannot write"), std::string::npos) << failed.error();
  std::ifstream second(file);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(second), {}), "datasets: [new]\n");
}

TEST_F(StoreTest, ASecondHolderOfTheRunLockIsToldThePid) {
  auto first = RunLock::acquire(dir_);
  ASSERT_TRUE(first) << first.error();
  auto second = RunLock::acquire(dir_);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("pid " + std::to_string(::getpid())), std::string::npos) << second.error();
}

TEST_F(StoreTest, RunsStartingInTheSameSecondGetTheirOwnDirectories) {
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::set<fs::path> roots;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto run = RunDirectory::create(dir_ / "outputs");
      ASSERT_TRUE(run) << run.error();
      const std::lock_guard lock(mutex);
      roots.insert(run->root());
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(roots.size(), 8U);
}

TEST_F(StoreTest, FailuresStayUntilAPredictionReplacesThem) {
  auto run = RunDirectory::create(dir_ / "outputs");
  ASSERT_TRUE(run) << run.error();
  {
    auto store = PredictionStore::open(*run, "m", "d", /*resuming=*/false, /*writable=*/true);
    ASSERT_TRUE(store) << store.error();
    for (int64_t id = 0; id < 3; ++id) ASSERT_TRUE((*store)->write_failure(row(id, "h")));
    ASSERT_TRUE((*store)->compact());
  }
  EXPECT_EQ(lines(run->failed_predictions("m", "d")), 3U);
  {
    // A resume: opening keeps the failures; sample 1 succeeds this time.
    auto store = PredictionStore::open(*run, "m", "d", /*resuming=*/true, /*writable=*/true);
    ASSERT_TRUE(store) << store.error();
    EXPECT_EQ(lines(run->failed_predictions("m", "d")), 3U) << "a resume must not wipe the failures at start";
    ASSERT_TRUE((*store)->write_prediction({1, 0}, row(1, "h")));
    ASSERT_TRUE((*store)->write_failure(row(2, "h", "again")));
    ASSERT_TRUE((*store)->compact());
  }
  EXPECT_EQ(lines(run->failed_predictions("m", "d")), 2U) << "samples 0 and 2 still failed, 1 replaced";
  EXPECT_EQ(lines(run->predictions("m", "d")), 1U);
}

TEST_F(StoreTest, RowsMadeFromOtherContentAreNotReusedAndGoAtCompaction) {
  auto run = RunDirectory::create(dir_ / "outputs");
  ASSERT_TRUE(run) << run.error();
  {
    fs::create_directories(run->predictions("m", "d").parent_path());
    std::ofstream out(run->predictions("m", "d").string());
    out << row(0, "same") << "\n" << row(1, "old") << "\n" << row(2, "old") << "\n";
  }
  auto store = PredictionStore::open(*run, "m", "d", /*resuming=*/true, /*writable=*/true);
  ASSERT_TRUE(store) << store.error();
  EXPECT_NE((*store)->finished({0, 0}, "same"), nullptr);
  EXPECT_EQ((*store)->finished({1, 0}, "new"), nullptr);
  EXPECT_EQ((*store)->finished({2, 0}, "new"), nullptr);
  EXPECT_EQ((*store)->stale(), 2);
  ASSERT_TRUE((*store)->write_prediction({1, 0}, row(1, "new", "-rerun")));
  ASSERT_TRUE((*store)->compact());
  auto rows = read_finished_predictions(run->predictions("m", "d"));
  ASSERT_TRUE(rows) << rows.error();
  ASSERT_EQ(rows->size(), 2U) << "sample 2's stale row is dropped; sample 1 has its new row only";
  EXPECT_EQ(rows->at(SampleKey{1, 0})["prediction"], "p-rerun");
  EXPECT_EQ(lines(run->predictions("m", "d")), 2U) << "no duplicate (id, replica) stays in the file";
}

TEST_F(StoreTest, ARowWithAStringIdIsAnErrorAtItsLine) {
  const fs::path file = dir_ / "p.jsonl";
  std::ofstream(file) << row(0, "h") << "\n"
                      << R"({"id": "7", "replica": 0})"
                      << "\n";
  auto rows = read_finished_predictions(file);
  ASSERT_FALSE(rows);
  EXPECT_NE(rows.error().find(file.string() + ":2:"), std::string::npos) << rows.error();
  EXPECT_NE(rows.error().find("must be integers"), std::string::npos) << rows.error();
}

TEST_F(StoreTest, ProtocolDifferencesNameThePathAndBothValues) {
  const json stored = {{"datasets", {{{"abbr", "aime"}, {"samples", 2}}}}};
  const json current = {{"datasets", {{{"abbr", "aime"}, {"samples", 1}}}}};
  const auto differences = protocol_differences(stored, current);
  ASSERT_EQ(differences.size(), 1U);
  EXPECT_EQ(differences[0], "/datasets/0/samples: 2 -> 1");
  EXPECT_TRUE(protocol_differences(stored, stored).empty());
  EXPECT_TRUE(protocol_differences(json::object(), current).empty())
      << "runs made before protocols were stored";
}

}  // namespace
}  // namespace evalflow
