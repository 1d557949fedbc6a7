// Which samples one shard of a run owns (DESIGN.md §8: a shard is an ordinary run on part of the samples).
// Samples are the (dataset, question, replica) space; within a dataset the replicas of every question are
// numbered in order (ordinal = question x samples + replica) and dealt round-robin over the shards, starting
// one shard further for each dataset. Round-robin over replicas, not whole questions, keeps the shards' work
// equal when questions differ in length (AIME x 64 samples: every shard gets 16 replicas of each question)
// and needs no row count in advance. Question numbers are the dataset's own, so seeds that follow (question,
// replica) are the same whichever shard runs a sample.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/result.hpp"

namespace evalflow {

struct Shard {
  int index = 0;
  int count = 1;

  [[nodiscard]] bool owns(size_t dataset_position, int64_t question, int64_t replica, int64_t samples) const;
  // How many of `questions` x `samples` samples of one dataset this shard owns.
  [[nodiscard]] int64_t owned(size_t dataset_position, int64_t questions, int64_t samples) const;
};

// RUN_DIR/configs/shard.json marks a run directory as one shard of a launched run: `evalflow run --resume`
// of it runs that shard only.
std::filesystem::path shard_file(const std::filesystem::path& run_dir);
Status write_shard(const std::filesystem::path& run_dir, const Shard& shard);
// The directory's shard; Shard{0, 1} (every sample) when it is not a shard.
Result<Shard> read_shard(const std::filesystem::path& run_dir);

}  // namespace evalflow
