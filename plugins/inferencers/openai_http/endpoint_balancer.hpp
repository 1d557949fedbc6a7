// Spreads requests over several replicas of one model: each request goes to the endpoint with the fewest
// requests outstanding; ties go round-robin so that idle replicas all get work.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace evalflow::openai_http {

class EndpointBalancer {
 public:
  explicit EndpointBalancer(std::vector<std::string> base_urls);

  // Picks an endpoint and counts a request as outstanding on it.
  size_t acquire();
  void release(size_t endpoint);

  [[nodiscard]] const std::string& base_url(size_t endpoint) const { return base_urls_[endpoint]; }
  [[nodiscard]] size_t size() const { return base_urls_.size(); }
  [[nodiscard]] size_t outstanding(size_t endpoint) const { return outstanding_[endpoint]; }

 private:
  std::vector<std::string> base_urls_;
  std::vector<size_t> outstanding_;
  size_t next_ = 0;  // where the round-robin among equals starts
};

}  // namespace evalflow::openai_http
