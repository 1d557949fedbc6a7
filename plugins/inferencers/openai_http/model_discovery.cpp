#include "model_discovery.hpp"

#include <curl/curl.h>

#include <memory>
#include <random>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

namespace evalflow::openai_http {
namespace {

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct HeaderListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

size_t append_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

struct Answer {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
};

Answer get(const std::string& url, const ClientConfig& config, curl_slist* headers) {
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!easy) throw std::runtime_error("curl_easy_init failed (out of memory?)");
  Answer answer;
  curl_easy_setopt(easy.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy.get(), CURLOPT_WRITEFUNCTION, &append_body);
  curl_easy_setopt(easy.get(), CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(easy.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy.get(), CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config.timeouts.connect.count()));
  // Listing models is quick for any server; a minute means something is wrong.
  curl_easy_setopt(easy.get(), CURLOPT_TIMEOUT_MS, 60'000L);
  curl_easy_setopt(easy.get(), CURLOPT_SSL_VERIFYPEER, config.verify_tls ? 1L : 0L);
  curl_easy_setopt(easy.get(), CURLOPT_SSL_VERIFYHOST, config.verify_tls ? 2L : 0L);
  if (!config.ca_bundle.empty()) curl_easy_setopt(easy.get(), CURLOPT_CAINFO, config.ca_bundle.c_str());
  answer.code = curl_easy_perform(easy.get());
  curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &answer.status);
  return answer;
}

}  // namespace

std::string discover_model(const ClientConfig& config) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const std::string url = config.base_urls.front() + "/models";
  std::unique_ptr<curl_slist, HeaderListDeleter> headers(
      curl_slist_append(nullptr, "Accept: application/json"));
  if (!config.api_key.empty()) {
    headers.reset(curl_slist_append(headers.release(), ("Authorization: Bearer " + config.api_key).c_str()));
  }
  std::mt19937_64 random(config.seed);
  std::string failure;
  for (int attempt = 0; attempt <= config.retry.max_retries; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(config.retry.backoff(attempt, std::nullopt, random));
    const Answer answer = get(url, config, headers.get());
    if (answer.code != CURLE_OK) {
      failure = curl_easy_strerror(answer.code);
      continue;
    }
    if (answer.status != 200) {
      failure = "HTTP " + std::to_string(answer.status);
      if (answer.status < 500 && answer.status != 429) break;
      continue;
    }
    const auto listing = nlohmann::json::parse(answer.body, nullptr, false);
    const auto* data = listing.is_object() && listing.contains("data") ? &listing["data"] : nullptr;
    if (data == nullptr || !data->is_array() || data->empty() || !(*data)[0].is_object() ||
        !(*data)[0].contains("id") || !(*data)[0]["id"].is_string()) {
      throw std::runtime_error("GET " + url +
                               R"( did not list any model (expected {"data": [{"id": ...}]}); )" +
                               "set the option model");
    }
    return (*data)[0]["id"].get<std::string>();
  }
  throw std::runtime_error("GET " + url + " failed: " + failure +
                           "; start the server (or check host_ip, host_port, url), or set the option model");
}

}  // namespace evalflow::openai_http
