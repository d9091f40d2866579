; Indentation for Helix: the contents of braces, brackets and parentheses are indented one
; level, and the closing delimiter returns to the level of the opening line.
[
  (block)
  (option_block)
  (schema_body)
  (object)
  (list)
  (arguments)
  (parenthesized_expression)
  (index_expression)
] @indent

[
  "}"
  "]"
  ")"
] @outdent
