; Indentation (nvim-treesitter's captures): the contents of braces, brackets and parentheses
; are indented one level; the closing delimiter returns to the level of the opening line.
[
  (block)
  (option_block)
  (schema_body)
  (object)
  (list)
  (arguments)
  (parenthesized_expression)
  (index_expression)
] @indent.begin

[
  "}"
  "]"
  ")"
] @indent.branch @indent.end

(comment) @indent.auto

(string) @indent.ignore
