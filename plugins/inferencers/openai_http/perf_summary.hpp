// The performance summary of a run (AISBench's perf mode): request and output-token throughput, and TTFT,
// TPOT, ITL and E2E latency distributions, from the per-record `timing` maps.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

namespace evalflow::openai_http {

// One request as the summary sees it.
struct RequestPerf {
  bool ok = false;
  double e2e_ms = 0;
  std::optional<double> ttft_ms;  // streams only
  std::vector<double> itl_ms;
  int64_t completion_tokens = 0;
  double start_unix_ms = 0;
  double end_unix_ms = 0;

  // Reads a record's `timing` map (as RequestTiming::to_json writes it) and its completion_tokens.
  // A record without a usable timing map counts as a failed request.
  static RequestPerf from_record_fields(const nlohmann::json* timing,
                                        std::optional<int64_t> completion_tokens);
};

// avg, min, p50, p75, p90, p99, max (percentiles interpolated linearly, as numpy does) and count.
nlohmann::json distribution(std::vector<double> values);

// {"requests", "succeeded", "failed", "duration_s", "request_throughput" (requests/s),
//  "output_token_throughput" (tokens/s), "total_output_tokens", "ttft_ms", "tpot_ms", "itl_ms", "e2e_ms"}.
// Durations span the first start to the last end among successful requests; latency distributions
// cover successful requests only.
nlohmann::json summarize_perf(const std::vector<RequestPerf>& requests);

}  // namespace evalflow::openai_http
