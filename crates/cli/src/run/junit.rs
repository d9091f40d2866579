//! `tbt run --junit FILE`: the JUnit XML most CI systems read. One `<testcase>` per test; the
//! tests of each file outside suites form one `<testsuite>` named after the file, and each
//! `suite "..."` its own `<testsuite>` named `file › suite`.

use super::RunInfo;
use super::pretty;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use tbt_engine::Verdict;
use tbt_runner::TestOutcome;

/// Escapes text for XML attributes and content; drops characters XML 1.0 cannot hold.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Removes ANSI colour codes (the details are rendered without colour, but be safe).
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn secs(d: std::time::Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

/// The document.
pub(crate) fn document(outcomes: &[TestOutcome], info: &RunInfo) -> String {
    let mut suites: BTreeMap<(String, String), Vec<&TestOutcome>> = BTreeMap::new();
    for o in outcomes {
        let file = o.file.path.display().to_string();
        let name = match &o.report.suite {
            Some(s) => format!("{file} › {s}"),
            None => file.clone(),
        };
        suites.entry((file, name)).or_default().push(o);
    }
    let count = |list: &[&TestOutcome], v: Verdict| list.iter().filter(|o| o.verdict == v).count();
    let all: Vec<&TestOutcome> = outcomes.iter().collect();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"tbt\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{}\">",
        all.len(),
        count(&all, Verdict::Fail),
        count(&all, Verdict::Skip),
        secs(info.duration)
    );
    for ((file, name), tests) in &suites {
        let time: std::time::Duration = tests.iter().map(|o| o.timings.total).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{}\">",
            escape(name),
            tests.len(),
            count(tests, Verdict::Fail),
            count(tests, Verdict::Skip),
            secs(time)
        );
        for o in tests {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" time=\"{}\"",
                escape(&o.report.name),
                escape(name),
                escape(file),
                secs(o.timings.total)
            );
            out.push_str(">\n");
            if let Some(id) = &o.trace_id {
                let _ = writeln!(
                    out,
                    "      <properties><property name=\"trace_id\" value=\"{}\"/></properties>",
                    escape(id)
                );
            }
            match o.verdict {
                Verdict::Pass => {}
                Verdict::Skip => {
                    let _ = writeln!(
                        out,
                        "      <skipped message=\"{}\"/>",
                        escape(o.report.note.as_deref().unwrap_or("skipped"))
                    );
                }
                Verdict::Fail => {
                    let details = o.redact(&plain(&pretty::details(o, false)));
                    let first = o
                        .problem
                        .as_ref()
                        .map(|p| o.redact(p.message()))
                        .or_else(|| {
                            o.report
                                .assertions
                                .iter()
                                .find(|a| a.verdict == Verdict::Fail)
                                .map(|a| o.redact(&a.message))
                        })
                        .unwrap_or_else(|| "failed".into());
                    let _ = writeln!(
                        out,
                        "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                        escape(&first),
                        if o.problem.is_some() {
                            "error"
                        } else {
                            "assertion"
                        },
                        escape(&details)
                    );
                }
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(plain("\x1b[31mred\x1b[0m"), "red");
    }
}
