// `evalflow merge RUN_DIR`, first half: the shards' predictions (and the failures of samples still without
// one) gathered into RUN_DIR/predictions/, one row per sample in (id, replica) order. Each row is checked to
// belong to the shard that holds it, so no sample is counted twice. The second half is an ordinary
// `--mode eval` run of RUN_DIR: it scores and aggregates the rows with the same code as an unsharded run,
// hence the same results and summary.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "launch/launch_record.hpp"
#include "validate/validated_pipeline.hpp"

namespace evalflow {

struct MergedShards {
  // (model, dataset) -> predictions the shards' runs read back from their own earlier attempts (their
  // results' num_resumed), which the merged results report instead of the eval run's count.
  std::map<std::pair<std::string, std::string>, int64_t> resumed;
  std::vector<int> incomplete;  // shards whose last run did not complete every lane
};

// Holds every shard's lock while it reads them: fails, naming the shard, when one is still running.
Result<MergedShards> merge_shards(const std::filesystem::path& run_dir, const ValidatedPipeline& pipeline,
                                  const LaunchRecord& record);

}  // namespace evalflow
