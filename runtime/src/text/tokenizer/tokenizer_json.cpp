// Reads tokenizer.json with simdjson: the Qwen3 file is 11 MB, and parsing it is most of the load time.
#include <simdjson.h>

#include <string>

#include "tokenizer/byte_level.hpp"
#include "tokenizer/tokenizer_model.hpp"

namespace evalflow::text::detail {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// GPT-2's split regex, which a ByteLevel pre-tokenizer with use_regex=true applies.
constexpr std::string_view kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

class Loader {
 public:
  Loader(std::string_view origin, TokenizerModel& model) : origin_(origin), model_(model) {}

  void load(element root) {
    const object top = as_object(root, "$");
    read_normalizer(member(top, "normalizer"), "normalizer");
    read_pre_tokenizer(member(top, "pre_tokenizer"), "pre_tokenizer");
    if (!saw_byte_level_) {
      fail("pre_tokenizer", "has no ByteLevel step; evalflow implements byte-level BPE tokenizers only");
    }
    read_decoder(member(top, "decoder"), "decoder");
    read_model(required(top, "model", "$"), "model");
    read_added_tokens(required(top, "added_tokens", "$"), "added_tokens");
    index_tokens();
  }

 private:
  [[noreturn]] void fail(std::string_view path, std::string_view message) const {
    throw TokenizerError(origin_ + ": " + std::string(path) + " " + std::string(message));
  }

  static std::optional<element> member(const object& parent, std::string_view key) {
    element value;
    if (parent.at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) return std::nullopt;
    return value;
  }
  element required(const object& parent, std::string_view key, std::string_view path) const {
    auto value = member(parent, key);
    if (!value) fail(path, "has no \"" + std::string(key) + "\"");
    return *value;
  }
  object as_object(element value, std::string_view path) const {
    object result;
    if (value.get(result) != simdjson::SUCCESS) fail(path, "is not an object");
    return result;
  }
  array as_array(element value, std::string_view path) const {
    array result;
    if (value.get(result) != simdjson::SUCCESS) fail(path, "is not an array");
    return result;
  }
  std::string_view as_string(element value, std::string_view path) const {
    std::string_view result;
    if (value.get(result) != simdjson::SUCCESS) fail(path, "is not a string");
    return result;
  }
  bool flag(const object& parent, std::string_view key, std::string_view path) const {
    const auto value = member(parent, key);
    bool result = false;
    if (value && value->get(result) != simdjson::SUCCESS)
      fail(path, "." + std::string(key) + " is not a bool");
    return result;
  }
  std::string_view type_of(const object& step, std::string_view path) const {
    return as_string(required(step, "type", path), std::string(path) + ".type");
  }

  void read_normalizer(std::optional<element> value, const std::string& path) {
    if (!value) return;
    const object step = as_object(*value, path);
    const std::string_view type = type_of(step, path);
    if (type == "Sequence") {
      std::size_t index = 0;
      for (const element child : as_array(required(step, "normalizers", path), path + ".normalizers")) {
        read_normalizer(child, path + ".normalizers[" + std::to_string(index++) + "]");
      }
    } else if (type == "NFC") {
      normal_forms_.push_back(NormalForm::kNfc);
    } else if (type == "NFD") {
      normal_forms_.push_back(NormalForm::kNfd);
    } else if (type == "NFKC") {
      normal_forms_.push_back(NormalForm::kNfkc);
    } else if (type == "NFKD") {
      normal_forms_.push_back(NormalForm::kNfkd);
    } else {
      fail(path, "has type \"" + std::string(type) + "\"; supported: NFC, NFD, NFKC, NFKD, Sequence");
    }
    model_.normalizer = Normalizer(normal_forms_);
  }

  void add_split(std::string_view pattern, bool literal, const std::string& path) {
    try {
      model_.pre_tokenizer.add_step(IsolatingSplit(pattern, literal));
    } catch (const std::invalid_argument& error) {
      fail(path, std::string("pattern cannot be used: ") + error.what());
    }
  }

  void read_pre_tokenizer(std::optional<element> value, const std::string& path) {
    if (!value) return;
    const object step = as_object(*value, path);
    const std::string_view type = type_of(step, path);
    if (type == "Sequence") {
      std::size_t index = 0;
      for (const element child : as_array(required(step, "pretokenizers", path), path + ".pretokenizers")) {
        read_pre_tokenizer(child, path + ".pretokenizers[" + std::to_string(index++) + "]");
      }
    } else if (type == "Split") {
      const std::string_view behavior = as_string(required(step, "behavior", path), path + ".behavior");
      if (behavior != "Isolated")
        fail(path, "has behavior \"" + std::string(behavior) + "\"; supported: Isolated");
      if (flag(step, "invert", path)) fail(path, "has invert=true, which is not supported");
      const object pattern = as_object(required(step, "pattern", path), path + ".pattern");
      if (const auto regex = member(pattern, "Regex")) {
        add_split(as_string(*regex, path + ".pattern.Regex"), false, path);
      } else if (const auto literal = member(pattern, "String")) {
        add_split(as_string(*literal, path + ".pattern.String"), true, path);
      } else {
        fail(path + ".pattern", "has neither \"Regex\" nor \"String\"");
      }
    } else if (type == "ByteLevel") {
      if (flag(step, "add_prefix_space", path))
        fail(path, "has add_prefix_space=true, which is not supported");
      const auto use_regex = member(step, "use_regex");
      bool apply_regex = true;
      if (use_regex && use_regex->get(apply_regex) != simdjson::SUCCESS)
        fail(path, ".use_regex is not a bool");
      if (apply_regex) add_split(kGpt2Pattern, false, path);
      saw_byte_level_ = true;
    } else {
      fail(path, "has type \"" + std::string(type) + "\"; supported: Split, ByteLevel, Sequence");
    }
  }

  void read_decoder(std::optional<element> value, const std::string& path) {
    if (!value) fail(path, "is missing; a ByteLevel decoder is required");
    const std::string_view type = type_of(as_object(*value, path), path);
    if (type != "ByteLevel") fail(path, "has type \"" + std::string(type) + "\"; supported: ByteLevel");
  }

  void read_model(element value, const std::string& path) {
    const object model = as_object(value, path);
    const std::string_view type = type_of(model, path);
    if (type != "BPE") fail(path, "has type \"" + std::string(type) + "\"; supported: BPE");
    if (member(model, "dropout")) fail(path, "has a dropout, which is not supported");
    for (const char* affix : {"continuing_subword_prefix", "end_of_word_suffix"}) {
      if (const auto text = member(model, affix); text && !as_string(*text, path + "." + affix).empty()) {
        fail(path, std::string("has a ") + affix + ", which is not supported");
      }
    }
    Vocabulary vocabulary;
    const object vocab = as_object(required(model, "vocab", path), path + ".vocab");
    vocabulary.reserve(vocab.size(), vocab.size() * 8);
    for (const auto field : vocab) {
      std::int64_t id = 0;
      if (field.value.get(id) != simdjson::SUCCESS || id < 0 || id > INT32_MAX) {
        fail(path + ".vocab[\"" + std::string(field.key) + "\"]", "is not a token id");
      }
      vocabulary.insert(field.key, static_cast<TokenId>(id));
    }
    std::vector<std::pair<std::string_view, std::string_view>> merges;
    const array merge_list = as_array(required(model, "merges", path), path + ".merges");
    merges.reserve(merge_list.size());
    for (const element merge : merge_list) {
      const auto merge_path = [&] { return path + ".merges[" + std::to_string(merges.size()) + "]"; };
      std::string_view line;
      array pair;
      if (merge.get(line) == simdjson::SUCCESS) {
        const std::size_t space = line.find(' ');
        if (space == std::string_view::npos || line.find(' ', space + 1) != std::string_view::npos) {
          fail(merge_path(), "is not two tokens separated by one space");
        }
        merges.emplace_back(line.substr(0, space), line.substr(space + 1));
      } else if (merge.get(pair) == simdjson::SUCCESS && pair.size() == 2) {
        merges.emplace_back(as_string(pair.at(0).value_unsafe(), merge_path()),
                            as_string(pair.at(1).value_unsafe(), merge_path()));
      } else {
        fail(merge_path(), "is neither \"a b\" nor [\"a\", \"b\"]");
      }
    }
    try {
      model_.bpe.emplace(std::move(vocabulary), merges, flag(model, "ignore_merges", path));
    } catch (const std::invalid_argument& error) {
      fail(path, error.what());
    }
  }

  void read_added_tokens(element value, const std::string& path) {
    std::vector<std::pair<std::string, TokenId>> raw;
    std::vector<std::pair<std::string, TokenId>> normalized;
    std::size_t index = 0;
    for (const element entry : as_array(value, path)) {
      const std::string entry_path = path + "[" + std::to_string(index++) + "]";
      const object token = as_object(entry, entry_path);
      for (const char* unsupported : {"lstrip", "rstrip", "single_word"}) {
        if (flag(token, unsupported, entry_path))
          fail(entry_path, std::string("has ") + unsupported + "=true, which is not supported");
      }
      std::int64_t id = 0;
      if (required(token, "id", entry_path).get(id) != simdjson::SUCCESS || id < 0 || id > INT32_MAX) {
        fail(entry_path + ".id", "is not a token id");
      }
      AddedToken added{
          static_cast<TokenId>(id),
          std::string(as_string(required(token, "content", entry_path), entry_path + ".content")),
          flag(token, "special", entry_path), flag(token, "normalized", entry_path)};
      if (added.normalized) {
        std::string storage;
        normalized.emplace_back(std::string(model_.normalizer.apply(added.content, storage)), added.id);
      } else {
        raw.emplace_back(added.content, added.id);
      }
      model_.added_tokens.push_back(std::move(added));
    }
    model_.raw_added_tokens = AddedTokenMatcher(raw);
    model_.normalized_added_tokens = AddedTokenMatcher(normalized);
  }

  void index_tokens() {
    std::size_t size = 0;
    model_.bpe->vocabulary().for_each(
        [&](std::string_view, TokenId id) { size = std::max(size, static_cast<std::size_t>(id) + 1); });
    for (const AddedToken& token : model_.added_tokens)
      size = std::max(size, static_cast<std::size_t>(token.id) + 1);
    model_.token_text.assign(size, {});
    model_.token_bytes.assign(size, {});
    model_.known.assign(size, 0);
    model_.special.assign(size, 0);
    const auto index = [&](TokenId id, std::string_view text) {
      model_.token_text[id] = text;
      model_.token_bytes[id].clear();
      append_byte_level_token_bytes(model_.token_bytes[id], text);
      model_.known[id] = 1;
    };
    model_.bpe->vocabulary().for_each([&](std::string_view text, TokenId id) { index(id, text); });
    // An added token overrides a vocabulary entry with the same id, as in HuggingFace's id_to_token.
    for (const AddedToken& token : model_.added_tokens) {
      index(token.id, token.content);
      model_.special[token.id] = token.special ? 1 : 0;
    }
  }

  std::string origin_;
  TokenizerModel& model_;
  std::vector<NormalForm> normal_forms_;
  bool saw_byte_level_ = false;
};

std::shared_ptr<const TokenizerModel> load(const simdjson::padded_string& json, std::string_view origin) {
  simdjson::dom::parser parser;
  element root;
  if (const auto error = parser.parse(json).get(root)) {
    throw TokenizerError(std::string(origin) + ": not valid JSON: " + simdjson::error_message(error));
  }
  auto model = std::make_shared<TokenizerModel>();
  Loader(origin, *model).load(root);
  return model;
}

}  // namespace

std::shared_ptr<const TokenizerModel> load_tokenizer_file(const std::filesystem::path& path) {
  simdjson::padded_string json;
  if (const auto error = simdjson::padded_string::load(path.string()).get(json)) {
    throw TokenizerError(path.string() + ": cannot read: " + simdjson::error_message(error));
  }
  return load(json, path.string());
}

std::shared_ptr<const TokenizerModel> load_tokenizer_text(std::string_view json_text,
                                                          std::string_view origin) {
  return load(simdjson::padded_string(json_text), origin);
}

}  // namespace evalflow::text::detail
