#include "endpoint_balancer.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace evalflow::openai_http {
namespace {

TEST(EndpointBalancer, SendsEachRequestToTheLeastBusyEndpoint) {
  EndpointBalancer balancer({"http://a/v1", "http://b/v1", "http://c/v1"});
  EXPECT_EQ(balancer.acquire(), 0u);
  EXPECT_EQ(balancer.acquire(), 1u);
  EXPECT_EQ(balancer.acquire(), 2u);
  balancer.release(1);
  EXPECT_EQ(balancer.acquire(), 1u) << "b is the only endpoint with nothing outstanding";
  balancer.release(2);
  balancer.release(2);  // releasing more than acquired does not go below zero
  EXPECT_EQ(balancer.outstanding(2), 0u);
  EXPECT_EQ(balancer.acquire(), 2u);
}

TEST(EndpointBalancer, EqualEndpointsTakeTurns) {
  EndpointBalancer balancer({"http://a/v1", "http://b/v1"});
  std::vector<size_t> picks;
  for (int i = 0; i < 4; ++i) {
    const size_t endpoint = balancer.acquire();
    picks.push_back(endpoint);
    balancer.release(endpoint);
  }
  EXPECT_EQ(picks, (std::vector<size_t>{0, 1, 0, 1}));
}

TEST(EndpointBalancer, NeedsAnEndpoint) {
  EXPECT_THROW(EndpointBalancer({}), std::invalid_argument);
}

}  // namespace
}  // namespace evalflow::openai_http
