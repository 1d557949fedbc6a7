#include "endpoint_balancer.hpp"

#include <stdexcept>

namespace evalflow::openai_http {

EndpointBalancer::EndpointBalancer(std::vector<std::string> base_urls)
    : base_urls_(std::move(base_urls)), outstanding_(base_urls_.size(), 0) {
  if (base_urls_.empty()) throw std::invalid_argument("at least one endpoint is needed");
}

size_t EndpointBalancer::acquire() {
  const size_t count = base_urls_.size();
  size_t best = next_ % count;
  for (size_t step = 1; step < count; ++step) {
    const size_t candidate = (next_ + step) % count;
    if (outstanding_[candidate] < outstanding_[best]) best = candidate;
  }
  ++outstanding_[best];
  next_ = best + 1;
  return best;
}

void EndpointBalancer::release(size_t endpoint) {
  if (outstanding_[endpoint] > 0) --outstanding_[endpoint];
}

}  // namespace evalflow::openai_http
