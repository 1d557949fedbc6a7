#include "test_server.hpp"

#include <httplib.h>

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "wire_format.hpp"

namespace evalflow::test_server {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kThinkStart = "<think>";
constexpr std::string_view kThinkEnd = "</think>";

struct Token {
  std::string text;
  bool reasoning = false;
};

// The text of the request's prompt: the last user message (chat), or `prompt` (completions).
std::optional<std::string> prompt_text(const json& body, Api api) {
  if (api == Api::kCompletions) {
    auto prompt = body.find("prompt");
    if (prompt == body.end() || !prompt->is_string()) return std::nullopt;
    return prompt->get<std::string>();
  }
  auto messages = body.find("messages");
  if (messages == body.end() || !messages->is_array()) return std::nullopt;
  for (auto message = messages->rbegin(); message != messages->rend(); ++message) {
    if (!message->is_object() || message->value("role", "") != "user") continue;
    const json& content = (*message)["content"];
    if (content.is_string()) return content.get<std::string>();
    if (content.is_array()) {  // content parts: [{"type": "text", "text": ...}]
      std::string text;
      for (const json& part : content) {
        if (part.is_object() && part.value("type", "") == "text") text += part.value("text", "");
      }
      return text;
    }
  }
  return std::nullopt;
}

int64_t unix_nanoseconds() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void send_error(httplib::Response& response, int status, std::string_view type, std::string_view message) {
  response.status = status;
  response.set_content(error_body(status, type, message), "application/json");
}

bool write(httplib::DataSink& sink, std::string_view event) {
  return sink.write(event.data(), event.size());
}

std::optional<BrokenShape> broken_shape(Fault fault) {
  switch (fault) {
    case Fault::kOnlyDone:
      return BrokenShape::kNoChoices;
    case Fault::kNoMessage:
      return BrokenShape::kNoMessage;
    case Fault::kNullContent:
      return BrokenShape::kNullContent;
    default:
      return std::nullopt;
  }
}

bool is_mid_answer(Fault fault) {
  return fault == Fault::kReset || fault == Fault::kStall || fault == Fault::kTruncate ||
         fault == Fault::kMalformed;
}

// What one streamed answer still has to send; the content provider sends one event per call.
struct StreamState {
  ResponseIdentity identity;
  std::vector<Token> tokens;  // never empty: the last one carries finish_reason
  std::string finish_reason;
  Usage usage;
  bool include_usage = false;
  Fault fault = Fault::kNone;
  size_t fault_at = 0;
  Clock::time_point start;
  enum class Stage { kRole, kTokens, kUsage, kDone } stage = Stage::kRole;
  size_t next = 0;
};

}  // namespace

class OpenAiTestServer::Handlers {
 public:
  explicit Handlers(OpenAiTestServer& server) : server_(server), options_(server.options_) {}

  void models(const httplib::Request&, httplib::Response& response) const {
    const json listing = {{"object", "list"},
                          {"data",
                           {{{"id", options_.model},
                             {"object", "model"},
                             {"created", 1700000000},
                             {"owned_by", "vllm"},
                             {"root", options_.model},
                             {"parent", nullptr},
                             {"max_model_len", 40000}}}}};
    response.set_content(listing.dump(), "application/json");
  }

  // Counts the request as in progress until the answer is sent (streams end later, in their releaser).
  void completion(const httplib::Request& request, httplib::Response& response, Api api) const {
    const int64_t now_answering = ++server_.concurrent_;
    int64_t most = server_.max_concurrent_;
    while (now_answering > most && !server_.max_concurrent_.compare_exchange_weak(most, now_answering)) {
    }
    if (!answer(request, response, api)) --server_.concurrent_;
  }

 private:
  // Returns true when a stream was set up, which ends the request later.
  bool answer(const httplib::Request& request, httplib::Response& response, Api api) const {
    const Clock::time_point start = Clock::now();
    const int64_t number = ++server_.completion_requests_;
    if (!options_.api_key.empty() &&
        request.get_header_value("Authorization") != "Bearer " + options_.api_key) {
      response.status = 401;
      response.set_content(R"({"error":"Unauthorized"})", "application/json");
      return false;
    }
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object()) {
      send_error(response, 400, "BadRequestError", "the body is not a JSON object");
      return false;
    }
    if (body.value("model", "") != options_.model) {
      send_error(response, 404, "NotFoundError",
                 "The model `" + body.value("model", "") + "` does not exist.");
      return false;
    }
    const std::optional<std::string> prompt = prompt_text(body, api);
    if (!prompt) {
      send_error(response, 400, "BadRequestError", "no user message or prompt in the request");
      return false;
    }

    const Fault fault = server_.schedule_.fault_for(number);
    if (fault != Fault::kNone) ++server_.faults_injected_;
    switch (fault) {
      case Fault::kTooManyRequests:
        response.set_header("Retry-After", std::to_string(options_.retry_after_s));
        send_error(response, 429, "TooManyRequests", "injected fault: too many requests");
        return false;
      case Fault::kInternalError:
        send_error(response, 500, "InternalServerError", "injected fault: internal error");
        return false;
      case Fault::kUnavailable:
        send_error(response, 503, "ServiceUnavailable", "injected fault: service unavailable");
        return false;
      default:
        break;
    }

    const std::optional<std::string> answer = options_.answers.answer_for(*prompt);
    if (!answer) {
      send_error(response, 400, "BadRequestError", "the test server has no recorded answer for this prompt");
      return false;
    }

    auto state = std::make_shared<StreamState>();
    state->identity = {api, (api == Api::kChat ? "chatcmpl-" : "cmpl-") + std::to_string(number), 1700000000,
                       options_.model};
    state->start = start;
    state->fault = fault;
    plan_tokens(*answer, api, body, *state);
    if (fault == Fault::kNoFinish) state->finish_reason.clear();
    state->usage.prompt_tokens = static_cast<int64_t>(split_tokens(*prompt).size());

    const bool stream = body.value("stream", false);
    if (!stream) {
      respond_whole(response, *state);
      return false;
    }
    const auto options = body.find("stream_options");
    state->include_usage =
        options != body.end() && options->is_object() && options->value("include_usage", false);
    response.set_header("Cache-Control", "no-cache");
    response.set_chunked_content_provider(
        "text/event-stream",
        [this, state](size_t, httplib::DataSink& sink) { return send_next(*state, sink); },
        [this](bool) { --server_.concurrent_; });
    return true;
  }

  void plan_tokens(const std::string& answer, Api api, const json& body, StreamState& state) const {
    std::string_view reasoning;
    std::string_view content = answer;
    if (options_.reasoning && api == Api::kChat) {
      std::string_view text = answer;
      if (text.starts_with(kThinkStart)) text.remove_prefix(kThinkStart.size());
      const size_t end = text.find(kThinkEnd);
      // Like vLLM's DeepSeek-R1 parser: without "</think>" everything is reasoning (a cut-off thought).
      reasoning = text.substr(0, end);
      content = end == std::string_view::npos ? std::string_view() : text.substr(end + kThinkEnd.size());
    }
    for (std::string_view piece : split_tokens(reasoning)) state.tokens.push_back({std::string(piece), true});
    for (std::string_view piece : split_tokens(content)) state.tokens.push_back({std::string(piece), false});
    state.finish_reason = "stop";
    const int64_t max_tokens = body.value("max_tokens", body.value("max_completion_tokens", int64_t{-1}));
    if (max_tokens >= 0 && static_cast<size_t>(max_tokens) < state.tokens.size()) {
      state.tokens.resize(static_cast<size_t>(max_tokens));
      state.finish_reason = "length";
    }
    state.usage.completion_tokens = static_cast<int64_t>(state.tokens.size());
    if (state.tokens.empty()) state.tokens.push_back({"", false});
    const auto at =
        static_cast<size_t>(std::floor(options_.fault_at * static_cast<double>(state.tokens.size())));
    state.fault_at = std::min(at, state.tokens.size() - 1);
  }

  [[nodiscard]] Clock::time_point token_time(const StreamState& state, size_t index) const {
    return state.start + options_.ttft + options_.tpot * static_cast<int64_t>(index);
  }

  void respond_whole(httplib::Response& response, const StreamState& state) const {
    std::this_thread::sleep_until(token_time(state, state.tokens.size() - 1));
    if (state.fault == Fault::kStall || state.fault == Fault::kKeepAlive) wait_for_stall();
    if (const auto shape = broken_shape(state.fault)) {
      response.set_content(broken_response(state.identity, *shape), "application/json");
      return;
    }
    std::string reasoning;
    std::string content;
    for (const Token& token : state.tokens) (token.reasoning ? reasoning : content) += token.text;
    std::string body = full_response(state.identity, reasoning, content, options_.reasoning_field,
                                     state.finish_reason, state.usage);
    switch (state.fault) {
      case Fault::kReset: {
        // Promise the whole body, send half, drop the connection.
        auto shared = std::make_shared<std::string>(std::move(body));
        response.set_content_provider(shared->size(), "application/json",
                                      [shared](size_t offset, size_t, httplib::DataSink& sink) {
                                        if (offset > 0) return false;
                                        return sink.write(shared->data(), shared->size() / 2);
                                      });
        return;
      }
      case Fault::kTruncate:
        body.resize(body.size() / 2);  // a complete HTTP answer whose JSON stops half-way
        break;
      case Fault::kMalformed:
        body = R"({"id": "chatcmpl-broken", "choices": [{"message": )";
        body += "\x01}";
        break;
      default:
        break;
    }
    response.set_content(body, "application/json");
  }

  // One event per call; false drops the connection.
  bool send_next(StreamState& state, httplib::DataSink& sink) const {
    switch (state.stage) {
      case StreamState::Stage::kRole:
        if (const auto shape = broken_shape(state.fault)) {
          write(sink, broken_stream(state.identity, *shape));
          sink.done();
          return true;
        }
        if (state.fault == Fault::kKeepAlive) {
          state.fault = Fault::kNone;
          return trickle_comments(sink);
        }
        state.stage = StreamState::Stage::kTokens;
        // vLLM's chat API starts with a role-only chunk; it is sent at once here, so that a client that
        // counted it as the first token would measure a visibly wrong TTFT.
        if (state.identity.api == Api::kChat) return write(sink, role_event(state.identity));
        return true;
      case StreamState::Stage::kTokens:
        return send_token(state, sink);
      case StreamState::Stage::kUsage:
        state.stage = StreamState::Stage::kDone;
        if (state.include_usage) return write(sink, usage_event(state.identity, state.usage));
        return true;
      case StreamState::Stage::kDone:
        write(sink, kDoneEvent);
        sink.done();
        return true;
    }
    return false;
  }

  bool send_token(StreamState& state, httplib::DataSink& sink) const {
    if (state.next == state.fault_at && is_mid_answer(state.fault)) {
      const Fault fault = std::exchange(state.fault, Fault::kNone);
      switch (fault) {
        case Fault::kReset:
          return false;
        case Fault::kStall:
          wait_for_stall();
          return false;
        case Fault::kTruncate:
          sink.done();  // a clean end of the HTTP body, without finish_reason or [DONE]
          return true;
        default: {
          static constexpr std::string_view kBroken =
              "data: {\"id\": \"chatcmpl-broken\", \"choices\": [{\"delta\": \n\n";
          return write(sink, kBroken);
        }
      }
    }
    std::this_thread::sleep_until(token_time(state, state.next));
    const Token& token = state.tokens[state.next];
    const bool last = state.next + 1 == state.tokens.size();
    // A stamped first token is built around a placeholder that the send time overwrites just before the
    // write, so that the stamp is as close to the send as the server can take it.
    static constexpr std::string_view kStampPlaceholder = "0000000000000000000";  // Unix ns: 19 digits
    const bool stamped = options_.stamp_first_token && state.next == 0;
    const std::string text = stamped ? std::string(kStampPlaceholder) + " " : token.text;
    std::string event = token_event(state.identity, text, token.reasoning, options_.reasoning_field,
                                    last ? std::string_view(state.finish_reason) : std::string_view());
    ++state.next;
    if (last) state.stage = StreamState::Stage::kUsage;
    if (stamped) {
      const std::string now = std::to_string(unix_nanoseconds());
      event.replace(event.find(kStampPlaceholder), kStampPlaceholder.size(), now);
    }
    return write(sink, event);
  }

  // `: keep-alive` comments, one byte every 100 ms for --stall-ms: bytes that carry no event, so a client
  // must not count them as activity. Then the answer as usual.
  bool trickle_comments(httplib::DataSink& sink) const {
    static constexpr std::string_view kComment = ": keep-alive\n";
    const Clock::time_point until = Clock::now() + options_.stall;
    for (size_t sent = 0; Clock::now() < until && !server_.stopping_; ++sent) {
      if (!write(sink, kComment.substr(sent % kComment.size(), 1))) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!write(sink, "\n")) return false;
    return true;
  }

  void wait_for_stall() const {
    const Clock::time_point until = Clock::now() + options_.stall;
    while (Clock::now() < until && !server_.stopping_)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  OpenAiTestServer& server_;
  const ServerOptions& options_;
};

OpenAiTestServer::OpenAiTestServer(ServerOptions options)
    : options_(std::move(options)), schedule_(options_.faults, options_.seed) {}

OpenAiTestServer::~OpenAiTestServer() {
  stop();
}

int OpenAiTestServer::start() {
  if (server_) throw std::runtime_error("the test server is already started");
  server_ = std::make_unique<httplib::Server>();
  const int threads = options_.threads;
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  // Clients keep their connections for the whole run, as vLLM's server allows.
  server_->set_keep_alive_max_count(std::numeric_limits<int>::max());
  server_->set_keep_alive_timeout(60);
  server_->set_tcp_nodelay(true);
  auto handlers = std::make_shared<Handlers>(*this);
  server_->Get("/v1/models", [handlers](const httplib::Request& request, httplib::Response& response) {
    handlers->models(request, response);
  });
  server_->Post("/v1/chat/completions",
                [handlers](const httplib::Request& request, httplib::Response& response) {
                  handlers->completion(request, response, Api::kChat);
                });
  server_->Post("/v1/completions", [handlers](const httplib::Request& request, httplib::Response& response) {
    handlers->completion(request, response, Api::kCompletions);
  });
  // cpp-httplib listens with a backlog of 5: a burst of connections (a client opening 256 at once) would
  // overflow it and wait a full SYN retransmission (1 s). The socket is captured here and its backlog
  // raised once httplib has called listen.
  int listening_socket = -1;
  server_->set_socket_options([&listening_socket](socket_t socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listening_socket = socket;
  });
  if (options_.port == 0) {
    port_ = server_->bind_to_any_port(options_.host);
  } else {
    port_ = server_->bind_to_port(options_.host, options_.port) ? options_.port : -1;
  }
  if (port_ <= 0) {
    throw std::runtime_error("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                             " (port in use, or the host is not a local address)");
  }
  if (::listen(listening_socket, SOMAXCONN) != 0) {
    throw std::runtime_error(std::string("raising the listen backlog failed: ") + std::strerror(errno));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return port_;
}

void OpenAiTestServer::stop() {
  if (!server_) return;
  stopping_ = true;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

std::string OpenAiTestServer::base_url() const {
  return "http://" + options_.host + ":" + std::to_string(port_) + "/v1";
}

}  // namespace evalflow::test_server
