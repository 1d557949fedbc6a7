#include "completion.hpp"

#include <simdjson.h>

#include <utility>

namespace evalflow::openai_http {
namespace {

namespace od = simdjson::ondemand;

constexpr std::string_view kThinkEnd = "</think>";

DecodeResult failure(std::string message) {
  return {.ok = false, .carried_text = false, .error = std::move(message)};
}

DecodeResult json_failure(simdjson::error_code error) {
  return failure(std::string("invalid JSON from the server: ") + simdjson::error_message(error));
}

// An HTML error page from a proxy, an array, a bare string: say what came, not simdjson's type error.
DecodeResult not_an_object(std::string_view body) {
  std::string start;
  for (char c : body.substr(0, 60)) start += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  const bool html = body.find("<html") != std::string_view::npos ||
                    body.find("<!DOCTYPE") != std::string_view::npos ||
                    body.find("<!doctype") != std::string_view::npos;
  return failure(std::string("the server's answer is not a JSON object") + (html ? " but an HTML page" : "") +
                 " (it starts '" + start +
                 "'): check that the url is an OpenAI-compatible API (.../v1), "
                 "not a proxy's or a web server's page");
}

bool is_null(od::value& value) {
  od::json_type type;
  return value.type().get(type) == simdjson::SUCCESS && type == od::json_type::null;
}

// Appends a string value (null counts as empty, but is not an answer). Returns the error, if the value is
// neither.
simdjson::error_code append_text(od::value& value, std::string& out, bool& carried_text, bool& has_answer) {
  if (is_null(value)) return simdjson::SUCCESS;
  std::string_view text;
  if (auto error = value.get_string().get(text)) return error;
  has_answer = true;
  if (!text.empty()) {
    out.append(text);
    carried_text = true;
  }
  return simdjson::SUCCESS;
}

// The `message` of a chat response or the `delta` of a chat chunk.
simdjson::error_code apply_message(od::value& message, Completion& completion, bool& carried_text) {
  od::object object;
  if (auto error = message.get_object().get(object)) return error;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (auto error = std::move(field_result).get(field)) return error;
    if (auto error = field.unescaped_key().get(key)) return error;
    if (key == "content") {
      if (auto error = append_text(field.value(), completion.content, carried_text, completion.has_answer))
        return error;
    } else if (key == "reasoning_content" || key == "reasoning") {
      if (auto error = append_text(field.value(), completion.reasoning, carried_text, completion.has_answer))
        return error;
    }
  }
  return simdjson::SUCCESS;
}

// Only the first choice counts: evalflow asks for one answer per request and replicates records for n.
simdjson::error_code apply_choices(od::value& choices, Completion& completion, bool& carried_text) {
  od::array array;
  if (auto error = choices.get_array().get(array)) return error;
  for (auto choice_result : array) {
    od::object choice;
    if (auto error = choice_result.get_object().get(choice)) return error;
    for (auto field_result : choice) {
      od::field field;
      std::string_view key;
      if (auto error = std::move(field_result).get(field)) return error;
      if (auto error = field.unescaped_key().get(key)) return error;
      od::value value = field.value();
      if (key == "delta" || key == "message") {
        if (auto error = apply_message(value, completion, carried_text)) return error;
      } else if (key == "text") {
        if (auto error = append_text(value, completion.content, carried_text, completion.has_answer))
          return error;
      } else if (key == "finish_reason" && !is_null(value)) {
        std::string_view reason;
        if (auto error = value.get_string().get(reason)) return error;
        completion.finish_reason = reason;
      }
    }
    break;
  }
  return simdjson::SUCCESS;
}

simdjson::error_code apply_usage(od::value& usage, Completion& completion) {
  if (is_null(usage)) return simdjson::SUCCESS;
  od::object object;
  if (auto error = usage.get_object().get(object)) return error;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (auto error = std::move(field_result).get(field)) return error;
    if (auto error = field.unescaped_key().get(key)) return error;
    int64_t count = 0;
    if (key == "prompt_tokens") {
      if (auto error = field.value().get_int64().get(count)) return error;
      completion.prompt_tokens = count;
    } else if (key == "completion_tokens") {
      if (auto error = field.value().get_int64().get(count)) return error;
      completion.completion_tokens = count;
    }
  }
  return simdjson::SUCCESS;
}

// `{"error": {"message": ...}}` (OpenAI) or `{"error": "..."}`.
std::string error_message(od::value& error_value) {
  std::string_view text;
  if (error_value.get_string().get(text) == simdjson::SUCCESS) return std::string(text);
  od::object object;
  if (error_value.get_object().get(object) == simdjson::SUCCESS) {
    for (auto field_result : object) {
      od::field field;
      std::string_view key;
      if (std::move(field_result).get(field) || field.unescaped_key().get(key)) break;
      if (key == "message" && field.value().get_string().get(text) == simdjson::SUCCESS)
        return std::string(text);
    }
  }
  return "the server reported an error without a message";
}

}  // namespace

struct CompletionDecoder::Parser {
  od::parser parser;
  std::string buffer;  // the document, copied with the padding simdjson reads past its end
};

CompletionDecoder::CompletionDecoder() : parser_(std::make_unique<Parser>()) {}
CompletionDecoder::~CompletionDecoder() = default;

std::string Completion::prediction() const {
  if (reasoning.empty()) return content;
  std::string joined;
  joined.reserve(reasoning.size() + kThinkEnd.size() + content.size());
  joined.append(reasoning).append(kThinkEnd).append(content);
  return joined;
}

DecodeResult CompletionDecoder::apply_stream_event(std::string_view data, Completion& completion) {
  if (data == "[DONE]") {
    completion.done = true;
    return {};
  }
  return apply_document(data, completion);
}

DecodeResult CompletionDecoder::apply_response(std::string_view body, Completion& completion) {
  DecodeResult result = apply_document(body, completion);
  // A choice without a message, or with null content, is a malformed answer: never score it as empty.
  if (result.ok && !completion.has_answer) {
    return failure(
        "the response holds no answer: no choice with a message whose content is a string (chat) or a "
        "text (completions)");
  }
  if (result.ok && completion.finish_reason.empty()) {
    return failure("the response has no finish_reason: a complete answer names why it ended");
  }
  return result;
}

DecodeResult CompletionDecoder::apply_document(std::string_view json, Completion& completion) {
  std::string& buffer = parser_->buffer;
  buffer.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  buffer.assign(json);
  od::document document;
  if (auto error = parser_->parser.iterate(buffer.data(), buffer.size(), buffer.capacity()).get(document)) {
    return json_failure(error);
  }
  od::object root;
  if (auto error = document.get_object().get(root)) {
    return error == simdjson::INCORRECT_TYPE ? not_an_object(json) : json_failure(error);
  }
  DecodeResult result;
  bool is_error_object = false;
  std::string message;
  for (auto field_result : root) {
    od::field field;
    std::string_view key;
    if (auto error = std::move(field_result).get(field)) return json_failure(error);
    if (auto error = field.unescaped_key().get(key)) return json_failure(error);
    od::value value = field.value();
    simdjson::error_code error = simdjson::SUCCESS;
    if (key == "choices") {
      error = apply_choices(value, completion, result.carried_text);
    } else if (key == "usage") {
      error = apply_usage(value, completion);
    } else if (key == "error" && !is_null(value)) {
      return failure("the server reported: " + error_message(value));
    } else if (key == "object") {
      std::string_view object_type;
      is_error_object = value.get_string().get(object_type) == simdjson::SUCCESS && object_type == "error";
    } else if (key == "message") {
      std::string_view text;
      if (value.get_string().get(text) == simdjson::SUCCESS) message = text;
    }
    if (error) return json_failure(error);
  }
  if (is_error_object) return failure("the server reported: " + message);
  return result;
}

}  // namespace evalflow::openai_http
