/*
 * The external scanner of the tbt grammar: the few rules of the compiler's lexer and parser
 * (crates/syntax) that depend on line breaks, on the next token, or on a number's value.
 *
 * - `_arg_start`, `_option_arg_start`: zero-width, before a positional argument of a trigger
 *   or an option. An argument begins on the line of its keyword (no line break before it),
 *   and a trigger argument never begins with `{` (that opens the option block).
 * - `_statement_start`: zero-width, before a span-block statement (`span[...] { ... }`).
 *   It is not produced where the next token continues the expression before it, and a name
 *   that starts a statement must be followed by `{ [ . : ( >` or `>>`, as in the compiler.
 * - `_child_combinator`, `_descendant_combinator`: `>` and `>>` when the next token is `span`.
 * - `_binary_minus`, `_call_open`: `-` and `(` where they continue an expression.
 * - `number`, `duration`: the lexer's longest-match rules, plus the checks of the literal
 *   decoder: an integer fits in an i64, a float is finite, a duration's unit is known.
 * - `_regex_start`, `regex_pattern`, `_regex_end`, `regex_flags`: a regex literal, only where
 *   the grammar allows one (right after `matches`), only after spaces or tabs, and only if it
 *   is closed on its line and its flags are among i, m, s, x.
 * - `_interpolation_padding`: the spaces just inside `${ ... }`, which `str::trim` removes
 *   (Unicode white space other than the line feed).
 * - `_never` is never produced: the grammar puts it after a keyword that stands where a name
 *   is expected, which makes that keyword a syntax error, as it is for the compiler.
 *
 * The scanner keeps no state.
 */

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

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* Longer than any keyword, so a longer name is never mistaken for one. */
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
  bool after_matches = false;
  for (;;) {
    if (lexer->eof(lexer)) return false;
    int32_t c = lexer->lookahead;
    if (c == '"') {
      skip_string(lexer);
      after_matches = false;
      continue;
    }
    if (c == '#') {
      while (!lexer->eof(lexer) && lexer->lookahead != '\n') advance(lexer);
      continue;
    }
    if (is_name_start(c)) {
      char name[NAME_CAP];
      bool dangling_minus;
      read_name(lexer, name, &dangling_minus);
      after_matches = !dangling_minus && strcmp(name, "matches") == 0;
      if (after_matches) {
        while (lexer->lookahead == ' ' || lexer->lookahead == '\t') advance(lexer);
        if (lexer->lookahead == '/') {
          advance(lexer);
          if (scan_regex_body(lexer)) advance(lexer);
          while (is_alphanumeric(lexer->lookahead)) advance(lexer);
        }
        after_matches = false;
      }
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
   * statement). For `not`: whether the token after it is `in`. For `[`: whether the group
   * holds a list rather than one expression. */
  bool followed_well;
} Next;

/* Classifies the token at the lexer's position, looking as far ahead as needed. */
static Next classify(TSLexer *lexer) {
  Next next = {NEXT_OTHER, "", false};
  int32_t c = lexer->lookahead;
  if (is_name_start(c)) {
    bool dangling_minus;
    read_name(lexer, next.word, &dangling_minus);
    if (in_list(next.word, KEYWORDS, COUNT(KEYWORDS))) {
      next.kind = NEXT_KEYWORD;
      if (strcmp(next.word, "not") == 0 && !dangling_minus) {
        next.followed_well = next_is_word(lexer, "in");
      }
      return next;
    }
    next.kind = NEXT_NAME;
    if (dangling_minus) return next;
    skip_trivia(lexer);
    switch (lexer->lookahead) {
      case '{':
      case '[':
      case '.':
      case ':':
      case '(':
        next.followed_well = true;
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
      return in_list(next->word, CHAIN_KEYWORDS, COUNT(CHAIN_KEYWORDS));
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
      if (in_list(next->word, STATEMENT_KEYWORDS, COUNT(STATEMENT_KEYWORDS))) return false;
      if (strcmp(next->word, "not") == 0) return !next->followed_well; /* `not in` continues */
      return in_list(next->word, CHAIN_KEYWORDS, COUNT(CHAIN_KEYWORDS));
    case NEXT_STRING:
    case NEXT_DIGIT:
    case NEXT_PAREN:
    case NEXT_MINUS:
    case NEXT_GT_GT_SPAN:
      return true;
    case NEXT_GT_SPAN:
      /* After an operand, `>` compares. */
      return !valid_symbols[BINARY_MINUS];
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

typedef struct {
  char digits[OVERFLOW_DIGITS]; /* the significant digits, the first OVERFLOW_DIGITS of them */
  long count;                   /* how many significant digits there are */
  long integer_digits;          /* how many of them are in the integer part */
  long leading_fraction_zeros;  /* zeros after the point before the first significant digit */
  long exponent;
  bool fraction;
  bool has_exponent;
  bool trailing_underscore;     /* the digits end with `_`, which then belongs to the unit */
} Number;

static void add_digit(Number *number, int32_t c, bool in_fraction) {
  if (number->count == 0 && c == '0') {
    if (in_fraction) number->leading_fraction_zeros++;
    return;
  }
  if (number->count < OVERFLOW_DIGITS) number->digits[number->count] = (char)c;
  if (number->count < SATURATE) number->count++;
  if (!in_fraction && number->integer_digits < SATURATE) number->integer_digits++;
}

/* `[0-9][0-9_]*` */
static void scan_digits(TSLexer *lexer, Number *number, bool in_fraction) {
  while (is_digit(lexer->lookahead) || lexer->lookahead == '_') {
    number->trailing_underscore = lexer->lookahead == '_';
    if (lexer->lookahead != '_') add_digit(number, lexer->lookahead, in_fraction);
    advance(lexer);
  }
}

/* Whether the number fits in an i64, as `str::parse::<i64>` of its digits decides. */
static bool fits_i64(const Number *number) {
  static const char I64_MAX[] = "9223372036854775807";
  if (number->count < 19) return true;
  if (number->count > 19) return false;
  return memcmp(number->digits, I64_MAX, 19) <= 0;
}

/* Whether the number is finite as an f64, as `str::parse::<f64>` decides. */
static bool finite_f64(const Number *number) {
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

static bool is_unit(const int32_t *unit, size_t length) {
  if (length == 1) return unit[0] == 's' || unit[0] == 'm' || unit[0] == 'h';
  if (length == 2 && unit[1] == 's') {
    return unit[0] == 'n' || unit[0] == 'u' || unit[0] == 'm' || unit[0] == 0xB5;
  }
  return false;
}

/* A number or a duration, lexed as the compiler's lexer does (the longest of
 * `[0-9][0-9_]*(\.[0-9][0-9_]*)?([eE][+-]?[0-9]+)?` with or without a `[A-Za-zµ_]+` unit).
 * An invalid one produces no token, so the parse has an error there. */
static bool scan_number(TSLexer *lexer, const bool *valid_symbols) {
  Number number;
  memset(&number, 0, sizeof number);
  scan_digits(lexer, &number, false);
  lexer->mark_end(lexer);

  if (lexer->lookahead == '.') {
    advance(lexer);
    if (!is_digit(lexer->lookahead)) {
      /* `1.x`: the number is `1`, then a field. */
      if (!valid_symbols[NUMBER] || number.trailing_underscore || !fits_i64(&number)) return false;
      lexer->result_symbol = NUMBER;
      return true;
    }
    number.fraction = true;
    scan_digits(lexer, &number, true);
    lexer->mark_end(lexer);
  }

  int32_t unit[3];
  size_t unit_length = 0;
  bool long_unit = false;
  if (lexer->lookahead == 'e' || lexer->lookahead == 'E') {
    unit[unit_length++] = lexer->lookahead;
    advance(lexer);
    bool sign = false;
    bool negative = false;
    if (lexer->lookahead == '+' || lexer->lookahead == '-') {
      sign = true;
      negative = lexer->lookahead == '-';
      advance(lexer);
    }
    if (is_digit(lexer->lookahead)) {
      unit_length = 0;
      number.has_exponent = true;
      number.trailing_underscore = false;
      long exponent = 0;
      while (is_digit(lexer->lookahead)) {
        if (exponent < SATURATE) exponent = exponent * 10 + (lexer->lookahead - '0');
        advance(lexer);
      }
      number.exponent = negative ? -exponent : exponent;
      lexer->mark_end(lexer);
    } else if (sign || !is_suffix_char(lexer->lookahead)) {
      /* `1e+x`, `1e `: a duration with the unknown unit `e`. */
      return false;
    }
  }
  while (is_suffix_char(lexer->lookahead)) {
    if (unit_length < 3) {
      unit[unit_length++] = lexer->lookahead;
    } else {
      long_unit = true;
    }
    advance(lexer);
  }
  if (unit_length > 0) {
    lexer->mark_end(lexer);
    if (!valid_symbols[DURATION] || long_unit || number.trailing_underscore) return false;
    if (!is_unit(unit, unit_length) || !finite_f64(&number)) return false;
    lexer->result_symbol = DURATION;
    return true;
  }
  /* `1_`: the lexer prefers a duration with the unit `_` to the number `1_`. */
  if (!valid_symbols[NUMBER] || number.trailing_underscore) return false;
  bool ok = number.fraction || number.has_exponent ? finite_f64(&number) : fits_i64(&number);
  if (!ok) return false;
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

void *tree_sitter_tbt_external_scanner_create(void) { return NULL; }

void tree_sitter_tbt_external_scanner_destroy(void *payload) { (void)payload; }

unsigned tree_sitter_tbt_external_scanner_serialize(void *payload, char *buffer) {
  (void)payload;
  (void)buffer;
  return 0;
}

void tree_sitter_tbt_external_scanner_deserialize(void *payload, const char *buffer, unsigned length) {
  (void)payload;
  (void)buffer;
  (void)length;
}

bool tree_sitter_tbt_external_scanner_scan(void *payload, TSLexer *lexer, const bool *valid_symbols) {
  (void)payload;
  /* In error recovery every symbol is valid: leave the recovery to the internal lexer. */
  if (valid_symbols[ERROR_SENTINEL]) return false;

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
  bool only_blanks = true; /* only spaces and tabs: what may stand between `matches` and a regex */
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
    skip(lexer);
  }
  /* A comment: the internal lexer takes it, and the scanner is asked again after it. */
  if (lexer->lookahead == '#' || lexer->eof(lexer)) return false;
  int32_t c = lexer->lookahead;

  if (valid_symbols[REGEX_START] && c == '/') {
    return only_blanks && scan_regex_start(lexer);
  }

  if (valid_symbols[CALL_OPEN] && c == '(') {
    advance(lexer);
    lexer->result_symbol = CALL_OPEN;
    return true;
  }

  if (c == '>' && (valid_symbols[CHILD_COMBINATOR] || valid_symbols[DESCENDANT_COMBINATOR])) {
    advance(lexer);
    enum TokenType combinator = CHILD_COMBINATOR;
    if (lexer->lookahead == '>') {
      advance(lexer);
      combinator = DESCENDANT_COMBINATOR;
    } else if (lexer->lookahead == '=') {
      return false;
    }
    lexer->mark_end(lexer);
    if (!valid_symbols[combinator] || !next_is_word(lexer, "span")) return false;
    lexer->result_symbol = combinator;
    return true;
  }

  if (c == '-' && valid_symbols[BINARY_MINUS]) {
    advance(lexer);
    if (lexer->lookahead == '>') return false;
    lexer->mark_end(lexer);
    lexer->result_symbol = BINARY_MINUS;
    return true;
  }

  bool argument = valid_symbols[ARG_START] || valid_symbols[OPTION_ARG_START];
  if (argument || valid_symbols[STATEMENT_START]) {
    lexer->mark_end(lexer);
    Next next = classify(lexer);
    if (argument && !line_break && begins_argument(&next, valid_symbols[OPTION_ARG_START], valid_symbols)) {
      lexer->result_symbol = valid_symbols[ARG_START] ? ARG_START : OPTION_ARG_START;
      return true;
    }
    if (valid_symbols[STATEMENT_START] && begins_statement(&next, valid_symbols)) {
      lexer->result_symbol = STATEMENT_START;
      return true;
    }
    return false;
  }

  if (is_digit(c) && (valid_symbols[NUMBER] || valid_symbols[DURATION])) {
    return scan_number(lexer, valid_symbols);
  }

  return false;
}
