// Math-Verify's and latex2sympy2_extended's own test cases (testdata/mathverify_cases.jsonl), run
// against our library. Cases we fail are listed, with reasons, in testdata/known_case_failures.jsonl;
// the test fails when a listed case starts passing or an unlisted one fails.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "compare.hpp"
#include "evaluate.hpp"
#include "latex_parser.hpp"
#include "math_verify.hpp"
#include "normalize.hpp"
#include "plain_expr_parser.hpp"
#include "testing/srepr.hpp"

namespace evalflow::math_verify {
namespace {

using nlohmann::json;

const std::string kFolder = std::string(EVALFLOW_SOURCE_DIR) + "/plugins/evaluators/math_verify/testdata/";

std::vector<json> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  std::vector<json> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) rows.push_back(json::parse(line));
  }
  return rows;
}

std::string case_key(const json& row) {
  auto text = [&](const char* field) {
    return row.contains(field) && row[field].is_string() ? row[field].get<std::string>()
                                                         : std::string("null");
  };
  return text("source") + " | " + text("pytest_id") + " | " + text("prediction") + " | " + text("gold") +
         " | " + text("config");
}

int option(const std::string& config, const std::string& name, int fallback) {
  const size_t at = config.find(name + "=");
  return at == std::string::npos ? fallback : std::stoi(config.substr(at + name.size() + 1));
}

// The extraction targets of Math-Verify's test helper for a "parse=[...]" config.
std::vector<Target> targets_for(const std::string& config) {
  std::vector<Target> targets;
  if (config.find("latex") != std::string::npos || config.find("parse=default") != std::string::npos) {
    LatexTarget latex;
    if (config.find("boxed_match_priority=0") != std::string::npos) latex.boxed_match_priority = 0;
    targets.emplace_back(latex);
  }
  if (config.find("expr") != std::string::npos || config.find("parse=default") != std::string::npos) {
    targets.emplace_back(ExprTarget{});
  }
  return targets;
}

NodePtr parse_default_latex(const std::string& latex) {
  Budget budget(std::chrono::seconds(5));
  return parse_latex(normalize_latex(latex, NormalizationConfig{}), true, budget);
}

// The suites' "numeric fallback": both sides evaluate to the same number.
bool numerically_close(const Node& a, const Node& b, Budget& budget) {
  if (!free_symbols(a).empty() || !free_symbols(b).empty()) return false;
  const auto x = evaluate(a, {}, budget);
  const auto y = evaluate(b, {}, budget);
  return x && y && std::abs(*x - *y) <= 1e-9 * std::max({1.0, std::abs(*x), std::abs(*y)});
}

// Returns "" when the case passes, else why it does not.
std::string run_case(const json& row) {
  const std::string kind = row.at("kind");
  const std::string config = row.at("config");
  const std::string prediction = row.value("prediction", "");
  const bool expected = row.at("expected");
  Budget budget(std::chrono::seconds(5));
  if (config.find("StringExtractionConfig") != std::string::npos ||
      config.find("allow_set_relation_comp") != std::string::npos) {
    return "unsupported configuration";
  }
  if (kind == "verify") {
    const std::vector<Target> targets = targets_for(config);
    const Extractor extractor(targets);
    const auto gold =
        extractor.extract(row.at("gold").get<std::string>(), budget, Extractor::Mode::kAnyMatch);
    const auto pred = extractor.extract(prediction, budget, Extractor::Mode::kAnyMatch);
    const bool result = verify(gold, pred, option(config, "float_rounding", 6), budget);
    if (result == expected) return "";
    return "verify gave " + std::string(result ? "true" : "false") + " (gold '" +
           (gold.empty() ? "" : answer_text(gold[0])) + "', pred '" +
           (pred.empty() ? "" : answer_text(pred[0])) + "')";
  }
  if (kind == "sympy_expr_eq") {
    const NodePtr gold = testing::parse_srepr(row.at("gold_srepr").get<std::string>());
    const NodePtr pred = testing::parse_srepr(row.at("prediction_srepr").get<std::string>());
    const bool result = expressions_equal(gold, pred, option(config, "float_rounding", 6), budget);
    return result == expected ? "" : "sympy_expr_eq gave " + std::string(result ? "true" : "false");
  }
  if (kind == "normalize") {
    NormalizationConfig normalization;
    normalization.basic_latex = false;
    if (config.find("units=True") != std::string::npos) normalization.units = true;
    if (config.find("boxed='none'") != std::string::npos) normalization.boxed = BoxedMode::kNone;
    const std::string result = normalize_latex(prediction, normalization);
    return result == row.at("gold").get<std::string>() ? "" : "normalized to '" + result + "'";
  }
  if (kind == "latex2sympy_equal") {
    const bool result =
        structurally_equal(*parse_default_latex(prediction), *parse_default_latex(row.at("gold")));
    return result == expected ? "" : "structural equality gave " + std::string(result ? "true" : "false");
  }
  if (kind == "latex2sympy") {
    if (!expected) {
      try {
        parse_default_latex(prediction);
      } catch (const ParseError&) {
        return "";
      }
      return "parsed, but latex2sympy raises";
    }
    NodePtr parsed;
    try {
      parsed = parse_default_latex(prediction);
    } catch (const ParseError& error) {
      return std::string("parse error: ") + error.what();
    }
    const NodePtr wanted = testing::parse_srepr(row.at("gold_srepr").get<std::string>());
    if (structurally_equal(*parsed, *wanted) || expressions_equal(wanted, parsed, 6, budget) ||
        numerically_close(*wanted, *parsed, budget)) {
      return "";
    }
    return "parsed as '" + to_text(*parsed) + "', expected '" + to_text(*wanted) + "'";
  }
  if (kind == "parse") {
    LatexTarget latex;
    if (config.find("boxed_match_priority=-1") != std::string::npos) latex.boxed_match_priority = -1;
    if (config.find("boxed_match_priority=100") != std::string::npos) latex.boxed_match_priority = 100;
    if (config.find("malformed_operators=True") == std::string::npos &&
        config.find("NormalizationConfig(") != std::string::npos) {
      latex.normalization.malformed_operators = false;
    }
    const Extractor extractor({latex});
    const auto answers = extractor.extract(prediction, budget, Extractor::Mode::kFirstMatch, false);
    const json& wanted = row.at("expected_value");
    if (answers.size() != wanted.size()) return "extracted " + std::to_string(answers.size()) + " answers";
    for (size_t i = 0; i < answers.size(); ++i) {
      const NodePtr expected_value = parse_plain_expression(wanted[i].get<std::string>());
      const auto* node = std::get_if<NodePtr>(&answers[i]);
      if (!expected_value || !node || !expressions_equal(expected_value, *node, 6, budget)) {
        return "extracted '" + answer_text(answers[i]) + "'";
      }
    }
    return "";
  }
  return "unknown case kind " + kind;
}

TEST(MathVerifyCases, MathVerifyTestSuites) {
  std::map<std::string, std::string> known;
  for (const json& row : read_jsonl(kFolder + "known_case_failures.jsonl")) {
    known[row.at("key").get<std::string>()] = row.at("reason").get<std::string>();
  }
  const auto cases = read_jsonl(kFolder + "mathverify_cases.jsonl");
  ASSERT_GT(cases.size(), 1000u);
  int passed = 0;
  std::map<std::string, std::string> failures;
  for (const json& row : cases) {
    std::string outcome;
    try {
      outcome = run_case(row);
    } catch (const std::exception& error) {
      outcome = std::string("exception: ") + error.what();
    }
    if (outcome.empty())
      ++passed;
    else
      failures[case_key(row)] = outcome;
  }
  std::cout << "math_verify case suite: " << passed << "/" << cases.size() << " passed\n";
  // To refresh the failure list after a change: write every failure with what happened, then give
  // each a reason in known_case_failures.jsonl.
  if (const char* path = std::getenv("MATH_VERIFY_FAILURES_OUT")) {
    std::ofstream out(path);
    for (const auto& [key, outcome] : failures)
      out << json{{"key", key}, {"outcome", outcome}}.dump(-1, ' ', false, json::error_handler_t::replace)
          << "\n";
  }
  RecordProperty("passed", passed);
  for (const auto& [key, outcome] : failures) {
    EXPECT_TRUE(known.contains(key)) << "new failure: " << key << "\n  " << outcome;
  }
  for (const auto& [key, reason] : known) {
    EXPECT_TRUE(failures.contains(key)) << "listed as failing but passes now (remove it): " << key;
  }
}

// AISBench's evaluator verdicts recorded with the verify cases.
TEST(MathVerifyCases, AisbenchVerdictsOnVerifyCases) {
  const Verifier verifier(Mode::kAisbench);
  int compared = 0;
  std::vector<std::string> mismatches;
  for (const json& row : read_jsonl(kFolder + "mathverify_cases.jsonl")) {
    if (!row.contains("aisbench_correct")) continue;
    ++compared;
    const bool result =
        verifier.grade(row.at("prediction").get<std::string>(), row.at("gold").get<std::string>()).correct;
    if (result != row.at("aisbench_correct").get<bool>()) mismatches.push_back(case_key(row));
  }
  EXPECT_GT(compared, 100);
  std::set<std::string> known;
  for (const json& row : read_jsonl(kFolder + "known_aisbench_case_differences.jsonl")) {
    known.insert(row.at("key").get<std::string>());
  }
  for (const std::string& key : mismatches) {
    EXPECT_TRUE(known.contains(key)) << "AISBench verdict differs: " << key;
  }
  EXPECT_EQ(mismatches.size(), known.size());
  if (const char* path = std::getenv("MATH_VERIFY_AISBENCH_DIFFERENCES_OUT")) {
    std::ofstream out(path);
    for (const std::string& key : mismatches) out << json{{"key", key}}.dump() << "\n";
  }
}

}  // namespace
}  // namespace evalflow::math_verify
