// libFuzzer: DeepSeek-V3's tokenizer (no normaliser, so encoding is lossless) must give back every valid
// UTF-8 input from decode(encode(input)), and refuse invalid UTF-8 with TokenizerError.
#include <evalflow/text/tokenizer.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const evalflow::text::Tokenizer tokenizer = evalflow::text::Tokenizer::from_file(
      std::string(EVALFLOW_SOURCE_DIR) + "/tests/data/tokenizers/deepseek_v3/tokenizer.json");
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<evalflow::text::TokenId> ids;
  try {
    ids = tokenizer.encode(text);
  } catch (const evalflow::text::TokenizerError&) {
    return 0;  // invalid UTF-8
  }
  if (tokenizer.decode(ids) != text) std::abort();
  return 0;
}
