//! The golden corpus: every file under `tests/corpus/` run through the front end, snapshotted.
//!
//! `invalid/CODE-what.tbt` must produce the diagnostic `CODE` (the file name says which); the
//! rendered diagnostics are snapshotted. `valid/*.tbt` must produce none.

use tbt_diagnostics::render::{HumanOptions, SourceFile, render_human};

fn rendered(path: &std::path::Path, text: &str) -> (String, Vec<String>) {
    let parse = tbt_syntax::parse(text);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let file = SourceFile { path: &name, text };
    let out = render_human(file, &parse.diagnostics, HumanOptions { color: false });
    let codes = parse
        .diagnostics
        .iter()
        .map(|d| d.code.to_string())
        .collect();
    (out, codes)
}

#[test]
fn invalid_inputs() {
    insta::glob!("corpus/invalid/*.tbt", |path| {
        let text = std::fs::read_to_string(path).expect("corpus file is UTF-8");
        let (out, codes) = rendered(path, &text);
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let expected = stem.split('-').next().unwrap_or("");
        if expected.len() == 5 && expected[1..].chars().all(|c| c.is_ascii_digit()) {
            assert!(
                codes.iter().any(|c| c == expected),
                "{stem}: expected {expected}, got {codes:?}\n{out}"
            );
        } else {
            assert!(!codes.is_empty(), "{stem}: expected diagnostics");
        }
        insta::assert_snapshot!(format!("codes: {}\n\n{out}", codes.join(", ")));
    });
}

#[test]
fn valid_inputs_have_no_diagnostics() {
    for path in tbt_tests::files_with_extension("tests/corpus/valid", "tbt") {
        let text = std::fs::read_to_string(&path).expect("corpus file is UTF-8");
        let (out, codes) = rendered(&path, &text);
        assert!(codes.is_empty(), "{}:\n{out}", path.display());
    }
}

#[test]
fn five_independent_errors_give_five_coded_diagnostics() {
    let text = std::fs::read_to_string(
        tbt_tests::workspace_root().join("tests/corpus/invalid/five-independent-errors.tbt"),
    )
    .expect("corpus file");
    let parse = tbt_syntax::parse(&text);
    let codes: Vec<&str> = parse.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["E0014", "E0023", "E0011", "E0035", "E0027"]);
}

#[test]
fn generated_benchmark_corpus_is_valid() {
    let text = tbt_tests::corpus::generate(2_000);
    let parse = tbt_syntax::parse(&text);
    assert!(
        parse.diagnostics.is_empty(),
        "{:#?}",
        &parse.diagnostics[..parse.diagnostics.len().min(5)]
    );
}

/// Hostile inputs: each gets diagnostics, never a panic or a stack overflow.
mod hostile {
    fn codes(text: &str) -> Vec<String> {
        tbt_syntax::parse(text)
            .diagnostics
            .iter()
            .map(|d| d.code.to_string())
            .collect()
    }

    #[test]
    fn ten_thousand_nested_parentheses() {
        let text = format!("let x = {}1{}\n", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(codes(&text), ["E0009"]);
    }

    #[test]
    fn ten_thousand_nested_blocks() {
        let text = format!(
            "test \"deep\" {{\n  trigger trace \"abc\"\n{}{}}}\n",
            "span {\n".repeat(10_000),
            "}\n".repeat(10_000)
        );
        let found = codes(&text);
        assert!(found.contains(&"E0009".to_string()), "{found:?}");
    }

    #[test]
    fn long_operator_chains_are_cut_not_overflowed() {
        let sum = format!("let x = {}a\n", "a + ".repeat(15_000));
        assert_eq!(codes(&sum), ["E0009"]);
        let nots = format!("let x = {}a\n", "not ".repeat(30_000));
        assert_eq!(codes(&nots), ["E0009"]);
        let postfix = format!("let x = a{}\n", "[1]".repeat(20_000));
        assert_eq!(codes(&postfix), ["E0009"]);
        let chain = format!(
            "test \"t\" {{\n  trigger trace \"a\"\n  expect some span{}\n}}\n",
            " > span".repeat(20_000)
        );
        assert_eq!(codes(&chain), ["E0009"]);
        // Just under the limit parses in full.
        let ok = format!(
            "let x = {}a\n",
            "a + ".repeat(tbt_syntax::MAX_OPERATORS - 1)
        );
        assert!(codes(&ok).is_empty());
    }

    #[test]
    fn ten_thousand_unclosed_brackets() {
        let text = "[".repeat(10_000);
        let found = codes(&text);
        assert!(found.contains(&"E0009".to_string()), "{found:?}");
        assert!(found.len() <= tbt_syntax::MAX_DIAGNOSTICS + 1);
    }

    #[test]
    fn ten_megabytes_of_valid_text_parse_cleanly() {
        let text = tbt_tests::corpus::generate(300_000);
        assert!(text.len() > 10_000_000, "{}", text.len());
        assert!(codes(&text).is_empty());
    }

    #[test]
    fn ten_megabytes_of_garbage_is_capped() {
        let text = "@#!% ]] ((\n".repeat(1_000_000);
        let found = codes(&text);
        assert_eq!(found.len(), tbt_syntax::MAX_DIAGNOSTICS + 1);
        assert_eq!(found.last().map(String::as_str), Some("E0021"));
    }

    #[test]
    fn unterminated_literals_at_end_of_file() {
        assert!(codes("let x = \"abc").contains(&"E0002".to_string()));
        assert!(codes("let x = \"abc\\").contains(&"E0002".to_string()));
        assert!(
            codes("test \"t\" {\n  trigger trace \"a\"\n  expect name matches /abc")
                .contains(&"E0003".to_string())
        );
        assert!(codes("let u = \"${env.X").contains(&"E0002".to_string()));
    }

    #[test]
    fn empty_file_is_a_warning() {
        assert_eq!(codes(""), ["W0001"]);
    }

    #[test]
    fn invalid_utf8_names_the_offset() {
        let bytes = b"let x = \"caf\xe9\"\n";
        let diagnostic = tbt_syntax::decode(bytes).expect_err("not UTF-8");
        assert_eq!(diagnostic.code.as_str(), "E0006");
        assert_eq!(diagnostic.primary.range.start, 12);
        assert!(
            diagnostic.message.contains("offset 12"),
            "{}",
            diagnostic.message
        );
    }
}

/// Every syntax code's example in the registry produces that code.
#[test]
fn syntax_code_examples_produce_their_code() {
    for info in tbt_diagnostics::codes::CODES {
        let code = info.code.as_str();
        let syntax = code.starts_with("E00") || code.starts_with("W00");
        if !syntax || info.example.is_empty() {
            continue;
        }
        let found: Vec<String> = tbt_syntax::parse(info.example)
            .diagnostics
            .iter()
            .map(|d| d.code.to_string())
            .collect();
        assert!(
            found.iter().any(|c| c == code),
            "{code}: example gives {found:?}\n{}",
            info.example
        );
    }
}

/// `docs/diagnostics.md` is generated from the registry; `UPDATE_DOCS=1` rewrites it.
#[test]
fn diagnostics_reference_is_up_to_date() {
    let path = tbt_tests::workspace_root().join("docs/diagnostics.md");
    let expected = tbt_diagnostics::codes::reference_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).expect("write docs/diagnostics.md");
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/diagnostics.md is stale: run `UPDATE_DOCS=1 cargo test -p tbt-tests --test corpus diagnostics_reference`"
    );
}
