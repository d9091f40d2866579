; Highlights for tbt.
;
; Where several patterns match a node, the LAST one wins (tree-sitter's highlighter and
; Neovim): general patterns come first, specific ones after them. Helix wants the opposite
; order; editors/helix/queries/tbt/highlights.scm is this file with its sections reversed.

; ----- names ------------------------------------------------------------------------------

(identifier) @variable

(property_identifier) @property

(type_identifier) @type

(call_expression
  function: (identifier) @function.call)

(call_expression
  function: (path
    (property_identifier) @function.call .))

; ----- operators and punctuation ----------------------------------------------------------

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

[
  "("
  ")"
  "["
  "]"
  "{"
  "}"
] @punctuation.bracket

[
  ","
  "."
  ":"
] @punctuation.delimiter

; ----- keywords ---------------------------------------------------------------------------

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

; ----- literals ---------------------------------------------------------------------------

(comment) @comment

(string) @string

(escape_sequence) @string.escape

(interpolation
  "${" @punctuation.special
  "}" @punctuation.special)

(regex
  "/" @punctuation.delimiter)

(regex_pattern) @string.regexp

(regex_flags) @keyword

(number) @number

(duration) @number

[
  (true)
  (false)
] @boolean

(span) @variable.builtin

; ----- statements -------------------------------------------------------------------------

(trigger_statement
  kind: (identifier) @type)

(option
  name: (identifier) @property)

(wait_statement
  kind: (identifier) @keyword)

(services_declaration
  service: (identifier) @constant)

(attribute_declaration
  name: (identifier) @property)

(attribute_declaration
  name: (path
    (identifier) @property))

(pseudo_class
  ":" @punctuation.special
  name: (identifier) @attribute)

; ----- built-in names ---------------------------------------------------------------------

((identifier) @variable.builtin
  (#any-of? @variable.builtin "env" "response"))

((type_identifier) @type.builtin
  (#any-of? @type.builtin "string" "int" "double" "bool" "duration" "timestamp" "json"))

((call_expression
  function: (identifier) @function.builtin)
  (#any-of? @function.builtin
    "count" "sum" "min" "max" "avg" "p50" "p90" "p95" "p99" "percentile"))
