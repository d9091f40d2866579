; Blocks, option blocks, schema bodies and multi-line literals fold.
[
  (block)
  (option_block)
  (schema_body)
  (object)
  (list)
  (arguments)
] @fold
