#include "evalflow/math_text/python_re.hpp"

namespace evalflow::math_text::py {
namespace {

struct Match {
  size_t start;        // where OPEN starts
  size_t inner_start;  // where the group starts
  size_t inner_end;    // where CLOSE starts
  size_t end;          // just after CLOSE
};

// Calls on_match for each match, left to right.
template <class OnMatch>
void for_each_lazy_match(std::string_view text, std::string_view open, std::string_view close,
                         OnMatch&& on_match) {
  size_t search_from = 0;
  for (size_t start = text.find(open); start != std::string_view::npos;
       start = text.find(open, search_from)) {
    const size_t inner_start = start + open.size();
    const size_t inner_end = text.find(close, inner_start);
    // Without a CLOSE after this OPEN there is none after any later OPEN either.
    if (inner_end == std::string_view::npos) return;
    // '.' cannot cross a newline: this OPEN fails, and so does every OPEN before the newline (their
    // first CLOSE is the same one), so scanning resumes after it. Searching only up to CLOSE keeps the
    // whole scan linear.
    const size_t newline = text.substr(inner_start, inner_end - inner_start).find('\n');
    if (newline != std::string_view::npos) {
      search_from = inner_start + newline + 1;
      continue;
    }
    const Match match{start, inner_start, inner_end, inner_end + close.size()};
    on_match(match);
    search_from = match.end;
  }
}

}  // namespace

std::string sub_lazy(std::string_view text, std::string_view open, std::string_view close, Keep keep) {
  std::string result;
  size_t copied = 0;
  for_each_lazy_match(text, open, close, [&](const Match& match) {
    result.append(text.substr(copied, match.start - copied));
    if (keep == Keep::inner)
      result.append(text.substr(match.inner_start, match.inner_end - match.inner_start));
    copied = match.end;
  });
  if (copied == 0) return std::string(text);
  result.append(text.substr(copied));
  return result;
}

std::optional<std::string_view> findall_last_lazy(std::string_view text, std::string_view open,
                                                  std::string_view close) {
  std::optional<std::string_view> last;
  for_each_lazy_match(text, open, close, [&](const Match& match) {
    last = text.substr(match.inner_start, match.inner_end - match.inner_start);
  });
  return last;
}

}  // namespace evalflow::math_text::py
