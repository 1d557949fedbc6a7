// Tokens of the LaTeX math dialect latex2sympy2_extended accepts (its ANTLR grammar PS.g4), with the
// same longest-match rules: "dx" is a differential, "tr" a keyword, "^\circ" a degree mark.
#ifndef EVALFLOW_MATH_VERIFY_LATEX_LEXER_HPP
#define EVALFLOW_MATH_VERIFY_LATEX_LEXER_HPP

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace evalflow::math_verify {

class ParseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Tok : uint8_t {
  kEnd,
  kNumber,         // text: digits with an optional decimal part
  kENotation,      // text: 1E5
  kPercentNumber,  // text: the number without its % sign
  kLetter,         // text: one ASCII letter other than e and E
  kExpE,           // e
  kENotationE,     // E
  kDifferential,   // text: the variable after d
  kGreek,          // text: the greek name (pi, alpha, Gamma)
  kOtherSymbol,    // text: the command without backslash
  kAccent,         // text: accent command name; extra: braced content
  kInfinity,
  kPartial,
  kAdd,
  kSub,
  kMul,    // *, \times, \cdot
  kDiv,    // /, \div, \over
  kColon,  // :
  kMod,
  kLParen,
  kRParen,
  kLParenVisual,
  kRParenVisual,
  kLGroup,
  kRGroup,
  kLBrace,
  kRBrace,
  kLBraceVisual,
  kRBraceVisual,
  kLBraceCmd,
  kRBraceCmd,
  kLBracket,
  kRBracket,
  kLBrack,
  kRBrack,
  kPhantom,
  kBoxed,
  kBar,
  kLVert,
  kRVert,
  kVert,
  kNorm,
  kLAngle,
  kRAngle,
  kLFloor,
  kRFloor,
  kLCeil,
  kRCeil,
  kFuncUnsupported,  // \int, \sum, \prod, \lim, \det ...: parsed by latex2sympy, not by us
  kFuncSingle,       // text: log, ln, exp, sin, ..., floor, ceil
  kFuncMulti,        // text: gcd, lcm, max, min
  kFuncSqrt,
  kOperatorName,
  kKeyword,  // text: a bare operator name (tr, norm, matrix...): only valid after \operatorname
  kFrac,
  kBinom,
  kChoose,
  kMatrixStart,  // text: matrix type
  kMatrixEnd,
  kColSep,
  kRowSep,
  kUnderscore,
  kCaret,
  kSemicolon,
  kComma,
  kPeriod,
  kTranspose,
  kDegree,
  kIn,
  kAssign,  // =
  kEqual,   // ==, \equiv
  kApprox,
  kLt,
  kLe,
  kGt,
  kGe,
  kNe,
  kBang,
  kNamedSet,  // text: Naturals, Integers, Rationals, Reals, Complexes, Primes, EmptySet
  kUnion,
  kIntersection,
  kSetMinus,
  kPlusMinus,
  kSubset,
  kSupset,
  kNotIn,
  kVariable,  // \variable{name}: text the name, extra "%" when a percent sign follows
};

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;
  std::string extra;
  std::string raw;  // the source text of the token, for function names and subscripts
};

// Splits LaTeX into tokens; throws ParseError on a character or command the grammar does not know.
std::vector<Token> tokenize_latex(std::string_view latex);

}  // namespace evalflow::math_verify

#endif  // EVALFLOW_MATH_VERIFY_LATEX_LEXER_HPP
