//! The documentation is tested: every example file and every ```tbt snippet of
//! `docs/language.md` must parse with no diagnostic at all, and every keyword of the lexer must
//! be documented in `docs/language.md` and appear in `grammar/tbt.ebnf`.
//!
//! A snippet that is broken on purpose (to show an error) is fenced ```tbt,ignore.

use std::path::Path;
use tbt_diagnostics::LineIndex;

/// One ```tbt block of a Markdown file.
struct Snippet {
    /// The 1-based line of the opening fence.
    fence_line: usize,
    /// The text between the fences.
    text: String,
    /// Whether the fence says `ignore`.
    ignored: bool,
}

/// The ```tbt blocks of a Markdown text, in order.
fn snippets(markdown: &str) -> Vec<Snippet> {
    let mut out = Vec::new();
    let mut current: Option<Snippet> = None;
    for (i, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        match current.as_mut() {
            None => {
                let Some(info) = trimmed.strip_prefix("```") else {
                    continue;
                };
                let mut words = info
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|w| !w.is_empty());
                if words.next() == Some("tbt") {
                    let ignored = words.any(|w| w == "ignore");
                    current = Some(Snippet {
                        fence_line: i + 1,
                        text: String::new(),
                        ignored,
                    });
                } else {
                    // Another language's block (line 0): skipped whole.
                    current = Some(Snippet {
                        fence_line: 0,
                        text: String::new(),
                        ignored: true,
                    });
                }
            }
            Some(snippet) => {
                if trimmed.trim_end() == "```" {
                    if snippet.fence_line != 0 {
                        out.push(current.take().expect("inside a snippet"));
                    } else {
                        current = None;
                    }
                } else {
                    snippet.text.push_str(line);
                    snippet.text.push('\n');
                }
            }
        }
    }
    assert!(current.is_none(), "an unclosed code fence");
    out
}

/// Every diagnostic of `text`, one per line, as `line:col CODE message`.
fn problems(text: &str) -> Vec<String> {
    let parse = tbt_syntax::parse(text);
    let index = LineIndex::new(text);
    parse
        .diagnostics
        .iter()
        .map(|d| {
            let at = index.line_col(d.primary.range.start);
            format!(
                "{}:{} {} {}",
                at.line + 1,
                at.col + 1,
                d.code.as_str(),
                d.message
            )
        })
        .collect()
}

fn read(relative: &str) -> String {
    let path = tbt_tests::workspace_root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_example_parses_without_diagnostics() {
    let files = tbt_tests::files_with_extension("examples", "tbt");
    assert!(
        files.len() >= 6,
        "expected at least 6 example files, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for path in &files {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for problem in problems(&text) {
            failures.push(format!("{}:{problem}", path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "examples with diagnostics:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_use_in_an_example_names_an_existing_file() {
    let mut failures = Vec::new();
    for path in tbt_tests::files_with_extension("examples", "tbt") {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for item in tbt_syntax::parse(&text).file.items {
            if let tbt_syntax::ast::Stmt::Use(used) = item {
                let target = used
                    .path
                    .as_plain()
                    .map(|p| path.parent().unwrap_or(Path::new(".")).join(p));
                if !target.as_ref().is_some_and(|t| t.is_file()) {
                    failures.push(format!(
                        "{}: `use` of a missing file {:?}",
                        path.display(),
                        used.path.as_plain()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_snippet_in_the_language_reference_parses_without_diagnostics() {
    let markdown = read("docs/language.md");
    let all = snippets(&markdown);
    let checked: Vec<&Snippet> = all.iter().filter(|s| !s.ignored).collect();
    assert!(
        checked.len() >= 30,
        "expected at least 30 tbt snippets, found {}",
        checked.len()
    );
    let mut failures = Vec::new();
    for snippet in &checked {
        for problem in problems(&snippet.text) {
            // Report the line in docs/language.md: the snippet starts after its fence.
            let (line, rest) = problem.split_once(':').unwrap_or(("1", &problem));
            let line_in_doc = snippet.fence_line + line.parse::<usize>().unwrap_or(1);
            failures.push(format!(
                "docs/language.md:{line_in_doc}:{rest} (snippet opened on line {})",
                snippet.fence_line
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "snippets with diagnostics:\n{}",
        failures.join("\n")
    );
}

#[test]
fn ignored_snippets_really_are_broken() {
    // A snippet marked `ignore` that parses cleanly has lost its point; unmark it.
    let markdown = read("docs/language.md");
    for snippet in snippets(&markdown)
        .iter()
        .filter(|s| s.ignored && s.fence_line != 0)
    {
        assert!(
            !problems(&snippet.text).is_empty(),
            "docs/language.md:{}: a ```tbt,ignore snippet that parses cleanly",
            snippet.fence_line
        );
    }
}

#[test]
fn every_keyword_is_in_the_grammar_and_the_reference() {
    let grammar = read("grammar/tbt.ebnf");
    let reference = read("docs/language.md");
    let mut missing = Vec::new();
    for &(keyword, _) in tbt_syntax::Kind::KEYWORDS {
        if !grammar.contains(&format!("\"{keyword}\"")) {
            missing.push(format!("grammar/tbt.ebnf lacks the terminal \"{keyword}\""));
        }
        if !reference.contains(&format!("`{keyword}`"))
            && !reference.contains(&format!("`{keyword} "))
        {
            missing.push(format!("docs/language.md never shows `{keyword}` as code"));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn the_reference_links_the_diagnostics_and_the_grammar() {
    let reference = read("docs/language.md");
    assert!(
        reference.contains("(diagnostics.md"),
        "docs/language.md should link docs/diagnostics.md"
    );
    assert!(
        reference.contains("(../grammar/tbt.ebnf)"),
        "docs/language.md should link the grammar"
    );
}

#[test]
fn snippet_extraction() {
    let markdown = "text\n```tbt\nlet a = 1\n```\n```text\n```tbt inside text\n```\n```tbt,ignore\nlet = \n```\n";
    let found = snippets(markdown);
    assert_eq!(found.len(), 2);
    assert_eq!(
        (
            found[0].fence_line,
            found[0].text.as_str(),
            found[0].ignored
        ),
        (2, "let a = 1\n", false)
    );
    assert_eq!(
        (
            found[1].fence_line,
            found[1].text.as_str(),
            found[1].ignored
        ),
        (8, "let = \n", true)
    );
}
