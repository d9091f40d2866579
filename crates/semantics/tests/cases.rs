//! Data-driven resolution and type cases: each `## name` in `tests/cases/*.md` is followed by a
//! ```` ```tbt ```` block, checked on its own; the rendered diagnostics are snapshotted.

use tbt_diagnostics::render::{HumanOptions, SourceFile, render_human};

struct Case {
    name: String,
    text: String,
}

fn cases(markdown: &str) -> Vec<Case> {
    let mut out = Vec::new();
    let mut name = String::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        if let Some(heading) = line.strip_prefix("## ") {
            name = heading.trim().to_string();
        } else if line.trim() == "```tbt" {
            let mut text = String::new();
            for line in lines.by_ref() {
                if line.trim() == "```" {
                    break;
                }
                text.push_str(line);
                text.push('\n');
            }
            out.push(Case {
                name: name.clone(),
                text,
            });
        }
    }
    out
}

fn slug(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

#[test]
fn cases_match_their_snapshots() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("cases")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut count = 0;
    for path in files {
        let markdown = std::fs::read_to_string(&path).expect("read");
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        for case in cases(&markdown) {
            let diagnostics = tbt_semantics::check_text("case.tbt", &case.text);
            let file = SourceFile {
                path: "case.tbt",
                text: &case.text,
            };
            let rendered = render_human(file, &diagnostics, HumanOptions { color: false });
            let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
            let mut settings = insta::Settings::clone_current();
            settings.set_snapshot_suffix(format!("{stem}__{}", slug(&case.name)));
            settings.set_description(case.name.clone());
            settings.set_omit_expression(true);
            settings.bind(|| {
                insta::assert_snapshot!(format!(
                    "{}\n---\ncodes: {}\n\n{rendered}",
                    case.text,
                    codes.join(", ")
                ));
            });
            count += 1;
        }
    }
    assert!(count >= 40, "only {count} cases");
}
