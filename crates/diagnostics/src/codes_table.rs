// The code table. Included by `codes.rs`; one entry per code, in code order.
codes! {
    UNEXPECTED_TOKEN = "E0001" "unexpected-token" {
        summary: "The parser found a token it did not expect here.",
        explanation: "The text does not follow the grammar at this point. The message lists what \
would have been accepted. The parser skips to the next statement or block boundary and goes on, \
so every independent mistake in a file is reported.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  let order_id response.json.order_id\n}\n",
    }
    UNTERMINATED_STRING = "E0002" "unterminated-string" {
        summary: "A string literal has no closing quote.",
        explanation: "Strings start and end with `\"` on the same line. Write `\\\"` for a quote \
inside a string and `\\n` for a line break.",
        example: "test \"t {\n}\n",
    }
    UNTERMINATED_REGEX = "E0003" "unterminated-regex" {
        summary: "A regex literal has no closing slash.",
        explanation: "A regex literal after `matches` is written `/pattern/flags` on one line. \
Write `\\/` for a slash inside the pattern.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect no span[name matches /^GET ]\n}\n",
    }
    INVALID_ESCAPE = "E0004" "invalid-escape" {
        summary: "A string contains an unknown escape sequence.",
        explanation: "The escapes are `\\\\`, `\\\"`, `\\n`, `\\r`, `\\t`, `\\0`, `\\$` (a literal \
dollar, so `\\${` is not interpolated) and `\\u{HEX}` for a Unicode scalar value.",
        example: "let path = \"C:\\qtemp\"\n",
    }
    INVALID_CHARACTER = "E0005" "invalid-character" {
        summary: "A character that is not part of the language.",
        explanation: "The character cannot start any token. Common cases have a fix: `&&` is \
`and`, `||` is `or`, `!` is `not`, and `=~` is `matches`.",
        example: "let x = 1 @ 2\n",
    }
    INVALID_UTF8 = "E0006" "invalid-utf8" {
        summary: "The file is not valid UTF-8.",
        explanation: "`.tbt` files are UTF-8. The diagnostic names the byte offset of the first \
invalid byte; re-save the file as UTF-8.",
        example: "",
    }
    UNCLOSED_DELIMITER = "E0007" "unclosed-delimiter" {
        summary: "An opening bracket, brace or parenthesis is never closed.",
        explanation: "Every `{`, `[` and `(` needs its closing partner. The secondary label shows \
where the opening one is.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect count(span == 1\n}\n",
    }
    UNMATCHED_CLOSING = "E0008" "unmatched-closing-delimiter" {
        summary: "A closing bracket, brace or parenthesis has no opening partner.",
        explanation: "Remove the stray closing delimiter, or add the opening one it belongs to.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n}\n}\n",
    }
    NESTING_TOO_DEEP = "E0009" "nesting-too-deep" {
        summary: "Brackets, braces or parentheses are nested too deeply.",
        explanation: "Nesting is limited to 128 levels so that every phase stays fast and can \
never overflow its stack. The item that nests too deeply is skipped.",
        example: "",
    }
    INVALID_NUMBER = "E0010" "invalid-number" {
        summary: "A number literal is malformed or out of range.",
        explanation: "Integers are 64-bit signed (`1_000` may use underscores); floats are written \
`1.5`, `0.25` or `1e-3`. A leading or trailing dot (`.5`, `5.`) is not a number.",
        example: "let x = 99999999999999999999\n",
    }
    UNKNOWN_DURATION_UNIT = "E0011" "unknown-duration-unit" {
        summary: "A number is followed by a unit that is not a duration unit.",
        explanation: "Durations are a number and one of `ns`, `us` (or `µs`), `ms`, `s`, `m`, `h`, \
written without a space: `200ms`, `1.5s`.",
        example: "let t = 200msec\n",
    }
    INVALID_INTERPOLATION = "E0012" "invalid-interpolation" {
        summary: "A `${...}` interpolation in a string is empty, unterminated or not a name.",
        explanation: "Inside a string, `${name}` inserts the value of a name or dotted path such \
as `${env.SHOP_URL}` or `${order_id}`. Write `\\${` for a literal `${`.",
        example: "let u = \"${env.SHOP_URL/checkout\"\n",
    }
    UNKNOWN_TRIGGER = "E0013" "unknown-trigger" {
        summary: "The trigger kind is not one of `http`, `grpc`, `exec`, `trace`.",
        explanation: "A test starts the system with `trigger http`, `trigger grpc`, `trigger \
exec` or names an existing trace with `trigger trace \"<trace id>\"`.",
        example: "test \"t\" {\n  trigger htpp GET \"http://127.0.0.1:8080/\"\n}\n",
    }
    UNKNOWN_OPTION = "E0014" "unknown-option" {
        summary: "A trigger, wait or schema block contains an option it does not know.",
        explanation: "Each block accepts a fixed set of options; docs/language.md lists them. The \
help line suggests the closest known option.",
        example: "test \"t\" {\n  trigger http GET \"http://127.0.0.1:8080/\" {\n    headers \"a\" = \"b\"\n  }\n}\n",
    }
    MISSING_NAME = "E0015" "missing-name" {
        summary: "A test or suite has no name.",
        explanation: "Tests and suites are named with a string: `test \"checkout charges once\" { ... }`. \
The name appears in every report and is what `--filter` matches.",
        example: "test {\n}\n",
    }
    MISPLACED_STATEMENT = "E0016" "misplaced-statement" {
        summary: "A statement appears where it is not allowed.",
        explanation: "`use`, `schema`, `test` and `suite` live at the top level (tests also in a \
suite); `trigger`, `wait` and `output` live directly in a test; `expect`, `let` and span blocks \
live in tests and span blocks.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  use \"shop.schema.tbt\"\n}\n",
    }
    EXPECTED_EXPRESSION = "E0017" "expected-expression" {
        summary: "An expression is missing.",
        explanation: "An operator, `expect`, `let` or an option needs a value after it.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect\n}\n",
    }
    CHAINED_COMPARISON = "E0018" "chained-comparison" {
        summary: "Comparisons cannot be chained.",
        explanation: "`a < b < c` would compare a boolean with `c`. Write `a < b and b < c`.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect 1 < duration < 2s\n}\n",
    }
    INVALID_REGEX_FLAG = "E0019" "invalid-regex-flag" {
        summary: "A regex literal has an unknown flag.",
        explanation: "The flags after the closing `/` are `i` (case-insensitive), `m` (multi-line), \
`s` (dot matches newline) and `x` (verbose).",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect no span[name matches /get/q]\n}\n",
    }
    TOO_MANY_ERRORS = "E0021" "too-many-errors" {
        summary: "The file has so many errors that the rest were not reported.",
        explanation: "After 100 syntax errors in one file, tbt stops reporting more: the file is \
probably not a `.tbt` file.",
        example: "",
    }
    UNKNOWN_TYPE = "E0022" "unknown-type" {
        summary: "A schema attribute has a type that does not exist.",
        explanation: "Attribute types are `string`, `int`, `double`, `bool`, `duration`, \
`timestamp`, `json`, a list `T[]`, or a closed enum of strings `\"a\" | \"b\"`.",
        example: "schema {\n  attribute order.id: strng\n}\n",
    }
    SINGLE_EQUALS = "E0023" "single-equals" {
        summary: "`=` used where a comparison `==` was meant.",
        explanation: "`=` binds a name (`let x = 1`) or sets an option (`header \"a\" = \"b\"`). \
Comparison is `==`.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect response.status = 200\n}\n",
    }
    FOREIGN_OPERATOR = "E0024" "foreign-operator" {
        summary: "An operator from another language: `&&`, `||`, `!` or `=~`.",
        explanation: "tbt spells boolean operators as words: `and`, `or`, `not`, and regex \
matching as `matches`. The fix rewrites it.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect no span[status == error && kind == server]\n}\n",
    }
    EMPTY_SELECTOR = "E0026" "empty-selector" {
        summary: "A span selector has empty brackets.",
        explanation: "`span[...]` needs a predicate inside the brackets. To select every span, \
write `span` alone.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect count(span[]) > 0\n}\n",
    }
    UNKNOWN_PSEUDO_CLASS = "E0027" "unknown-pseudo-class" {
        summary: "A selector uses a pseudo-class that does not exist.",
        explanation: "The pseudo-classes are `:root`, `:leaf`, `:first`, `:last`, `:nth(N)`, \
`:has(selector)` and `:not(selector)`.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect count(span:frist) == 1\n}\n",
    }
    PSEUDO_CLASS_ARGUMENT = "E0028" "pseudo-class-argument" {
        summary: "A pseudo-class has the wrong arguments.",
        explanation: "`:nth` takes one integer (1 is the first span by start time), `:has` and \
`:not` take one selector, and the others take no argument.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect count(span:nth) == 1\n}\n",
    }
    DUPLICATE_TRIGGER = "E0029" "duplicate-trigger" {
        summary: "A test has more than one trigger.",
        explanation: "Each test has exactly one trigger: the request whose trace it asserts on. \
Split the test in two, or use a suite to run them in order.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  trigger trace \"5bf92f3577b34da6a3ce929d0e0e4736\"\n}\n",
    }
    MISSING_TRIGGER = "E0030" "missing-trigger" {
        summary: "A test has no trigger.",
        explanation: "A test must say what produces its trace: `trigger http`, `trigger grpc`, \
`trigger exec`, or `trigger trace \"<id>\"` for a trace that already exists.",
        example: "test \"t\" {\n  expect response.status == 200\n}\n",
    }
    INVALID_QUANTIFIER = "E0031" "invalid-quantifier" {
        summary: "`exactly` is not followed by a count.",
        explanation: "Write `exactly N span[...]`, where N is an integer literal: `exactly 1 span[name == \"charge\"]`.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect exactly span[name == \"charge\"]\n}\n",
    }
    MISPLACED_WITHIN = "E0032" "misplaced-within" {
        summary: "`within` bounds an ordering chain and nothing else.",
        explanation: "`within` follows an ordering chain: `expect a -> b within 500ms` means b \
happens after a, and the whole chain, from the start of its first step to the end of its last, \
takes at most 500 ms. To bound a span's duration, compare `duration`.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect count(span) > 1 within 5s\n}\n",
    }
    KEYWORD_AS_NAME = "E0033" "keyword-as-name" {
        summary: "A keyword is used as a name.",
        explanation: "Keywords cannot name a `let` or an `output`. Pick another name.",
        example: "let expect = 1\n",
    }
    UNKNOWN_STATEMENT = "E0035" "unknown-statement" {
        summary: "A line does not start with a statement keyword.",
        explanation: "Statements start with `trigger`, `expect`, `let`, `output`, `wait`, or a \
selector followed by a block. A bare expression is not a statement: put `expect` before it.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  assert response.status == 200\n}\n",
    }
    MISSING_BLOCK = "E0037" "missing-block" {
        summary: "A test, suite or schema has no `{ ... }` body.",
        explanation: "Tests, suites and schemas hold their statements in braces.",
        example: "test \"t\"\n",
    }
    DUPLICATE_OPTION = "E0041" "duplicate-option" {
        summary: "An option that may appear once appears twice.",
        explanation: "Options such as `timeout`, `body` and `auth` may be set only once per block.",
        example: "test \"t\" {\n  trigger http GET \"http://127.0.0.1:8080/\" {\n    timeout 1s\n    timeout 2s\n  }\n}\n",
    }
    UNKNOWN_BODY_KIND = "E0042" "unknown-body-kind" {
        summary: "An HTTP body has an unknown kind.",
        explanation: "Bodies are `body json <value>`, `body text \"...\"`, `body form { \"k\": \"v\" }` \
or `body file \"path\"`.",
        example: "test \"t\" {\n  trigger http POST \"http://127.0.0.1:8080/\" {\n    body xml \"<a/>\"\n  }\n}\n",
    }
    INCOMPLETE_ENUM = "E0043" "incomplete-enum" {
        summary: "A closed enum type ends with `|` or has a non-string member.",
        explanation: "A closed enum lists its string members separated by `|`: `\"success\" | \"failure\"`.",
        example: "schema {\n  attribute inventory.update.status: \"success\" |\n}\n",
    }
    TRIGGER_ARGUMENTS = "E0044" "trigger-arguments" {
        summary: "A trigger has the wrong number of positional arguments.",
        explanation: "`trigger http` takes a method and a URL, `trigger grpc` an address and a \
method, `trigger exec` a command list, and `trigger trace` a trace id.",
        example: "test \"t\" {\n  trigger http \"http://127.0.0.1:8080/\"\n}\n",
    }
    OPTION_ARGUMENTS = "E0045" "option-arguments" {
        summary: "An option has the wrong arguments.",
        explanation: "Each option takes a fixed number of arguments, and some take `= value`: \
`header \"name\" = \"value\"`, `timeout 5s`, `auth bearer env.secret.TOKEN`.",
        example: "test \"t\" {\n  trigger http GET \"http://127.0.0.1:8080/\" {\n    header \"accept\"\n  }\n}\n",
    }
    EMPTY_FILE = "W0001" "empty-file" {
        summary: "The file holds no test, suite or schema.",
        explanation: "An empty `.tbt` file is almost always a mistake, such as a file saved \
before it was written.",
        example: "# nothing here yet\n",
    }
    TYPE_MISMATCH = "E0101" "type-mismatch" {
        summary: "An operator is applied to values of types it does not combine.",
        explanation: "Every expression has a type: string, int, double, bool, duration, timestamp, \
a list, an enum, json, a span selection, a service or a regex. Comparisons need comparable sides \
(numbers with numbers, int and double mix freely; strings with strings and string enums; durations \
with durations), `and`, `or` and `not` need bools, `contains` needs a string or a list on the left, \
`in` a list on the right, and arithmetic follows the rules in `docs/language.md` (a duration plus a \
duration is a duration, a timestamp minus a timestamp is a duration). Values of type json, such as \
`response.json.total` or an attribute no schema declares, combine with anything.",
        example: "schema {\n  attribute payment.amount: double\n}\n\ntest \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  span[name == \"charge\"] {\n    expect payment.amount == \"ninety\"\n  }\n}\n",
    }
    DURATION_WITHOUT_UNIT = "E0102" "duration-without-unit" {
        summary: "A number is used where a duration is needed, without a unit.",
        explanation: "`duration < 200` does not say whether 200 is nanoseconds or seconds. Write the \
unit next to the number: `200ms`, `1.5s`, `500us`. The units are `ns`, `us`, `ms`, `s`, `m` and `h`. \
Editors offer to add `ms`; `tbt check --fix` does not apply it, because only you know the unit.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  span[name == \"charge\"] {\n    expect duration < 200\n  }\n}\n",
    }
    INVALID_REGEX = "E0103" "invalid-regex" {
        summary: "A regex does not compile.",
        explanation: "Regexes after `matches` are compiled when the file is checked, with the syntax \
of the Rust `regex` crate (no look-around, no backreferences). The label points at the offending \
part of the pattern. A string literal on the right of `matches` is compiled the same way.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect no span[name matches /^GET (/]\n}\n",
    }
    UNDEFINED_NAME = "E0104" "undefined-name" {
        summary: "A name is used that no `let`, `output` or named selection defines.",
        explanation: "Names are defined by `let` (in a file, suite, test or span block, visible after \
the definition until the end of that block), by `output` (visible in the rest of the test and in the \
later tests of the same suite) and by the top-level `let`s of files brought in with `use`. The help \
line suggests the closest visible name.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  let order_id = \"42\"\n  expect order_idd == \"42\"\n}\n",
    }
    AGGREGATE_TYPE = "E0105" "aggregate-type" {
        summary: "An aggregate is applied to values of the wrong type.",
        explanation: "`count` counts the spans of a selection: `count(span[...])`. `sum`, `min`, \
`max`, `avg`, `p50`, `p90`, `p95`, `p99` and `percentile(values, q)` take the values of a \
projection such as `span[...].duration` or `span[...].payment.amount`, which must be numbers or \
durations (`min` and `max` also take timestamps). A sum of durations is a duration.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect sum(span[kind == server].name) > 1\n}\n",
    }
    INVALID_ORDERING = "E0106" "invalid-ordering-step" {
        summary: "An ordering chain orders something that is not a service or a selection.",
        explanation: "`a -> b` and `a => b` relate services (`order-service`) or span selections \
(`span[name == \"charge\"]`, a named selection). Numbers, strings and other values have no place \
in time. A string step is a service with an unusual name: `\"legacy.billing\" -> payment-service`.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect 5 -> span[name == \"charge\"]\n}\n",
    }
    VALUE_NOT_IN_ENUM = "E0107" "value-not-in-enum" {
        summary: "A value is compared with a closed enum that does not contain it.",
        explanation: "The span intrinsics `status` (`ok`, `error`, `unset`) and `kind` (`server`, \
`client`, `producer`, `consumer`, `internal`) and the schema enums written `\"a\" | \"b\"` are \
closed: a comparison with any other value can never hold, so it is almost certainly a typo.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect no span[status == failed]\n}\n",
    }
    SEMCONV_TYPE_CONFLICT = "E0108" "semconv-type-conflict" {
        summary: "A schema redeclares an OpenTelemetry attribute with another type.",
        explanation: "The attributes of the OpenTelemetry semantic conventions have fixed types. A \
schema may redeclare one with the same type (to document it) or narrow a string to a closed enum, \
but not change its type: instrumentation libraries will keep sending the standard type.",
        example: "schema {\n  attribute http.response.status_code: string\n}\n",
    }
    USE_CYCLE = "E0109" "use-cycle" {
        summary: "Files `use` each other in a cycle.",
        explanation: "`use` brings in the schemas and constants of another file, and of the files it \
uses in turn. A file that reaches itself through `use` is a mistake: move the shared declarations \
into one schema file that the others use. (The example is checked as a file named `example.tbt`.)",
        example: "use \"example.tbt\"\n\nschema {\n  services gateway\n}\n",
    }
    UNRESOLVED_USE = "E0110" "unresolved-use" {
        summary: "A `use` names a file that does not exist.",
        explanation: "The path of a `use` is relative to the file that contains it: \
`use \"shop.schema.tbt\"` in `tests/checkout.tbt` reads `tests/shop.schema.tbt`.",
        example: "use \"missing.schema.tbt\"\n\nschema {\n  services gateway\n}\n",
    }
    SPAN_CONTEXT_REQUIRED = "E0111" "span-context-required" {
        summary: "A span attribute or intrinsic is used outside a span selector or block.",
        explanation: "Attributes such as `http.route` and intrinsics such as `duration` belong to one \
span. They can be used inside a selector's brackets (`span[duration > 1s]`) and inside a span block \
(`span[...] { expect duration < 200ms }`). At the level of a test, aggregate a projection instead: \
`max(span[...].duration) < 200ms`.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect duration < 200ms\n}\n",
    }
    DUPLICATE_OUTPUT = "E0112" "duplicate-output" {
        summary: "Two tests of a suite define the same output.",
        explanation: "An `output` is visible to the later tests of its suite, so each output name \
may be defined once per suite.",
        example: "suite \"s\" {\n  test \"a\" {\n    trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n    output id = \"1\"\n  }\n  test \"b\" {\n    trigger trace \"5bf92f3577b34da6a3ce929d0e0e4736\"\n    output id = \"2\"\n  }\n}\n",
    }
    DUPLICATE_DEFINITION = "E0113" "duplicate-definition" {
        summary: "A name is defined twice in the same block.",
        explanation: "Each `let` in a block needs its own name. An inner block may reuse a name of an \
outer one (the inner definition shadows the outer one).",
        example: "let base = \"http://127.0.0.1:8080\"\nlet base = \"http://127.0.0.1:9090\"\n\ntest \"t\" {\n  trigger http GET \"${base}/health\"\n}\n",
    }
    SCHEMA_CONFLICT = "E0114" "schema-conflict" {
        summary: "An attribute is declared with two different types.",
        explanation: "Schemas seen by a file (its own and those of the files it uses) must agree on \
the type of each attribute.",
        example: "schema {\n  attribute order.id: string\n  attribute order.id: int\n}\n",
    }
    UNKNOWN_FUNCTION = "E0115" "unknown-function" {
        summary: "A call names a function that does not exist.",
        explanation: "The functions are the aggregates `count`, `sum`, `min`, `max`, `avg`, `p50`, \
`p90`, `p95`, `p99` and `percentile(values, q)`.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect cout(span) == 1\n}\n",
    }
    FUNCTION_ARGUMENTS = "E0116" "function-arguments" {
        summary: "A function is called with the wrong number of arguments, or an out-of-range one.",
        explanation: "`percentile` takes the values and a percentile between 0 and 100; the other \
aggregates take one argument.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect percentile(span.duration, 120) < 1s\n}\n",
    }
    NOT_A_SELECTION = "E0117" "not-a-selection" {
        summary: "A span selection is expected here.",
        explanation: "Span blocks, quantifiers (`no`, `some`, `any`, `exactly N`), pseudo-classes and \
combinators work on span selections: `span[...]`, or a name bound to one with \
`let pay = span[...]`.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  let n = 3\n  expect no n\n}\n",
    }
    UNKNOWN_RESPONSE_FIELD = "E0118" "unknown-response-field" {
        summary: "`response.<field>` names a field the trigger's response does not have.",
        explanation: "An HTTP response has `status`, `headers[...]`, `body`, `json` and `duration`; a \
gRPC response `status`, `message`, `json`, `metadata[...]` and `duration`; an exec trigger \
`exit_code`, `stdout`, `stderr` and `duration`. `trigger trace` has no response.",
        example: "test \"t\" {\n  trigger http GET \"http://127.0.0.1:8080/\"\n  expect response.status_code == 200\n}\n",
    }
    NO_SUCH_FIELD = "E0119" "no-such-field" {
        summary: "A field is read from a value that has no fields.",
        explanation: "Fields are read from json values (`response.json.order.id`), from selections \
(a projection: `span[...].duration` is the list of the selected spans' durations) and from maps \
(`response.headers.etag`). Strings, numbers and the other scalar types have no fields.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  let n = 3\n  expect n.value == 3\n}\n",
    }
    RELATIVE_SELECTOR_OUTSIDE_BLOCK = "E0120" "orphan-relative-selector" {
        summary: "A relative selector (`> span[...]`, `>> span[...]`) is used outside a span block.",
        explanation: "A selector that starts with a combinator selects relative to the current span: \
the span of the enclosing span block, or the span being tested in a selector's brackets or in \
`:has(...)`. At the level of a test there is no current span; write the left side: \
`span[...] > span[...]`.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect count(> span) == 1\n}\n",
    }
    UNKNOWN_ATTRIBUTE = "W0101" "unknown-attribute" {
        summary: "An attribute in a known namespace is neither a semantic convention nor declared.",
        explanation: "The name starts like the attributes of an OpenTelemetry (or schema-declared) \
namespace but is not one of them, so it is probably misspelt; the help line names the closest \
attribute. If the attribute is yours, declare it in a schema: `schema { attribute x.y: string }`. \
Attributes outside any known namespace are not reported: their type is json.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect no span[http.response.status_cod == 500]\n}\n",
    }
    DEPRECATED_ATTRIBUTE = "W0102" "deprecated-attribute" {
        summary: "A deprecated semantic-conventions attribute is used.",
        explanation: "The attribute was deprecated by the OpenTelemetry semantic conventions. When it \
was renamed, the fix (applied by `tbt check --fix`) replaces it with its new name; current \
instrumentation sends the new name only.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect no span[http.status_code == 500]\n}\n",
    }
    UNKNOWN_SERVICE = "W0103" "unknown-service" {
        summary: "A service is named that no visible schema declares.",
        explanation: "When the schemas a file sees declare services (`services gateway, \
order-service`), a service named in an ordering chain or compared with `service.name` must be one \
of them. The help line suggests the closest declared service.",
        example: "schema {\n  services gateway, order-service\n}\n\ntest \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect gateway -> order-servce\n}\n",
    }
    VALUE_NOT_IN_OPEN_ENUM = "W0104" "unknown-enum-value" {
        summary: "A value is not one of the known values of an open semantic-conventions enum.",
        explanation: "Semantic-conventions enums such as `http.request.method` are open: other values \
may occur, but a value outside the known ones is often a typo.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect no span[http.request.method == \"FETCH\"]\n}\n",
    }
    UNDEFINED_ENV = "W0105" "undefined-env-var" {
        summary: "`env.NAME` names a variable the project's declared environment lacks.",
        explanation: "When `tbt.toml` declares the environment (`[env]` with `file = \".env\"` and/or \
`vars = [\"A\", \"B\"]`), every `env.NAME` and `env.secret.NAME` must be one of the declared \
names. (The example is checked with `vars = [\"SHOP_URL\"]`.)",
        example: "test \"t\" {\n  trigger http GET \"${env.SHOP_UR}/health\"\n}\n",
    }
    ASSERTION_FAILED = "E0201" "assertion-failed" {
        summary: "An assertion did not hold on the trace.",
        explanation: "`tbt eval` (and `tbt run`) evaluate every `expect` and span block of a test on \
the spans of its trace. This one did not hold: the report shows what was expected and what was \
found (a missing value is shown as `<missing>`), the spans it selected and the spans that \
violated it. A span block also fails when its selection is empty, so a typo in a filter cannot \
pass silently; write `no span[...] { ... }` to assert that no span matches.",
        example: "",
    }
    TRIGGER_INPUT = "E0202" "trigger-input" {
        summary: "A trigger's argument or option has a value it cannot use.",
        explanation: "`tbt run` evaluates the trigger's arguments and options before it fires: \
an environment variable that is not set, an output of a test that did not run, a header value \
that is a list, a URL that is not `http://` or `https://`, a trace id that is not 32 hex digits. \
The test fails without firing; the message names the argument.",
        example: "",
    }
    TRIGGER_FAILED = "E0203" "trigger-failed" {
        summary: "The trigger could not reach the system under test.",
        explanation: "The request never got an answer: the connection was refused (nothing \
listens on that port), the host name did not resolve, the TLS handshake failed, the trigger's \
`timeout` passed, or the command of `trigger exec` could not start or was killed at its \
`timeout`. The test fails at once with the reason; tbt never waits for a trace that cannot come. \
An HTTP error status or a gRPC error code is not a trigger failure: it is a response, for \
`expect response.status == ...`.",
        example: "",
    }
    TRACE_INCOMPLETE = "E0204" "trace-incomplete" {
        summary: "The test's trace was not complete when the wait timed out.",
        explanation: "tbt waits until every span's parent has arrived and no span has arrived \
for the settle window, or until `wait until` holds. The `wait timeout` (default 30s) came \
first: a service did not export (is `OTEL_EXPORTER_OTLP_ENDPOINT` set? is the batch exporter \
flushed?), a parent span was never sent, or the `wait until` condition never held. The \
assertions still ran on the spans that arrived; the message says how many arrived, from which \
services, which parent is missing and which selections matched nothing.",
        example: "",
    }
    BACKEND_FAILED = "E0205" "backend-failed" {
        summary: "The trace backend could not be read.",
        explanation: "With `[backend]` in `tbt.toml`, tbt fetches each test's trace from Jaeger or \
Tempo. The backend refused the request, answered with a body tbt cannot read, or could not be \
reached before the test's `wait timeout`. The message names the URL and the backend's answer.",
        example: "",
    }
    IO_ERROR = "E0901" "io-error" {
        summary: "A path could not be read.",
        explanation: "The file or folder does not exist, is not readable, or is not a regular \
file. The message carries the operating system's reason.",
        example: "",
    }
}
