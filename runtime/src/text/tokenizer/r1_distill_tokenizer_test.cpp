// The R1-Distill-Qwen tokenizer that tools/text/derive_r1_distill_tokenizer.py derives from Qwen3's (ctest
// runs the tool first, as the fixture r1_distill_tokenizer), used with the R1-Distill chat template.
#include <evalflow/text/chat_template.hpp>
#include <evalflow/text/tokenizer.hpp>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_data.hpp"

namespace evalflow::text {
namespace {

const std::string& kData = testing::kTokenizerData;

TEST(R1DistillTokenizer, EncodesTheRenderedPromptWithDeepSeekChatTokensAndQwenBpe) {
  const Tokenizer r1 = Tokenizer::from_file(EVALFLOW_R1_DISTILL_TOKENIZER);
  const Tokenizer qwen3 = Tokenizer::from_file(kData + "qwen3/tokenizer.json");
  const ChatTemplate chat = ChatTemplate::from_tokenizer_config(
      kData + "deepseek_r1_distill_qwen/tokenizer_config.reconstructed.json");
  const std::string question = "Find the sum of all integer bases $b>9$ for which $17_b$ divides $97_b$.";
  const nlohmann::ordered_json message = {{"role", "user"}, {"content", question}};
  const std::string prompt =
      chat.render(nlohmann::ordered_json::array({message}), /*add_generation_prompt=*/true);

  const std::vector<TokenId> question_ids = qwen3.encode(question);
  std::vector<TokenId> expected{151646, 151644};  // <｜begin▁of▁sentence｜> <｜User｜>
  expected.insert(expected.end(), question_ids.begin(), question_ids.end());
  expected.insert(expected.end(), {151645, 151648, 198});  // <｜Assistant｜> <think> "\n"
  EXPECT_EQ(r1.encode(prompt), expected);

  EXPECT_EQ(r1.vocab_size(), 151665u);
  EXPECT_EQ(r1.token_to_id("</think>"), 151649);
  EXPECT_EQ(r1.decode(expected, /*skip_special_tokens=*/true),
            "<｜User｜>" + question + "<｜Assistant｜><think>\n");
}

}  // namespace
}  // namespace evalflow::text
