#include <evalflow/text/tokenizer.hpp>

#include <limits>

#include "tokenizer/tokenizer_model.hpp"
#include "tokenizer/utf8.hpp"

namespace evalflow::text {
namespace {

using detail::AddedTokenMatcher;
using detail::TokenizerModel;

// Calls on_added(id) for each added token found in `text` and on_text(piece) for the text between them.
template <typename OnText, typename OnAdded>
void split_on_added_tokens(std::string_view text, const AddedTokenMatcher& matcher, OnText&& on_text,
                           OnAdded&& on_added) {
  std::size_t pos = 0;
  if (!matcher.empty()) {
    while (const auto match = matcher.find(text, pos)) {
      if (match->begin > pos) on_text(text.substr(pos, match->begin - pos));
      on_added(match->id);
      pos = match->end;
    }
  }
  if (pos < text.size()) on_text(text.substr(pos));
}

void encode_plain_text(const TokenizerModel& model, std::string_view text, std::vector<TokenId>& ids) {
  thread_local std::vector<detail::Piece> pieces;
  model.pre_tokenizer.split(text, pieces);
  for (const detail::Piece piece : pieces) {
    model.bpe->encode_piece(text.substr(piece.begin, piece.end - piece.begin), ids);
  }
}

}  // namespace

Tokenizer::Tokenizer(std::shared_ptr<const detail::TokenizerModel> model) : model_(std::move(model)) {}

Tokenizer Tokenizer::from_file(const std::filesystem::path& path) {
  return Tokenizer(detail::load_tokenizer_file(path));
}

Tokenizer Tokenizer::from_json(std::string_view json_text, std::string_view origin) {
  return Tokenizer(detail::load_tokenizer_text(json_text, origin));
}

std::vector<TokenId> Tokenizer::encode(std::string_view text) const {
  if (text.size() >= std::numeric_limits<std::uint32_t>::max()) {
    throw TokenizerError("text of " + std::to_string(text.size()) +
                         " bytes is too long to encode (limit 4 GiB)");
  }
  if (const std::size_t invalid = detail::find_invalid_utf8(text); invalid != std::string_view::npos) {
    throw TokenizerError("text is not valid UTF-8 at byte " + std::to_string(invalid));
  }
  const TokenizerModel& model = *model_;
  std::vector<TokenId> ids;
  ids.reserve(text.size() / 3 + 1);
  const auto push_added = [&](TokenId id) { ids.push_back(id); };
  std::string normalized_storage;
  // As HuggingFace does: added tokens that skip normalisation are found in the raw text, the pieces between
  // them are normalised, then the added tokens that are matched after normalisation are found in those.
  split_on_added_tokens(
      text, model.raw_added_tokens,
      [&](std::string_view raw_piece) {
        const std::string_view normalized = model.normalizer.apply(raw_piece, normalized_storage);
        split_on_added_tokens(
            normalized, model.normalized_added_tokens,
            [&](std::string_view piece) { encode_plain_text(model, piece, ids); }, push_added);
      },
      push_added);
  return ids;
}

std::string Tokenizer::decode(std::span<const TokenId> ids, bool skip_special_tokens) const {
  const TokenizerModel& model = *model_;
  std::string bytes;
  bytes.reserve(ids.size() * 4);
  for (const TokenId id : ids) {
    if (id < 0 || static_cast<std::size_t>(id) >= model.known.size() || !model.known[id]) continue;
    if (skip_special_tokens && model.special[id]) continue;
    bytes += model.token_bytes[id];
  }
  return detail::utf8_lossy(bytes);
}

std::optional<TokenId> Tokenizer::token_to_id(std::string_view token) const {
  for (const AddedToken& added : model_->added_tokens) {
    if (added.content == token) return added.id;
  }
  return model_->bpe->vocabulary().find(token);
}

std::optional<std::string> Tokenizer::id_to_token(TokenId id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= model_->known.size() || !model_->known[id])
    return std::nullopt;
  return std::string(model_->token_text[id]);
}

bool Tokenizer::is_special(TokenId id) const {
  return id >= 0 && static_cast<std::size_t>(id) < model_->special.size() && model_->special[id];
}

const std::vector<AddedToken>& Tokenizer::added_tokens() const {
  return model_->added_tokens;
}

std::size_t Tokenizer::vocab_size() const {
  return model_->known.size();
}

}  // namespace evalflow::text
