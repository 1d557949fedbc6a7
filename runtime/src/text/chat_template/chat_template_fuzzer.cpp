// libFuzzer: any template source either fails with ChatTemplateError or renders; nothing else may happen
// (no crash, no other exception, no sanitizer report). Seeds: the real chat templates in fuzz_seeds/.
#include <evalflow/text/chat_template.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const nlohmann::ordered_json messages = nlohmann::ordered_json::parse(
      R"([{"role": "system", "content": "S"}, {"role": "user", "content": "Q"},
          {"role": "assistant", "content": "<think>\nR\n</think>\n\nA", "tool_calls": [{"function": {"name": "f", "arguments": {"x": 1}}}]},
          {"role": "tool", "content": "T"}, {"role": "user", "content": "Q2"}])");
  try {
    const evalflow::text::ChatTemplate chat(std::string_view(reinterpret_cast<const char*>(data), size),
                                            {{"bos_token", "<s>"}, {"eos_token", "</s>"}});
    (void)chat.render(messages, /*add_generation_prompt=*/true);
  } catch (const evalflow::text::ChatTemplateError&) {
  }
  return 0;
}
