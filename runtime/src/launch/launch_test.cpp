// The launcher's pure parts: the shard rule (every sample in exactly one shard, balanced, counts that match),
// the shard and launch files, --slurm-args splitting and reading scontrol's answers.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "launch/launch_record.hpp"
#include "launch/shard.hpp"
#include "launch/slurm.hpp"

namespace evalflow {
namespace {

namespace fs = std::filesystem;

TEST(ShardTest, EverySampleHasExactlyOneShardAndCountsMatch) {
  for (const int count : {1, 2, 3, 4, 7}) {
    for (const int64_t samples : {1, 2, 64}) {
      for (const size_t dataset : {0U, 1U, 5U}) {
        const int64_t questions = 30;
        std::map<int, int64_t> per_shard;
        for (int64_t question = 0; question < questions; ++question) {
          for (int64_t replica = 0; replica < samples; ++replica) {
            int owners = 0;
            for (int index = 0; index < count; ++index) {
              if (Shard{index, count}.owns(dataset, question, replica, samples)) {
                ++owners;
                ++per_shard[index];
              }
            }
            ASSERT_EQ(owners, 1) << "count " << count << " question " << question << " replica " << replica;
          }
        }
        for (int index = 0; index < count; ++index) {
          EXPECT_EQ((Shard{index, count}.owned(dataset, questions, samples)), per_shard[index]);
          // Round-robin: shards differ by at most one sample.
          EXPECT_LE(std::abs(per_shard[index] - questions * samples / count), 1);
        }
      }
    }
  }
}

TEST(ShardTest, ReplicasOfAQuestionAreSpreadAndDatasetsStartOnDifferentShards) {
  // AIME x 64 samples on 4 shards: every shard gets 16 replicas of every question.
  for (int64_t question = 0; question < 30; ++question) {
    int64_t mine = 0;
    for (int64_t replica = 0; replica < 64; ++replica) mine += Shard{2, 4}.owns(0, question, replica, 64);
    EXPECT_EQ(mine, 16);
  }
  // One sample per question, 3 questions, 4 shards: the second dataset does not load shard 0 again.
  const Shard first{0, 4};
  const Shard second{1, 4};
  const Shard last{3, 4};
  EXPECT_TRUE(first.owns(0, 0, 0, 1));
  EXPECT_FALSE(first.owns(1, 0, 0, 1));
  EXPECT_TRUE(second.owns(1, 0, 0, 1));
  EXPECT_EQ(last.owned(0, 3, 1), 0);
  EXPECT_EQ(last.owned(1, 3, 1), 1);
  EXPECT_EQ(first.owned(0, 0, 64), 0);
}

class LaunchFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() /
        ("evalflow_launch_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "configs");
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(LaunchFilesTest, ShardFileRoundTripsAndAbsentMeansEverySample) {
  auto whole = read_shard(dir_);
  ASSERT_TRUE(whole) << whole.error();
  EXPECT_EQ(whole->count, 1);
  ASSERT_TRUE(write_shard(dir_, Shard{2, 4}));
  auto shard = read_shard(dir_);
  ASSERT_TRUE(shard) << shard.error();
  EXPECT_EQ(shard->index, 2);
  EXPECT_EQ(shard->count, 4);
  std::ofstream(shard_file(dir_)) << R"({"index": 4, "count": 4})";
  auto wrong = read_shard(dir_);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().find("shard 4 of 4 does not exist"), std::string::npos) << wrong.error();
}

TEST_F(LaunchFilesTest, LaunchRecordRoundTripsAndFindsEachShardsLatestJob) {
  LaunchRecord record;
  record.shards = 4;
  record.slurm_args = {"--partition=gpu", "--comment=a b"};
  record.merge_slurm_args = {"--partition=cpu"};
  record.submissions = {{"12", "13", {0, 1, 2, 3}, "t1"}, {"20", "", {2}, "t2"}};
  ASSERT_TRUE(write_launch(dir_, record));
  ASSERT_TRUE(is_launched_run(dir_));
  auto read = read_launch(dir_);
  ASSERT_TRUE(read) << read.error();
  EXPECT_EQ(read->slurm_args, record.slurm_args);
  EXPECT_EQ(read->merge_slurm_args, record.merge_slurm_args);
  EXPECT_EQ(read->job_of(1).value_or(""), "12_1");
  EXPECT_EQ(read->job_of(2).value_or(""), "20_2");
  EXPECT_FALSE(read->job_of(4).has_value());
  EXPECT_EQ(read->job_ids(), (std::vector<std::string>{"12", "13", "20"}));
  std::ofstream(launch_file(dir_)) << R"({"launcher": "slurm"})";
  auto broken = read_launch(dir_);
  ASSERT_FALSE(broken);
  EXPECT_NE(broken.error().find("not a launch record"), std::string::npos) << broken.error();
}

TEST_F(LaunchFilesTest, ShardIsCompleteOnlyWhenEveryLaneHasCompleteResults) {
  fs::create_directories(dir_ / "predictions/m");
  fs::create_directories(dir_ / "results/m");
  std::ofstream(dir_ / "predictions/m/a.jsonl") << "{\"id\": 0}\n{\"id\": 1}\n";
  std::ofstream(dir_ / "predictions/m/a_failed.jsonl") << "{\"id\": 2}\n";
  std::ofstream(dir_ / "predictions/m/b.jsonl") << "{\"id\": 0}\n";
  std::ofstream(dir_ / "results/m/a.json") << R"({"complete": true})";
  EXPECT_EQ(shard_on_disk(dir_).predictions, 3);
  EXPECT_FALSE(shard_on_disk(dir_).complete);  // b has no results yet
  std::ofstream(dir_ / "results/m/b.json") << R"({"complete": false})";
  EXPECT_FALSE(shard_on_disk(dir_).complete);
  std::ofstream(dir_ / "results/m/b.json") << R"({"complete": true})";
  EXPECT_TRUE(shard_on_disk(dir_).complete);
}

TEST(SlurmTest, SplitsArgumentsAsAShellWould) {
  auto split = split_slurm_arguments(R"(--partition=gpu  --comment="two words" --x='a "b"' c\ d)");
  ASSERT_TRUE(split) << split.error();
  EXPECT_EQ(*split,
            (std::vector<std::string>{"--partition=gpu", "--comment=two words", "--x=a \"b\"", "c d"}));
  EXPECT_TRUE(split_slurm_arguments("")->empty());
  auto open = split_slurm_arguments("--comment='oops");
  ASSERT_FALSE(open);
  EXPECT_NE(open.error().find("unterminated"), std::string::npos);
}

TEST(SlurmTest, ReadsScontrolTasksIncludingAPendingRange) {
  const std::string text =
      "JobId=13 ArrayJobId=12 ArrayTaskId=0 JobName=x JobState=COMPLETED Reason=None ExitCode=0:0\n"
      "JobId=14 ArrayJobId=12 ArrayTaskId=1 JobName=x JobState=FAILED Reason=NonZeroExitCode ExitCode=137:0\n"
      "JobId=12 ArrayJobId=12 ArrayTaskId=2-3,5%2 JobName=x JobState=PENDING Reason=Resources ExitCode=0:0\n";
  const auto tasks = parse_scontrol_jobs(text);
  ASSERT_EQ(tasks.size(), 5U);
  EXPECT_EQ(tasks.at(0).state, "COMPLETED");
  EXPECT_EQ(tasks.at(1).job, "12_1");
  EXPECT_EQ(tasks.at(1).exit_code, "137:0");
  EXPECT_EQ(tasks.at(3).state, "PENDING");
  EXPECT_EQ(tasks.at(5).reason, "Resources");
  EXPECT_FALSE(tasks.contains(4));
  const auto plain =
      parse_scontrol_jobs("JobId=15 JobName=m JobState=PENDING Reason=Dependency ExitCode=0:0\n");
  ASSERT_TRUE(plain.contains(-1));
  EXPECT_EQ(plain.at(-1).reason, "Dependency");
  EXPECT_TRUE(is_active("PENDING"));
  EXPECT_FALSE(is_active("PREEMPTED"));
  EXPECT_FALSE(is_active("CANCELLED"));
}

}  // namespace
}  // namespace evalflow
