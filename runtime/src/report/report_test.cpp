// The report's pieces on small hand-made runs: figures per lane, the browser's pages, the comparison of
// two runs and the HTML as a whole.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "report/html_report.hpp"
#include "report/lane_summary.hpp"
#include "report/run_comparison.hpp"
#include "report/sample_pages.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace evalflow::report {
namespace {

json row(int64_t id, int64_t replica, bool correct, const std::string& answer = "",
         const std::string& prediction = "The answer is 4.") {
  return {{"data_abbr", "d"},         {"id", id},    {"replica", replica}, {"success", true},
          {"prediction", prediction}, {"gold", "4"}, {"correct", correct}, {"extracted", answer}};
}

std::string gunzip(const std::string& data) {
  z_stream stream{};
  inflateInit2(&stream, 15 + 16);
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

std::string unbase64(const std::string& text) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    buffer = buffer << 6 | static_cast<uint32_t>(alphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>(buffer >> bits & 0xFF);
    }
  }
  return out;
}

TEST(LaneSummaryTest, OneSamplePerQuestion) {
  LaneSummary lane("m", "d");
  lane.add(row(0, 0, true), false);
  lane.add(row(1, 0, false), false);
  lane.add(row(2, 0, true), false);
  lane.add(row(3, 0, true), false);
  lane.add({{"id", 4}, {"replica", 0}, {"success", false}, {"error_info", "http: 500"}}, true);
  EXPECT_EQ(lane.rows(), 5);
  EXPECT_EQ(lane.count(SampleState::kRight), 3);
  EXPECT_EQ(lane.count(SampleState::kWrong), 1);
  EXPECT_EQ(lane.count(SampleState::kFailed), 1);
  const auto figures = lane.figures();
  ASSERT_EQ(figures.size(), 1u);  // no avg@n, pass@k or cons@n with one sample each
  EXPECT_DOUBLE_EQ(figures[0].estimate.mean, 0.75);
  EXPECT_NEAR(figures[0].estimate.standard_error, 0.25, 1e-12);  // sd 0.5 / sqrt(4)
  EXPECT_FALSE(lane.length_truncated_rate().has_value());
}

TEST(LaneSummaryTest, SeveralSamplesGiveAvgPassAndConsWithTheVote) {
  LaneSummary lane("m", "d");
  // Question 0: answers 4 (right), 5, 5, 4 (right): a tie between 4 and 5 goes to replica 0's 4: right.
  lane.add(row(0, 0, true, "4"), false);
  lane.add(row(0, 1, false, "5"), false);
  lane.add(row(0, 2, false, "5"), false);
  lane.add(row(0, 3, true, "4"), false);
  // Question 1: 7, 7, 7 wrong and 3 right: the vote is wrong.
  lane.add(row(1, 3, true, "3"), false);
  lane.add(row(1, 0, false, "7"), false);
  lane.add(row(1, 1, false, "7"), false);
  lane.add(row(1, 2, false, "7"), false);
  const auto figures = lane.figures();
  std::map<std::string, double> by_name;
  for (const auto& figure : figures) by_name[figure.name] = figure.estimate.mean;
  EXPECT_DOUBLE_EQ(by_name["accuracy"], 3.0 / 8);
  EXPECT_DOUBLE_EQ(by_name["avg@4"], (0.5 + 0.25) / 2);
  EXPECT_DOUBLE_EQ(by_name["pass@1"], (0.5 + 0.25) / 2);
  // pass@2: 1 - C(2,2)/C(4,2) = 5/6 and 1 - C(3,2)/C(4,2) = 1/2.
  EXPECT_NEAR(by_name["pass@2"], (5.0 / 6 + 0.5) / 2, 1e-12);
  EXPECT_DOUBLE_EQ(by_name["pass@4"], 1.0);
  EXPECT_DOUBLE_EQ(by_name["cons@4"], 0.5);
  EXPECT_EQ(lane.question_pass_rates().at(1), 0.25);
}

TEST(LaneSummaryTest, LengthsTruncationAndUnclosedThinking) {
  LaneSummary lane("m", "d");
  json cut = row(0, 0, false, "", "<think>still going");
  cut["finish_reason"] = "length";
  cut["completion_tokens"] = 100;
  json done = row(1, 0, true, "", "<think>ok</think> 4");
  done["finish_reason"] = "stop";
  done["completion_tokens"] = 20;
  done["timing"] = {{"ok", true}, {"ttft_ms", 10.0}, {"e2e_ms", 48.0}, {"itl_ms", {2.0, 2.0}}};
  lane.add(cut, false);
  lane.add(done, false);
  EXPECT_TRUE(lane.lengths_in_tokens());
  EXPECT_EQ(lane.lengths(2), std::vector<double>{100});
  EXPECT_EQ(lane.lengths(0), std::vector<double>{20});
  EXPECT_DOUBLE_EQ(*lane.length_truncated_rate(), 0.5);
  EXPECT_DOUBLE_EQ(*lane.unclosed_think_rate(), 0.5);
  EXPECT_EQ(lane.latencies().at("TPOT"), std::vector<double>{2.0});  // (48 - 10) / 19
  EXPECT_EQ(lane.latencies().at("ITL").size(), 2u);
}

TEST(SamplePagesTest, PagesAreGzipJsonAndLongTextsKeepTheirEnds) {
  PageOptions options;
  options.samples_per_page = 2;
  options.text_budget_chars = 30;
  options.min_text_chars = 40;
  SamplePages pages(options, 3);
  json long_row = row(0, 0, true, "4", std::string(50, 'a') + std::string(50, 'z') + " \\boxed{4}");
  long_row["level"] = "Level 3";
  pages.add(0, long_row, false, "predictions/m/d.jsonl:1");
  json other = row(1, 0, false, "5");
  other["level"] = "Level 1";
  pages.add(0, other, false, "predictions/m/d.jsonl:2");
  pages.add(0, row(2, 0, true, "4"), false, "predictions/m/d.jsonl:3");
  pages.finish();
  ASSERT_EQ(pages.pages().size(), 2u);
  EXPECT_EQ(pages.text_limit(), 40);
  EXPECT_EQ(pages.shortened_texts(), 1);
  const json first = json::parse(gunzip(unbase64(pages.pages()[0])));
  ASSERT_EQ(first.size(), 2u);
  const std::string shortened = first[0]["prediction"];
  EXPECT_TRUE(shortened.starts_with("aaaaaaaaaa"));
  EXPECT_TRUE(shortened.ends_with("\\boxed{4}"));
  EXPECT_NE(shortened.find("predictions/m/d.jsonl:1"), std::string::npos);
  const json index = pages.index();
  EXPECT_EQ(index["columns"], json::array({"level"}));
  EXPECT_EQ(index["rows"].size(), 3u);
  EXPECT_EQ(index["rows"][1][3], 1);  // wrong
  EXPECT_EQ(index["rows"][1][8], json::array({"Level 1"}));
  EXPECT_EQ(index["rows"][2][8], json::array({""}));
}

TEST(SamplePagesTest, Base64OfKnownStrings) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
}

TEST(ComparisonTest, SingleSamplesUseMcNemarAndListTheFlips) {
  LaneSummary a("m1", "d");
  LaneSummary b("m2", "d");
  const bool verdicts_a[] = {true, true, false, false, true, false};
  const bool verdicts_b[] = {true, false, true, true, true, true};
  for (int i = 0; i < 6; ++i) {
    a.add(row(i, 0, verdicts_a[i]), false);
    b.add(row(i, 0, verdicts_b[i]), false);
  }
  b.add(row(6, 0, true), false);  // only in B: left out
  const LaneComparison c = compare_lanes(a, b);
  EXPECT_EQ(c.paired_questions, 6);
  EXPECT_EQ(c.only_in_b, 1);
  EXPECT_EQ(c.right_only_in_a, 1);
  EXPECT_EQ(c.right_only_in_b, 3);
  ASSERT_TRUE(c.mcnemar_p.has_value());
  EXPECT_NEAR(*c.mcnemar_p, 0.625, 1e-12);  // 2 * (1 + 4) / 16
  EXPECT_NEAR(c.paired.difference, 2.0 / 6, 1e-12);
  EXPECT_EQ(c.flipped.size(), 4u);
  const std::string text = comparison_text("A", "B", {c});
  EXPECT_NE(text.find("McNemar 1/3"), std::string::npos);
  EXPECT_NE(text.find("d: right only in B (id): 2, 3, 5"), std::string::npos);
  EXPECT_NE(text.find("d: right only in A (id): 1"), std::string::npos);
}

TEST(ComparisonTest, SeveralSamplesUseTheSignFlipTestOnPerQuestionShares) {
  LaneSummary a("m", "d");
  LaneSummary b("m", "d");
  // Per-question shares A: 1, 0.5, 0, 0.5; B: 1, 1, 0.5, 0. Differences 0, 0.5, 0.5, -0.5.
  const bool verdicts_a[4][2] = {{true, true}, {true, false}, {false, false}, {false, true}};
  const bool verdicts_b[4][2] = {{true, true}, {true, true}, {true, false}, {false, false}};
  for (int q = 0; q < 4; ++q) {
    for (int s = 0; s < 2; ++s) {
      a.add(row(q, s, verdicts_a[q][s]), false);
      b.add(row(q, s, verdicts_b[q][s]), false);
    }
  }
  const LaneComparison c = compare_lanes(a, b);
  EXPECT_FALSE(c.mcnemar_p.has_value());
  EXPECT_EQ(c.test_name(), "sign-flip permutation");
  EXPECT_NEAR(c.paired.difference, 0.125, 1e-12);
  // Sign assignments of (0.5, 0.5, -0.5) with |sum| >= 0.5: all 8.
  EXPECT_DOUBLE_EQ(c.p_value(), 1.0);
  // Only question 1 becomes right in more than half of its samples (0.5 -> 1); questions 2 (0 -> 0.5) and 3
  // (0.5 -> 0) are right in more than half in neither run.
  ASSERT_EQ(c.flipped.size(), 1u);
  EXPECT_EQ(c.flipped[0].id, 1);
}

TEST(ComparisonTest, LanesPairByDatasetAndModel) {
  std::vector<LaneSummary> a = {LaneSummary("m1", "aime"), LaneSummary("m1", "math")};
  std::vector<LaneSummary> b = {LaneSummary("m2", "aime"), LaneSummary("m2", "gpqa")};
  const auto pairs = pair_lanes(a, b);
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_EQ(pairs[0].first->dataset(), "aime");
  EXPECT_EQ(pairs[0].second->model(), "m2");
}

void write_lines(const fs::path& file, const std::vector<json>& rows) {
  fs::create_directories(file.parent_path());
  std::ofstream out(file);
  for (const auto& r : rows) out << r.dump() << "\n";
}

TEST(HtmlReportTest, OneFileWithCountsChartsAndPages) {
  const fs::path run = fs::temp_directory_path() / "evalflow_report_test" / "20261203_000000";
  fs::remove_all(run.parent_path());
  std::vector<json> rows;
  for (int i = 0; i < 10; ++i) rows.push_back(row(i, 0, i % 3 == 0, "</script><b>" + std::to_string(i)));
  write_lines(run / "predictions" / "m" / "d.jsonl", rows);
  write_lines(run / "predictions" / "m" / "d_failed.jsonl",
              {{{"id", 10}, {"replica", 0}, {"success", false}}});
  fs::create_directories(run / "results" / "m");
  std::ofstream(run / "results" / "m" / "d.json") << R"({"accuracy": 40.0, "num_samples": 11})";
  const auto written = write_html_report({run}, run / "report.html");
  ASSERT_TRUE(written) << written.error();
  EXPECT_EQ(written->samples, 11);
  std::ifstream in(run / "report.html");
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(static_cast<int64_t>(html.size()), written->bytes);
  EXPECT_NE(html.find(R"(data-rows="11" data-right="4" data-wrong="6" data-failed="1")"), std::string::npos);
  EXPECT_NE(html.find("<svg class=\"chart\""), std::string::npos);
  EXPECT_NE(html.find("id=\"ef-page-0\""), std::string::npos);
  // A model's answer is data: it cannot close the script element it is stored in.
  EXPECT_EQ(html.find("</script><b>"), std::string::npos);
  EXPECT_NE(html.find("<\\/script><b>"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_FALSE(write_html_report({run / "nope"}, run / "x.html"));
  fs::remove_all(run.parent_path());
}

}  // namespace
}  // namespace evalflow::report
