//! `tbt eval FILE --trace TRACEFILE [--test NAME] [--response FILE] [--format human|json]`:
//! evaluates tests offline against a recorded trace.
//!
//! The file is checked first through the database (with the files it `use`s); a file with
//! errors is not evaluated (its diagnostics are printed, exit 1). The trigger is skipped: the
//! tests run on the spans of the trace file (for `trigger trace "ID"` with an id the file
//! holds, on that trace's spans). `response.*` assertions are skipped unless `--response`
//! gives a recorded response. `env.NAME` reads the process environment. `wait` statements are
//! ignored (the trace is already complete). `--clock-skew D` is the tolerance of `->` between
//! spans that are not ancestor and descendant (docs/language.md §14).
//!
//! Exit codes: 0 every assertion passed (or was skipped), 1 an assertion failed or the file
//! has errors, 2 usage or I/O errors (an unreadable or unrecognised trace or response file,
//! no test of that name).
//!
//! # Human output
//!
//! One line per test (✓ passed, ✗ failed, – skipped); for each failed assertion a source
//! excerpt (code E0201) with what was expected and found, the operands' values, the spans
//! that violated it, and a compact tree of the spans involved (with their ancestors); a
//! summary line last.
//!
//! # JSON output (`--format json`), version 1
//!
//! ```text
//! { "version": 1,
//!   "file": "path.tbt",
//!   "trace": { "path": "trace.json", "format": "otlp-json", "spans": 13, "traces": 1 },
//!   "tests": [ {
//!       "name": "...", "suite": null | "...", "verdict": "pass" | "fail" | "skip",
//!       "note": null | "...", "range": RANGE,
//!       "outputs": { "name": "value as shown" },
//!       "assertions": [ {
//!           "kind": "expect" | "block", "verdict": "pass" | "fail" | "skip",
//!           "source": "first line of the statement", "range": RANGE,
//!           "message": "...", "values": [ { "expr": "...", "value": "..." } ],
//!           "selected": { "count": N, "spans": [ SPAN ] },
//!           "violations": { "count": N, "items": [
//!               { "span": SPAN | null, "range": RANGE, "message": "...", "values": [...] } ] } } ] } ],
//!   "summary": { "tests": COUNTS, "assertions": COUNTS } }
//! RANGE  = { "start": { "offset", "line", "column" }, "end": { ... } }   (1-based, bytes)
//! SPAN   = { "trace_id", "span_id", "service", "name" }
//! COUNTS = { "total", "passed", "failed", "skipped" }
//! ```
//!
//! Lists of spans and violations hold at most 10 items; `count` is always complete. Fields
//! may be added in a later version 1 output; a change of meaning bumps the version.

use crate::check::{FAILED, OK, USAGE};
use crate::cli::{ColorChoice, EvalArgs, EvalFormat};
use crate::output::use_color;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::Path;
use tbt_db::{File, RootDatabase};
use tbt_diagnostics::render::{HumanOptions, SourceFile, render_human};
use tbt_diagnostics::{Diagnostic, LineIndex, Severity};
use tbt_engine::{AssertionReport, Options, Response, TestReport, Verdict};
use tbt_plan::{FilePlan, TestPlan};

/// Runs `tbt eval` and returns the exit code.
pub fn run(args: &EvalArgs) -> i32 {
    let (db, file) = match load_checked(&args.file, args.color) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let skew = match parse_duration(&args.clock_skew) {
        Some(nanos) => nanos,
        None => {
            return usage(&format!(
                "`{}` is not a duration (e.g. `5ms`)",
                args.clock_skew
            ));
        }
    };
    let (trace, format) = match std::fs::read(&args.trace)
        .map_err(|e| e.to_string())
        .and_then(|bytes| tbt_trace::import_detected(&bytes).map_err(|e| e.to_string()))
    {
        Ok(loaded) => loaded,
        Err(e) => {
            return usage(&format!(
                "cannot read the trace `{}`: {e}",
                args.trace.display()
            ));
        }
    };
    let response = match &args.response {
        None => None,
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str::<Value>(&text).map_err(|e| e.to_string()))
            .and_then(Response::from_json)
        {
            Ok(r) => Some(r),
            Err(e) => {
                return usage(&format!(
                    "cannot read the response `{}`: {e}",
                    path.display()
                ));
            }
        },
    };
    let plan = tbt_plan::plan_file(&db, file);
    let selected: BTreeSet<String> = match matching_tests(&plan, args.test.as_deref()) {
        Ok(tests) => tests.iter().map(|t| t.name.clone()).collect(),
        Err(message) => return usage(&message),
    };
    let options = Options {
        clock_skew_nanos: skew,
        response,
        ..Options::default()
    };
    let reports =
        tbt_engine::Engine::new(&plan, &trace, &options).run(|t| selected.contains(&t.name));
    let shown = Shown {
        file: &args.file.display().to_string(),
        trace_path: &args.trace.display().to_string(),
        format: format.name(),
        plan: &plan,
        trace: &trace,
        lines: LineIndex::new(&plan.text),
    };
    match args.format {
        EvalFormat::Json => {
            let doc = shown.json(&reports);
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        EvalFormat::Human => {
            let color = use_color(args.color, std::io::stdout().is_terminal());
            print!("{}", shown.human(&reports, color));
        }
    }
    if reports.iter().any(|r| r.verdict == Verdict::Fail) {
        FAILED
    } else {
        OK
    }
}

fn usage(message: &str) -> i32 {
    eprintln!("error: {message}");
    USAGE
}

/// Loads `path` (with the files it `use`s) and checks it; on errors prints the diagnostics and
/// returns the exit code.
pub(crate) fn load_checked(path: &Path, color: ColorChoice) -> Result<(RootDatabase, File), i32> {
    let text = match std::fs::read(path)
        .map_err(|e| e.to_string())
        .and_then(|b| String::from_utf8(b).map_err(|_| "not UTF-8 text".to_string()))
    {
        Ok(text) => text,
        Err(e) => return Err(usage(&format!("cannot read `{}`: {e}", path.display()))),
    };
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut db = RootDatabase::new();
    let file = db.set_file(&absolute, text);
    db.load_with_imports(&absolute, |p| std::fs::read_to_string(p).ok());
    let diagnostics = tbt_db::check(&db, file).diagnostics.clone();
    let errors: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if !errors.is_empty() {
        let shown = path.display().to_string();
        let color = use_color(color, std::io::stderr().is_terminal());
        let rendered = render_human(
            SourceFile {
                path: &shown,
                text: file.text(&db),
            },
            &errors,
            HumanOptions { color },
        );
        eprint!("{rendered}");
        eprintln!(
            "{shown} has {} error{}: fix {} first (`tbt check`)",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" },
            if errors.len() == 1 { "it" } else { "them" }
        );
        return Err(FAILED);
    }
    Ok((db, file))
}

/// The tests named `name` (or whose name contains it); every test without a name.
pub(crate) fn matching_tests<'p>(
    plan: &'p FilePlan,
    name: Option<&str>,
) -> Result<Vec<&'p TestPlan>, String> {
    let Some(name) = name else {
        return Ok(plan.tests.iter().collect());
    };
    let exact: Vec<&TestPlan> = plan.tests.iter().filter(|t| t.name == name).collect();
    if !exact.is_empty() {
        return Ok(exact);
    }
    let partial: Vec<&TestPlan> = plan
        .tests
        .iter()
        .filter(|t| t.name.contains(name))
        .collect();
    if partial.is_empty() {
        let names: Vec<String> = plan.tests.iter().map(|t| format!("{:?}", t.name)).collect();
        return Err(format!(
            "no test is named {name:?}; the tests are {}",
            names.join(", ")
        ));
    }
    Ok(partial)
}

/// `5ms`, `1.5s`, `0s`, `250us`.
fn parse_duration(text: &str) -> Option<i64> {
    let units = [
        ("ns", 1.0),
        ("us", 1e3),
        ("µs", 1e3),
        ("ms", 1e6),
        ("s", 1e9),
        ("m", 6e10),
        ("h", 3.6e12),
    ];
    let text = text.trim();
    units
        .iter()
        .filter_map(|(unit, scale)| {
            let number = text.strip_suffix(unit)?;
            let value: f64 = number.parse().ok()?;
            (value.is_finite() && value >= 0.0).then(|| (value * scale).round() as i64)
        })
        .next()
}

use crate::verdicts::{Shown, plural};

impl Shown<'_> {
    fn human(&self, reports: &[TestReport], color: bool) -> String {
        let mut out = format!(
            "eval {} on {} ({}, {})\n\n",
            self.file,
            self.trace_path,
            plural(self.trace.len(), "span"),
            plural(self.trace.trace_ids().len(), "trace")
        );
        for r in reports {
            let (passed, failed, skipped) = r.counts();
            let mark = match r.verdict {
                Verdict::Pass => "✓",
                Verdict::Fail => "✗",
                Verdict::Skip => "–",
            };
            let mut counts = vec![format!("{passed} passed")];
            if failed > 0 {
                counts.push(format!("{failed} failed"));
            }
            if skipped > 0 {
                counts.push(format!("{skipped} skipped"));
            }
            let suite = r
                .suite
                .as_ref()
                .map(|s| format!("{s:?} / "))
                .unwrap_or_default();
            out.push_str(&format!(
                "{mark} {suite}{:?} ({})\n",
                r.name,
                counts.join(", ")
            ));
            if let Some(note) = &r.note {
                out.push_str(&format!("  note: {note}\n"));
            }
            for a in &r.assertions {
                match a.verdict {
                    Verdict::Fail => out.push_str(&self.failure(a, color)),
                    Verdict::Skip if r.note.is_none() => out.push_str(&format!(
                        "  – skipped `{}`: {}\n",
                        self.source(a.range),
                        a.message
                    )),
                    _ => {}
                }
            }
            for (name, value) in &r.outputs {
                out.push_str(&format!("  output {name} = {value}\n"));
            }
        }
        let count = |v: Verdict| reports.iter().filter(|r| r.verdict == v).count();
        let all: Vec<&AssertionReport> = reports.iter().flat_map(|r| &r.assertions).collect();
        let acount = |v: Verdict| all.iter().filter(|a| a.verdict == v).count();
        out.push_str(&format!(
            "\n{}: {} passed, {} failed, {} skipped; {}: {} passed, {} failed, {} skipped\n",
            plural(reports.len(), "test"),
            count(Verdict::Pass),
            count(Verdict::Fail),
            count(Verdict::Skip),
            plural(all.len(), "assertion"),
            acount(Verdict::Pass),
            acount(Verdict::Fail),
            acount(Verdict::Skip),
        ));
        out
    }

    fn json(&self, reports: &[TestReport]) -> Value {
        let tests: Vec<Value> = reports
            .iter()
            .map(|r| {
                let assertions: Vec<Value> = r
                    .assertions
                    .iter()
                    .map(|a| self.assertion_json(a))
                    .collect();
                let outputs: serde_json::Map<String, Value> = r
                    .outputs
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                json!({
                    "name": r.name,
                    "suite": r.suite,
                    "verdict": r.verdict.as_str(),
                    "note": r.note,
                    "range": self.range(r.range),
                    "outputs": outputs,
                    "assertions": assertions,
                })
            })
            .collect();
        let counts = |verdicts: Vec<Verdict>| {
            let n = |v: Verdict| verdicts.iter().filter(|x| **x == v).count();
            json!({ "total": verdicts.len(), "passed": n(Verdict::Pass), "failed": n(Verdict::Fail), "skipped": n(Verdict::Skip) })
        };
        json!({
            "version": 1,
            "file": self.file,
            "trace": {
                "path": self.trace_path,
                "format": self.format,
                "spans": self.trace.len(),
                "traces": self.trace.trace_ids().len(),
            },
            "tests": tests,
            "summary": {
                "tests": counts(reports.iter().map(|r| r.verdict).collect()),
                "assertions": counts(reports.iter().flat_map(|r| r.assertions.iter().map(|a| a.verdict)).collect()),
            },
        })
    }
}
