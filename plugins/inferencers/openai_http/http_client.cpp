#include "http_client.hpp"

#include <curl/curl.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <span>
#include <stdexcept>
#include <thread>
#include <vector>

#include <evalflow/url_credentials.hpp>

#include "endpoint_balancer.hpp"
#include "proxy_environment.hpp"
#include "rate_limiter.hpp"
#include "receive_time.hpp"
#include "redaction.hpp"
#include "socket_watch.hpp"
#include "sse_parser.hpp"

namespace evalflow::openai_http {
namespace {

constexpr size_t kMaxErrorBody = size_t{8} * 1024;  // enough for any server's error message
constexpr size_t kMaxResponseBody =
    size_t{256} * 1024 * 1024;  // far above 32k tokens; stops a runaway server
constexpr int kMaxPollMs = 1000;
constexpr int kMaxEventsPerWait = 256;

void ensure_curl_initialized() {
  static const CURLcode initialized = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (initialized != CURLE_OK) {
    throw std::runtime_error(std::string("curl_global_init failed: ") + curl_easy_strerror(initialized));
  }
}

int64_t unix_seconds_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string seconds_text(Milliseconds duration) {
  std::string text = std::to_string(duration.count() / 1000.0);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text + " s";
}

// The `message` of an OpenAI-style error body, else the body itself, shortened.
std::string server_message(const std::string& body) {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  if (parsed.is_object()) {
    if (auto error = parsed.find("error"); error != parsed.end()) {
      if (error->is_object() && error->contains("message") && (*error)["message"].is_string()) {
        return (*error)["message"].get<std::string>();
      }
      if (error->is_string()) return error->get<std::string>();
    }
    if (auto message = parsed.find("message"); message != parsed.end() && message->is_string()) {
      return message->get<std::string>();
    }
  }
  constexpr size_t kShown = 300;
  return body.size() <= kShown ? body : body.substr(0, kShown) + "...";
}

[[noreturn]] void throw_system_error(const char* what) {
  throw std::runtime_error(std::string(what) + " failed: " + std::strerror(errno));
}

// An endpoint's request URL, also parsed once: a transfer given the parsed form (CURLOPT_CURLU) skips
// libcurl's parsing and re-assembling of the URL, a tenth of its work per request. The proxy settings for
// its scheme are read once too.
struct EndpointUrl {
  std::string text;     // as given, credentials included: libcurl's
  std::string display;  // for messages: credentials stripped
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> parsed{nullptr, &curl_url_cleanup};
  ProxySettings proxy;
};

EndpointUrl parse_endpoint_url(std::string text) {
  EndpointUrl url{.text = std::move(text)};
  url.display = strip_url_credentials(url.text);
  url.parsed.reset(curl_url());
  if (url.parsed == nullptr) throw std::runtime_error("curl_url failed (out of memory?)");
  // The flags libcurl itself parses CURLOPT_URL with.
  const CURLUcode parsed = curl_url_set(url.parsed.get(), CURLUPART_URL, url.text.c_str(),
                                        CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME);
  if (parsed != CURLUE_OK) {
    throw std::invalid_argument("the endpoint URL '" + url.display + "' is not valid: " +
                                curl_url_strerror(parsed) + "; check host_ip, host_port, url or endpoints");
  }
  char* scheme = nullptr;
  if (curl_url_get(url.parsed.get(), CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK) {
    url.proxy = proxy_settings_from_environment(scheme);
    curl_free(scheme);
  }
  return url;
}

int create_epoll() {
  const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) throw_system_error("epoll_create1");
  return epoll_fd;
}

}  // namespace

// One request from submission to its callback; it lives across retries.
struct Request {
  std::string body;
  CompletionCallback done;
  RequestTiming timing;
  Completion completion;
  int retries = 0;
  Clock::time_point retry_due{};
  std::optional<Clock::time_point> first_failure;  // when its first attempt failed: outages are timed from it

  // The current attempt.
  CURL* easy = nullptr;
  const std::string* url = nullptr;  // the endpoint's full URL for messages (no credentials), the loop's
  size_t endpoint = 0;
  size_t active_index = 0;
  bool stream = false;
  long http_status = 0;
  bool received_bytes = false;
  std::optional<Milliseconds> retry_after;
  std::string response;      // a non-streamed body, or the body of an error answer
  std::string stream_error;  // why the loop aborted the stream
  Clock::time_point last_activity{};
  Clock::time_point now{};  // the arrival time of the bytes being parsed
  CompletionDecoder* decoder = nullptr;
  const ArrivalTimes* arrivals = nullptr;  // the loop's
  curl_socket_t socket = CURL_SOCKET_BAD;  // the attempt's connection, once libcurl watches it
  SseParser sse{[this](std::string_view data) { on_event(data); }};
  char curl_error[CURL_ERROR_SIZE] = {};

  void reset_attempt() {
    completion = Completion{};
    http_status = 0;
    received_bytes = false;
    retry_after.reset();
    response.clear();
    stream_error.clear();
    socket = CURL_SOCKET_BAD;
    sse.reset();
    curl_error[0] = '\0';
  }

  // Idle means no event data (README, timeouts.idle_s): SSE comments and stray bytes do not count, so a
  // server trickling `: keep-alive` still times out; a non-streamed answer is waited for from the start.
  void on_event(std::string_view data) {
    if (!stream_error.empty()) return;
    last_activity = now;
    const DecodeResult result = decoder->apply_stream_event(data, completion);
    if (!result.ok) {
      stream_error = result.error;
    } else if (result.carried_text) {
      timing.on_token(now);
    }
  }

  // When the bytes being handled arrived: the kernel's stamp if the loop took one for this attempt's socket
  // in this wake-up, else now. Clamped, in case the wall clock was stepped since the loop anchored it.
  [[nodiscard]] Clock::time_point arrival_time() const {
    const Clock::time_point now = Clock::now();
    const std::optional<Clock::time_point> arrived = arrivals->of(socket);
    return arrived ? std::clamp(*arrived, timing.attempt_started, now) : now;
  }

  static size_t on_body(char* data, size_t size, size_t count, void* user) {
    auto* request = static_cast<Request*>(user);
    const size_t bytes = size * count;
    request->now = request->arrival_time();
    request->received_bytes = true;
    if (request->http_status == 0)
      curl_easy_getinfo(request->easy, CURLINFO_RESPONSE_CODE, &request->http_status);
    if (request->http_status != 200) {
      if (request->response.size() < kMaxErrorBody)
        request->response.append(data, std::min(bytes, kMaxErrorBody));
      return bytes;
    }
    if (!request->stream) {
      if (request->response.size() + bytes > kMaxResponseBody) {
        request->stream_error = "the response is larger than " + std::to_string(kMaxResponseBody) + " bytes";
        return 0;
      }
      request->response.append(data, bytes);
      return bytes;
    }
    request->sse.feed(std::string_view(data, bytes));
    return request->stream_error.empty() ? bytes : 0;  // 0 makes libcurl abort the transfer
  }

  static size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto* request = static_cast<Request*>(user);
    const std::string_view line(data, size * count);
    static constexpr std::string_view kRetryAfter = "retry-after:";
    // The blank line ends the header block: one clock read per response, not one per header line.
    if (request->stream && (line == "\r\n" || line == "\n")) request->last_activity = Clock::now();
    if (line.size() > kRetryAfter.size() &&
        strncasecmp(line.data(), kRetryAfter.data(), kRetryAfter.size()) == 0) {
      request->retry_after = parse_retry_after(line.substr(kRetryAfter.size()), unix_seconds_now());
    }
    return line.size();
  }
};

class HttpClient::Loop {
 public:
  Loop(ClientConfig config, const std::string& path)
      : config_(std::move(config)),
        endpoints_(config_.base_urls),
        rate_(config_.request_rate),
        random_(config_.seed),
        epoll_fd_(create_epoll()),
        sockets_(epoll_fd_) {
    if (config_.concurrency < 1) throw std::invalid_argument("batch_size (concurrency) must be >= 1");
    ensure_curl_initialized();
    for (const std::string& base_url : config_.base_urls)
      urls_.push_back(parse_endpoint_url(base_url + path));
    // libcurl's socket API on epoll: each wake-up touches only the transfers whose sockets are ready, where
    // curl_multi_perform would walk every transfer in flight.
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) throw_system_error("eventfd");
    epoll_event wake_event{};
    wake_event.events = EPOLLIN;
    wake_event.data.fd = wake_fd_;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &wake_event) != 0) throw_system_error("epoll_ctl");
    multi_ = curl_multi_init();
    if (multi_ == nullptr) throw std::runtime_error("curl_multi_init failed");
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &Loop::on_socket);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &Loop::on_timer);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
    // Keep a warm connection per request in flight, to every endpoint.
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS,
                      static_cast<long>(config_.concurrency + static_cast<int>(config_.base_urls.size())));
    headers_ = curl_slist_append(headers_, "Content-Type: application/json");
    // A JSON answer needs no Accept header (its absence means any type): libcurl formats every header byte
    // by byte, which is measurable at thousands of requests per second.
    headers_ = curl_slist_append(headers_, config_.stream ? "Accept: text/event-stream" : "Accept:");
    headers_ = curl_slist_append(headers_, "Expect:");  // no 100-continue round trip for large prompts
    if (!config_.api_key.empty()) {
      headers_ = curl_slist_append(headers_, ("Authorization: Bearer " + config_.api_key).c_str());
    }
    thread_ = std::thread([this] { run(); });
  }

  ~Loop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake();
    thread_.join();
    for (const SpareEasy& spare : spare_easies_) curl_easy_cleanup(spare.easy);
    curl_multi_cleanup(multi_);
    curl_slist_free_all(headers_);
    close(wake_fd_);
    close(epoll_fd_);
  }

  void submit(std::string body, CompletionCallback done) {
    auto request = std::make_unique<Request>();
    request->body = std::move(body);
    request->done = std::move(done);
    request->timing.submitted = Clock::now();
    request->stream = config_.stream;
    request->decoder = &decoder_;
    request->arrivals = &arrivals_;
    bool first_since_drain = false;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) throw std::runtime_error("the HTTP client is shutting down");
      // The loop takes the whole inbox at once: only the first request since then needs to wake it.
      first_since_drain = inbox_.empty();
      inbox_.push_back(std::move(request));
      ++outstanding_;
    }
    ++stats_.submitted;
    if (first_since_drain) wake();
  }

  void wait_idle() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return outstanding_ == 0; });
  }

  [[nodiscard]] ClientStats stats() const {
    return {stats_.submitted.load(), stats_.succeeded.load(), stats_.failed.load(), stats_.attempts.load(),
            stats_.retries.load()};
  }

  [[nodiscard]] const WallClock& wall_clock() const { return wall_clock_; }

 private:
  void run() {
    for (;;) {
      {
        std::lock_guard lock(mutex_);
        if (stopping_) break;
        for (auto& request : inbox_) ready_.push_back(std::move(request));
        inbox_.clear();
      }
      promote_due_retries(Clock::now());
      start_ready(Clock::now());
      const int ready = epoll_wait(epoll_fd_, events_.data(), kMaxEventsPerWait, wait_ms(Clock::now()));
      const std::span<const epoll_event> events(events_.data(), static_cast<size_t>(std::max(ready, 0)));
      // Streamed tokens are timed by their arrival in the kernel (receive_time.hpp), stamped before libcurl
      // reads any socket.
      if (config_.stream) {
        for (const epoll_event& event : events) {
          if ((event.events & EPOLLIN) != 0 && event.data.fd != wake_fd_) arrivals_.stamp(event.data.fd);
        }
      }
      for (const epoll_event& event : events) {
        if (event.data.fd == wake_fd_) {
          uint64_t count = 0;
          [[maybe_unused]] const ssize_t drained = read(wake_fd_, &count, sizeof(count));
          continue;
        }
        if (!sockets_.wanted(event.data.fd)) continue;
        int flags = 0;
        if ((event.events & EPOLLIN) != 0) flags |= CURL_CSELECT_IN;
        if ((event.events & EPOLLOUT) != 0) flags |= CURL_CSELECT_OUT;
        if ((event.events & (EPOLLERR | EPOLLHUP)) != 0) flags |= CURL_CSELECT_ERR;
        int running = 0;
        curl_multi_socket_action(multi_, event.data.fd, flags, &running);
      }
      // libcurl's timers after the sockets: a transfer whose timer and data are both due is read through its
      // socket's event, with its arrival stamp.
      if (curl_deadline_ && *curl_deadline_ <= Clock::now()) {
        curl_deadline_.reset();
        int running = 0;
        curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
      }
      arrivals_.clear();
      collect_finished();
      expire_idle(Clock::now());
    }
    cancel_everything();
  }

  void wake() const {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = write(wake_fd_, &one, sizeof(one));
  }

  // libcurl says which events a socket waits for; epoll watches them.
  static int on_socket(CURL* easy, curl_socket_t socket, int what, void* loop, void* /*socket_data*/) {
    auto* self = static_cast<Loop*>(loop);
    // Only streams are stamped (receive_time.hpp), so only they need to know their socket.
    if (self->config_.stream && what != CURL_POLL_REMOVE) {
      Request* request = nullptr;  // none for libcurl's own handle that closes cached connections
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &request);
      if (request != nullptr) request->socket = socket;
    }
    const uint32_t events = what == CURL_POLL_REMOVE ? 0U
                                                     : ((what & CURL_POLL_IN) != 0 ? EPOLLIN : 0U) |
                                                           ((what & CURL_POLL_OUT) != 0 ? EPOLLOUT : 0U);
    self->sockets_.watch(socket, events);
    return 0;
  }

  // The loop opens and closes the connections' sockets itself so that SocketWatch sees their lifetime.
  static curl_socket_t open_socket(void* loop, curlsocktype /*purpose*/, curl_sockaddr* address) {
    const int fd = ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
    if (fd < 0) return CURL_SOCKET_BAD;
    auto* self = static_cast<Loop*>(loop);
    if (self->config_.stream) enable_receive_timestamps(fd);
    self->sockets_.on_opened(fd);
    return fd;
  }

  static int close_socket(void* loop, curl_socket_t socket) {
    static_cast<Loop*>(loop)->sockets_.on_closed(socket);
    return close(socket);
  }

  // libcurl asks to be called back after `timeout_ms` (-1: no timer).
  static int on_timer(CURLM* /*multi*/, long timeout_ms, void* loop) {
    auto& deadline = static_cast<Loop*>(loop)->curl_deadline_;
    if (timeout_ms < 0) {
      deadline.reset();
    } else {
      deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    }
    return 0;
  }

  void promote_due_retries(Clock::time_point now) {
    // Due retries go first: they have waited longest.
    std::vector<std::unique_ptr<Request>> due;
    for (auto it = retrying_.begin(); it != retrying_.end();) {
      if ((*it)->retry_due <= now) {
        due.push_back(std::move(*it));
        it = retrying_.erase(it);
      } else {
        ++it;
      }
    }
    std::sort(due.begin(), due.end(),
              [](const auto& a, const auto& b) { return a->retry_due > b->retry_due; });
    for (auto& request : due) ready_.push_front(std::move(request));
  }

  void start_ready(Clock::time_point now) {
    while (!ready_.empty() && active_.size() < static_cast<size_t>(config_.concurrency) &&
           rate_.try_acquire(now)) {
      std::unique_ptr<Request> request = std::move(ready_.front());
      ready_.pop_front();
      start_attempt(std::move(request), now);
    }
  }

  void start_attempt(std::unique_ptr<Request> request, Clock::time_point now) {
    SpareEasy spare;
    if (!spare_easies_.empty()) {
      spare = spare_easies_.back();
      spare_easies_.pop_back();
    } else {
      spare.easy = curl_easy_init();
      if (spare.easy == nullptr) {
        complete(std::move(request), EF_INTERNAL, "curl_easy_init failed (out of memory?)");
        return;
      }
      configure_once(spare.easy);
    }
    CURL* easy = spare.easy;
    request->reset_attempt();
    request->easy = easy;
    request->endpoint = endpoints_.acquire();
    const EndpointUrl& url = urls_[request->endpoint];
    request->url = &url.display;
    if (spare.endpoint != request->endpoint) {
      curl_easy_setopt(easy, CURLOPT_CURLU, url.parsed.get());
      curl_easy_setopt(easy, CURLOPT_URL, url.text.c_str());  // what libcurl reports as the URL
      curl_easy_setopt(easy, CURLOPT_PROXY, url.proxy.proxy.c_str());
      curl_easy_setopt(easy, CURLOPT_NOPROXY, url.proxy.no_proxy.c_str());
    }
    request->timing.start_attempt(now);
    request->last_activity = now;
    configure_attempt(easy, *request);
    ++stats_.attempts;
    request->active_index = active_.size();
    active_.push_back(std::move(request));
    curl_multi_add_handle(multi_, easy);
  }

  // Easy handles are reused (that keeps their allocations); what is the same for every request is set once.
  void configure_once(CURL* easy) {
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Request::on_body);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Request::on_header);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config_.timeouts.connect.count()));
    if (config_.timeouts.total.count() > 0) {
      curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeouts.total.count()));
    }
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &Loop::open_socket);
    curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, this);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &Loop::close_socket);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, config_.verify_tls ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, config_.verify_tls ? 2L : 0L);
    if (!config_.ca_bundle.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, config_.ca_bundle.c_str());
  }

  static void configure_attempt(CURL* easy, Request& request) {
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(easy, CURLOPT_PRIVATE, &request);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &request);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &request);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, request.curl_error);
  }

  // Removes a request's transfer from libcurl and from the active set, returning the request.
  std::unique_ptr<Request> detach(Request* request) {
    curl_multi_remove_handle(multi_, request->easy);
    spare_easies_.push_back({.easy = request->easy, .endpoint = request->endpoint});
    request->easy = nullptr;
    endpoints_.release(request->endpoint);
    const size_t index = request->active_index;
    std::unique_ptr<Request> owned = std::move(active_[index]);
    if (index + 1 != active_.size()) {
      active_[index] = std::move(active_.back());
      active_[index]->active_index = index;
    }
    active_.pop_back();
    return owned;
  }

  void collect_finished() {
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      Request* request = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &request);
      const CURLcode code = message->data.result;
      long status = 0;
      curl_easy_getinfo(message->easy_handle, CURLINFO_RESPONSE_CODE, &status);
      std::unique_ptr<Request> owned = detach(request);
      owned->http_status = status;
      finish_attempt(std::move(owned), code);
    }
  }

  void expire_idle(Clock::time_point now) {
    const auto idle = std::chrono::duration_cast<Clock::duration>(config_.timeouts.idle);
    std::vector<Request*> expired;
    for (const auto& request : active_) {
      if (now - request->last_activity > idle) expired.push_back(request.get());
    }
    for (Request* request : expired) {
      std::unique_ptr<Request> owned = detach(request);
      owned->stream_error = "no data from the server for " + seconds_text(config_.timeouts.idle) +
                            " (timeouts.idle_s); raise it if the server is only slow";
      finish_attempt(std::move(owned), CURLE_OK, AttemptError::kIdleTimeout);
    }
  }

  void finish_attempt(std::unique_ptr<Request> request, CURLcode code,
                      AttemptError forced = AttemptError::kNone) {
    request->timing.finished = Clock::now();
    AttemptError error = forced;
    std::string reason;
    if (forced != AttemptError::kNone) {
      reason = request->stream_error;
    } else if (!request->stream_error.empty()) {
      error = AttemptError::kProtocol;
      reason = request->stream_error;
    } else if (code != CURLE_OK) {
      error = classify_curl_error(code, request->received_bytes);
      reason = curl_easy_strerror(code);
      if (request->curl_error[0] != '\0') reason += std::string(" (") + request->curl_error + ")";
      if (error == AttemptError::kInterrupted) reason += " during the answer";
    } else if (request->http_status != 200) {
      error = AttemptError::kHttpStatus;
      reason = "HTTP " + std::to_string(request->http_status) + ": " + server_message(request->response);
    } else if (request->stream) {
      // Every complete answer names why it ended; without that, even after [DONE], it may be cut short.
      if (!request->completion.has_answer) {
        error = AttemptError::kProtocol;
        reason = "the stream carried no answer: no content, reasoning or text in any chunk";
      } else if (request->completion.finish_reason.empty()) {
        error = AttemptError::kProtocol;
        reason = request->completion.done
                     ? "the stream ended with [DONE] but no finish_reason (truncated or malformed answer)"
                     : "the stream ended before its finish_reason (truncated answer)";
      }
    } else if (DecodeResult decoded = decoder_.apply_response(request->response, request->completion);
               !decoded.ok) {
      error = AttemptError::kProtocol;
      reason = decoded.error;
    }

    if (error == AttemptError::kNone) {
      complete(std::move(request), EF_OK, "");
      return;
    }
    const Clock::time_point now = Clock::now();
    if (!request->first_failure) request->first_failure = now;
    const Milliseconds failing_for = now - *request->first_failure;
    if (config_.retry.should_retry(error, request->http_status, request->retries, failing_for)) {
      ++request->retries;
      ++stats_.retries;
      const bool honour_retry_after = request->http_status == 429 || request->http_status == 503;
      const Milliseconds delay = config_.retry.backoff(
          request->retries, honour_retry_after ? request->retry_after : std::nullopt, random_);
      request->retry_due = now + std::chrono::duration_cast<Clock::duration>(delay);
      retrying_.push_back(std::move(request));
      return;
    }
    const ef_code result_code = failure_code(error, request->http_status);
    // Past `retry` only when the outage window kept it going: then the message names that window.
    const bool outage = request->timing.attempts > config_.retry.max_retries + 1;
    std::string message =
        "POST " + *request->url + ": " + reason + " (attempt " + std::to_string(request->timing.attempts) +
        (outage ? ", failing for " + seconds_text(failing_for) + "; outage_s bounds the wait for a server"
                : " of " + std::to_string(config_.retry.max_retries + 1)) +
        ")" + hint(error, request->http_status);
    complete(std::move(request), result_code, redact_secrets(message, config_.secrets()));
  }

  static ef_code failure_code(AttemptError error, long status) {
    switch (error) {
      case AttemptError::kIdleTimeout:
        return EF_DEADLINE_EXCEEDED;
      case AttemptError::kHttpStatus:
        if (status == 429) return EF_RESOURCE_EXHAUSTED;
        if (status == 404) return EF_NOT_FOUND;
        return status >= 500 || status == 408 ? EF_UNAVAILABLE : EF_INVALID_ARGUMENT;
      case AttemptError::kOther:
        return EF_INTERNAL;
      default:
        return EF_UNAVAILABLE;
    }
  }

  [[nodiscard]] std::string hint(AttemptError error, long status) const {
    switch (error) {
      case AttemptError::kConnect:
        return "; is the server running there? Check host_ip, host_port or url";
      case AttemptError::kTls:
        return "; check the server's certificate, or name a CA file in ca_bundle";
      case AttemptError::kHttpStatus:
        if (status == 401 || status == 403) {
          return config_.api_key_env.empty()
                     ? "; the server wants an API key: name its variable in api_key_env"
                     : "; check the API key in $" + config_.api_key_env;
        }
        if (status == 404) return "; check the model name and the url";
        if (status == 429)
          return "; the server is overloaded: lower batch_size or request_rate, or raise retry";
        return "";
      default:
        return "";
    }
  }

  void complete(std::unique_ptr<Request> request, ef_code code, std::string error) {
    (code == EF_OK ? stats_.succeeded : stats_.failed)++;
    CompletionResult result{.code = code,
                            .error = std::move(error),
                            .completion = std::move(request->completion),
                            .timing = std::move(request->timing)};
    CompletionCallback done = std::move(request->done);
    request.reset();
    try {
      done(std::move(result));
    } catch (...) {
      // The callback belongs to the caller; a throwing one must not stop every other request.
    }
    // Only the last completion takes the lock: a waiter checks the count under it, so it cannot miss this.
    if (outstanding_.fetch_sub(1) == 1) {
      std::lock_guard lock(mutex_);
      idle_.notify_all();
    }
  }

  [[nodiscard]] int wait_ms(Clock::time_point now) const {
    Clock::time_point wake = now + std::chrono::milliseconds(kMaxPollMs);
    if (curl_deadline_) wake = std::min(wake, *curl_deadline_);
    for (const auto& request : retrying_) wake = std::min(wake, request->retry_due);
    if (!ready_.empty() && active_.size() < static_cast<size_t>(config_.concurrency)) {
      wake = std::min(wake, rate_.limited() ? rate_.next_slot() : now);
    }
    const auto idle = std::chrono::duration_cast<Clock::duration>(config_.timeouts.idle);
    for (const auto& request : active_) wake = std::min(wake, request->last_activity + idle);
    if (wake <= now) return 0;
    // Round up: waking a little late is harmless, waking early spins.
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake - now).count();
    return static_cast<int>(std::min<int64_t>(wait, kMaxPollMs));
  }

  void cancel_everything() {
    std::vector<std::unique_ptr<Request>> cancelled;
    {
      std::lock_guard lock(mutex_);
      for (auto& request : inbox_) cancelled.push_back(std::move(request));
      inbox_.clear();
    }
    for (auto& request : ready_) cancelled.push_back(std::move(request));
    ready_.clear();
    for (auto& request : retrying_) cancelled.push_back(std::move(request));
    retrying_.clear();
    while (!active_.empty()) cancelled.push_back(detach(active_.back().get()));
    for (auto& request : cancelled) {
      request->timing.finished = Clock::now();
      complete(std::move(request), EF_CANCELLED, "the run stopped before this request completed");
    }
  }

  ClientConfig config_;
  std::vector<EndpointUrl> urls_;  // per endpoint: its base URL and the request path
  WallClock wall_clock_;
  EndpointBalancer endpoints_;
  RateLimiter rate_;
  std::mt19937_64 random_;
  CompletionDecoder decoder_;
  CURLM* multi_ = nullptr;
  int epoll_fd_ = -1;
  SocketWatch sockets_;
  int wake_fd_ = -1;  // an eventfd: submit and stop wake the loop through it
  std::optional<Clock::time_point> curl_deadline_;
  ArrivalTimes arrivals_{wall_clock_};
  std::array<epoll_event, kMaxEventsPerWait> events_{};
  curl_slist* headers_ = nullptr;
  // Idle easy handles, and the endpoint whose URL each is set to.
  struct SpareEasy {
    CURL* easy = nullptr;
    size_t endpoint = SIZE_MAX;
  };
  std::vector<SpareEasy> spare_easies_;
  std::deque<std::unique_ptr<Request>> ready_;
  std::vector<std::unique_ptr<Request>> active_;
  std::vector<std::unique_ptr<Request>> retrying_;

  struct AtomicStats {
    std::atomic<int64_t> submitted{0}, succeeded{0}, failed{0}, attempts{0}, retries{0};
  } stats_;

  std::mutex mutex_;  // guards what submitters share with the loop
  std::condition_variable idle_;
  std::vector<std::unique_ptr<Request>> inbox_;
  std::atomic<int64_t> outstanding_{0};
  bool stopping_ = false;
  std::thread thread_;
};

HttpClient::HttpClient(ClientConfig config, const std::string& path)
    : loop_(std::make_unique<Loop>(std::move(config), path)) {}
HttpClient::~HttpClient() = default;
void HttpClient::submit(std::string body, CompletionCallback done) {
  loop_->submit(std::move(body), std::move(done));
}
void HttpClient::wait_idle() {
  loop_->wait_idle();
}
ClientStats HttpClient::stats() const {
  return loop_->stats();
}
const WallClock& HttpClient::wall_clock() const {
  return loop_->wall_clock();
}

}  // namespace evalflow::openai_http
