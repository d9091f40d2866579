//! Table-driven semantic cases of the engine: every `.tbt` file in `tests/engine/cases/` is
//! checked (no errors allowed), planned, and run over a trace; every top-level assertion is
//! annotated with the verdict it must get, in a comment at the end of its first line:
//!
//! ```text
//! # trace: shop                         (traces/shop.trace, or fixture:jaeger/otlp/x.json)
//! # env: SHOP_URL=http://shop           (optional, repeatable)
//! # response: {"status": 200}           (optional)
//! # skew: 5ms                           (optional clock-skew tolerance)
//! test "t" {
//!   trigger trace "00000000000000000000000000000001"
//!   expect count(span) == 7             # pass
//!   expect no span[status == error]     # fail: selected 1 span
//! }
//! ```
//!
//! `# fail: TEXT` also checks that the assertion's message (or its first violation's)
//! contains TEXT. Run: `cargo test -p tbt-tests --test engine`.

mod tracefile;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tbt_engine::{EnvSource, Options, Response, Verdict};

fn root() -> PathBuf {
    tbt_tests::workspace_root()
}

/// One annotated assertion and what became of it.
struct Outcome {
    file: String,
    line: usize,
    expected: Verdict,
    detail: Option<String>,
    got: Verdict,
    message: String,
}

fn trace_for(spec: &str) -> tbt_trace::Trace {
    let spec = spec.trim();
    if let Some(fixture) = spec.strip_prefix("fixture:") {
        let path = root().join("tests/fixtures").join(fixture);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return tbt_trace::import(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    let path = root()
        .join("tests/engine/traces")
        .join(format!("{spec}.trace"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    tracefile::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn duration(text: &str) -> i64 {
    let units = [
        ("ns", 1i64),
        ("us", 1_000),
        ("ms", 1_000_000),
        ("s", 1_000_000_000),
    ];
    for (suffix, scale) in units {
        if let Some(n) = text.trim().strip_suffix(suffix)
            && let Ok(n) = n.parse::<i64>()
        {
            return n * scale;
        }
    }
    panic!("bad duration {text:?}")
}

/// The annotation at the end of a line: `# pass`, `# fail: detail`, `# skip`.
fn annotation(line: &str) -> Option<(Verdict, Option<String>)> {
    let re = regex::Regex::new(r"#\s*(pass|fail|skip)\b(?::\s*(.*))?$").ok()?;
    let caps = re.captures(line)?;
    let verdict = match &caps[1] {
        "pass" => Verdict::Pass,
        "fail" => Verdict::Fail,
        _ => Verdict::Skip,
    };
    Some((verdict, caps.get(2).map(|m| m.as_str().trim().to_string())))
}

fn run_file(path: &Path) -> Vec<Outcome> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let shown = path
        .strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string();
    let mut trace_spec = None;
    let mut env = HashMap::new();
    let mut options = Options::default();
    for line in text.lines().take_while(|l| l.starts_with('#')) {
        let body = line.trim_start_matches('#').trim();
        if let Some(x) = body.strip_prefix("trace:") {
            trace_spec = Some(x.trim().to_string());
        } else if let Some(x) = body.strip_prefix("env:") {
            let (k, v) = x.trim().split_once('=').expect("env: NAME=value");
            env.insert(k.to_string(), v.to_string());
        } else if let Some(x) = body.strip_prefix("response:") {
            let json = serde_json::from_str(x.trim()).expect("response: JSON");
            options.response = Some(Response::from_json(json).expect("a response object"));
        } else if let Some(x) = body.strip_prefix("skew:") {
            options.clock_skew_nanos = duration(x);
        }
    }
    options.env = EnvSource::Map(env);
    let trace = trace_for(
        trace_spec
            .as_deref()
            .unwrap_or_else(|| panic!("{shown}: no `# trace:` header")),
    );
    let mut db = tbt_db::RootDatabase::new();
    let file = db.set_file(path, text.clone());
    let errors: Vec<String> = tbt_db::check(&db, file)
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{} {} at {:?}", d.code, d.message, d.primary.range))
        .collect();
    assert!(
        errors.is_empty(),
        "{shown} does not check:\n{}",
        errors.join("\n")
    );
    let plan = tbt_plan::plan_file(&db, file);
    let reports = tbt_engine::Engine::new(&plan, &trace, &options).run(|_| true);
    let lines = tbt_diagnostics::LineIndex::new(&text);
    let source: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for test in &reports {
        for a in &test.assertions {
            let line = lines.line_col(a.range.start).line as usize;
            let Some((expected, detail)) = source.get(line).and_then(|l| annotation(l)) else {
                panic!(
                    "{shown}:{}: assertion without a `# pass|fail|skip` annotation",
                    line + 1
                );
            };
            let message = match a.violations.first() {
                Some(v) => format!("{} | {}", a.message, v.message),
                None => a.message.clone(),
            };
            out.push(Outcome {
                file: shown.clone(),
                line: line + 1,
                expected,
                detail,
                got: a.verdict,
                message,
            });
        }
    }
    out
}

#[test]
fn semantic_cases() {
    let files = tbt_tests::files_with_extension("tests/engine/cases", "tbt");
    assert!(!files.is_empty(), "no case files");
    let mut failures = Vec::new();
    let mut total = 0;
    for path in &files {
        for o in run_file(path) {
            total += 1;
            let detail_ok = o
                .detail
                .as_ref()
                .is_none_or(|d| o.message.contains(d.as_str()));
            if o.got != o.expected || !detail_ok {
                failures.push(format!(
                    "{}:{}: expected {}{}, got {}: {}",
                    o.file,
                    o.line,
                    o.expected.as_str(),
                    o.detail.map(|d| format!(" ({d})")).unwrap_or_default(),
                    o.got.as_str(),
                    o.message
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        total >= 100,
        "only {total} cases: the suite promises at least 100"
    );
    eprintln!("{total} engine cases passed");
}

/// Every example and valid corpus file plans and runs on a real and a synthetic trace
/// without panicking (whatever the verdicts), with and without a response.
#[test]
fn every_checked_file_runs_without_panicking() {
    let traces = [
        trace_for("shop"),
        trace_for("fixture:jaeger/otlp/otel_traces_01.json"),
        tbt_trace::synth::trace(&tbt_trace::synth::SynthConfig::many(3, 200, 7)),
    ];
    let mut files = tbt_tests::files_with_extension("examples", "tbt");
    files.extend(tbt_tests::files_with_extension("tests/corpus/valid", "tbt"));
    let response = Response::from_json(serde_json::json!({
        "status": 200, "headers": {"content-type": "application/json"},
        "body": "{\"order_id\": \"ORD-1\", \"items\": []}", "duration_ms": 12
    }))
    .expect("a response");
    let mut ran = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable");
        let mut db = tbt_db::RootDatabase::new();
        let file = db.set_file(path, text);
        db.load_with_imports(path, |p| std::fs::read_to_string(p).ok());
        if tbt_db::check(&db, file)
            .diagnostics
            .iter()
            .any(|d| d.is_error())
        {
            continue;
        }
        let plan = tbt_plan::plan_file(&db, file);
        let _ = tbt_plan::explain(&plan);
        for trace in &traces {
            for response in [None, Some(response.clone())] {
                let options = Options {
                    response,
                    env: EnvSource::Map(HashMap::from([(
                        "SHOP_URL".to_string(),
                        "http://shop".to_string(),
                    )])),
                    ..Options::default()
                };
                let reports = tbt_engine::Engine::new(&plan, trace, &options).run(|_| true);
                assert_eq!(reports.len(), plan.tests.len(), "{}", path.display());
                ran += 1;
            }
        }
    }
    assert!(ran > 20, "only {ran} runs");
}
