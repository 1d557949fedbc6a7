#include "tokenizer/bpe_model.hpp"

#include <algorithm>
#include <stdexcept>

#include "tokenizer/byte_level.hpp"

namespace evalflow::text::detail {
namespace {

struct Symbol {
  TokenId id;
  std::int32_t prev;
  std::int32_t next;  // -1 at the end; a merged-away symbol has id -1
};

struct Candidate {
  std::uint32_t rank;
  std::int32_t left;  // position of the left symbol
  TokenId left_id;
  TokenId right_id;
  TokenId merged;
};

// std::push_heap keeps the largest on top; the merge to apply next is the lowest rank, then leftmost.
bool applies_later(const Candidate& a, const Candidate& b) {
  return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
}

}  // namespace

BpeModel::BpeModel(Vocabulary vocabulary,
                   const std::vector<std::pair<std::string_view, std::string_view>>& merges,
                   bool ignore_merges)
    : vocabulary_(std::move(vocabulary)), ignore_merges_(ignore_merges) {
  for (int byte = 0; byte < 256; ++byte) {
    const auto found = vocabulary_.find(byte_level_char(static_cast<unsigned char>(byte)));
    if (!found) {
      throw std::invalid_argument("the vocabulary has no token for byte " + std::to_string(byte) +
                                  ", so it is not a byte-level BPE vocabulary");
    }
    byte_ids_[byte] = *found;
  }
  merges_.reserve(merges.size());
  std::string merged;
  for (std::size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [left, right] = merges[rank];
    const auto left_id = vocabulary_.find(left);
    const auto right_id = vocabulary_.find(right);
    merged.assign(left).append(right);
    const auto merged_id = vocabulary_.find(merged);
    if (!left_id || !right_id || !merged_id) {
      throw std::invalid_argument("merge " + std::to_string(rank) + " (\"" + std::string(left) + "\", \"" +
                                  std::string(right) + "\") uses a token that is not in the vocabulary");
    }
    merges_.insert(*left_id, *right_id, {static_cast<std::uint32_t>(rank), *merged_id});
  }
}

void BpeModel::encode_piece(std::string_view piece, std::vector<TokenId>& out) const {
  if (piece.size() == 1) {
    out.push_back(byte_ids_[static_cast<unsigned char>(piece.front())]);
    return;
  }
  if (cache_.append(piece, out)) return;
  const std::size_t first = out.size();
  if (ignore_merges_) {
    if (const auto whole = vocabulary_.find(to_byte_level(piece))) out.push_back(*whole);
  }
  if (out.size() == first) merge(piece, out);
  cache_.insert(piece, out.data() + first, out.size() - first);
}

void BpeModel::merge(std::string_view piece, std::vector<TokenId>& out) const {
  thread_local std::vector<Symbol> symbols;
  thread_local std::vector<Candidate> queue;
  const auto size = static_cast<std::int32_t>(piece.size());
  symbols.resize(piece.size());
  for (std::int32_t i = 0; i < size; ++i) {
    symbols[i] = {byte_ids_[static_cast<unsigned char>(piece[i])], i - 1, i + 1 < size ? i + 1 : -1};
  }
  queue.clear();
  const auto propose = [&](std::int32_t left) {
    const std::int32_t right = symbols[left].next;
    if (left < 0 || right < 0) return;
    if (const auto merge = merges_.find(symbols[left].id, symbols[right].id)) {
      queue.push_back({merge->rank, left, symbols[left].id, symbols[right].id, merge->merged});
      std::push_heap(queue.begin(), queue.end(), applies_later);
    }
  };
  for (std::int32_t i = 0; i + 1 < size; ++i) propose(i);

  while (!queue.empty()) {
    std::pop_heap(queue.begin(), queue.end(), applies_later);
    const Candidate candidate = queue.back();
    queue.pop_back();
    Symbol& left = symbols[candidate.left];
    // Skip candidates made stale by an earlier merge of either symbol.
    if (left.id != candidate.left_id || left.next < 0 || symbols[left.next].id != candidate.right_id)
      continue;
    Symbol& right = symbols[left.next];
    left.id = candidate.merged;
    left.next = right.next;
    right.id = -1;
    if (left.next >= 0) symbols[left.next].prev = candidate.left;
    if (left.prev >= 0) propose(left.prev);
    propose(candidate.left);
  }
  for (std::int32_t i = 0; i >= 0; i = symbols[i].next) out.push_back(symbols[i].id);
}

}  // namespace evalflow::text::detail
