#include <evalflow/text/tokenizer.hpp>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "test_data.hpp"
#include "tokenizer/byte_level.hpp"
#include "tokenizer/pre_tokenizer.hpp"
#include "tokenizer/utf8.hpp"

namespace evalflow::text {
namespace {

using json = nlohmann::json;

const std::string& kData = testing::kTokenizerData;

std::vector<json> read_jsonl(const std::string& path) {
  return testing::read_jsonl<json>(path);
}

const Tokenizer& qwen3() {
  static const Tokenizer tokenizer = Tokenizer::from_file(kData + "qwen3/tokenizer.json");
  return tokenizer;
}

const Tokenizer& deepseek_v3() {
  static const Tokenizer tokenizer = Tokenizer::from_file(kData + "deepseek_v3/tokenizer.json");
  return tokenizer;
}

// Every reference row: ids from HuggingFace tokenizers 0.23.2, and decode(ids) of those ids.
void expect_matches_reference(const Tokenizer& tokenizer, const std::string& reference_file) {
  const std::vector<json> rows = read_jsonl(kData + "reference/" + reference_file);
  ASSERT_GT(rows.size(), 1000u);
  std::size_t mismatched = 0;
  for (const json& row : rows) {
    const auto expected = row.at("ids").get<std::vector<TokenId>>();
    const std::vector<TokenId> ids = tokenizer.encode(row.at("text").get<std::string>());
    if (ids != expected) {
      ++mismatched;
      ADD_FAILURE() << reference_file << " row " << row.at("id") << ": ids differ from HuggingFace's";
    }
    EXPECT_EQ(tokenizer.decode(expected), row.at("decoded").get<std::string>())
        << reference_file << " row " << row.at("id") << ": decoded text differs";
  }
  EXPECT_EQ(mismatched, 0u) << "of " << rows.size() << " rows";
}

TEST(TokenizerReference, Qwen3IdsAndDecodingMatchHuggingFaceOnEveryRow) {
  expect_matches_reference(qwen3(), "tok_qwen3.jsonl");
}

TEST(TokenizerReference, DeepSeekV3IdsAndDecodingMatchHuggingFaceOnEveryRow) {
  expect_matches_reference(deepseek_v3(), "tok_deepseek_v3.jsonl");
}

// vLLM's prompt ids for Qwen3-32B on AIME 2024, and the response text of the ids it generated.
TEST(TokenizerReference, Qwen3MatchesTheIdsVllmUsedForAime2024) {
  const std::vector<json> rows = read_jsonl(kData + "reference/qwen3_lighteval_aime2024_ids.jsonl");
  ASSERT_EQ(rows.size(), 10u);
  for (const json& row : rows) {
    EXPECT_EQ(qwen3().encode(row.at("prompt_chat_text").get<std::string>()),
              row.at("input_token_ids").get<std::vector<TokenId>>())
        << row.at("id");
    EXPECT_EQ(
        qwen3().decode(row.at("output_token_ids").get<std::vector<TokenId>>(), /*skip_special_tokens=*/true),
        row.at("response").get<std::string>())
        << row.at("id");
  }
}

// Inferencer threads share one Tokenizer and its word cache; a fresh copy starts with an empty cache.
TEST(Tokenizer, EncodesIdenticallyFromManyThreadsSharingOneCache) {
  std::vector<std::string> texts;
  for (const json& row : read_jsonl(kData + "reference/tok_deepseek_v3.jsonl"))
    texts.push_back(row.at("text"));
  const Tokenizer shared = Tokenizer::from_file(kData + "deepseek_v3/tokenizer.json");
  std::vector<std::vector<std::vector<TokenId>>> results(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&, t] {
      // Each thread walks the texts from a different start so that they race on the same cache shards.
      for (std::size_t i = 0; i < texts.size(); ++i)
        results[t].push_back(shared.encode(texts[(i + t * 97) % texts.size()]));
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (std::size_t t = 0; t < results.size(); ++t) {
    for (std::size_t i = 0; i < texts.size(); ++i) {
      ASSERT_EQ(results[t][i], deepseek_v3().encode(texts[(i + t * 97) % texts.size()]))
          << "thread " << t << " text " << i;
    }
  }
}

TEST(Tokenizer, MatchesAddedTokensBeforeBpeAndKeepsThemWhole) {
  const std::vector<TokenId> ids = qwen3().encode("<|im_start|>user<think></think>");
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(ids[0], 151644);
  EXPECT_EQ(ids[2], 151667);
  EXPECT_EQ(ids[3], 151668);
  EXPECT_EQ(qwen3().decode(ids), "<|im_start|>user<think></think>");
}

TEST(Tokenizer, SkipsSpecialTokensOnlyWhenAsked) {
  const std::vector<TokenId> ids = qwen3().encode("<|im_start|>hi<|im_end|><think>");
  EXPECT_EQ(qwen3().decode(ids, /*skip_special_tokens=*/true), "hi<think>");
  EXPECT_TRUE(qwen3().is_special(151645));
  EXPECT_FALSE(qwen3().is_special(151667));  // <think> is an added token but not a special one
}

TEST(Tokenizer, DecodesSplitMultiByteCharactersToReplacementCharacters) {
  const std::vector<TokenId> ids = qwen3().encode("日");
  ASSERT_EQ(ids.size(), 1u);
  // "日" is E6 97 A5; the lone byte tokens decode to one U+FFFD per maximal invalid subsequence.
  const TokenId e6 = *qwen3().token_to_id("æ");
  const TokenId x97 = *qwen3().token_to_id("Ĺ");
  EXPECT_EQ(qwen3().decode(std::vector<TokenId>{e6, x97}), "\xEF\xBF\xBD");
  EXPECT_EQ(qwen3().decode(std::vector<TokenId>{x97, e6}), "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Tokenizer, SkipsUnknownIdsWhenDecoding) {
  const std::vector<TokenId> ids = qwen3().encode("a");
  EXPECT_EQ(qwen3().decode(std::vector<TokenId>{-1, ids[0], 999'999'999}), "a");
}

TEST(Tokenizer, RefusesInvalidUtf8NamingTheByte) {
  try {
    (void)qwen3().encode("ok\xFFno");
    FAIL() << "expected TokenizerError";
  } catch (const TokenizerError& error) {
    EXPECT_NE(std::string(error.what()).find("byte 2"), std::string::npos) << error.what();
  }
}

TEST(Tokenizer, ReportsVocabularyAndAddedTokens) {
  EXPECT_EQ(qwen3().vocab_size(), 151669u);
  EXPECT_EQ(deepseek_v3().vocab_size(), 128815u);
  EXPECT_EQ(qwen3().added_tokens().size(), 26u);
  EXPECT_EQ(qwen3().id_to_token(151645), "<|im_end|>");
  EXPECT_EQ(qwen3().token_to_id("<|im_end|>"), 151645);
  EXPECT_EQ(qwen3().id_to_token(qwen3().encode(" the")[0]), "Ġthe");
}

// A tokenizer.json small enough to reason about by hand.
std::string tiny_tokenizer_json(const std::string& merges, const std::string& pre_tokenizer_extra = "") {
  std::string vocab;
  for (int byte = 0; byte < 256; ++byte) {
    vocab += json(detail::byte_level_char(static_cast<unsigned char>(byte))).dump() + ": " +
             std::to_string(byte) + ", ";
  }
  vocab += R"("ab": 256, "abc": 257, "bc": 258, "Ġa": 259)";
  return R"({"added_tokens": [{"id": 300, "content": "<x>", "special": true}, {"id": 301, "content": "<xy>"}],
    "normalizer": null,
    "pre_tokenizer": {"type": "Sequence", "pretokenizers": [)" +
         pre_tokenizer_extra + R"({"type": "ByteLevel", "add_prefix_space": false, "use_regex": true}]},
    "decoder": {"type": "ByteLevel"},
    "model": {"type": "BPE", "vocab": {)" +
         vocab + R"(}, "merges": )" + merges + "}}";
}

TEST(Tokenizer, AppliesMergesInRankOrderInBothStoredForms) {
  // With "b c" ranked before "a b", "abc" becomes a + bc, and "abc" is never reached.
  const auto strings = Tokenizer::from_json(tiny_tokenizer_json(R"(["b c", "a b", "ab c"])"), "strings");
  const auto pairs =
      Tokenizer::from_json(tiny_tokenizer_json(R"([["b", "c"], ["a", "b"], ["ab", "c"]])"), "pairs");
  EXPECT_EQ(strings.encode("abc"), (std::vector<TokenId>{'a', 258}));
  EXPECT_EQ(pairs.encode("abc"), (std::vector<TokenId>{'a', 258}));
  const auto ab_first = Tokenizer::from_json(tiny_tokenizer_json(R"(["a b", "ab c", "b c"])"), "ab first");
  EXPECT_EQ(ab_first.encode("abc"), (std::vector<TokenId>{257}));
  EXPECT_EQ(ab_first.encode("abcabc"), (std::vector<TokenId>{257, 257}));
}

TEST(Tokenizer, MatchesTheLongestAddedTokenAtTheLeftmostPosition) {
  const auto tokenizer = Tokenizer::from_json(tiny_tokenizer_json("[]"), "tiny");
  EXPECT_EQ(tokenizer.encode("<xy><x>"), (std::vector<TokenId>{301, 300}));
  EXPECT_EQ(tokenizer.encode("<xz"), (std::vector<TokenId>{'<', 'x', 'z'}));
}

TEST(Tokenizer, RefusesUnsupportedTokenizerFilesNamingTheField) {
  const auto message_for = [](const std::string& text) {
    try {
      (void)Tokenizer::from_json(text, "broken.json");
    } catch (const TokenizerError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message_for("{").rfind("broken.json: not valid JSON: ", 0), 0u) << message_for("{");
  const std::string wordpiece = message_for(
      R"({"added_tokens": [], "pre_tokenizer": {"type": "ByteLevel"}, "decoder": {"type": "ByteLevel"},
          "model": {"type": "WordPiece", "vocab": {}}})");
  EXPECT_EQ(wordpiece, "broken.json: model has type \"WordPiece\"; supported: BPE");
  const std::string metaspace =
      message_for(R"({"added_tokens": [], "pre_tokenizer": {"type": "Metaspace"}})");
  EXPECT_EQ(metaspace,
            "broken.json: pre_tokenizer has type \"Metaspace\"; supported: Split, ByteLevel, Sequence");
  const std::string merged = message_for(tiny_tokenizer_json(
      "[]", R"({"type": "Split", "pattern": {"Regex": "a"}, "behavior": "MergedWithPrevious"}, )"));
  EXPECT_EQ(
      merged,
      "broken.json: pre_tokenizer.pretokenizers[0] has behavior \"MergedWithPrevious\"; supported: Isolated");
  EXPECT_EQ(message_for(tiny_tokenizer_json(R"(["a zz"])")),
            "broken.json: model merge 0 (\"a\", \"zz\") uses a token that is not in the vocabulary");
}

TEST(PreTokenizerRegex, SpellsOutOnigurumasWhitespaceSet) {
  // PCRE2's \s includes U+180E; Oniguruma's (Unicode 14) does not, and it includes U+0085.
  detail::PreTokenizer pre_tokenizer;
  pre_tokenizer.add_step(detail::IsolatingSplit(R"(\s+)", false));
  std::vector<detail::Piece> pieces;
  const std::string text = "a\u180Eb\u0085\u3000c";
  pre_tokenizer.split(text, pieces);
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(text.substr(pieces[0].begin, pieces[0].end - pieces[0].begin), "a\u180Eb");
  EXPECT_EQ(text.substr(pieces[1].begin, pieces[1].end - pieces[1].begin), "\u0085\u3000");
}

TEST(PreTokenizerRegex, RefusesEscapesThatDifferBetweenEngines) {
  EXPECT_THROW((void)detail::oniguruma_to_pcre2(R"(\w+)"), std::invalid_argument);
  EXPECT_THROW((void)detail::oniguruma_to_pcre2(R"([^\S])"), std::invalid_argument);
  EXPECT_EQ(detail::oniguruma_to_pcre2(R"([\]\s]x)").find("[\\]\\t"), 0u);
}

TEST(Utf8, ReplacesEachMaximalInvalidSubsequence) {
  EXPECT_EQ(detail::utf8_lossy("a\xE6\x97z"), "a\xEF\xBF\xBDz");  // truncated 3-byte sequence
  const std::string replacement = "\xEF\xBF\xBD";
  EXPECT_EQ(detail::utf8_lossy("\xED\xA0\x80"), replacement + replacement + replacement);  // a surrogate
  EXPECT_EQ(detail::utf8_lossy("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(detail::find_invalid_utf8("ok\xC0\x80"), 2u);
}

}  // namespace
}  // namespace evalflow::text
