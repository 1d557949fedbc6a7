#include "perf_summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace evalflow::openai_http {
namespace {

double percentile(const std::vector<double>& sorted, double fraction) {
  const double position = fraction * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<size_t>(std::floor(position));
  const size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - static_cast<double>(below));
}

std::optional<double> number_at(const nlohmann::json& object, const char* key) {
  auto found = object.find(key);
  if (found == object.end() || !found->is_number()) return std::nullopt;
  return found->get<double>();
}

}  // namespace

RequestPerf RequestPerf::from_record_fields(const nlohmann::json* timing,
                                            std::optional<int64_t> completion_tokens) {
  RequestPerf perf;
  if (timing == nullptr || !timing->is_object()) return perf;
  auto ok = timing->find("ok");
  auto e2e = number_at(*timing, "e2e_ms");
  perf.ok = ok != timing->end() && ok->is_boolean() && ok->get<bool>() && e2e.has_value() &&
            completion_tokens.has_value();
  if (!perf.ok) return perf;
  perf.e2e_ms = *e2e;
  perf.ttft_ms = number_at(*timing, "ttft_ms");
  if (auto itl = timing->find("itl_ms"); itl != timing->end() && itl->is_array()) {
    for (const auto& gap : *itl) {
      if (gap.is_number()) perf.itl_ms.push_back(gap.get<double>());
    }
  }
  perf.completion_tokens = *completion_tokens;
  perf.start_unix_ms = number_at(*timing, "start_unix_ms").value_or(0.0);
  perf.end_unix_ms = number_at(*timing, "end_unix_ms").value_or(perf.start_unix_ms + perf.e2e_ms);
  return perf;
}

nlohmann::json distribution(std::vector<double> values) {
  if (values.empty()) return {{"count", 0}};
  std::sort(values.begin(), values.end());
  const double sum = std::accumulate(values.begin(), values.end(), 0.0);
  return {{"count", values.size()},          {"avg", sum / static_cast<double>(values.size())},
          {"min", values.front()},           {"p50", percentile(values, 0.50)},
          {"p75", percentile(values, 0.75)}, {"p90", percentile(values, 0.90)},
          {"p99", percentile(values, 0.99)}, {"max", values.back()}};
}

nlohmann::json summarize_perf(const std::vector<RequestPerf>& requests) {
  std::vector<double> ttft;
  std::vector<double> tpot;
  std::vector<double> itl;
  std::vector<double> e2e;
  int64_t succeeded = 0;
  int64_t output_tokens = 0;
  double first_start = std::numeric_limits<double>::infinity();
  double last_end = -std::numeric_limits<double>::infinity();
  for (const RequestPerf& request : requests) {
    if (!request.ok) continue;
    ++succeeded;
    output_tokens += request.completion_tokens;
    first_start = std::min(first_start, request.start_unix_ms);
    last_end = std::max(last_end, request.end_unix_ms);
    e2e.push_back(request.e2e_ms);
    itl.insert(itl.end(), request.itl_ms.begin(), request.itl_ms.end());
    if (request.ttft_ms) {
      ttft.push_back(*request.ttft_ms);
      // TPOT as AISBench and vLLM define it: the decode time spread over the tokens after the first.
      if (request.completion_tokens > 1) {
        tpot.push_back((request.e2e_ms - *request.ttft_ms) /
                       static_cast<double>(request.completion_tokens - 1));
      }
    }
  }
  const double duration_s = succeeded > 0 ? (last_end - first_start) / 1000.0 : 0.0;
  const auto per_second = [&](double amount) { return duration_s > 0 ? amount / duration_s : 0.0; };
  return {{"requests", requests.size()},
          {"succeeded", succeeded},
          {"failed", static_cast<int64_t>(requests.size()) - succeeded},
          {"duration_s", duration_s},
          {"request_throughput", per_second(static_cast<double>(succeeded))},
          {"output_token_throughput", per_second(static_cast<double>(output_tokens))},
          {"total_output_tokens", output_tokens},
          {"ttft_ms", distribution(std::move(ttft))},
          {"tpot_ms", distribution(std::move(tpot))},
          {"itl_ms", distribution(std::move(itl))},
          {"e2e_ms", distribution(std::move(e2e))}};
}

}  // namespace evalflow::openai_http
