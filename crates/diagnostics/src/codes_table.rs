// The code table. Included by `codes.rs`; one entry per code, in code order.
codes! {
    UNEXPECTED_TOKEN = "E0001" "unexpected-token" {
        summary: "The parser found a token it did not expect here.",
        explanation: "The text does not follow the grammar at this point. The message lists what \
would have been accepted. The parser skips to the next statement or block boundary and goes on, \
so every independent mistake in a file is reported.",
        example: "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect response.status == == 200\n}\n",
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
happens after a and no later than 500 ms after a starts. To bound a span's duration, compare \
`duration`.",
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
    IO_ERROR = "E0901" "io-error" {
        summary: "A path could not be read.",
        explanation: "The file or folder does not exist, is not readable, or is not a regular \
file. The message carries the operating system's reason.",
        example: "",
    }
}
