#include "answer_source.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace evalflow::test_server {
namespace {

constexpr size_t kMaxTokenBytes = 8;

bool is_space(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}
bool is_utf8_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

const nlohmann::json* first_string_field(const nlohmann::json& line, const std::string& wanted,
                                         std::initializer_list<const char*> usual) {
  if (!wanted.empty()) {
    auto found = line.find(wanted);
    return found != line.end() && found->is_string() ? &*found : nullptr;
  }
  for (const char* name : usual) {
    auto found = line.find(name);
    if (found != line.end() && found->is_string()) return &*found;
  }
  return nullptr;
}

}  // namespace

AnswerSource AnswerSource::fixed(std::string text) {
  AnswerSource source;
  source.kind_ = Kind::kFixed;
  source.fixed_ = std::move(text);
  return source;
}

AnswerSource AnswerSource::echo() {
  AnswerSource source;
  source.kind_ = Kind::kEcho;
  return source;
}

AnswerSource AnswerSource::replay(const std::string& path, const std::string& key_field,
                                  const std::string& output_field) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error(path + ": cannot open the replay file");
  AnswerSource source;
  source.kind_ = Kind::kReplay;
  std::string text;
  for (int line_number = 1; std::getline(file, text); ++line_number) {
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(line_number);
    const auto line = nlohmann::json::parse(text, nullptr, false);
    if (!line.is_object()) throw std::runtime_error(where + ": not a JSON object");
    const auto* key = first_string_field(line, key_field,
                                         {"question", "prompt_query", "problem", "prompt", "origin_prompt"});
    const auto* output = first_string_field(line, output_field, {"response", "prediction"});
    if (key == nullptr || output == nullptr) {
      throw std::runtime_error(where + ": no string " + (key == nullptr ? "prompt" : "output") +
                               " field (set --replay-key / --replay-output)");
    }
    source.keys_.push_back(key->get<std::string>());
    source.outputs_.push_back(output->get<std::string>());
  }
  for (size_t i = 0; i < source.keys_.size(); ++i) source.exact_.emplace(source.keys_[i], i);
  return source;
}

std::optional<std::string> AnswerSource::answer_for(std::string_view prompt) const {
  switch (kind_) {
    case Kind::kFixed:
      return fixed_;
    case Kind::kEcho:
      return std::string(prompt);
    case Kind::kReplay:
      break;
  }
  if (auto found = exact_.find(prompt); found != exact_.end()) return outputs_[found->second];
  std::optional<size_t> best;
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (!keys_[i].empty() && prompt.find(keys_[i]) != std::string_view::npos &&
        (!best || keys_[i].size() > keys_[*best].size())) {
      best = i;
    }
  }
  if (best) return outputs_[*best];
  // Recordings made with another harness wrap the question in their own instructions (lighteval's
  // prompt_query): then the recorded prompt contains the start of ours, which begins with the question.
  constexpr size_t kLeadLength = 80;
  constexpr size_t kShortestLead = 20;
  const std::string_view lead = prompt.substr(0, std::min(prompt.size(), kLeadLength));
  if (lead.size() < kShortestLead) return std::nullopt;
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i].find(lead) != std::string::npos) return outputs_[i];
  }
  return std::nullopt;
}

std::vector<std::string_view> split_tokens(std::string_view text) {
  std::vector<std::string_view> tokens;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = start;
    while (end < text.size() && is_space(text[end])) ++end;
    while (end < text.size() && !is_space(text[end]) && end - start < kMaxTokenBytes) ++end;
    while (end < text.size() && is_utf8_continuation(text[end])) ++end;
    tokens.push_back(text.substr(start, end - start));
    start = end;
  }
  return tokens;
}

}  // namespace evalflow::test_server
