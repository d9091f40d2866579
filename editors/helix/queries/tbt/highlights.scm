; Highlights for tbt in Helix: GENERATED from grammar/tree-sitter-tbt/queries/highlights.scm
; by tests/grammar.rs (TBT_UPDATE_EDITOR_QUERIES=1 cargo test -p tbt-tests --test grammar).
; The patterns are in reverse order, since Helix takes the first match, and the capture
; names are Helix's.

((call_expression
  function: (identifier) @function.builtin)
  (#any-of? @function.builtin
    "count" "sum" "min" "max" "avg" "p50" "p90" "p95" "p99" "percentile"))

((type_identifier) @type.builtin
  (#any-of? @type.builtin "string" "int" "double" "bool" "duration" "timestamp" "json"))

((identifier) @variable.builtin
  (#any-of? @variable.builtin "env" "response"))

(pseudo_class
  ":" @punctuation.special
  name: (identifier) @attribute)

(attribute_declaration
  name: (path
    (identifier) @variable.other.member))

(attribute_declaration
  name: (identifier) @variable.other.member)

(services_declaration
  service: (identifier) @constant)

(wait_statement
  kind: (identifier) @keyword)

(option
  name: (identifier) @variable.other.member)

(trigger_statement
  kind: (identifier) @type)

(span) @variable.builtin

[
  (true)
  (false)
] @constant.builtin.boolean

(duration) @constant.numeric

(number) @constant.numeric

(regex_flags) @keyword

(regex_pattern) @string.regexp

(regex
  "/" @punctuation.delimiter)

(interpolation
  "${" @punctuation.special
  "}" @punctuation.special)

(escape_sequence) @constant.character.escape

(string) @string

(comment) @comment

[
  "and"
  "or"
  "not"
  "in"
  "contains"
  "matches"
  "exists"
  "within"
  "no"
  "some"
  "any"
  "exactly"
] @keyword.operator

[
  "use"
  "schema"
  "test"
  "suite"
  "services"
  "attribute"
  "trigger"
  "expect"
  "wait"
  "let"
  "output"
] @keyword

[
  ","
  "."
  ":"
] @punctuation.delimiter

[
  "("
  ")"
  "["
  "]"
  "{"
  "}"
] @punctuation.bracket

[
  "=="
  "!="
  "<"
  "<="
  ">"
  ">="
  ">>"
  "->"
  "=>"
  "+"
  "-"
  "*"
  "/"
  "%"
  "="
  "|"
] @operator

(call_expression
  function: (path
    (property_identifier) @function .))

(call_expression
  function: (identifier) @function)

(type_identifier) @type

(property_identifier) @variable.other.member

(identifier) @variable
