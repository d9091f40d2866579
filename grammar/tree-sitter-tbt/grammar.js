/**
 * @file The tree-sitter grammar of tbt, the trace-based testing language (`.tbt` files).
 * @license Apache-2.0
 *
 * The compiler's parser (crates/syntax) is the authority; grammar/tbt.ebnf describes it in
 * prose. `tests/grammar.rs` parses every example, documentation snippet and corpus file with
 * both and fails when they disagree about which files have syntax errors or about the shape
 * of an expression.
 *
 * What a context-free grammar cannot say is done by the external scanner (src/scanner.c):
 *
 * - Positional arguments of a trigger or an option begin on the line of their keyword
 *   (`_arg_start`, `_option_arg_start`).
 * - `>` and `>>` are selector combinators only when the next token is `span`; they continue a
 *   selector only on its line (`_child_combinator`, `_descendant_combinator`), and begin a
 *   relative one anywhere (`_relative_child`, `_relative_descendant`). Otherwise `>` is a
 *   comparison, but never at the start of a line (`_greater`).
 * - The kind word of an option (`body json`, `auth bearer`) is a plain word (`_option_kind`).
 * - The count of `exactly N` is an integer (`_count`).
 * - `=` and a prefix `-` are never the start of `=>`, `==` or `->` (`_equals`, `_unary_minus`):
 *   tokens are the longest the compiler's lexer sees, wherever they stand.
 * - Braces (`_lbrace`, `_test_lbrace`, `_rbrace`), so that the scanner knows the blocks open
 *   around it: like the compiler's delimiter pass, it rejects `use`, `suite` or `schema` at the
 *   start of a line inside braces, and `test` there inside a test's body.
 * - A statement that is a span block (`span[...] { ... }`) needs no keyword; a name that
 *   starts a statement must be followed by `{ [ . : ( >` or `>>` (`_statement_start`), and
 *   an expression goes on for as long as the next token can continue it (`_binary_minus`,
 *   `_call_open`).
 * - A regex literal exists only right after `matches`, on the same line (`_regex_start`).
 * - Numbers and durations are lexed and checked like the compiler does: an integer fits in
 *   64 bits, a float is finite, a duration's units are known and go from the largest down
 *   (`2m30s`) (`number`, `duration`).
 * - The spaces just inside `${ ... }` (`_interpolation_padding`): a token that begins with
 *   whitespace would confuse tree-sitter's lexer everywhere else.
 *
 * Keywords are reserved: `reserved()` puts a keyword that stands where a name is expected
 * before `_never`, a token the scanner never produces, so that it is a syntax error there, as it
 * is for the compiler (tree-sitter would otherwise read it as a name).
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

// Every keyword of the lexer (crates/syntax/src/token.rs, `Kind::KEYWORDS`), in its order.
// tests/grammar.rs checks that this list is exactly the lexer's.
const KEYWORDS = [
  'use', 'schema', 'test', 'suite', 'trigger', 'expect', 'let', 'output', 'wait',
  'span', 'and', 'or', 'not', 'in', 'contains', 'matches', 'exists', 'no', 'some', 'any',
  'exactly', 'within', 'true', 'false',
];

// Every operator and punctuation token of the lexer (`Kind::PUNCTUATION`).
// tests/grammar.rs checks that this list is exactly the lexer's and that the grammar uses each.
const PUNCTUATION = [
  '{', '}', '[', ']', '(', ')', ',', '.', ':', '=', '==', '!=', '<', '<=', '>', '>=', '>>',
  '->', '=>', '+', '-', '*', '/', '%', '|',
];

// Words that are keywords only inside `schema { ... }`; they are ordinary names elsewhere.
const CONTEXTUAL_KEYWORDS = ['services', 'attribute'];

// The keywords that can begin a selector chain (an operand without prefix operators). Any other
// keyword where a chain is expected is a syntax error, unless a `.` follows it (see
// PATH_KEYWORDS); `not` then starts a prefix expression.
const CHAIN_KEYWORDS = ['span', 'no', 'some', 'any', 'exactly', 'true', 'false'];

// The keywords that begin a path when a `.` follows them (`test.case.name` is an OpenTelemetry
// attribute): all but those that begin or continue expressions themselves.
const PATH_KEYWORDS = KEYWORDS.filter(k => !CHAIN_KEYWORDS.includes(k) && k !== 'not');

// The binding powers of the compiler's Pratt parser (chumsky: an infix operator of precedence
// p binds with 2p on its left and 2p + 1 on its right, a postfix one with 2p + 1, a prefix one
// takes an operand of at least 2p). So `exists` binds tighter than the comparison on its left
// (`a == b exists` is `a == (b exists)`) but looser than `+` (`a + b exists` is
// `(a + b) exists`).
const PREC = {
  or: 2,
  and: 4,
  not: 6,
  compare: 8,
  exists: 9,
  add: 10,
  multiply: 12,
  negate: 14,
  quantifier: 16,
  combinator: 17,
  postfix: 18,
  path: 19,
};

const NAME = /[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*/;

// `\u{...}`: 1 to 6 hex digits naming a Unicode scalar value (no surrogates, at most 10FFFF).
const HEX = '[0-9A-Fa-f]';
const HEX4_SCALAR = `([0-9A-Ca-c]${HEX}{3}|[Dd][0-7]${HEX}{2}|[E-Fe-f]${HEX}{3})`;
const UNICODE_SCALAR = [
  `${HEX}{1,3}`,
  HEX4_SCALAR,
  `0${HEX4_SCALAR}`,
  `[1-9A-Fa-f]${HEX}{4}`,
  `00${HEX4_SCALAR}`,
  `0[1-9A-Fa-f]${HEX}{4}`,
  `10${HEX}{4}`,
].join('|');

module.exports = grammar({
  name: 'tbt',

  word: $ => $.identifier,

  extras: $ => [/[ \t\r\n\x0C]/, $.comment],

  externals: $ => [
    $._statement_start,
    $._arg_start,
    $._option_arg_start,
    $._child_combinator,
    $._descendant_combinator,
    $._relative_child,
    $._relative_descendant,
    $._greater,
    $._option_kind,
    $._count,
    $._equals,
    $._unary_minus,
    $._lbrace,
    $._test_lbrace,
    $._rbrace,
    $._binary_minus,
    $._call_open,
    $.number,
    $.duration,
    $._regex_start,
    $.regex_pattern,
    $._regex_end,
    $.regex_flags,
    $._interpolation_padding,
    $._never,
    $._error_sentinel,
  ],


  rules: {
    source_file: $ => repeat($._statement),

    // ----- statements: one rule for every block ------------------------------------------

    _statement: $ => choice(
      $.use_statement,
      $.schema_statement,
      $.test_statement,
      $.suite_statement,
      $.trigger_statement,
      $.expect_statement,
      $.let_statement,
      $.output_statement,
      $.wait_statement,
      $.span_block,
    ),

    block: $ => seq(alias($._lbrace, '{'), repeat($._statement), alias($._rbrace, '}')),

    // A test's body: the compiler's delimiter pass treats it apart (see src/scanner.c).
    _test_body: $ => seq(alias($._test_lbrace, '{'), repeat($._statement), alias($._rbrace, '}')),

    use_statement: $ => seq('use', field('path', $.string)),

    schema_statement: $ => seq('schema', field('body', $.schema_body)),

    schema_body: $ => seq(
      alias($._lbrace, '{'),
      repeat(choice($.services_declaration, $.attribute_declaration)),
      alias($._rbrace, '}'),
    ),

    // `services a, "b.c", d,`: `services` and `attribute` are not service names, so after a
    // trailing comma they begin the next declaration.
    services_declaration: $ => seq(
      'services',
      field('service', choice(name($), $.string, reserved($, CONTEXTUAL_KEYWORDS))),
      repeat(seq(',', field('service', choice(name($), $.string)))),
      optional(','),
    ),

    attribute_declaration: $ => seq(
      'attribute',
      field('name', choice(name($), $.path)),
      ':',
      field('type', $._type),
      optional(field('documentation', $.string)),
    ),

    _type: $ => choice(alias($.identifier, $.type_identifier), $.list_type, $.enum_type, reserved($)),

    list_type: $ => seq(
      field('element', choice(alias($.identifier, $.type_identifier), $.list_type)),
      '[',
      ']',
    ),

    enum_type: $ => seq(field('member', $.string), repeat(seq('|', field('member', $.string)))),

    test_statement: $ => seq('test', field('name', $.string), field('body', alias($._test_body, $.block))),

    suite_statement: $ => seq('suite', field('name', $.string), field('body', $.block)),

    trigger_statement: $ => seq(
      'trigger',
      field('kind', word($, $.identifier)),
      repeat(seq($._arg_start, field('argument', $._chain))),
      optional(field('options', $.option_block)),
    ),

    option_block: $ => seq(alias($._lbrace, '{'), repeat($.option), alias($._rbrace, '}')),

    option: $ => seq(
      field('name', name($)),
      optional(seq($._option_kind, field('argument', $.identifier))),
      repeat(seq($._option_arg_start, field('argument', $._chain))),
      optional(seq(alias($._equals, '='), field('value', $._expression))),
    ),

    // `expect span[...] { ... }` is an error (a span block takes no `expect`): the `{` belongs to
    // the statement, so it cannot begin the next one.
    expect_statement: $ => seq(
      'expect',
      field('condition', $._expression),
      optional(seq(alias($._lbrace, '{'), $._never)),
    ),

    let_statement: $ => seq(
      'let',
      field('name', name($)),
      alias($._equals, '='),
      field('value', $._expression),
    ),

    output_statement: $ => seq(
      'output',
      field('name', name($)),
      alias($._equals, '='),
      field('value', $._expression),
    ),

    wait_statement: $ => seq('wait', field('kind', name($)), field('value', $._expression)),

    // `span[...] { ... }`, `no span[...] { ... }`, `charge { ... }`: a selection and a block.
    span_block: $ => seq(
      $._statement_start,
      field('selector', $._expression),
      field('body', $.block),
    ),

    // ----- expressions --------------------------------------------------------------------

    _expression: $ => choice($.order_expression, $._operand),

    // `a -> b => c within 2s`: the loosest level; `within` bounds a chain of at least two.
    order_expression: $ => prec.right(seq(
      field('step', $._operand),
      repeat1(seq(field('operator', choice('->', '=>')), field('step', $._operand))),
      optional(seq('within', field('bound', $._operand))),
    )),

    _operand: $ => choice(
      $.binary_expression,
      $.unary_expression,
      $.exists_expression,
      $._chain,
    ),

    binary_expression: $ => {
      const table = [
        [PREC.or, 'or'],
        [PREC.and, 'and'],
        [PREC.compare, choice('==', '!=', '<', '<=', alias($._greater, '>'), '>=', 'contains', 'in', seq('not', 'in'))],
        [PREC.add, choice('+', alias($._binary_minus, '-'))],
        [PREC.multiply, choice('*', '/', '%')],
      ];
      return choice(
        ...table.map(([precedence, operator]) => prec.left(precedence, seq(
          field('left', $._operand),
          field('operator', operator),
          field('right', $._operand),
        ))),
        // A regex literal exists only right after `matches`.
        prec.left(PREC.compare, seq(
          field('left', $._operand),
          field('operator', 'matches'),
          field('right', choice($._regex_operand, $._operand)),
        )),
      );
    },

    // The right operand of `matches` when it begins with a regex literal: the same nodes as any
    // operand at that level (postfix operators, combinators, `exists`, arithmetic), with the
    // regex as their leftmost primary.
    _regex_operand: $ => choice(
      $._regex_chain,
      alias($._regex_exists, $.exists_expression),
      alias($._regex_binary, $.binary_expression),
    ),

    _regex_chain: $ => choice($._regex_unit, alias($._regex_combined, $.combined_selector)),

    _regex_unit: $ => choice(
      $.regex,
      alias($._regex_field, $.field_expression),
      alias($._regex_index, $.index_expression),
      alias($._regex_pseudo, $.pseudo_selector),
    ),

    _regex_field: $ => prec(PREC.postfix, seq(
      field('object', $._regex_unit),
      '.',
      field('field', word($, $.property_identifier)),
    )),

    _regex_index: $ => prec(PREC.postfix, seq(
      field('object', $._regex_unit),
      '[',
      field('index', $._expression),
      ']',
    )),

    _regex_pseudo: $ => prec(PREC.postfix, seq(
      field('selector', $._regex_unit),
      field('pseudo_class', $.pseudo_class),
    )),

    _regex_combined: $ => prec.left(PREC.combinator, seq(
      field('left', $._regex_chain),
      field('combinator', choice(
        alias($._child_combinator, '>'),
        alias($._descendant_combinator, '>>'),
      )),
      field('right', $._unit),
    )),

    _regex_exists: $ => prec.left(PREC.exists, seq(field('operand', $._regex_operand), 'exists')),

    _regex_binary: $ => choice(
      prec.left(PREC.add, seq(
        field('left', $._regex_operand),
        field('operator', choice('+', alias($._binary_minus, '-'))),
        field('right', $._operand),
      )),
      prec.left(PREC.multiply, seq(
        field('left', $._regex_operand),
        field('operator', choice('*', '/', '%')),
        field('right', $._operand),
      )),
    ),

    unary_expression: $ => choice(
      prec(PREC.not, seq(field('operator', 'not'), field('operand', $._operand))),
      prec(PREC.negate, seq(field('operator', alias($._unary_minus, '-')), field('operand', $._operand))),
    ),

    exists_expression: $ => prec.left(PREC.exists, seq(field('operand', $._operand), 'exists')),

    // ----- selector chains ------------------------------------------------------------------

    _chain: $ => choice($.combined_selector, $.quantified_selector, $._unit),

    // `a > span[...]`, `a >> span`, and relative `> span[...]`. The right side starts with `span`.
    combined_selector: $ => choice(
      prec.left(PREC.combinator, seq(
        field('left', $._chain),
        field('combinator', choice(
          alias($._child_combinator, '>'),
          alias($._descendant_combinator, '>>'),
        )),
        field('right', $._unit),
      )),
      seq(
        field('combinator', choice(
          alias($._relative_child, '>'),
          alias($._relative_descendant, '>>'),
        )),
        field('right', $._unit),
      ),
    ),

    // `no span[a] > span[b]` is `no (span[a] > span[b])`.
    quantified_selector: $ => prec.right(PREC.quantifier, seq(
      field('quantifier', $.quantifier),
      field('selector', $._chain),
    )),

    quantifier: $ => choice('no', 'some', 'any', seq('exactly', field('count', alias($._count, $.number)))),

    _unit: $ => choice(
      $._primary,
      $.field_expression,
      $.index_expression,
      $.pseudo_selector,
    ),

    field_expression: $ => prec(PREC.postfix, seq(
      field('object', $._unit),
      '.',
      field('field', word($, $.property_identifier)),
    )),

    // An index, a key, or on a selection a filter: `span[status == error]`.
    index_expression: $ => prec(PREC.postfix, seq(
      field('object', $._unit),
      '[',
      field('index', $._expression),
      ']',
    )),

    pseudo_selector: $ => prec(PREC.postfix, seq(
      field('selector', $._unit),
      field('pseudo_class', $.pseudo_class),
    )),

    // `:root`, `:nth(2)`, `:has(> span[...])`
    pseudo_class: $ => seq(
      ':',
      field('name', word($, $.identifier)),
      optional(field('arguments', $.arguments)),
    ),

    _primary: $ => choice(
      $.number,
      $.duration,
      $.string,
      $.true,
      $.false,
      $.span,
      $.identifier,
      $.path,
      $.call_expression,
      $.parenthesized_expression,
      $.list,
      $.object,
      reserved($, KEYWORDS.filter(k => !CHAIN_KEYWORDS.includes(k))),
    ),

    true: _ => 'true',
    false: _ => 'false',
    span: _ => 'span',

    // `http.response.status_code`, `env.SHOP_URL`: a name, then words (keywords allowed).
    path: $ => prec(PREC.path, seq(
      choice($.identifier, ...PATH_KEYWORDS.map(keyword => alias(keyword, $.identifier))),
      $._path_segments,
    )),

    _path_segments: $ => prec.right(PREC.path, seq(
      '.',
      word($, $.property_identifier),
      optional($._path_segments),
    )),

    // `count(span)`, `percentile(span.duration, 95)`. A name followed by `(` is always a call.
    call_expression: $ => seq(
      field('function', choice($.identifier, $.path)),
      field('arguments', $.arguments),
    ),

    arguments: $ => seq(alias($._call_open, '('), optional(commaSepTrailing($._expression)), ')'),

    parenthesized_expression: $ => seq('(', $._expression, ')'),

    list: $ => seq('[', optional(commaSepTrailing($._expression)), ']'),

    object: $ => seq(alias($._lbrace, '{'), optional(commaSepTrailing($.pair)), alias($._rbrace, '}')),

    pair: $ => seq(
      field('key', choice($.string, word($, $.property_identifier))),
      ':',
      field('value', $._expression),
    ),

    // ----- literals -----------------------------------------------------------------------

    string: $ => seq(
      '"',
      repeat(choice(
        $.string_content,
        alias(token.immediate('$'), $.string_content),
        $.escape_sequence,
        $.interpolation,
      )),
      token.immediate('"'),
    ),

    string_content: _ => token.immediate(prec(1, /[^"\\\n$]+/)),

    escape_sequence: _ => token.immediate(new RegExp(`\\\\([nrt0\\\\"$]|u\\{(${UNICODE_SCALAR})\\})`)),

    // `${env.SHOP_URL}`: a name or dotted path, spaces allowed just inside the braces.
    interpolation: $ => seq(
      alias(token.immediate('${'), '${'),
      optional($._interpolation_padding),
      alias(token.immediate(NAME), $.identifier),
      repeat(seq(
        alias(token.immediate('.'), '.'),
        alias(token.immediate(NAME), $.property_identifier),
      )),
      optional($._interpolation_padding),
      alias(token.immediate('}'), '}'),
    ),

    regex: $ => seq(
      alias($._regex_start, '/'),
      optional(field('pattern', $.regex_pattern)),
      alias($._regex_end, '/'),
      optional(field('flags', $.regex_flags)),
    ),

    identifier: _ => NAME,

    comment: _ => token(seq('#', /[^\n]*/)),
  },
});

/**
 * A name: an identifier, or a keyword, which is then a syntax error.
 * @param {GrammarSymbols<string>} $
 */
function name($) {
  return choice($.identifier, reserved($));
}

/**
 * A word: an identifier or a keyword, both as the node `node`.
 * @param {GrammarSymbols<string>} $
 * @param {RuleOrLiteral} node
 */
function word($, node) {
  const identifier = node === $.identifier ? $.identifier : alias($.identifier, node);
  return choice(identifier, ...KEYWORDS.map(keyword => alias(keyword, node)));
}

/**
 * A keyword where a name is expected: never completes, so the parse has an error there.
 * @param {GrammarSymbols<string>} $
 * @param {string[]} [keywords]
 */
function reserved($, keywords = KEYWORDS) {
  return seq(choice(...keywords), $._never);
}

/**
 * One or more `rule`s separated by commas.
 * @param {RuleOrLiteral} rule
 */
function commaSep1(rule) {
  return seq(rule, repeat(seq(',', rule)));
}

/**
 * One or more `rule`s separated by commas, with an optional trailing comma.
 * @param {RuleOrLiteral} rule
 */
function commaSepTrailing(rule) {
  return seq(commaSep1(rule), optional(','));
}
