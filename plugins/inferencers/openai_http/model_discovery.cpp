#include "model_discovery.hpp"

#include <curl/curl.h>
#include <evalflow/url_credentials.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <sstream>
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

using Clock = std::chrono::steady_clock;

struct Answer {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::string detail;  // libcurl's error buffer: says "self-signed certificate" where strerror does not
};

Answer get(const std::string& url, const ClientConfig& config, curl_slist* headers, Milliseconds time_left) {
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!easy) throw std::runtime_error("curl_easy_init failed (out of memory?)");
  Answer answer;
  char detail[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(easy.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy.get(), CURLOPT_WRITEFUNCTION, &append_body);
  curl_easy_setopt(easy.get(), CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(easy.get(), CURLOPT_ERRORBUFFER, detail);
  curl_easy_setopt(easy.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy.get(), CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config.timeouts.connect.count()));
  curl_easy_setopt(easy.get(), CURLOPT_TIMEOUT_MS, std::max(1L, static_cast<long>(time_left.count())));
  curl_easy_setopt(easy.get(), CURLOPT_SSL_VERIFYPEER, config.verify_tls ? 1L : 0L);
  curl_easy_setopt(easy.get(), CURLOPT_SSL_VERIFYHOST, config.verify_tls ? 2L : 0L);
  if (!config.ca_bundle.empty()) curl_easy_setopt(easy.get(), CURLOPT_CAINFO, config.ca_bundle.c_str());
  answer.code = curl_easy_perform(easy.get());
  curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &answer.status);
  answer.detail = detail;
  return answer;
}

std::string curl_failure(const Answer& answer) {
  std::string text = curl_easy_strerror(answer.code);
  if (!answer.detail.empty()) text += " (" + answer.detail + ")";
  return text;
}

}  // namespace

// One bounded wait (timeouts.discovery_s) however the server fails: refused connections and 5xx are
// retried with backoff until the deadline, a silent server uses the same deadline, a TLS or 4xx failure is
// reported at once with what to do about it.
std::string discover_model(const ClientConfig& config) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const std::string full_url = config.base_urls.front() + "/models";
  const std::string url = strip_url_credentials(full_url);  // for messages
  std::unique_ptr<curl_slist, HeaderListDeleter> headers(
      curl_slist_append(nullptr, "Accept: application/json"));
  if (!config.api_key.empty()) {
    headers.reset(curl_slist_append(headers.release(), ("Authorization: Bearer " + config.api_key).c_str()));
  }
  std::mt19937_64 random(config.seed);
  const Clock::time_point deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(config.timeouts.discovery);
  std::ostringstream wait_text;
  wait_text << config.timeouts.discovery.count() / 1000.0;
  const std::string wait = wait_text.str();
  std::string failure;
  for (int attempt = 1;; ++attempt) {
    const Milliseconds time_left = deadline - Clock::now();
    if (time_left.count() <= 0) break;
    const Answer answer = get(full_url, config, headers.get(), time_left);
    if (answer.code != CURLE_OK) {
      failure = curl_failure(answer);
      if (classify_curl_error(answer.code, false) == AttemptError::kTls) {
        throw std::runtime_error("GET " + url + ": " + failure +
                                 "; check the server's certificate, name a CA file in ca_bundle, or set "
                                 "tls_verify: false for a server you trust");
      }
    } else if (answer.status != 200) {
      failure = "HTTP " + std::to_string(answer.status);
      if (answer.status < 500 && answer.status != 429 && answer.status != 408) {
        const std::string hint = answer.status == 401 || answer.status == 403
                                     ? "; the server wants an API key: name its variable in api_key_env"
                                     : "; check the url, or set the option model";
        throw std::runtime_error("GET " + url + ": " + failure + hint);
      }
    } else {
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
    const Milliseconds pause =
        std::min<Milliseconds>(config.retry.backoff(attempt, std::nullopt, random), deadline - Clock::now());
    if (pause.count() > 0) std::this_thread::sleep_for(pause);
  }
  throw std::runtime_error("GET " + url + ": no model list within " + wait +
                           " s (timeouts.discovery_s; last: " + failure +
                           "); is the server running and ready? Check host_ip, host_port or url, "
                           "or set the option model");
}

}  // namespace evalflow::openai_http
