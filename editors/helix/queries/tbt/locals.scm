; Scopes, definitions and references for tbt.
;
; `let` binds a name for the rest of its block (a file, a suite, a test or a span block);
; `output` makes a name visible to the later tests of a suite. A reference is a name in an
; expression: a bare name, the first segment of a path, or the first name of a `${...}`.

[
  (source_file)
  (block)
] @local.scope

(let_statement
  name: (identifier) @local.definition)

(output_statement
  name: (identifier) @local.definition)

(identifier) @local.reference
