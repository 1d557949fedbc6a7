// Which requests the test server answers with an injected fault. A rule is KIND@SELECTOR:
//   KIND      429 | 500 | 503 | reset (connection dropped mid-answer) | stall (silence mid-answer) |
//             truncate (the stream ends early but cleanly) | malformed (an event that is not JSON) |
//             no_finish (a whole answer whose finish_reason is null) | only_done (a stream of only [DONE];
//             a response with no choices) | no_message (a choice without message or delta) |
//             null_content (a message whose content is null) | keepalive (SSE comments trickled for
//             --stall-ms before the answer; non-streamed: like stall)
//   SELECTOR  every=N (requests N, 2N, ...) | first=N (requests 1..N) | nth=A,B,... | p=X (probability X,
//             drawn from the schedule's seeded generator)
// Requests are numbered from 1 in arrival order; the first matching rule wins.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace evalflow::test_server {

enum class Fault {
  kNone,
  kTooManyRequests,
  kInternalError,
  kUnavailable,
  kReset,
  kStall,
  kTruncate,
  kMalformed,
  kNoFinish,
  kOnlyDone,
  kNoMessage,
  kNullContent,
  kKeepAlive
};

std::string_view fault_name(Fault fault);

struct FaultRule {
  enum class Selector { kEvery, kFirst, kNth, kProbability };
  Fault fault = Fault::kNone;
  Selector selector = Selector::kEvery;
  int64_t count = 0;              // every=N, first=N
  std::vector<int64_t> requests;  // nth=A,B,...
  double probability = 0;         // p=X
};

// Throws std::invalid_argument saying what is wrong with the rule and what is allowed.
FaultRule parse_fault_rule(std::string_view text);

class FaultSchedule {
 public:
  explicit FaultSchedule(std::vector<FaultRule> rules = {}, uint64_t seed = 1);
  // Thread-safe.
  Fault fault_for(int64_t request_number);

 private:
  std::vector<FaultRule> rules_;
  std::mutex mutex_;
  std::mt19937_64 random_;
};

}  // namespace evalflow::test_server
