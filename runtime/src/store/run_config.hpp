// What a run directory stores about how it was started (configs/), so that `evalflow run --resume RUN_DIR`
// alone continues it and a resume that would change what is measured is refused:
//   configs/pipeline.yaml   the resolved pipeline, re-runnable as it stands: options a node's schema marks as
//                           paths ("x-path": true) made absolute, options it marks secret ("x-secret": true)
//                           redacted (secrets are passed by the name of their environment variable)
//   configs/protocol.json   the part of it that defines the measurement: the pipeline without connection
//                           options ("x-connection": true: host, port, key variable, concurrency, retries)
//                           and run-only settings (name, records_in_flight, plugin_paths, expected figures)
//   configs/run.json        the command line, evalflow's version and the time of the start
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "store/run_directory.hpp"
#include "validate/validated_pipeline.hpp"

namespace evalflow {

inline constexpr const char* kRedacted = "<redacted>";

// The annotations a node's options schema gives its properties ("x-path", "x-secret", "x-connection").
struct OptionRoles {
  std::vector<std::string> paths;
  std::vector<std::string> secrets;
  std::vector<std::string> connection;
};
OptionRoles option_roles(const ResolvedNode& node);
// Removes the node's connection options (host, port, key variable, retries) from its `options` object: what
// may change on resume and never names the benchmark.
void erase_connection_options(const ResolvedNode& node, nlohmann::json& options);

nlohmann::json stored_document(const ValidatedPipeline& pipeline);
nlohmann::json protocol_of(const ValidatedPipeline& pipeline);

Status write_run_config(const RunDirectory& run_dir, const ValidatedPipeline& pipeline,
                        const nlohmann::json& command_line);
// The stored protocol; an empty object for runs made before it was stored.
Result<nlohmann::json> read_protocol(const RunDirectory& run_dir);
// One line per difference ("/datasets/0/samples: 2 -> 1"); empty when the protocols are equal.
std::vector<std::string> protocol_differences(const nlohmann::json& stored, const nlohmann::json& current);
// The options given inline that the stored pipeline redacted ("/models/0/options/api_key"), which a resume
// from configs/pipeline.yaml alone cannot recover.
std::vector<std::string> redacted_options(const ValidatedPipeline& pipeline);

}  // namespace evalflow
