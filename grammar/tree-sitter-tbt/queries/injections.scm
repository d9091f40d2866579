; The pattern of a regex literal is a regular expression (the syntax of the Rust regex crate).
((regex_pattern) @injection.content
  (#set! injection.language "regex"))

; No JSON is injected into `body json { ... }` or `message { ... }`: their objects are tbt
; objects, whose keys may be bare names and whose values are tbt expressions (`{ "sku": sku }`),
; which a JSON parser would mark as errors.
