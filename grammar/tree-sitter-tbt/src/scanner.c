/*
 * The external scanner of the tbt grammar: the rules of the compiler's lexer and parser
 * (crates/syntax) that depend on line breaks, on the tokens ahead, or on a literal's value.
 *
 * - `_arg_start`, `_option_arg_start`: zero-width, before a positional argument of a trigger
 *   or an option. An argument begins on the line of its keyword, a trigger argument never
 *   begins with `{` (that opens the option block), and after an argument `[` indexes it unless
 *   the brackets hold a list.
 * - `_option_kind`: zero-width, before the kind word of an option (`body json`, `auth
 *   bearer`), which is a plain word: `body json [1]` has two arguments.
 * - `_statement_start`: zero-width, before a span-block statement (`span[...] { ... }`).
 *   It is not produced where the next token continues the expression before it, and a name
 *   that starts a statement must be followed by `{ [ . : ( >` or `>>`, as in the compiler. A
 *   statement keyword followed by `.` begins a path, which can begin such a statement
 *   (`test.case.name == "x" { ... }`).
 * - `_child_combinator`, `_descendant_combinator`: `>` and `>>` before `span`, on the line of
 *   the selector they continue. `_relative_child`, `_relative_descendant`: the same where a
 *   relative selector begins, on any line. `_greater`: `>` as a comparison, never at the start
 *   of a line.
 * - `_binary_minus`, `_call_open`: `-` and `(` where they continue an expression.
 * - `_equals`, `_unary_minus`: `=` and a prefix `-`, but not the start of `==`, `=>`, `=~` or
 *   `->`: the compiler's lexer takes the longest token wherever it stands.
 * - `number`, `duration`, `_count`: the lexer's longest-match rules, plus the checks of the
 *   literal decoders: an integer fits in an i64, a float is finite, a duration's units are
 *   known and go from largest to smallest (`2m30s`), the count of `exactly` is an integer.
 *   `1_` is a duration token without a unit, which the decoder reads as the number 1.
 * - `_regex_start`, `regex_pattern`, `_regex_end`, `regex_flags`: a regex literal, only where
 *   the grammar allows one (right after the operator `matches`, not the field `x.matches`),
 *   only after spaces or tabs, and only if it is closed on its line and its flags are among
 *   i, m, s, x.
 * - `_interpolation_padding`: the spaces just inside `${ ... }`, which `str::trim` removes
 *   (Unicode white space other than the line feed).
 * - `_lbrace`, `_test_lbrace`, `_rbrace`: braces, counted. The compiler's delimiter pass
 *   (crates/syntax/src/delimiters.rs) takes `use`, `suite` or `schema` at the start of a line
 *   (column 0) as closing every open brace, bracket and parenthesis, and `test` there as closing
 *   an open test body, unless a `.` follows (`test.case.name` is a path): a syntax error
 *   wherever something is open. The scanner produces `_never` there, where it is not valid,
 *   so tree-sitter reports the error too. (Brackets and parentheses are not counted: inside
 *   them such a keyword is an error in any case.)
 * - `_never` is never valid: the grammar puts it after a keyword that stands where a name is
 *   expected, which makes that keyword a syntax error, as it is for the compiler.
 *
 * The state is the stack of open braces, with which of them are test bodies.
 */

#include "tree_sitter/alloc.h"
#include "tree_sitter/parser.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum TokenType {
  STATEMENT_START,
  ARG_START,
  OPTION_ARG_START,
  CHILD_COMBINATOR,
  DESCENDANT_COMBINATOR,
  RELATIVE_CHILD,
  RELATIVE_DESCENDANT,
  GREATER,
  OPTION_KIND,
  COUNT,
  EQUALS,
  UNARY_MINUS,
  LBRACE,
  TEST_LBRACE,
  RBRACE,
  BINARY_MINUS,
  CALL_OPEN,
  NUMBER,
  DURATION,
  REGEX_START,
  REGEX_PATTERN,
  REGEX_END,
  REGEX_FLAGS,
  INTERPOLATION_PADDING,
  NEVER,
  ERROR_SENTINEL,
};

/* Every keyword of the lexer (crates/syntax/src/token.rs, `Kind::KEYWORDS`).
 * tests/grammar.rs checks that this list is exactly the lexer's. */
static const char *const KEYWORDS[] = {
    "use", "schema", "test", "suite", "trigger", "expect", "let", "output", "wait",
    "span", "and", "or", "not", "in", "contains", "matches", "exists", "no", "some", "any",
    "exactly", "within", "true", "false",
};

/* The keywords that begin a statement of their own. */
static const char *const STATEMENT_KEYWORDS[] = {
    "use", "schema", "test", "suite", "trigger", "expect", "let", "output", "wait",
};

/* The keywords that can begin a selector chain (a positional argument). */
static const char *const CHAIN_KEYWORDS[] = {
    "span", "no", "some", "any", "exactly", "true", "false",
};

/* The words that select an option's kind (crates/syntax/src/parser/stmt.rs). */
static const char *const OPTION_KINDS[] = {
    "json", "text", "form", "file", "basic", "bearer", "ca", "cert", "insecure",
};

#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

/* Longer than any keyword or option kind, so a longer name is never mistaken for one. */
#define NAME_CAP 16

static inline void advance(TSLexer *lexer) { lexer->advance(lexer, false); }

static inline void skip(TSLexer *lexer) { lexer->advance(lexer, true); }

static inline bool is_digit(int32_t c) { return c >= '0' && c <= '9'; }

static inline bool is_name_start(int32_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static inline bool is_name_char(int32_t c) { return is_name_start(c) || is_digit(c); }

static inline bool is_alphanumeric(int32_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c);
}

/* The characters of a duration's unit, as the lexer's `[A-Za-zµ_]`. */
static inline bool is_suffix_char(int32_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == 0xB5;
}

static bool in_list(const char *word, const char *const *list, size_t count) {
  for (size_t i = 0; i < count; i++) {
    if (strcmp(word, list[i]) == 0) return true;
  }
  return false;
}

/* ----- looking ahead past the end of a token -------------------------------------------- */

/* Skips whitespace and comments (the lexer's trivia) while looking ahead. */
static void skip_trivia(TSLexer *lexer) {
  for (;;) {
    int32_t c = lexer->lookahead;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f') {
      advance(lexer);
    } else if (c == '#') {
      while (lexer->lookahead != '\n' && !lexer->eof(lexer)) advance(lexer);
    } else {
      return;
    }
  }
}

/* Reads a name (`[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*`) at a name start into `buffer`
 * (empty if longer than NAME_CAP - 1). A `-` that is not followed by a name character ends
 * the name and is consumed: `*dangling_minus` says so, and the next token starts with it. */
static void read_name(TSLexer *lexer, char buffer[NAME_CAP], bool *dangling_minus) {
  size_t length = 0;
  bool too_long = false;
  *dangling_minus = false;
  for (;;) {
    while (is_name_char(lexer->lookahead)) {
      if (length < NAME_CAP - 1) {
        buffer[length++] = (char)lexer->lookahead;
      } else {
        too_long = true;
      }
      advance(lexer);
    }
    if (lexer->lookahead != '-') break;
    advance(lexer);
    if (!is_name_char(lexer->lookahead)) {
      *dangling_minus = true;
      break;
    }
    if (length < NAME_CAP - 1) {
      buffer[length++] = '-';
    } else {
      too_long = true;
    }
  }
  buffer[too_long ? 0 : length] = '\0';
}

/* Whether the next token is the keyword `word` (after trivia). */
static bool next_is_word(TSLexer *lexer, const char *word) {
  skip_trivia(lexer);
  if (!is_name_start(lexer->lookahead)) return false;
  char name[NAME_CAP];
  bool dangling_minus;
  read_name(lexer, name, &dangling_minus);
  return strcmp(name, word) == 0;
}

/* Skips a string literal while looking ahead (the lexer is on its opening quote). */
static void skip_string(TSLexer *lexer) {
  advance(lexer);
  while (!lexer->eof(lexer) && lexer->lookahead != '"' && lexer->lookahead != '\n') {
    if (lexer->lookahead == '\\') advance(lexer);
    if (!lexer->eof(lexer) && lexer->lookahead != '\n') advance(lexer);
  }
  if (lexer->lookahead == '"') advance(lexer);
}

static bool scan_regex_body(TSLexer *lexer);

/* Whether the bracket group at the lexer's position (on its `[`) has a comma at its top level.
 * After a selection `[` opens a filter or an index, unless what it holds is no single
 * expression: then the compiler takes the group as a list that begins a new argument or
 * statement. Strings, comments and regex literals are skipped. */
static bool bracket_holds_a_list(TSLexer *lexer) {
  unsigned depth = 0;
  bool after_dot = false; /* the last token is `.`: `x.matches` is a field, not the operator */
  for (;;) {
    if (lexer->eof(lexer)) return false;
    int32_t c = lexer->lookahead;
    if (c == '"') {
      skip_string(lexer);
      after_dot = false;
      continue;
    }
    if (c == '#') {
      while (!lexer->eof(lexer) && lexer->lookahead != '\n') advance(lexer);
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f') {
      advance(lexer);
      continue;
    }
    if (is_name_start(c)) {
      char name[NAME_CAP];
      bool dangling_minus;
      read_name(lexer, name, &dangling_minus);
      bool is_matches = !after_dot && !dangling_minus && strcmp(name, "matches") == 0;
      after_dot = false;
      if (is_matches) {
        while (lexer->lookahead == ' ' || lexer->lookahead == '\t') advance(lexer);
        if (lexer->lookahead == '/') {
          advance(lexer);
          if (scan_regex_body(lexer)) advance(lexer);
          while (is_alphanumeric(lexer->lookahead)) advance(lexer);
        }
      }
      continue;
    }
    /* A number or a duration, whose unit is no keyword (`5matches`). */
    if (is_digit(c)) {
      while (is_name_char(lexer->lookahead) || lexer->lookahead == 0xB5) advance(lexer);
      after_dot = false;
      continue;
    }
    /* `.` as a token: `.5` is a number. */
    after_dot = c == '.';
    if (after_dot) {
      advance(lexer);
      if (is_digit(lexer->lookahead)) after_dot = false;
      continue;
    }
    switch (c) {
      case '[':
      case '(':
      case '{':
        depth++;
        break;
      case ']':
      case ')':
      case '}':
        if (depth <= 1) return false;
        depth--;
        break;
      case ',':
        if (depth == 1) return true;
        break;
      default:
        break;
    }
    advance(lexer);
  }
}

/* Whether the next token (after trivia) is `.`, as a token: `.5` is a number. */
static bool next_is_dot(TSLexer *lexer) {
  skip_trivia(lexer);
  if (lexer->lookahead != '.') return false;
  advance(lexer);
  return !is_digit(lexer->lookahead);
}

/* What the next token is, as far as the zero-width tokens care. */
typedef enum {
  NEXT_OTHER,
  NEXT_NAME,           /* a name that is not a keyword */
  NEXT_KEYWORD,        /* a keyword, in `word` */
  NEXT_STRING,
  NEXT_DIGIT,
  NEXT_PAREN,
  NEXT_BRACKET,
  NEXT_BRACE,
  NEXT_MINUS,          /* `-`, not `->` */
  NEXT_GT_SPAN,        /* `>` followed by `span` */
  NEXT_GT_GT_SPAN,     /* `>>` followed by `span` */
} NextKind;

typedef struct {
  NextKind kind;
  char word[NAME_CAP];
  /* For a name: whether the token after it is `{ [ . : ( > >>` (what lets a name start a
   * statement). For `not`: whether the token after it is `in`. For another keyword: whether
   * it is `.` (the keyword begins a path). For `[`: whether the group holds a list rather
   * than one expression. */
  bool followed_well;
  /* For a name: whether the token after it is `.`. */
  bool dot_follows;
} Next;

/* Classifies the token at the lexer's position, looking as far ahead as needed. */
static Next classify(TSLexer *lexer) {
  Next next = {NEXT_OTHER, "", false, false};
  int32_t c = lexer->lookahead;
  if (is_name_start(c)) {
    bool dangling_minus;
    read_name(lexer, next.word, &dangling_minus);
    if (in_list(next.word, KEYWORDS, COUNT_OF(KEYWORDS))) {
      next.kind = NEXT_KEYWORD;
      if (!dangling_minus) {
        next.followed_well = strcmp(next.word, "not") == 0 ? next_is_word(lexer, "in") : next_is_dot(lexer);
      }
      return next;
    }
    next.kind = NEXT_NAME;
    if (dangling_minus) return next;
    skip_trivia(lexer);
    switch (lexer->lookahead) {
      case '{':
      case '[':
      case ':':
      case '(':
        next.followed_well = true;
        break;
      case '.':
        advance(lexer);
        next.followed_well = next.dot_follows = !is_digit(lexer->lookahead);
        break;
      case '>':
        advance(lexer);
        next.followed_well = lexer->lookahead != '=';
        break;
      default:
        break;
    }
    return next;
  }
  switch (c) {
    case '"':
      next.kind = NEXT_STRING;
      break;
    case '(':
      next.kind = NEXT_PAREN;
      break;
    case '[':
      next.kind = NEXT_BRACKET;
      next.followed_well = bracket_holds_a_list(lexer);
      break;
    case '{':
      next.kind = NEXT_BRACE;
      break;
    case '-':
      advance(lexer);
      if (lexer->lookahead != '>') next.kind = NEXT_MINUS;
      break;
    case '>':
      advance(lexer);
      if (lexer->lookahead == '>') {
        advance(lexer);
        if (next_is_word(lexer, "span")) next.kind = NEXT_GT_GT_SPAN;
      } else if (lexer->lookahead != '=') {
        if (next_is_word(lexer, "span")) next.kind = NEXT_GT_SPAN;
      }
      break;
    default:
      if (is_digit(c)) next.kind = NEXT_DIGIT;
      break;
  }
  return next;
}

/* Whether a keyword followed by `.` begins a path there (`test.case.name`). */
static bool keyword_begins_path(const Next *next) {
  return next->kind == NEXT_KEYWORD && next->followed_well && strcmp(next->word, "not") != 0 &&
         !in_list(next->word, CHAIN_KEYWORDS, COUNT_OF(CHAIN_KEYWORDS));
}

/* Whether a positional argument (a selector chain) can begin with the next token. */
static bool begins_argument(const Next *next, bool brace_allowed, const bool *valid_symbols) {
  switch (next->kind) {
    case NEXT_NAME:
    case NEXT_STRING:
    case NEXT_DIGIT:
    case NEXT_PAREN:
    case NEXT_GT_SPAN:
    case NEXT_GT_GT_SPAN:
      return true;
    case NEXT_KEYWORD:
      return in_list(next->word, CHAIN_KEYWORDS, COUNT_OF(CHAIN_KEYWORDS)) || keyword_begins_path(next);
    case NEXT_BRACKET:
      /* After an argument, `[` indexes it, unless it holds a list. */
      return !valid_symbols[CHILD_COMBINATOR] || next->followed_well;
    case NEXT_BRACE:
      return brace_allowed;
    default:
      return false;
  }
}

/* Whether a span-block statement begins with the next token, which does not continue the
 * expression before it. */
static bool begins_statement(const Next *next, const bool *valid_symbols) {
  switch (next->kind) {
    case NEXT_NAME:
      return next->followed_well;
    case NEXT_KEYWORD:
      /* A statement keyword followed by `.` begins a path: `test.case.name == "x" { ... }`. */
      if (keyword_begins_path(next)) return true;
      if (in_list(next->word, STATEMENT_KEYWORDS, COUNT_OF(STATEMENT_KEYWORDS))) return false;
      if (strcmp(next->word, "not") == 0) return !next->followed_well; /* `not in` continues */
      return in_list(next->word, CHAIN_KEYWORDS, COUNT_OF(CHAIN_KEYWORDS));
    case NEXT_STRING:
    case NEXT_DIGIT:
    case NEXT_PAREN:
    case NEXT_MINUS:
    case NEXT_GT_SPAN:
    case NEXT_GT_GT_SPAN:
      return true;
    case NEXT_BRACKET:
      /* After a selection, `[` filters it, unless it holds a list. */
      return !valid_symbols[CHILD_COMBINATOR] || next->followed_well;
    case NEXT_BRACE:
      /* After a trigger's arguments, `{` opens its options. */
      return !valid_symbols[ARG_START] && !valid_symbols[OPTION_ARG_START];
    default:
      return false;
  }
}

/* ----- numbers and durations ------------------------------------------------------------- */

/* The smallest decimal that rounds to infinity as an f64: 2^1024 - 2^970, the midpoint
 * between f64::MAX and 2^1024 (ties round to even, which is 2^1024). */
static const char F64_OVERFLOW[] =
    "17976931348623158079372897140530341507993413271003782693617377898044496829276475094664901"
    "79775872070963302864166928879109465555478519404026306574886715058206819089020007083836762"
    "73854845817711531764475730270069855571366959622842914819860834936475292719074168444365510"
    "704342711559699508093042880177904174497792";

#define OVERFLOW_DIGITS 309
#define SATURATE 100000000L

/* The longest number or duration token the scanner checks; a longer one is rejected. */
#define TEXT_CAP 1024

/* The micro sign, stored as one byte in a token's text. */
#define MICRO '\xB5'

/* A decimal number: its significant digits and where the point is. */
typedef struct {
  char digits[OVERFLOW_DIGITS]; /* the significant digits, the first OVERFLOW_DIGITS of them */
  long count;                   /* how many significant digits there are */
  long integer_digits;          /* how many of them are before the point */
  long leading_fraction_zeros;  /* zeros after the point before the first significant digit */
  long exponent;
  bool is_float;                /* it has a point or an exponent */
} Decimal;

/* Reads `[0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9]+)?` (underscores ignored), as `str::parse` sees
 * the digits once the compiler has removed the underscores. */
static void parse_decimal(const char *text, size_t length, Decimal *number) {
  memset(number, 0, sizeof *number);
  size_t i = 0;
  bool fraction = false;
  for (; i < length; i++) {
    char c = text[i];
    if (c == '_') continue;
    if (c == '.') {
      fraction = true;
      number->is_float = true;
      continue;
    }
    if (!is_digit(c)) break;
    if (number->count == 0 && c == '0') {
      if (fraction) number->leading_fraction_zeros++;
      continue;
    }
    if (number->count < OVERFLOW_DIGITS) number->digits[number->count] = c;
    if (number->count < SATURATE) number->count++;
    if (!fraction && number->integer_digits < SATURATE) number->integer_digits++;
  }
  if (i < length && (text[i] == 'e' || text[i] == 'E')) {
    number->is_float = true;
    i++;
    bool negative = false;
    if (i < length && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
    long exponent = 0;
    for (; i < length && is_digit(text[i]); i++) {
      if (exponent < SATURATE) exponent = exponent * 10 + (text[i] - '0');
    }
    number->exponent = negative ? -exponent : exponent;
  }
}

/* Whether the number fits in an i64, as `str::parse::<i64>` decides. */
static bool fits_i64(const Decimal *number) {
  static const char I64_MAX[] = "9223372036854775807";
  if (number->count < 19) return true;
  if (number->count > 19) return false;
  return memcmp(number->digits, I64_MAX, 19) <= 0;
}

/* Whether the number is finite as an f64, as `str::parse::<f64>` decides. */
static bool finite_f64(const Decimal *number) {
  if (number->count == 0) return true; /* zero */
  /* The value is 0.DIGITS * 10^magnitude. */
  long magnitude = number->integer_digits > 0 ? number->integer_digits : -number->leading_fraction_zeros;
  magnitude += number->exponent;
  if (magnitude < OVERFLOW_DIGITS) return true;
  if (magnitude > OVERFLOW_DIGITS) return false;
  for (long i = 0; i < OVERFLOW_DIGITS; i++) {
    char digit = i < number->count ? number->digits[i] : '0';
    if (digit != F64_OVERFLOW[i]) return digit < F64_OVERFLOW[i];
  }
  return false; /* exactly the midpoint, or more digits after it */
}

/* The rank of a duration unit (larger is longer), or 0 for an unknown one. */
static int unit_rank(const char *unit, size_t length) {
  if (length == 1) {
    switch (unit[0]) {
      case 's': return 4;
      case 'm': return 5;
      case 'h': return 6;
      default: return 0;
    }
  }
  if (length == 2 && unit[1] == 's') {
    switch (unit[0]) {
      case 'n': return 1;
      case 'u':
      case MICRO: return 2;
      case 'm': return 3;
      default: return 0;
    }
  }
  return 0;
}

/* The length of the number at the start of `text`, as the compiler's duration decoder
 * measures it: digits, `_` and `.`, then an exponent if digits follow its `e`. */
static size_t number_prefix_length(const char *text, size_t length) {
  size_t i = 0;
  while (i < length && (is_digit(text[i]) || text[i] == '_' || text[i] == '.')) i++;
  if (i < length && (text[i] == 'e' || text[i] == 'E')) {
    size_t j = i + 1;
    if (j < length && (text[j] == '+' || text[j] == '-')) j++;
    if (j < length && is_digit(text[j])) {
      while (j < length && is_digit(text[j])) j++;
      i = j;
    }
  }
  return i;
}

/* Whether a duration token is valid: each number is finite, each unit is known, and the
 * units go from largest to smallest (`1h30m`). */
static bool valid_duration(const char *text, size_t length) {
  int previous = 7;
  size_t i = 0;
  while (i < length) {
    size_t digits = number_prefix_length(text + i, length - i);
    Decimal number;
    parse_decimal(text + i, digits, &number);
    if (digits == 0 || !finite_f64(&number)) return false;
    i += digits;
    size_t unit_start = i;
    while (i < length && !is_digit(text[i])) i++;
    int rank = unit_rank(text + unit_start, i - unit_start);
    if (rank == 0 || rank >= previous) return false;
    previous = rank;
  }
  return previous < 7;
}

typedef struct {
  char text[TEXT_CAP];
  size_t length;
  bool too_long;
} Text;

static void push(Text *text, int32_t c) {
  if (text->length < TEXT_CAP) {
    text->text[text->length++] = c == 0xB5 ? MICRO : (char)c;
  } else {
    text->too_long = true;
  }
}

/* `[0-9][0-9_]*`, appended to `text`. */
static void scan_digits(TSLexer *lexer, Text *text) {
  while (is_digit(lexer->lookahead) || lexer->lookahead == '_') {
    push(text, lexer->lookahead);
    advance(lexer);
  }
}

/* `[A-Za-zµ_]+`, appended to `text`; whether there was any. */
static bool scan_suffix(TSLexer *lexer, Text *text) {
  bool any = false;
  while (is_suffix_char(lexer->lookahead)) {
    push(text, lexer->lookahead);
    advance(lexer);
    any = true;
  }
  return any;
}

/* A number, a duration or a count, lexed as the compiler's lexer does: the longest of
 *   Number            [0-9][0-9_]*(\.[0-9][0-9_]*)?([eE][+-]?[0-9]+)?
 *   NumberWithSuffix  the same, then [A-Za-zµ_]+([0-9][0-9_]*(\.[0-9][0-9_]*)?[A-Za-zµ_]+)*
 * (a tie goes to NumberWithSuffix), then checked as its decoder does. An invalid one produces
 * no token, so the parse has an error there. */
static bool scan_number(TSLexer *lexer, const bool *valid_symbols) {
  Text text; /* on the stack: parsers on several threads share this code */
  text.length = 0;
  text.too_long = false;
  scan_digits(lexer, &text);
  lexer->mark_end(lexer);

  bool with_suffix = false;
  bool number_ends = false; /* `1.x`: the number is `1`, then a field */
  if (lexer->lookahead == '.') {
    advance(lexer);
    if (is_digit(lexer->lookahead)) {
      push(&text, '.');
      scan_digits(lexer, &text);
      lexer->mark_end(lexer);
    } else {
      number_ends = true;
    }
  }
  if (!number_ends && (lexer->lookahead == 'e' || lexer->lookahead == 'E')) {
    push(&text, lexer->lookahead);
    advance(lexer);
    lexer->mark_end(lexer);
    if (lexer->lookahead == '+' || lexer->lookahead == '-') {
      push(&text, lexer->lookahead);
      advance(lexer);
      /* `1e+x`: a duration with the unknown unit `e`. */
      if (!is_digit(lexer->lookahead)) return false;
    }
    if (is_digit(lexer->lookahead)) {
      while (is_digit(lexer->lookahead)) {
        push(&text, lexer->lookahead);
        advance(lexer);
      }
      lexer->mark_end(lexer);
    } else {
      /* `1ems`, `1e`: a unit that begins with `e`. */
      with_suffix = true;
      scan_suffix(lexer, &text);
      lexer->mark_end(lexer);
    }
  }
  if (!number_ends && !with_suffix && scan_suffix(lexer, &text)) {
    with_suffix = true;
    lexer->mark_end(lexer);
  }
  if (with_suffix) {
    /* The further parts of a compound duration: `2m30s`. Digits that end with `_` and have no
     * unit after them still make a part, whose unit is that `_` (`2m30_`, an unknown unit). */
    while (is_digit(lexer->lookahead)) {
      size_t length = text.length;
      scan_digits(lexer, &text);
      if (text.text[text.length - 1] == '_') {
        lexer->mark_end(lexer);
        length = text.length;
      }
      if (lexer->lookahead == '.') {
        advance(lexer);
        if (!is_digit(lexer->lookahead)) {
          text.length = length;
          break;
        }
        push(&text, '.');
        scan_digits(lexer, &text);
        if (text.text[text.length - 1] == '_') {
          lexer->mark_end(lexer);
          length = text.length;
        }
      }
      if (!scan_suffix(lexer, &text)) {
        text.length = length;
        break;
      }
      lexer->mark_end(lexer);
    }
  }
  if (text.too_long) return false;

  if (with_suffix) {
    if (!valid_symbols[DURATION] || !valid_duration(text.text, text.length)) return false;
    lexer->result_symbol = DURATION;
    return true;
  }
  /* `1_` is a duration token with the unit `_` for the lexer, which prefers it to the number
   * `1_`; its decoder reads it as the number 1, but it is no count. */
  bool unit_underscore = text.text[text.length - 1] == '_';
  Decimal number;
  parse_decimal(text.text, text.length, &number);
  if (valid_symbols[COUNT]) {
    /* `exactly 1.5 span`: a count is a whole number. */
    if (unit_underscore || number.is_float || !fits_i64(&number)) return false;
    lexer->result_symbol = COUNT;
    return true;
  }
  if (!valid_symbols[NUMBER]) return false;
  if (!(number.is_float ? finite_f64(&number) : fits_i64(&number))) return false;
  lexer->result_symbol = NUMBER;
  return true;
}

/* ----- regex literals -------------------------------------------------------------------- */

/* Scans a regex body up to (not including) its closing `/`, as the compiler's lexer does:
 * `\` escapes the next character, and a `/` inside `[...]` does not close it. Returns
 * whether the closing `/` was found on the line. */
static bool scan_regex_body(TSLexer *lexer) {
  bool in_class = false;
  for (;;) {
    if (lexer->eof(lexer)) return false;
    int32_t c = lexer->lookahead;
    switch (c) {
      case '\n':
        return false;
      case '\\':
        advance(lexer);
        if (lexer->eof(lexer) || lexer->lookahead == '\n') return false;
        advance(lexer);
        continue;
      case '[':
        in_class = true;
        break;
      case ']':
        in_class = false;
        break;
      case '/':
        if (!in_class) return true;
        break;
      default:
        break;
    }
    advance(lexer);
  }
}

/* The opening `/` of a regex, if the whole literal is closed and its flags are valid. */
static bool scan_regex_start(TSLexer *lexer) {
  advance(lexer);
  lexer->mark_end(lexer);
  if (!scan_regex_body(lexer)) return false;
  advance(lexer);
  while (is_alphanumeric(lexer->lookahead)) {
    int32_t flag = lexer->lookahead;
    if (flag != 'i' && flag != 'm' && flag != 's' && flag != 'x') return false;
    advance(lexer);
  }
  lexer->result_symbol = REGEX_START;
  return true;
}

/* Unicode White_Space other than the line feed. */
static bool is_inline_space(int32_t c) {
  return c == '\t' || c == 0x0B || c == '\f' || c == '\r' || c == ' ' || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

/* ----- the scanner ---------------------------------------------------------------------- */

/* The deepest brace whose kind is remembered; deeper ones are only counted. */
#define TRACKED 512

typedef struct {
  uint16_t depth;                /* open braces */
  uint16_t test_bodies;          /* open test bodies among them */
  uint8_t is_test[TRACKED / 8];  /* bit i: the brace at depth i is a test body */
} Scanner;

static void push_brace(Scanner *scanner, bool test_body) {
  if (scanner->depth < TRACKED) {
    uint8_t bit = (uint8_t)(1u << (scanner->depth % 8));
    if (test_body) {
      scanner->is_test[scanner->depth / 8] |= bit;
    } else {
      scanner->is_test[scanner->depth / 8] &= (uint8_t)~bit;
    }
  }
  if (scanner->depth < UINT16_MAX) scanner->depth++;
  if (test_body && scanner->test_bodies < UINT16_MAX) scanner->test_bodies++;
}

static void pop_brace(Scanner *scanner) {
  if (scanner->depth == 0) return;
  scanner->depth--;
  if (scanner->depth < TRACKED && (scanner->is_test[scanner->depth / 8] >> (scanner->depth % 8)) & 1) {
    if (scanner->test_bodies > 0) scanner->test_bodies--;
  }
}

/* Whether the compiler's delimiter pass closes open delimiters at `word`, which begins a line. */
static bool closes_blocks(const Scanner *scanner, const char *word) {
  if (strcmp(word, "test") == 0) return scanner->test_bodies > 0;
  return scanner->depth > 0 && (strcmp(word, "use") == 0 || strcmp(word, "suite") == 0 || strcmp(word, "schema") == 0);
}

void *tree_sitter_tbt_external_scanner_create(void) {
  Scanner *scanner = ts_calloc(1, sizeof(Scanner));
  return scanner;
}

void tree_sitter_tbt_external_scanner_destroy(void *payload) { ts_free(payload); }

unsigned tree_sitter_tbt_external_scanner_serialize(void *payload, char *buffer) {
  Scanner *scanner = payload;
  unsigned tracked = scanner->depth < TRACKED ? scanner->depth : TRACKED;
  unsigned bytes = (tracked + 7) / 8;
  memcpy(buffer, &scanner->depth, sizeof scanner->depth);
  memcpy(buffer + 2, &scanner->test_bodies, sizeof scanner->test_bodies);
  memcpy(buffer + 4, scanner->is_test, bytes);
  return 4 + bytes;
}

void tree_sitter_tbt_external_scanner_deserialize(void *payload, const char *buffer, unsigned length) {
  Scanner *scanner = payload;
  memset(scanner, 0, sizeof *scanner);
  if (length < 4) return;
  memcpy(&scanner->depth, buffer, sizeof scanner->depth);
  memcpy(&scanner->test_bodies, buffer + 2, sizeof scanner->test_bodies);
  unsigned bytes = length - 4 < sizeof scanner->is_test ? length - 4 : sizeof scanner->is_test;
  memcpy(scanner->is_test, buffer + 4, bytes);
}

/* `>` or `>>`: a combinator, a relative selector or a comparison, as the compiler reads it. */
static bool scan_greater(TSLexer *lexer, const bool *valid_symbols, bool line_break) {
  bool continues = !line_break && (valid_symbols[CHILD_COMBINATOR] || valid_symbols[GREATER]);
  bool relative = valid_symbols[RELATIVE_CHILD] || valid_symbols[RELATIVE_DESCENDANT];
  if (!continues && !relative) return false;
  advance(lexer);
  bool twice = lexer->lookahead == '>';
  if (twice) {
    advance(lexer);
  } else if (lexer->lookahead == '=') {
    return false; /* `>=` */
  }
  lexer->mark_end(lexer);
  bool before_span = next_is_word(lexer, "span");
  if (before_span && !line_break && valid_symbols[CHILD_COMBINATOR]) {
    lexer->result_symbol = twice ? DESCENDANT_COMBINATOR : CHILD_COMBINATOR;
    return true;
  }
  if (before_span && relative) {
    lexer->result_symbol = twice ? RELATIVE_DESCENDANT : RELATIVE_CHILD;
    return true;
  }
  if (!twice && !line_break && valid_symbols[GREATER]) {
    lexer->result_symbol = GREATER;
    return true;
  }
  return false;
}

bool tree_sitter_tbt_external_scanner_scan(void *payload, TSLexer *lexer, const bool *valid_symbols) {
  Scanner *scanner = payload;
  /* In error recovery every symbol is valid: only braces, which the internal lexer cannot lex,
   * are produced, so that the recovery can resynchronize on them. */
  if (valid_symbols[ERROR_SENTINEL]) {
    while (lexer->lookahead == ' ' || lexer->lookahead == '\t' || lexer->lookahead == '\r' ||
           lexer->lookahead == '\n' || lexer->lookahead == '\f') {
      skip(lexer);
    }
    if (lexer->lookahead == '{') {
      advance(lexer);
      push_brace(scanner, false);
      lexer->result_symbol = LBRACE;
      return true;
    }
    if (lexer->lookahead == '}') {
      advance(lexer);
      pop_brace(scanner);
      lexer->result_symbol = RBRACE;
      return true;
    }
    return false;
  }

  if (valid_symbols[INTERPOLATION_PADDING] && is_inline_space(lexer->lookahead)) {
    while (is_inline_space(lexer->lookahead)) advance(lexer);
    lexer->result_symbol = INTERPOLATION_PADDING;
    return true;
  }

  /* The parts of a regex literal, which are never separated by whitespace. */
  if (valid_symbols[REGEX_END] && lexer->lookahead == '/') {
    advance(lexer);
    lexer->result_symbol = REGEX_END;
    return true;
  }
  if (valid_symbols[REGEX_PATTERN]) {
    if (!scan_regex_body(lexer)) return false;
    lexer->mark_end(lexer);
    lexer->result_symbol = REGEX_PATTERN;
    return true;
  }
  if (valid_symbols[REGEX_FLAGS] && is_alphanumeric(lexer->lookahead)) {
    while (is_alphanumeric(lexer->lookahead)) advance(lexer);
    lexer->result_symbol = REGEX_FLAGS;
    return true;
  }

  bool line_break = false;
  bool line_start = false;  /* the token begins a line: the last character skipped is `\n` */
  bool only_blanks = true;  /* only spaces and tabs: what may stand between `matches` and a regex */
  for (;;) {
    int32_t c = lexer->lookahead;
    if (c == '\n') {
      line_break = true;
      only_blanks = false;
    } else if (c == '\r' || c == '\f') {
      only_blanks = false;
    } else if (c != ' ' && c != '\t') {
      break;
    }
    line_start = c == '\n';
    skip(lexer);
  }
  /* A comment: the internal lexer takes it, and the scanner is asked again after it. */
  if (lexer->lookahead == '#' || lexer->eof(lexer)) return false;
  int32_t c = lexer->lookahead;

  if (valid_symbols[REGEX_START] && c == '/') {
    return only_blanks && scan_regex_start(lexer);
  }

  if (c == '}' && valid_symbols[RBRACE]) {
    advance(lexer);
    pop_brace(scanner);
    lexer->result_symbol = RBRACE;
    return true;
  }
  if (c == '{' && (valid_symbols[LBRACE] || valid_symbols[TEST_LBRACE])) {
    advance(lexer);
    push_brace(scanner, valid_symbols[TEST_LBRACE]);
    lexer->result_symbol = valid_symbols[TEST_LBRACE] ? TEST_LBRACE : LBRACE;
    return true;
  }

  if (valid_symbols[CALL_OPEN] && c == '(') {
    advance(lexer);
    lexer->result_symbol = CALL_OPEN;
    return true;
  }

  if (c == '>' && (valid_symbols[CHILD_COMBINATOR] || valid_symbols[GREATER] || valid_symbols[RELATIVE_CHILD])) {
    if (!line_break || valid_symbols[RELATIVE_CHILD]) return scan_greater(lexer, valid_symbols, line_break);
  }

  if (c == '-' && (valid_symbols[BINARY_MINUS] || valid_symbols[UNARY_MINUS])) {
    advance(lexer);
    if (lexer->lookahead == '>') return false;
    lexer->mark_end(lexer);
    lexer->result_symbol = valid_symbols[BINARY_MINUS] ? BINARY_MINUS : UNARY_MINUS;
    return true;
  }

  if (c == '=' && valid_symbols[EQUALS]) {
    advance(lexer);
    if (lexer->lookahead == '=' || lexer->lookahead == '>' || lexer->lookahead == '~') return false;
    lexer->mark_end(lexer);
    lexer->result_symbol = EQUALS;
    return true;
  }

  bool argument = valid_symbols[ARG_START] || valid_symbols[OPTION_ARG_START] || valid_symbols[OPTION_KIND];
  bool word_ahead = line_start && scanner->depth > 0 && is_name_start(c);
  if (argument || valid_symbols[STATEMENT_START] || word_ahead) {
    lexer->mark_end(lexer);
    Next next = classify(lexer);
    /* Not before `.`: `test.case.name` at the start of a line is a path. */
    if (line_start && next.kind == NEXT_KEYWORD && !next.followed_well && closes_blocks(scanner, next.word)) {
      /* Not valid here: the parse has an error, as the compiler's delimiter pass reports one. */
      lexer->result_symbol = NEVER;
      return true;
    }
    /* `body json`, but not `body json.x`. */
    if (valid_symbols[OPTION_KIND] && !line_break && next.kind == NEXT_NAME && !next.dot_follows &&
        in_list(next.word, OPTION_KINDS, COUNT_OF(OPTION_KINDS))) {
      lexer->result_symbol = OPTION_KIND;
      return true;
    }
    if (argument && !line_break &&
        begins_argument(&next, valid_symbols[OPTION_ARG_START] || valid_symbols[OPTION_KIND], valid_symbols) &&
        (valid_symbols[ARG_START] || valid_symbols[OPTION_ARG_START])) {
      lexer->result_symbol = valid_symbols[ARG_START] ? ARG_START : OPTION_ARG_START;
      return true;
    }
    if (valid_symbols[STATEMENT_START] && begins_statement(&next, valid_symbols)) {
      lexer->result_symbol = STATEMENT_START;
      return true;
    }
    return false;
  }

  if (is_digit(c) && (valid_symbols[NUMBER] || valid_symbols[DURATION] || valid_symbols[COUNT])) {
    return scan_number(lexer, valid_symbols);
  }

  return false;
}
