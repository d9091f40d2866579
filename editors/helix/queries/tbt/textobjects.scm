; Text objects for Helix: a test or suite is a "function", a span block or trigger a "class"
; (mif / mac ...), comments are comments.
(test_statement
  body: (block) @function.inside) @function.around

(suite_statement
  body: (block) @function.inside) @function.around

(span_block
  body: (block) @class.inside) @class.around

(trigger_statement) @class.around

(arguments
  (_) @parameter.inside)

(comment) @comment.inside

(comment)+ @comment.around
