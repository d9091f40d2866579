//! The formatter's properties (idempotent, meaning-preserving, comment-preserving) over every
//! `.tbt` file of the repository that parses cleanly, over the snapshot cases, and over inline
//! cases; plus exact expectations for the main layout decisions.

mod common;

use common::check;
use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tbt_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            tbt_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "tbt") {
            out.push(path);
        }
    }
}

/// Every `.tbt` file under `examples/`, `tests/corpus/valid/` and this crate's `tests/cases/`.
#[test]
fn properties_hold_on_every_repository_file() {
    let root = workspace_root();
    let mut files = Vec::new();
    for dir in ["examples", "tests/corpus/valid", "crates/fmt/tests/cases"] {
        tbt_files(&root.join(dir), &mut files);
    }
    let mut checked = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let label = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        if tbt_syntax::parse(&text).has_errors() {
            // Another phase's concern (or a file being written right now); the formatter must
            // refuse it rather than guess.
            assert!(
                tbt_fmt::format(&text).is_err(),
                "{label}: formatted despite syntax errors"
            );
            eprintln!("skipped {label}: syntax errors");
            continue;
        }
        check(&label, &text);
        checked += 1;
    }
    eprintln!("checked {checked} of {} files", files.len());
    assert!(checked > 0, "no .tbt file found under {}", root.display());
}

/// The `tbt` code blocks of the documentation that parse cleanly (fragments that are not whole
/// files, such as a lone expression, are skipped).
#[test]
fn properties_hold_on_documentation_examples() {
    let root = workspace_root();
    let mut checked = 0;
    for doc in ["README.md", "docs/language.md"] {
        let Ok(text) = std::fs::read_to_string(root.join(doc)) else {
            continue;
        };
        let mut block: Option<String> = None;
        for (number, line) in text.lines().enumerate() {
            match &mut block {
                None if line.trim_start() == "```tbt" => block = Some(String::new()),
                Some(code) if line.trim_start().starts_with("```") => {
                    if !tbt_syntax::parse(code).has_errors() {
                        check(&format!("{doc}, block ending on line {}", number + 1), code);
                        checked += 1;
                    }
                    block = None;
                }
                Some(code) => {
                    code.push_str(line);
                    code.push('\n');
                }
                None => {}
            }
        }
    }
    eprintln!("checked {checked} documentation examples");
}

/// Small inputs, each exercising one construct or comment placement.
const INLINE: &[&str] = &[
    "use \"a.tbt\"\n",
    "let x = 1\n",
    "# only a comment\n",
    "# one\n\n\n# two\n",
    "let a=1   # trailing\nlet b=2\n",
    "schema{}\n",
    "schema {\n  # nothing declared yet\n}\n",
    "schema{services a,b\nattribute x.y:int[][] \"doc\"\nattribute e:\"a\"|\"b\"|\"c\" \"doc\"\nattribute j:json}\n",
    "test \"t\" { trigger trace \"1\" }\n",
    "test \"t\" { trigger trace \"1\" {} }\n",
    "test \"t\" { trigger trace \"1\" { # why\n} }\n",
    "test \"t\" {\ntrigger http GET \"u\"\n{ header \"a\" = \"b\"\n  query \"q\"=\"${x}\"\n body json {}\n auth bearer env.secret.T\n tls insecure\n redirects 3 }\n}\n",
    "test \"t\" { trigger grpc \"h:1\" \"s/M\" { message { a: 1, \"b\": [1,2,], c: { } }\n reflection\n metadata \"k\"=\"v\" } }\n",
    "test \"t\" { trigger exec [\"a\", \"b\"] { cwd \"x\"\n env \"A\" = \"1\"\n shell\n stdin \"in\"\n timeout 1s } }\n",
    "test \"t\" {\n  trigger trace \"1\"\n  wait until some span[a]\n  wait timeout 10s\n  wait settle 500ms\n}\n",
    "test \"t\" { trigger trace \"1\"\n expect a+b*c-d/e%f==1 or not g and h!=i\n expect -x<=-(y) \n expect a>=b\n expect s contains \"x\"\n expect s matches /a\\/b[/]/i\n expect s in [1,2] and s not in []\n expect x exists }\n",
    "test \"t\" { trigger trace \"1\"\n expect a -> b => c\n expect (a) -> (b => c) within 2s\n expect span[a] -> span[b] within 1.5s\n }\n",
    "test \"t\" { trigger trace \"1\"\n expect no span[a]\n expect some span[a] > span[b]\n expect any span >> span[c]:first\n expect exactly 3 span[x]:nth(2):has(> span[y]):not(>> span[z])\n }\n",
    "test \"t\" { trigger trace \"1\"\n expect count(span[a].b) + p99(span.duration) + percentile(x, 95,) == 1\n expect f().g[0].h == a.b.c\n expect ((a)) == (1)\n }\n",
    "test \"t\" { trigger trace \"1\"\n span[a] { expect b\n span[c] { } no span[d] { expect e } }\n exactly 2 span[f] { expect g }\n > span[h] { expect i }\n >> span[j] {}\n }\n",
    "test \"t\" { trigger trace \"1\"\n let x = 1_000\n let y = 1.50\n let z = 1e3\n let d = 1.5s\n let u = \"a\\tb\\\"c${p.q}\"\n output o = true\n let f = false\n }\n",
    "suite \"s\" {\n let a = 1\n test \"x\" { trigger trace \"1\" }\n test \"y\" { trigger trace \"1\" }\n}\n",
    // Comments everywhere.
    "# file\n\n\n\nuse \"a\" # a\n\n\n\n# before test\ntest \"t\" { # open\n  # first\n  trigger trace \"1\" # trig\n\n\n  # mid\n\n  expect a and # inner\n    b # after\n  span[x] # header\n  {\n  # inside\n  } # close\n  # last\n} # end\n# eof\n",
    "test \"t\" {\n  trigger http POST \"u\" {\n    # first option\n    header \"a\" = \"b\" # h\n    body json { # object\n      \"a\": 1, # one\n      \"b\": 2\n    }\n    # after options\n  }\n}\n",
    "test \"t\" {\n  trigger exec [\n    \"a\", # program\n    \"b\" # argument\n  ]\n  expect x\n}\n",
    "test # name\n\"t\" # brace\n{\ntrigger trace \"1\"\n}\n",
    "schema { # s\n  services a, # first\n    b\n  attribute x: int # x\n  # end\n}\n",
    "let a = 1\r\nlet b = 2 # crlf  \r\n",
    "\n\n\nlet a = 1\n\n\n",
    "test \"t\" { trigger trace \"1\"\n expect - > span[x]:first == 1\n expect -(-1) == - -1\n }\n",
    // Newer grammar: string service names, keyword-headed paths, compound durations, option
    // kind words followed by a list, `>` at the start of a line beginning a relative block.
    "schema { services gateway, \"legacy.billing\"\n attribute test.case.name: string }\n",
    "test \"t\" { trigger http PUT \"u\" { body json [1, 2] }\n expect duration < 2m30s and test.case.name == \"x\"\n span[a] { expect b\n > span[c] { expect d } } }\n",
];

#[test]
fn properties_hold_on_inline_cases() {
    for (i, case) in INLINE.iter().enumerate() {
        check(&format!("inline case {i}"), case);
    }
}

fn fmt(text: &str) -> String {
    tbt_fmt::format(text).unwrap_or_else(|e| panic!("refused: {e:#?}"))
}

#[test]
fn empty_blocks_print_as_braces_on_the_header_line() {
    assert_eq!(fmt("schema {\n\n}\n"), "schema {}\n");
    assert_eq!(
        fmt("test \"t\" { trigger trace \"1\"\n span[a] {\n }\n}"),
        "test \"t\" {\n  trigger trace \"1\"\n  span[a] {}\n}\n"
    );
}

#[test]
fn a_block_with_only_a_comment_keeps_its_lines() {
    assert_eq!(fmt("schema { # later\n}"), "schema { # later\n}\n");
    assert_eq!(fmt("schema {\n    # later\n}"), "schema {\n  # later\n}\n");
}

#[test]
fn a_trigger_without_options_has_no_braces() {
    assert_eq!(
        fmt("test \"t\" { trigger trace \"1\" {\n} }"),
        "test \"t\" {\n  trigger trace \"1\"\n}\n"
    );
}

#[test]
fn options_go_one_per_line() {
    assert_eq!(
        fmt("test \"t\" { trigger http POST \"u\" { header \"a\"=\"b\" timeout 5s } }"),
        "test \"t\" {\n  trigger http POST \"u\" {\n    header \"a\" = \"b\"\n    timeout 5s\n  }\n}\n"
    );
}

#[test]
fn blank_lines_collapse_and_items_are_set_apart() {
    assert_eq!(
        fmt("let a = 1\n\n\n\nlet b = 2\nlet c = 3\n"),
        "let a = 1\n\nlet b = 2\nlet c = 3\n"
    );
    assert_eq!(
        fmt("use \"a\"\ntest \"x\" { trigger trace \"1\" }\ntest \"y\" { trigger trace \"1\" }"),
        "use \"a\"\n\ntest \"x\" {\n  trigger trace \"1\"\n}\n\ntest \"y\" {\n  trigger trace \"1\"\n}\n"
    );
    assert_eq!(
        fmt("test \"x\" {\n\n\n  trigger trace \"1\"\n\n\n}\n"),
        "test \"x\" {\n  trigger trace \"1\"\n}\n"
    );
}

#[test]
fn spacing_of_operators_and_brackets() {
    let out = fmt(concat!(
        "test \"t\" { trigger trace \"1\"\n",
        "expect count( span[ status==error ] )>=1 and [ 1,2 ]==x\n",
        "expect span[a]>span[b]>>span[c]:nth( 2 ):has( >span[d] )\n",
        "let o={\"sku\":\"BOOK-42\",\"qty\":1}\n",
        "let e={ }\n",
        "}"
    ));
    assert_eq!(
        out,
        concat!(
            "test \"t\" {\n",
            "  trigger trace \"1\"\n",
            "  expect count(span[status == error]) >= 1 and [1, 2] == x\n",
            "  expect span[a] > span[b] >> span[c]:nth(2):has(> span[d])\n",
            "  let o = { \"sku\": \"BOOK-42\", \"qty\": 1 }\n",
            "  let e = {}\n",
            "}\n"
        )
    );
}

#[test]
fn literals_are_printed_verbatim() {
    let input = "let a = [1_000, 0.50, 1E3, 1.5s, 200us, \"\\u{1F600}\\n\", \"${a.b}\"]\n";
    assert_eq!(fmt(input), input);
}

#[test]
fn comments_stay_where_they_can_and_move_up_where_they_cannot() {
    assert_eq!(fmt("let a = 1      # one\n"), "let a = 1 # one\n");
    assert_eq!(
        fmt("let a = 1 +  # inside\n  2\n"),
        "# inside\nlet a = 1 + 2\n"
    );
    assert_eq!(
        fmt(
            "test \"t\" {\n        # indented oddly\n  trigger trace \"1\"\n      # at the end\n}\n"
        ),
        "test \"t\" {\n  # indented oddly\n  trigger trace \"1\"\n  # at the end\n}\n"
    );
}

#[test]
fn an_empty_file_stays_empty() {
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("\n\n  \n"), "");
    assert_eq!(fmt("# just this\n\n"), "# just this\n");
}

#[test]
fn files_with_syntax_errors_are_refused() {
    for broken in [
        "test \"t\" {",
        "let = 1",
        "let x = 1 && 2",
        "test \"t\" { trigger trace \"1\"\n expect a = 1 }",
    ] {
        let errors = tbt_fmt::format(broken).expect_err(broken);
        assert!(
            !errors.is_empty() && errors.iter().all(|d| d.is_error()),
            "{broken}"
        );
    }
}

#[test]
fn deeply_nested_expressions_do_not_overflow_the_formatter() {
    // The parser needs a big stack for these (its validator recurses); the formatter itself
    // grows its stack as needed.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024 * 1024)
        .spawn(|| {
            for text in [
                // As deep as the parser allows (tbt_syntax::MAX_OPERATORS, MAX_NESTING).
                format!("let x = {}a\n", "not ".repeat(tbt_syntax::MAX_OPERATORS)),
                format!("let x = {}a\n", "a + ".repeat(tbt_syntax::MAX_OPERATORS)),
                format!("let x = {}a{}\n", "(".repeat(100), ")".repeat(100)),
                format!(
                    "let x = a{}\n",
                    ".b[1]:first".repeat(tbt_syntax::MAX_OPERATORS / 3)
                ),
            ] {
                check("deep", &text);
            }
        })
        .expect("spawn");
    handle.join().expect("no panic");
}
