//! `tbt eval` and `tbt plan` end to end: the binary on the example files and the Jaeger
//! fixtures, run from the workspace root so paths in the output are stable.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tbt_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tbt"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("SHOP_URL")
        .output()
        .expect("tbt runs")
}

fn tbt(args: &[&str]) -> Output {
    tbt_in(&root(), args)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const EXAMPLE: &str = "examples/jaeger-fixture.tbt";
const OTLP: &str = "tests/fixtures/jaeger/otlp/otlp2jaeger-in.json";
const JAEGER_V1: &str = "tests/fixtures/jaeger/jaeger-ui/otlp2jaeger-out.json";

#[test]
fn eval_on_a_jaeger_fixture_reports_passes_and_failures_with_evidence() {
    let out = tbt(&["eval", EXAMPLE, "--trace", OTLP, "--color", "never"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    insta::assert_snapshot!("eval_jaeger_fixture_human", stdout(&out));
}

#[test]
fn eval_json_is_versioned_and_complete() {
    let out = tbt(&["eval", EXAMPLE, "--trace", OTLP, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["trace"]["format"], "OTLP/JSON");
    assert_eq!(doc["summary"]["tests"]["passed"], 1);
    assert_eq!(doc["summary"]["tests"]["failed"], 1);
    assert_eq!(doc["summary"]["assertions"]["failed"], 2);
    let failing = &doc["tests"][1]["assertions"][1];
    assert_eq!(failing["verdict"], "fail");
    assert_eq!(
        failing["violations"]["items"][0]["span"]["span_id"],
        "e127af99e3b3e074"
    );
    assert_eq!(
        failing["violations"]["items"][1]["values"][0]["value"],
        "<missing>"
    );
    insta::assert_snapshot!("eval_jaeger_fixture_json", stdout(&out));
}

#[test]
fn the_same_trace_in_jaeger_v1_form_gives_the_same_verdicts() {
    let verdicts = |trace: &str| {
        let out = tbt(&["eval", EXAMPLE, "--trace", trace, "--format", "json"]);
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let all: Vec<String> = doc["tests"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|t| t["assertions"].as_array().cloned().unwrap_or_default())
            .map(|a| a["verdict"].as_str().unwrap_or("").to_string())
            .collect();
        (all, out.status.code())
    };
    let (otlp, otlp_code) = verdicts(OTLP);
    let (v1, v1_code) = verdicts(JAEGER_V1);
    assert_eq!(otlp, v1);
    assert_eq!(otlp_code, v1_code);
    assert_eq!(otlp.iter().filter(|v| *v == "pass").count(), 5);
}

#[test]
fn a_test_filter_runs_only_that_test() {
    let out = tbt(&[
        "eval",
        EXAMPLE,
        "--trace",
        OTLP,
        "--test",
        "the telemetrygen server span",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("1 test: 1 passed, 0 failed, 0 skipped"),
        "{}",
        stdout(&out)
    );
    let out = tbt(&["eval", EXAMPLE, "--trace", OTLP, "--test", "no such test"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no test is named"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unreadable_inputs_are_usage_errors() {
    let out = tbt(&["eval", EXAMPLE, "--trace", "tests/fixtures/none.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read the trace"),
        "{}",
        stderr(&out)
    );
    let out = tbt(&["eval", EXAMPLE, "--trace", "README.md"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = tbt(&["eval", EXAMPLE, "--trace", OTLP, "--response", OTLP]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a JSON object is a response: {}",
        stderr(&out)
    );
    let out = tbt(&["eval", EXAMPLE, "--trace", OTLP, "--clock-skew", "soon"]);
    assert_eq!(out.status.code(), Some(2));
}

fn temp_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let trace = std::fs::read(root().join(OTLP)).expect("fixture");
    std::fs::write(dir.path().join("trace.json"), trace).expect("write");
    dir
}

#[test]
fn a_file_with_errors_is_not_evaluated() {
    let dir = temp_with(&[(
        "broken.tbt",
        "test \"t\" {\n  trigger trace \"83a9efd15c1c98a977e0711cc93ee28b\"\n  expect duration < 200\n}\n",
    )]);
    let out = tbt_in(dir.path(), &["eval", "broken.tbt", "--trace", "trace.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("E0111") || stderr(&out).contains("E01"),
        "{}",
        stderr(&out)
    );
}

const RESPONSE_TEST: &str = r#"test "order" {
  trigger http POST "http://shop.test/orders"
  expect response.status == 201
  expect response.json.id == "ORD-1"
  expect response.headers["Content-Type"] contains "json"
  expect exactly 1 span[kind == server]
}
"#;

#[test]
fn response_assertions_are_skipped_offline_unless_a_response_is_given() {
    let dir = temp_with(&[
        ("order.tbt", RESPONSE_TEST),
        (
            "response.json",
            r#"{"status": 201, "headers": {"content-type": "application/json"}, "body": "{\"id\": \"ORD-1\"}", "duration_ms": 12}"#,
        ),
    ]);
    let out = tbt_in(dir.path(), &["eval", "order.tbt", "--trace", "trace.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("1 passed, 3 skipped"),
        "{}",
        stdout(&out)
    );
    let out = tbt_in(
        dir.path(),
        &[
            "eval",
            "order.tbt",
            "--trace",
            "trace.json",
            "--response",
            "response.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("(4 passed)"), "{}", stdout(&out));
}

#[test]
fn plan_prints_the_operators_like_explain() {
    let out = tbt(&["plan", EXAMPLE]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!("plan_jaeger_fixture", stdout(&out));
    let out = tbt(&["plan", "examples/checkout.tbt", "--test", "checkout"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!("plan_checkout", stdout(&out));
    let out = tbt(&["plan", "examples/n-plus-one.tbt"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!("plan_n_plus_one", stdout(&out));
}

#[test]
fn deeply_nested_expressions_do_not_overflow_the_stack() {
    let terms = vec!["1"; 1000];
    let text = format!(
        "test \"deep\" {{\n  trigger trace \"83a9efd15c1c98a977e0711cc93ee28b\"\n  expect {} == 1000\n  expect {} == 1\n}}\n",
        terms.join(" + "),
        terms.join(" - ")
    );
    let dir = temp_with(&[("deep.tbt", &text)]);
    let out = tbt_in(dir.path(), &["eval", "deep.tbt", "--trace", "trace.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("1 passed, 1 failed"),
        "{}",
        stdout(&out)
    );
    let out = tbt_in(dir.path(), &["plan", "deep.tbt"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
