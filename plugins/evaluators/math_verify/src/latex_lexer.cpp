#include "latex_lexer.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

namespace evalflow::math_verify {
namespace {

struct Command {
  std::string_view name;  // without the backslash
  Tok kind;
  std::string_view text;
};

// Every backslash command the grammar knows. Matching takes the longest name that prefixes the
// run of letters, as ANTLR's lexer does (\cotx is \cot then x).
constexpr std::array kCommands = {
    Command{"thinspace", Tok::kEnd, "skip"},
    Command{"medspace", Tok::kEnd, "skip"},
    Command{"thickspace", Tok::kEnd, "skip"},
    Command{"quad", Tok::kEnd, "skip"},
    Command{"qquad", Tok::kEnd, "skip"},
    Command{"negthinspace", Tok::kEnd, "skip"},
    Command{"negmedspace", Tok::kEnd, "skip"},
    Command{"negthickspace", Tok::kEnd, "skip"},
    Command{"vrule", Tok::kEnd, "skip"},
    Command{"vcenter", Tok::kEnd, "skip"},
    Command{"vbox", Tok::kEnd, "skip"},
    Command{"vskip", Tok::kEnd, "skip"},
    Command{"vspace", Tok::kEnd, "skip"},
    Command{"hfil", Tok::kEnd, "skip"},
    Command{"over", Tok::kDiv, ""},
    Command{"lgroup", Tok::kLGroup, ""},
    Command{"rgroup", Tok::kRGroup, ""},
    Command{"lbrace", Tok::kLBraceCmd, ""},
    Command{"rbrace", Tok::kRBraceCmd, ""},
    Command{"lbrack", Tok::kLBrack, ""},
    Command{"rbrack", Tok::kRBrack, ""},
    Command{"phantom", Tok::kPhantom, ""},
    Command{"boxed", Tok::kBoxed, ""},
    Command{"lvert", Tok::kLVert, ""},
    Command{"rvert", Tok::kRVert, ""},
    Command{"vert", Tok::kVert, ""},
    Command{"langle", Tok::kLAngle, ""},
    Command{"rangle", Tok::kRAngle, ""},
    Command{"lfloor", Tok::kLFloor, ""},
    Command{"rfloor", Tok::kRFloor, ""},
    Command{"llcorner", Tok::kLFloor, ""},
    Command{"lrcorner", Tok::kRFloor, ""},
    Command{"lceil", Tok::kLCeil, ""},
    Command{"rceil", Tok::kRCeil, ""},
    Command{"ulcorner", Tok::kLCeil, ""},
    Command{"urcorner", Tok::kRCeil, ""},
    Command{"lim", Tok::kFuncUnsupported, ""},
    Command{"to", Tok::kFuncUnsupported, ""},
    Command{"rightarrow", Tok::kFuncUnsupported, ""},
    Command{"Rightarrow", Tok::kFuncUnsupported, ""},
    Command{"longrightarrow", Tok::kFuncUnsupported, ""},
    Command{"Longrightarrow", Tok::kFuncUnsupported, ""},
    Command{"int", Tok::kFuncUnsupported, ""},
    Command{"sum", Tok::kFuncUnsupported, ""},
    Command{"prod", Tok::kFuncUnsupported, ""},
    Command{"det", Tok::kFuncUnsupported, ""},
    Command{"xrightarrow", Tok::kFuncUnsupported, ""},
    Command{"xRightarrow", Tok::kFuncUnsupported, ""},
    Command{"leftrightarrow", Tok::kFuncUnsupported, ""},
    Command{"Leftrightarrow", Tok::kFuncUnsupported, ""},
    Command{"log", Tok::kFuncSingle, "log"},
    Command{"ln", Tok::kFuncSingle, "ln"},
    Command{"exp", Tok::kFuncSingle, "exp"},
    Command{"sin", Tok::kFuncSingle, "sin"},
    Command{"cos", Tok::kFuncSingle, "cos"},
    Command{"tan", Tok::kFuncSingle, "tan"},
    Command{"csc", Tok::kFuncSingle, "csc"},
    Command{"sec", Tok::kFuncSingle, "sec"},
    Command{"cot", Tok::kFuncSingle, "cot"},
    Command{"Gamma", Tok::kFuncSingle, "gamma"},
    Command{"gamma", Tok::kFuncSingle, "gamma"},
    Command{"arcsin", Tok::kFuncSingle, "asin"},
    Command{"arccos", Tok::kFuncSingle, "acos"},
    Command{"arctan", Tok::kFuncSingle, "atan"},
    Command{"arccsc", Tok::kFuncSingle, "acsc"},
    Command{"arcsec", Tok::kFuncSingle, "asec"},
    Command{"arccot", Tok::kFuncSingle, "acot"},
    Command{"sinh", Tok::kFuncSingle, "sinh"},
    Command{"cosh", Tok::kFuncSingle, "cosh"},
    Command{"tanh", Tok::kFuncSingle, "tanh"},
    Command{"arsinh", Tok::kFuncSingle, "asinh"},
    Command{"arcosh", Tok::kFuncSingle, "acosh"},
    Command{"artanh", Tok::kFuncSingle, "atanh"},
    Command{"arcsinh", Tok::kFuncSingle, "asinh"},
    Command{"arccosh", Tok::kFuncSingle, "acosh"},
    Command{"arctanh", Tok::kFuncSingle, "atanh"},
    Command{"floor", Tok::kFuncSingle, "floor"},
    Command{"ceil", Tok::kFuncSingle, "ceiling"},
    Command{"sqrt", Tok::kFuncSqrt, ""},
    Command{"gcd", Tok::kFuncMulti, "gcd"},
    Command{"lcm", Tok::kFuncMulti, "lcm"},
    Command{"max", Tok::kFuncMulti, "Max"},
    Command{"min", Tok::kFuncMulti, "Min"},
    Command{"times", Tok::kMul, ""},
    Command{"cdot", Tok::kMul, ""},
    Command{"div", Tok::kDiv, ""},
    Command{"frac", Tok::kFrac, ""},
    Command{"dfrac", Tok::kFrac, ""},
    Command{"tfrac", Tok::kFrac, ""},
    Command{"cfrac", Tok::kFrac, ""},
    Command{"binom", Tok::kBinom, ""},
    Command{"tbinom", Tok::kBinom, ""},
    Command{"dbinom", Tok::kBinom, ""},
    Command{"choose", Tok::kChoose, ""},
    Command{"mod", Tok::kMod, ""},
    Command{"operatorname", Tok::kOperatorName, ""},
    Command{"in", Tok::kIn, ""},
    Command{"equiv", Tok::kEqual, ""},
    Command{"approx", Tok::kApprox, ""},
    Command{"lt", Tok::kLt, ""},
    Command{"leq", Tok::kLe, ""},
    Command{"le", Tok::kLe, ""},
    Command{"leqslant", Tok::kLe, ""},
    Command{"gt", Tok::kGt, ""},
    Command{"geq", Tok::kGe, ""},
    Command{"ge", Tok::kGe, ""},
    Command{"geqslant", Tok::kGe, ""},
    Command{"ne", Tok::kNe, ""},
    Command{"neq", Tok::kNe, ""},
    Command{"infty", Tok::kInfinity, ""},
    Command{"partial", Tok::kPartial, ""},
    Command{"cup", Tok::kUnion, ""},
    Command{"cap", Tok::kIntersection, ""},
    Command{"setminus", Tok::kSetMinus, ""},
    Command{"pm", Tok::kPlusMinus, ""},
    Command{"mp", Tok::kPlusMinus, ""},
    Command{"emptyset", Tok::kNamedSet, "EmptySet"},
    Command{"supseteq", Tok::kSupset, ""},
    Command{"subseteq", Tok::kSubset, ""},
    Command{"notin", Tok::kNotIn, ""},
    Command{"exponentialE", Tok::kExpE, ""},
    // Greek letters: the token text is the name get_symbol gives them.
    Command{"alpha", Tok::kGreek, "alpha"},
    Command{"beta", Tok::kGreek, "beta"},
    Command{"delta", Tok::kGreek, "delta"},
    Command{"Delta", Tok::kGreek, "Delta"},
    Command{"epsilon", Tok::kGreek, "epsilon"},
    Command{"varepsilon", Tok::kGreek, "varepsilon"},
    Command{"zeta", Tok::kGreek, "zeta"},
    Command{"eta", Tok::kGreek, "eta"},
    Command{"theta", Tok::kGreek, "theta"},
    Command{"Theta", Tok::kGreek, "Theta"},
    Command{"vartheta", Tok::kGreek, "vartheta"},
    Command{"iota", Tok::kGreek, "iota"},
    Command{"kappa", Tok::kGreek, "kappa"},
    Command{"lambda", Tok::kGreek, "lambda"},
    Command{"Lambda", Tok::kGreek, "Lambda"},
    Command{"mu", Tok::kGreek, "mu"},
    Command{"nu", Tok::kGreek, "nu"},
    Command{"xi", Tok::kGreek, "xi"},
    Command{"Xi", Tok::kGreek, "Xi"},
    Command{"omicron", Tok::kGreek, "omicron"},
    Command{"pi", Tok::kGreek, "pi"},
    Command{"Pi", Tok::kGreek, "Pi"},
    Command{"varpi", Tok::kGreek, "varpi"},
    Command{"rho", Tok::kGreek, "rho"},
    Command{"varrho", Tok::kGreek, "varrho"},
    Command{"sigma", Tok::kGreek, "sigma"},
    Command{"Sigma", Tok::kGreek, "Sigma"},
    Command{"varsigma", Tok::kGreek, "varsigma"},
    Command{"tau", Tok::kGreek, "tau"},
    Command{"upsilon", Tok::kGreek, "upsilon"},
    Command{"Upsilon", Tok::kGreek, "Upsilon"},
    Command{"phi", Tok::kGreek, "phi"},
    Command{"Phi", Tok::kGreek, "Phi"},
    Command{"varphi", Tok::kGreek, "varphi"},
    Command{"chi", Tok::kGreek, "chi"},
    Command{"psi", Tok::kGreek, "psi"},
    Command{"Psi", Tok::kGreek, "Psi"},
    Command{"omega", Tok::kGreek, "omega"},
    Command{"Omega", Tok::kGreek, "Omega"},
    // Other symbols become plain symbols named after the command.
    Command{"Bbbk", Tok::kOtherSymbol, ""},
    Command{"wp", Tok::kOtherSymbol, ""},
    Command{"nabla", Tok::kOtherSymbol, ""},
    Command{"bigstar", Tok::kOtherSymbol, ""},
    Command{"angle", Tok::kOtherSymbol, ""},
    Command{"nexists", Tok::kOtherSymbol, ""},
    Command{"diagdown", Tok::kOtherSymbol, ""},
    Command{"measuredangle", Tok::kOtherSymbol, ""},
    Command{"eth", Tok::kOtherSymbol, ""},
    Command{"diagup", Tok::kOtherSymbol, ""},
    Command{"sphericalangle", Tok::kOtherSymbol, ""},
    Command{"clubsuit", Tok::kOtherSymbol, ""},
    Command{"varnothing", Tok::kOtherSymbol, ""},
    Command{"Diamond", Tok::kOtherSymbol, ""},
    Command{"complement", Tok::kOtherSymbol, ""},
    Command{"diamondsuit", Tok::kOtherSymbol, ""},
    Command{"imath", Tok::kOtherSymbol, ""},
    Command{"Finv", Tok::kOtherSymbol, ""},
    Command{"triangledown", Tok::kOtherSymbol, ""},
    Command{"heartsuit", Tok::kOtherSymbol, ""},
    Command{"jmath", Tok::kOtherSymbol, ""},
    Command{"Game", Tok::kOtherSymbol, ""},
    Command{"triangle", Tok::kOtherSymbol, ""},
    Command{"spadesuit", Tok::kOtherSymbol, ""},
    Command{"ell", Tok::kOtherSymbol, ""},
    Command{"hbar", Tok::kOtherSymbol, ""},
    Command{"vartriangle", Tok::kOtherSymbol, ""},
    Command{"hslash", Tok::kOtherSymbol, ""},
    Command{"blacklozenge", Tok::kOtherSymbol, ""},
    Command{"lozenge", Tok::kOtherSymbol, ""},
    Command{"blacksquare", Tok::kOtherSymbol, ""},
    Command{"mho", Tok::kOtherSymbol, ""},
    Command{"blacktriangle", Tok::kOtherSymbol, ""},
    Command{"sharp", Tok::kOtherSymbol, ""},
    Command{"prime", Tok::kOtherSymbol, ""},
    Command{"Im", Tok::kOtherSymbol, ""},
    Command{"flat", Tok::kOtherSymbol, ""},
    Command{"square", Tok::kOtherSymbol, ""},
    Command{"backprime", Tok::kOtherSymbol, ""},
    Command{"Re", Tok::kOtherSymbol, ""},
    Command{"natural", Tok::kOtherSymbol, ""},
    Command{"surd", Tok::kOtherSymbol, ""},
    Command{"circledS", Tok::kOtherSymbol, ""},
};

constexpr std::string_view kAccents[] = {
    "acute",     "bar",        "overline",   "breve",    "check",     "widecheck",    "dot",
    "ddot",      "grave",      "hat",        "tilde",    "widetilde", "vec",          "overrightarrow",
    "bm",        "boldsymbol", "text",       "textit",   "textbf",    "textnormal",   "mathbb",
    "mathbin",   "mathbf",     "mathcal",    "mathclap", "mathclose", "mathellipsis", "mathfrak",
    "mathinner", "mathit",     "mathnormal", "mathop",   "mathopen",  "mathord",      "mathpunct",
    "mathrel",   "mathring",   "mathrlap",   "mathrm",   "mathscr",   "mathsf",       "mathsterling",
    "mathtt",    "mbox"};

// Bare words the grammar lexes as keywords (for \operatorname{...}); anywhere else they are errors.
constexpr std::string_view kKeywords[] = {
    "arsinh",      "arcsinh",    "arcosh",        "arccosh",    "artanh",       "arctanh",
    "gcd",         "lcm",        "floor",         "ceil",       "eye",          "zeros",
    "ones",        "cols",       "rows",          "diag",       "norm",         "rank",
    "trace",       "tr",         "rref",          "hstack",     "vstack",       "orth",
    "ortho",       "orthogonal", "orthogonalize", "nullspace",  "eig",          "eigen",
    "diagonalize", "eigenvals",  "eigenvalues",   "eigenvects", "eigenvectors", "svd",
    "SVD",         "matrix",     "pmatrix",       "bmatrix",    "vmatrix"};

struct Literal {
  std::string_view text;
  Tok kind;
  std::string_view token_text;
};

// Multi-character literals that start with a non-letter; the longest one that matches wins.
constexpr std::array kLiterals = {
    Literal{"^{\\circle}", Tok::kDegree, ""},
    Literal{"^{\\degree}", Tok::kDegree, ""},
    Literal{"^{\\circ}", Tok::kDegree, ""},
    Literal{"^\\circle", Tok::kDegree, ""},
    Literal{"^\\degree", Tok::kDegree, ""},
    Literal{"^\\circ", Tok::kDegree, ""},
    Literal{"^{\xC2\xB0}", Tok::kDegree, ""},
    Literal{"^\xC2\xB0", Tok::kDegree, ""},
    Literal{"^{\\top}", Tok::kTranspose, ""},
    Literal{"^{T}", Tok::kTranspose, ""},
    Literal{"^T", Tok::kTranspose, ""},
    Literal{"\\mathbb{N}", Tok::kNamedSet, "Naturals"},
    Literal{"\\mathbb{Z}", Tok::kNamedSet, "Integers"},
    Literal{"\\mathbb{Q}", Tok::kNamedSet, "Rationals"},
    Literal{"\\mathbb{R}", Tok::kNamedSet, "Reals"},
    Literal{"\\mathbb{C}", Tok::kNamedSet, "Complexes"},
    Literal{"\\mathbb{P}", Tok::kNamedSet, "Primes"},
    Literal{"\\{\\}", Tok::kNamedSet, "EmptySet"},
    Literal{"\\lbrace\\rbrace", Tok::kNamedSet, "EmptySet"},
    Literal{"\\not\\equiv", Tok::kNe, ""},
    Literal{"!==", Tok::kNe, ""},
    Literal{"!=", Tok::kNe, ""},
    Literal{"==", Tok::kEqual, ""},
    Literal{"~=", Tok::kApprox, ""},
    Literal{"<=", Tok::kLe, ""},
    Literal{">=", Tok::kGe, ""},
    Literal{"<->", Tok::kFuncUnsupported, ""},
    Literal{"<=>", Tok::kFuncUnsupported, ""},
    Literal{"\\\\", Tok::kRowSep, ""},
    Literal{"\\(", Tok::kLParenVisual, ""},
    Literal{"\\)", Tok::kRParenVisual, ""},
    Literal{"\\{", Tok::kLBraceVisual, ""},
    Literal{"\\}", Tok::kRBraceVisual, ""},
    Literal{"\\|", Tok::kNorm, ""},
};

// Unicode characters the grammar accepts, as UTF-8.
constexpr std::array kUnicode = {
    Literal{"\xE2\x88\x92", Tok::kSub, ""},               // −
    Literal{"\xC3\x97", Tok::kMul, ""},                   // ×
    Literal{"\xE2\x8B\x85", Tok::kMul, ""},               // ⋅
    Literal{"\xE2\x88\x99", Tok::kMul, ""},               // ∙
    Literal{"\xC3\xB7", Tok::kDiv, ""},                   // ÷
    Literal{"\xE2\x89\xA4", Tok::kLe, ""},                // ≤
    Literal{"\xE2\x89\xA5", Tok::kGe, ""},                // ≥
    Literal{"\xE2\x89\xA0", Tok::kNe, ""},                // ≠
    Literal{"\xE2\x89\x88", Tok::kApprox, ""},            // ≈
    Literal{"\xE2\x88\xAA", Tok::kUnion, ""},             // ∪
    Literal{"\xE2\x88\xA9", Tok::kIntersection, ""},      // ∩
    Literal{"\xC2\xB1", Tok::kPlusMinus, ""},             // ±
    Literal{"\xE2\x88\x85", Tok::kNamedSet, "EmptySet"},  // ∅
    Literal{"\xE2\x84\x9D", Tok::kNamedSet, "Reals"},     // ℝ
    Literal{"\xCF\x80", Tok::kGreek, "pi"},               // π
    Literal{"\xCE\xB8", Tok::kGreek, "theta"},            // θ
    Literal{"\xCE\xB1", Tok::kGreek, "alpha"},            // α
    Literal{"\xCE\xB2", Tok::kGreek, "beta"},             // β
    Literal{"\xE2\x88\x96", Tok::kSetMinus, ""},          // U+2216 set minus
};

bool is_letter(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0;
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// The grammar's VARIABLE_SYMBOL: name characters (letters, digits, \\greek commands), then optionally
// _x or _{...} (which may also hold commas).
bool is_variable_name(std::string_view name) {
  size_t i = 0;
  auto item = [&](bool allow_comma) {
    if (i >= name.size()) return false;
    if (name[i] == '\\') {
      size_t end = i + 1;
      while (end < name.size() && is_letter(name[end])) ++end;
      const std::string_view command = name.substr(i + 1, end - i - 1);
      const bool is_symbol =
          std::any_of(std::begin(kCommands), std::end(kCommands), [&](const Command& known) {
            return known.name == command && (known.kind == Tok::kGreek || known.kind == Tok::kOtherSymbol);
          });
      if (!is_symbol) return false;
      i = end;
      if (i < name.size() && name[i] == ' ') ++i;
      return true;
    }
    if (is_letter(name[i]) || is_digit(name[i]) || (allow_comma && name[i] == ',')) {
      ++i;
      return true;
    }
    return false;
  };
  if (!item(false)) return false;
  while (item(false)) {
  }
  if (i == name.size()) return true;
  if (name[i] != '_') return false;
  ++i;
  if (i < name.size() && name[i] == '{') {
    ++i;
    if (!item(true)) return false;
    while (item(true)) {
    }
    return i + 1 == name.size() && name[i] == '}';
  }
  return item(false) && i == name.size();
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<Token> run() {
    std::vector<Token> tokens;
    while (true) {
      skip_space();
      if (pos_ >= text_.size()) break;
      const size_t start = pos_;
      Token token = next();
      if (token.kind == Tok::kEnd) continue;  // a skipped command (spacing)
      token.raw = std::string(text_.substr(start, pos_ - start));
      tokens.push_back(std::move(token));
    }
    tokens.push_back(Token{});
    return tokens;
  }

 private:
  void skip_space() {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
  }
  [[nodiscard]] bool starts_with(std::string_view prefix) const {
    return text_.substr(pos_, prefix.size()) == prefix;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw ParseError("LaTeX lexer: " + what + " at offset " + std::to_string(pos_));
  }
  static Token make(Tok kind, std::string text = {}) {
    Token token;
    token.kind = kind;
    token.text = std::move(text);
    return token;
  }

  Token next() {
    const char c = text_[pos_];
    if (auto literal = longest_literal(); literal.kind != Tok::kEnd || !literal.text.empty()) {
      pos_ += literal.text.size();
      return make(literal.kind, std::string(literal.token_text));
    }
    if (c == '\\') return command();
    if (is_digit(c) || (c == '.' && pos_ + 1 < text_.size() && is_digit(text_[pos_ + 1]))) return number();
    if (is_letter(c)) return word();
    for (const Literal& unicode : kUnicode) {
      if (starts_with(unicode.text)) {
        pos_ += unicode.text.size();
        return make(unicode.kind, std::string(unicode.token_text));
      }
    }
    ++pos_;
    switch (c) {
      case '+':
        return make(Tok::kAdd);
      case '-':
        return make(Tok::kSub);
      case '*':
        return make(Tok::kMul);
      case '/':
        return make(Tok::kDiv);
      case '(':
        return make(Tok::kLParen);
      case ')':
        return make(Tok::kRParen);
      case '{':
        return make(Tok::kLBrace);
      case '}':
        return make(Tok::kRBrace);
      case '[':
        return make(Tok::kLBracket);
      case ']':
        return make(Tok::kRBracket);
      case '|':
        return make(Tok::kBar);
      case '&':
        return make(Tok::kColSep);
      case '_':
        return make(Tok::kUnderscore);
      case '^':
        return make(Tok::kCaret);
      case ':':
        return make(Tok::kColon);
      case ';':
        return make(Tok::kSemicolon);
      case ',':
        return make(Tok::kComma);
      case '.':
        return make(Tok::kPeriod);
      case '=':
        return make(Tok::kAssign);
      case '<':
        return make(Tok::kLt);
      case '>':
        return make(Tok::kGt);
      case '!':
        return make(Tok::kBang);
      case '\'':
        return make(Tok::kTranspose);
      default:
        --pos_;
        if (static_cast<unsigned char>(c) < 0x80) fail(std::string("unexpected character '") + c + "'");
        fail("unexpected byte 0x" + std::string(1, "0123456789abcdef"[(c >> 4) & 0xF]) +
             "0123456789abcdef"[c & 0xF]);
    }
  }

  [[nodiscard]] Literal longest_literal() const {
    Literal best{"", Tok::kEnd, ""};
    for (const Literal& literal : kLiterals) {
      if (literal.text.size() > best.text.size() && starts_with(literal.text)) best = literal;
    }
    return best;
  }

  Token number() {
    const size_t start = pos_;
    while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    if (pos_ + 1 < text_.size() && text_[pos_] == '.' && is_digit(text_[pos_ + 1])) {
      ++pos_;
      while (pos_ < text_.size() && is_digit(text_[pos_])) ++pos_;
    }
    std::string digits(text_.substr(start, pos_ - start));
    // E notation: NUMBER E [+-]? DIGIT+
    size_t look = pos_;
    if (look < text_.size() && text_[look] == 'E') {
      ++look;
      if (look < text_.size() && (text_[look] == '+' || text_[look] == '-')) ++look;
      if (look < text_.size() && is_digit(text_[look])) {
        while (look < text_.size() && is_digit(text_[look])) ++look;
        std::string text(text_.substr(start, look - start));
        pos_ = look;
        return make(Tok::kENotation, std::move(text));
      }
    }
    // Percent: NUMBER WS? (\% | %)
    look = pos_;
    if (look < text_.size() && is_space(text_[look])) ++look;
    if (text_.substr(look, 2) == "\\%") {
      pos_ = look + 2;
      return make(Tok::kPercentNumber, std::move(digits));
    }
    if (look < text_.size() && text_[look] == '%') {
      pos_ = look + 1;
      return make(Tok::kPercentNumber, std::move(digits));
    }
    return make(Tok::kNumber, std::move(digits));
  }

  Token word() {
    // A keyword, a differential (d x, d\alpha) or a single letter: the longest wins.
    size_t run = pos_;
    while (run < text_.size() && is_letter(text_[run])) ++run;
    const std::string_view letters = text_.substr(pos_, run - pos_);
    size_t keyword_length = 0;
    for (std::string_view keyword : kKeywords) {
      if (keyword.size() > keyword_length && letters.substr(0, keyword.size()) == keyword) {
        keyword_length = keyword.size();
      }
    }
    size_t differential_length = 0;
    std::string differential_var;
    if (text_[pos_] == 'd') {
      size_t look = pos_ + 1;
      while (look < text_.size() && is_space(text_[look])) ++look;
      if (look < text_.size() && is_letter(text_[look])) {
        differential_length = look + 1 - pos_;
        differential_var = std::string(1, text_[look]);
      } else if (look + 1 < text_.size() && text_[look] == '\\' && is_letter(text_[look + 1])) {
        size_t end = look + 1;
        while (end < text_.size() && is_letter(text_[end])) ++end;
        differential_length = end - pos_;
        differential_var = std::string(text_.substr(look + 1, end - look - 1));
      }
    }
    if (keyword_length > 1 && keyword_length >= differential_length) {
      std::string keyword(letters.substr(0, keyword_length));
      pos_ += keyword_length;
      return make(Tok::kKeyword, std::move(keyword));
    }
    if (differential_length > 1) {
      pos_ += differential_length;
      return make(Tok::kDifferential, std::move(differential_var));
    }
    const char c = text_[pos_++];
    if (c == 'e') return make(Tok::kExpE);
    if (c == 'E') return make(Tok::kENotationE);
    return make(Tok::kLetter, std::string(1, c));
  }

  Token command() {
    if (starts_with("\\begin{") || starts_with("\\end{")) return environment();
    const size_t start = pos_ + 1;
    size_t run = start;
    while (run < text_.size() && is_letter(text_[run])) ++run;
    if (run == start) {
      const char c = start < text_.size() ? text_[start] : '\0';
      if (c == ',' || c == ':' || c == ';' || c == '!' || c == '$') {
        pos_ = start + 1;
        return make(Tok::kEnd);  // spacing and \$ are skipped
      }
      fail(std::string("unknown command '\\") + c + "'");
    }
    const std::string_view letters = text_.substr(start, run - start);
    if (letters == "variable" && run < text_.size() && text_[run] == '{') return variable(run);
    for (std::string_view accent : kAccents) {
      if (letters == accent) return accent_token(accent, run);
    }
    const Command* best = nullptr;
    for (const Command& command : kCommands) {
      if (command.name.size() <= letters.size() && letters.substr(0, command.name.size()) == command.name &&
          (best == nullptr || command.name.size() > best->name.size())) {
        best = &command;
      }
    }
    // An accent name may also prefix a longer run (\textbf is an accent, \texts is not).
    if (best == nullptr) {
      for (std::string_view accent : kAccents) {
        if (letters.substr(0, accent.size()) == accent) {
          return accent_token(accent, start + accent.size());
        }
      }
      fail("unknown command '\\" + std::string(letters) + "'");
    }
    pos_ = start + best->name.size();
    if (best->kind == Tok::kEnd) return make(Tok::kEnd);
    if (best->kind == Tok::kInfinity) {
      // \infty may carry a percent sign: it is still infinity.
      if (starts_with("\\%"))
        pos_ += 2;
      else if (starts_with("%"))
        pos_ += 1;
    }
    std::string text(best->text.empty() ? best->name : best->text);
    return make(best->kind, std::move(text));
  }

  // \variable{x_1}: a symbol named by its raw text, optionally followed by a percent sign.
  Token variable(size_t open) {
    int depth = 0;
    size_t end = open;
    do {
      if (end >= text_.size()) fail("unterminated \\variable{");
      if (text_[end] == '{') ++depth;
      if (text_[end] == '}') --depth;
      ++end;
    } while (depth > 0);
    Token token = make(Tok::kVariable, std::string(text_.substr(open + 1, end - open - 2)));
    if (!is_variable_name(token.text)) fail("bad \\variable name '" + token.text + "'");
    pos_ = end;
    if (starts_with("\\%")) {
      pos_ += 2;
      token.extra = "%";
    }
    return token;
  }

  Token accent_token(std::string_view accent, size_t after_name) {
    size_t look = after_name;
    if (look < text_.size() && is_space(text_[look])) ++look;
    if (look >= text_.size() || text_[look] != '{')
      fail("accent \\" + std::string(accent) + " without braces");
    // Content runs to the first '}' that is not escaped, like the grammar's non-greedy ACCENT.
    size_t end = look + 1;
    while (end < text_.size() && text_[end] != '}') {
      if (text_[end] == '\\' && end + 1 < text_.size() && text_[end + 1] == '}') ++end;
      ++end;
    }
    if (end >= text_.size()) fail("unterminated \\" + std::string(accent) + "{");
    Token token = make(Tok::kAccent, std::string(accent));
    token.extra = std::string(text_.substr(look + 1, end - look - 1));
    pos_ = end + 1;
    return token;
  }

  Token environment() {
    const bool begin = starts_with("\\begin{");
    const size_t open = pos_ + (begin ? 7 : 5);
    const size_t close = text_.find('}', open);
    if (close == std::string_view::npos) fail("unterminated environment");
    const std::string_view name = text_.substr(open, close - open);
    const bool is_matrix = name == "matrix" || name == "pmatrix" || name == "bmatrix";
    if (name == "vmatrix") {
      pos_ = close + 1;
      return make(Tok::kFuncUnsupported);  // determinants: latex2sympy evaluates them, we do not
    }
    if (!is_matrix && name != "array") fail("unknown environment '" + std::string(name) + "'");
    pos_ = close + 1;
    if (name == "array" && begin) {
      // \begin{array}{ccc}: the column spec is part of the token.
      if (pos_ >= text_.size() || text_[pos_] != '{') fail("array without column spec");
      size_t spec = pos_ + 1;
      while (spec < text_.size() && (text_[spec] == 'c' || text_[spec] == 'l' || text_[spec] == 'r')) ++spec;
      if (spec >= text_.size() || text_[spec] != '}') fail("bad array column spec");
      pos_ = spec + 1;
    }
    return make(begin ? Tok::kMatrixStart : Tok::kMatrixEnd, std::string(name));
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

std::vector<Token> tokenize_latex(std::string_view latex) {
  return Lexer(latex).run();
}

}  // namespace evalflow::math_verify
