#include "fault_schedule.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace evalflow::test_server {
namespace {

constexpr std::pair<std::string_view, Fault> kFaultNames[] = {{"429", Fault::kTooManyRequests},
                                                              {"500", Fault::kInternalError},
                                                              {"503", Fault::kUnavailable},
                                                              {"reset", Fault::kReset},
                                                              {"stall", Fault::kStall},
                                                              {"truncate", Fault::kTruncate},
                                                              {"malformed", Fault::kMalformed},
                                                              {"no_finish", Fault::kNoFinish},
                                                              {"only_done", Fault::kOnlyDone},
                                                              {"no_message", Fault::kNoMessage},
                                                              {"null_content", Fault::kNullContent},
                                                              {"keepalive", Fault::kKeepAlive}};

[[noreturn]] void bad_rule(std::string_view text, const std::string& problem) {
  throw std::invalid_argument("fault rule '" + std::string(text) + "': " + problem +
                              " (expected KIND@SELECTOR, KIND one of 429, 500, 503, reset, stall, truncate, "
                              "malformed, no_finish, only_done, no_message, null_content, keepalive; "
                              "SELECTOR one of every=N, first=N, nth=A,B,..., p=X)");
}

int64_t positive_integer(std::string_view digits, std::string_view rule) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size() || value < 1) {
    bad_rule(rule, "'" + std::string(digits) + "' is not a positive integer");
  }
  return value;
}

}  // namespace

std::string_view fault_name(Fault fault) {
  for (const auto& [name, value] : kFaultNames) {
    if (value == fault) return name;
  }
  return "none";
}

FaultRule parse_fault_rule(std::string_view text) {
  const size_t at = text.find('@');
  if (at == std::string_view::npos) bad_rule(text, "no '@'");
  FaultRule rule;
  const std::string_view kind = text.substr(0, at);
  const auto* named = std::find_if(std::begin(kFaultNames), std::end(kFaultNames),
                                   [&](const auto& entry) { return entry.first == kind; });
  if (named == std::end(kFaultNames)) bad_rule(text, "unknown fault '" + std::string(kind) + "'");
  rule.fault = named->second;
  const std::string_view selector = text.substr(at + 1);
  const size_t equals = selector.find('=');
  if (equals == std::string_view::npos) bad_rule(text, "the selector has no '='");
  const std::string_view name = selector.substr(0, equals);
  const std::string_view value = selector.substr(equals + 1);
  if (name == "every") {
    rule.selector = FaultRule::Selector::kEvery;
    rule.count = positive_integer(value, text);
  } else if (name == "first") {
    rule.selector = FaultRule::Selector::kFirst;
    rule.count = positive_integer(value, text);
  } else if (name == "nth") {
    rule.selector = FaultRule::Selector::kNth;
    for (size_t start = 0; start <= value.size();) {
      const size_t comma = std::min(value.find(',', start), value.size());
      rule.requests.push_back(positive_integer(value.substr(start, comma - start), text));
      start = comma + 1;
    }
  } else if (name == "p") {
    rule.selector = FaultRule::Selector::kProbability;
    const std::string number(value);
    size_t used = 0;
    try {
      rule.probability = std::stod(number, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != number.size() || rule.probability < 0 || rule.probability > 1) {
      bad_rule(text, "p must be a number between 0 and 1");
    }
  } else {
    bad_rule(text, "unknown selector '" + std::string(name) + "'");
  }
  return rule;
}

FaultSchedule::FaultSchedule(std::vector<FaultRule> rules, uint64_t seed)
    : rules_(std::move(rules)), random_(seed) {}

Fault FaultSchedule::fault_for(int64_t request_number) {
  std::lock_guard lock(mutex_);
  for (const FaultRule& rule : rules_) {
    bool matches = false;
    switch (rule.selector) {
      case FaultRule::Selector::kEvery:
        matches = request_number % rule.count == 0;
        break;
      case FaultRule::Selector::kFirst:
        matches = request_number <= rule.count;
        break;
      case FaultRule::Selector::kNth:
        matches =
            std::find(rule.requests.begin(), rule.requests.end(), request_number) != rule.requests.end();
        break;
      case FaultRule::Selector::kProbability:
        matches = std::uniform_real_distribution<double>(0.0, 1.0)(random_) < rule.probability;
        break;
    }
    if (matches) return rule.fault;
  }
  return Fault::kNone;
}

}  // namespace evalflow::test_server
