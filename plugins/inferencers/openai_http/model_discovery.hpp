// Finds the served model's name with GET /v1/models when the options leave `model` unset, as AISBench
// does: the first model the first endpoint lists.
#pragma once

#include <string>

#include "client_config.hpp"

namespace evalflow::openai_http {

// Blocks; retries connection failures and 5xx answers with the config's retry policy. Throws
// std::runtime_error saying what failed and what to do.
std::string discover_model(const ClientConfig& config);

}  // namespace evalflow::openai_http
