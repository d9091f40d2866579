//! End-to-end tests of `tbt run`: the real binary, a real instrumented service started through
//! `tbt.toml`'s `[server]` (this test binary re-executed, see `run/service.rs`), the embedded
//! receiver on ephemeral ports, and the pretty, JSON and JUnit reports.

#[path = "run/harness.rs"]
mod harness;
#[path = "run/service.rs"]
mod service;

use harness::{Export, Output, Project, free_port, settings};
use serde_json::Value;
use std::collections::BTreeSet;

/// The service under test, when this binary is started by `tbt run` with
/// `TBT_TEST_SERVICE=1`; otherwise a test that does nothing.
#[test]
fn service_main() {
    if std::env::var("TBT_TEST_SERVICE").as_deref() != Ok("1") {
        return;
    }
    if let Err(e) = service::run() {
        eprintln!("service: {e}");
        std::process::exit(1);
    }
}

/// Asserts the exit code, showing the output when it differs.
fn assert_code(out: &Output, code: i32) {
    assert_eq!(
        out.code,
        code,
        "expected exit {code}, got {}:\n{}",
        out.code,
        out.all()
    );
}

/// Parses `--format json` output.
fn json(out: &Output) -> Value {
    serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("the JSON report does not parse ({e}):\n{}", out.all()))
}

/// The tests of a JSON report: `suite › name` (or `name`) and verdict.
fn verdicts(doc: &Value) -> Vec<(String, String)> {
    doc["tests"]
        .as_array()
        .expect("a list of tests")
        .iter()
        .map(|t| {
            let name = t["name"].as_str().unwrap_or_default();
            let full = match t["suite"].as_str() {
                Some(s) => format!("{s} › {name}"),
                None => name.to_string(),
            };
            (full, t["verdict"].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

/// A JUnit report's counts, checked against its test cases.
#[derive(Debug, PartialEq, Eq)]
struct Junit {
    /// `(suite name, tests, failures, skipped)` per `<testsuite>`.
    suites: Vec<(String, usize, usize, usize)>,
    /// The `<testsuites>` totals: tests, failures, skipped.
    totals: (usize, usize, usize),
    /// The text of every `<failure>`.
    failures: Vec<String>,
}

fn junit(project: &Project, name: &str) -> Junit {
    let text = std::fs::read_to_string(project.path().join(name)).expect("the JUnit file");
    let doc = roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("the JUnit report is not XML ({e}):\n{text}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let count = |node: roxmltree::Node, attr: &str| -> usize {
        node.attribute(attr)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("`{attr}` is a count on <{}>", node.tag_name().name()))
    };
    let mut suites = Vec::new();
    let mut failures = Vec::new();
    for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
        let cases: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        let failed = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
            .count();
        let skipped = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("skipped")))
            .count();
        // The attributes agree with the test cases.
        assert_eq!(
            (
                count(suite, "tests"),
                count(suite, "failures"),
                count(suite, "skipped")
            ),
            (cases.len(), failed, skipped),
            "{text}"
        );
        for case in &cases {
            for f in case.children().filter(|n| n.has_tag_name("failure")) {
                failures.push(format!(
                    "{}\n{}",
                    f.attribute("message").unwrap_or_default(),
                    f.text().unwrap_or_default()
                ));
            }
        }
        suites.push((
            suite.attribute("name").unwrap_or_default().to_string(),
            cases.len(),
            failed,
            skipped,
        ));
    }
    Junit {
        suites,
        totals: (
            count(root, "tests"),
            count(root, "failures"),
            count(root, "skipped"),
        ),
        failures,
    }
}

#[test]
fn passing_tests_print_checks_and_write_junit() {
    let project = Project::with_service(Export::Http, "");
    project.fixture("checkout.tbt");
    project.fixture("suite.tbt");
    let out = project.run(&["--junit", "report.xml", "checkout.tbt"]);
    assert_code(&out, 0);
    assert!(
        out.stdout
            .contains("✓ checkout.tbt › checkout charges the card once")
    );
    assert!(
        out.stdout
            .contains("✓ checkout.tbt › an order can be read back")
    );
    // The server was stopped when the run ended.
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", project.port)).is_err(),
        "the service still listens after tbt run ended"
    );
    let report = junit(&project, "report.xml");
    assert_eq!(report.totals, (2, 0, 0));
    assert_eq!(report.suites, vec![("checkout.tbt".to_string(), 2, 0, 0)]);

    // Suites are test suites of their own, `file › suite`.
    let out = project.run(&["--junit", "suites.xml", "suite.tbt"]);
    assert_code(&out, 0);
    // The tests of a suite run in order, so their lines are a stable snapshot.
    let snap = project.run(&["--filter", "create, then read", "suite.tbt"]);
    assert_code(&snap, 0);
    settings(&project).bind(|| insta::assert_snapshot!("pass_pretty", snap.stdout));
    let report = junit(&project, "suites.xml");
    assert_eq!(report.totals, (4, 0, 0));
    assert_eq!(
        report.suites,
        vec![
            ("suite.tbt".to_string(), 2, 0, 0),
            ("suite.tbt › create, then read".to_string(), 2, 0, 0),
        ]
    );
}

#[test]
fn the_service_can_export_over_grpc() {
    let project = Project::with_service(Export::Grpc, "");
    project.fixture("checkout.tbt");
    let out = project.run(&["--format", "json", "checkout.tbt"]);
    assert_code(&out, 0);
    let doc = json(&out);
    assert_eq!(doc["summary"]["passed"], 2, "{}", out.stdout);
    // Spans came in over gRPC: the receiver saw them and routed them to the tests.
    assert!(doc["receiver"]["routed_spans"].as_u64() >= Some(3));
    assert_eq!(doc["tests"][0]["services"]["payment"], 1);
    assert_eq!(doc["tests"][0]["services"]["shop"], 1);
}

#[test]
fn a_double_charge_fails_with_expected_actual_tree_and_trace_id() {
    let project = Project::with_service(Export::Http, "double-charge");
    project.fixture("checkout.tbt");
    let out = project.run(&["--junit", "report.xml", "checkout.tbt"]);
    assert_code(&out, 1);
    let text = &out.stdout;
    assert!(text.contains("✗ checkout.tbt › checkout charges the card once"));
    assert!(text.contains("exactly 1 span[service.name == \"payment\""));
    assert!(text.contains("- payment: charge card [client"), "{text}");
    assert!(text.contains("- shop: POST /checkout [server"), "{text}");
    assert!(text.contains("✓ checkout.tbt › an order can be read back"));
    let trace_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("trace "))
        .unwrap_or_else(|| panic!("no trace line:\n{text}"));
    let id = trace_line.trim_start()[6..].split(' ').next().unwrap_or("");
    assert!(
        id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()),
        "{trace_line}"
    );
    // Tests outside suites finish in any order: the snapshot shows the failing one alone.
    let one = project.run(&["--filter", "checkout charges the card once", "checkout.tbt"]);
    assert_code(&one, 1);
    settings(&project).bind(|| insta::assert_snapshot!("double_charge_pretty", one.stdout));
    let report = junit(&project, "report.xml");
    assert_eq!(report.totals, (2, 1, 0));
    assert_eq!(report.failures.len(), 1);
    assert!(
        report.failures[0].contains("charge card"),
        "{}",
        report.failures[0]
    );
}

#[test]
fn the_json_report_is_one_versioned_document() {
    let project = Project::with_service(Export::Http, "double-charge");
    project.fixture("checkout.tbt");
    let out = project.run(&["-j", "1", "--format", "json", "checkout.tbt"]);
    assert_code(&out, 1);
    let doc = json(&out);
    assert_eq!(doc["version"], 1);
    assert_eq!(
        doc["summary"],
        serde_json::json!({ "total": 2, "passed": 1, "failed": 1, "skipped": 0 })
    );
    let failed = &doc["tests"][0];
    assert_eq!(failed["verdict"], "fail");
    assert_eq!(failed["spans"], 3);
    assert_eq!(failed["wait"]["end"], "complete");
    let assertion = failed["assertions"]
        .as_array()
        .expect("assertions")
        .iter()
        .find(|a| a["verdict"] == "fail")
        .expect("a failed assertion");
    assert_eq!(assertion["selected"]["count"], 2);
    settings(&project).bind(|| insta::assert_snapshot!("double_charge_json", out.stdout));
}

#[test]
fn a_syntax_error_exits_2() {
    let project = Project::bare();
    project.fixture("syntax_error.tbt");
    let out = project.run(&["syntax_error.tbt"]);
    assert_code(&out, 2);
    assert!(out.all().contains("E0007"), "{}", out.all());
    settings(&project).bind(|| insta::assert_snapshot!("syntax_error", out.all()));
}

#[test]
fn a_bad_tbt_toml_exits_2() {
    let project = Project::bare();
    project.fixture("response_only.tbt");
    project.write("tbt.toml", "[run]\ntimeout = \"soon\"\n");
    let out = project.run(&["response_only.tbt"]);
    assert_code(&out, 2);
    settings(&project).bind(|| insta::assert_snapshot!("bad_toml", out.all()));
    assert!(out.stderr.contains("run.timeout"), "{}", out.stderr);
    assert!(out.stderr.contains("\"soon\""), "{}", out.stderr);
}

#[test]
fn a_server_that_exits_at_once_exits_2_with_its_last_output() {
    let project = Project::with_service(Export::Http, "exit-at-once");
    project.fixture("response_only.tbt");
    let out = project.run(&["response_only.tbt"]);
    assert_code(&out, 2);
    assert!(out.stderr.contains("exited"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("cannot open the database at /nowhere/shop.sqlite"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_receiver_port_in_use_exits_2() {
    let project = Project::bare();
    project.fixture("response_only.tbt");
    let held = std::net::TcpListener::bind("127.0.0.1:0").expect("a listener");
    let port = held.local_addr().expect("its address").port().to_string();
    let out = project.run(&["--grpc-port", &port, "response_only.tbt"]);
    assert_code(&out, 2);
    assert!(
        out.stderr.contains("cannot start the OTLP receiver"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(&port), "{}", out.stderr);
    drop(held);
}

#[test]
fn a_trigger_against_a_closed_port_fails_with_e0203() {
    let project = Project::bare();
    project.fixture("closed_port.tbt");
    let closed = format!("http://127.0.0.1:{}", free_port());
    let out = project.run_with(&["closed_port.tbt"], &[("CLOSED_URL", &closed)]);
    assert_code(&out, 1);
    assert!(out.stdout.contains("E0203"), "{}", out.stdout);
    assert!(
        out.stdout.to_lowercase().contains("connection refused"),
        "{}",
        out.stdout
    );
    settings(&project).bind(|| insta::assert_snapshot!("closed_port_pretty", out.stdout));
    let out = project.run_with(
        &["--format", "json", "closed_port.tbt"],
        &[("CLOSED_URL", &closed)],
    );
    assert_code(&out, 1);
    let problem = &json(&out)["tests"][0]["problem"];
    assert_eq!(problem["kind"], "trigger", "{problem}");
    assert!(
        problem["message"]
            .as_str()
            .is_some_and(|m| m.contains(&closed)),
        "{problem}"
    );
}

#[test]
fn a_trace_that_never_completes_names_the_missing_parent() {
    let project = Project::with_service(Export::Http, "lost-parent");
    project.fixture("lost_parent.tbt");
    let out = project.run(&["lost_parent.tbt"]);
    assert_code(&out, 1);
    let text = &out.stdout;
    assert!(text.contains("E0204"), "{text}");
    let lost: String = service::LOST_PARENT
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(
        text.contains(&format!("{lost} (parent of 1 span)")),
        "{text}"
    );
    assert!(
        text.contains("2 spans arrived from payment (1), shop (1)"),
        "{text}"
    );
    settings(&project).bind(|| insta::assert_snapshot!("lost_parent_pretty", out.stdout));
}

/// Twenty tests in one file, run together: each sends its own `x-request-id` and must see
/// exactly its own trace.
#[test]
fn twenty_concurrent_tests_each_see_exactly_their_own_spans() {
    let project = Project::with_service(Export::Http, "");
    let mut text = String::new();
    for i in 0..20 {
        text.push_str(&format!(
            r#"test "request {i}" {{
  trigger http POST "${{env.SVC_URL}}/checkout" {{
    header "x-request-id" = "{i}"
    body json {{ "order": "ORD-{i}", "amount": {i}.5 }}
  }}
  # tbt's trigger span, the SERVER span and the payment.
  expect count(span) == 3
  expect exactly 1 span[request.id == "{i}"]
  expect exactly 1 span[order.id == "ORD-{i}" and payment.amount == {i}.5]
}}

"#
        ));
    }
    project.write("many.tbt", &text);
    let out = project.run(&["-j", "20", "--format", "json", "many.tbt"]);
    assert_code(&out, 0);
    let doc = json(&out);
    let tests = doc["tests"].as_array().expect("tests");
    assert_eq!(tests.len(), 20);
    let mut trace_ids = BTreeSet::new();
    for t in tests {
        assert_eq!(t["verdict"], "pass", "{t}");
        assert_eq!(t["spans"], 2, "{t}");
        trace_ids.insert(t["trace_id"].as_str().unwrap_or_default().to_string());
    }
    assert_eq!(trace_ids.len(), 20, "every test has its own trace");
    assert_eq!(doc["receiver"]["routed_spans"], 40, "{}", doc["receiver"]);
}

#[test]
fn a_suite_passes_an_output_to_the_next_test() {
    let project = Project::with_service(Export::Http, "");
    project.fixture("suite.tbt");
    let out = project.run(&["--format", "json", "suite.tbt"]);
    assert_code(&out, 0);
    let doc = json(&out);
    let tests = doc["tests"].as_array().expect("tests");
    let create = tests
        .iter()
        .find(|t| t["name"] == "create an order")
        .expect("the first test of the suite");
    // Outputs are reported as shown (docs/run.md): a string in quotes.
    assert_eq!(create["outputs"]["order_id"], "\"ORD-77\"");
    // ... and as JSON values, for tools.
    assert_eq!(create["output_values"]["order_id"], "ORD-77");
    let read = tests
        .iter()
        .find(|t| t["name"] == "read it back")
        .expect("the second test of the suite");
    assert_eq!(read["verdict"], "pass");
    assert_eq!(read["response"]["json"]["order_id"], "ORD-77", "{read}");
}

#[test]
fn filter_selects_tests_and_the_suite_before_them() {
    let project = Project::with_service(Export::Http, "");
    project.fixture("suite.tbt");
    let out = project.run(&["--format", "json", "--filter", "read it back", "suite.tbt"]);
    assert_code(&out, 0);
    assert_eq!(
        verdicts(&json(&out)),
        vec![
            ("create, then read › create an order".into(), "pass".into()),
            ("create, then read › read it back".into(), "pass".into()),
        ]
    );
    let out = project.run(&["--format", "json", "--filter", "health", "suite.tbt"]);
    assert_code(&out, 0);
    assert_eq!(
        verdicts(&json(&out)),
        vec![("health answers".into(), "pass".into())]
    );
}

#[test]
fn two_shards_run_every_test_exactly_once() {
    let project = Project::with_service(Export::Http, "");
    project.fixture("suite.tbt");
    project.fixture("checkout.tbt");
    let all = project.run(&["--format", "json", "checkout.tbt", "suite.tbt"]);
    assert_code(&all, 0);
    let all: BTreeSet<String> = verdicts(&json(&all)).into_iter().map(|v| v.0).collect();
    assert_eq!(all.len(), 6);
    let mut seen = Vec::new();
    for shard in ["1/2", "2/2"] {
        let out = project.run(&[
            "--format",
            "json",
            "--shard",
            shard,
            "checkout.tbt",
            "suite.tbt",
        ]);
        assert_code(&out, 0);
        let names: Vec<String> = verdicts(&json(&out)).into_iter().map(|v| v.0).collect();
        assert!(!names.is_empty(), "shard {shard} ran nothing");
        seen.extend(names);
    }
    let unique: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "a test ran twice: {seen:?}");
    assert_eq!(unique, all);
}

/// The lines of the tests in the order they finished: (mark, title).
fn finished(stdout: &str) -> Vec<(char, String)> {
    stdout
        .lines()
        .filter_map(|l| {
            let l = l.strip_prefix('[').map_or(l, |rest| {
                rest.split_once("] ").map_or(rest, |(_, line)| line)
            });
            let mark = l.chars().next()?;
            let title = l.get(mark.len_utf8() + 1..)?;
            let title = title.rsplit_once(" (").map_or(title, |(t, _)| t);
            ['✓', '✗', '–']
                .contains(&mark)
                .then(|| (mark, title.to_string()))
        })
        .collect()
}

#[test]
fn fail_fast_stops_after_the_first_failure() {
    let project = Project::with_service(Export::Http, "");
    project.fixture("fail_fast.tbt");
    let out = project.run(&[
        "-j",
        "1",
        "--fail-fast",
        "--junit",
        "r.xml",
        "fail_fast.tbt",
    ]);
    assert_code(&out, 1);
    let lines = finished(&out.stdout);
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    // Every test that finished after the failure was not run.
    let failed = lines
        .iter()
        .position(|(mark, _)| *mark == '✗')
        .expect("a failed test");
    assert_eq!(lines[failed].1, "fail_fast.tbt › first, and failing");
    assert!(
        lines[failed + 1..].iter().all(|(mark, _)| *mark == '–'),
        "{}",
        out.stdout
    );
    assert!(lines[..failed].iter().all(|(mark, _)| *mark == '✓'));
    let skipped = lines.len() - failed - 1;
    if skipped > 0 {
        assert!(
            out.stdout
                .contains("not run: --fail-fast stopped the run after a failure")
        );
    }
    assert_eq!(junit(&project, "r.xml").totals, (3, 1, skipped));
    // Without it, the others run.
    let out = project.run(&["-j", "1", "fail_fast.tbt"]);
    assert_code(&out, 1);
    let marks: Vec<char> = finished(&out.stdout).iter().map(|l| l.0).collect();
    assert_eq!(
        marks.iter().filter(|m| **m == '✓').count(),
        2,
        "{}",
        out.stdout
    );
}

/// With one job, tests run in file order, so `--fail-fast -j 1` stops at the first failing
/// test of the file.
#[test]
fn one_job_runs_tests_in_file_order() {
    let project = Project::with_service(Export::Http, "");
    project.fixture("fail_fast.tbt");
    for _ in 0..5 {
        let out = project.run(&["-j", "1", "--fail-fast", "fail_fast.tbt"]);
        assert_code(&out, 1);
        let lines = finished(&out.stdout);
        let titles: Vec<&str> = lines.iter().map(|l| l.1.as_str()).collect();
        assert_eq!(
            titles,
            [
                "fail_fast.tbt › first, and failing",
                "fail_fast.tbt › second",
                "fail_fast.tbt › third"
            ],
            "{}",
            out.stdout
        );
        let marks: Vec<char> = lines.iter().map(|l| l.0).collect();
        assert_eq!(marks, ['✗', '–', '–']);
    }
}

const TOKEN: &str = "s3cr3t-t0k3n-e2e";

/// Runs secret.tbt with `TOKEN` set; returns the project and the pretty output, and writes
/// the JUnit report to `secret.xml`.
fn run_secret() -> (Project, Output) {
    let project = Project::with_service(Export::Http, "");
    project.fixture("secret.tbt");
    let out = project.run_with(
        &["--junit", "secret.xml", "secret.tbt"],
        &[("TOKEN", TOKEN)],
    );
    assert_code(&out, 1);
    (project, out)
}

fn assert_redacted(what: &str, text: &str) {
    assert!(!text.contains(TOKEN), "{what} shows the token:\n{text}");
    assert!(
        text.contains("Bearer ***"),
        "{what} does not show the redacted value:\n{text}"
    );
}

#[test]
fn secrets_never_appear_in_the_pretty_and_json_reports() {
    let (project, pretty) = run_secret();
    assert_redacted("pretty", &pretty.all());
    settings(&project).bind(|| insta::assert_snapshot!("secret_pretty", pretty.stdout));
    let out = project.run_with(&["--format", "json", "secret.tbt"], &[("TOKEN", TOKEN)]);
    assert_code(&out, 1);
    assert_redacted("json", &out.all());
    // Both failing assertions are reported, with the redacted actual values.
    let doc = json(&out);
    let failed: Vec<&Value> = doc["tests"][0]["assertions"]
        .as_array()
        .expect("assertions")
        .iter()
        .filter(|a| a["verdict"] == "fail")
        .collect();
    assert_eq!(failed.len(), 2, "{}", out.stdout);
    // The JUnit failure's details are redacted too.
    let report = junit(&project, "secret.xml");
    assert_eq!(report.totals, (1, 1, 0));
    let details = report.failures[0]
        .split_once('\n')
        .map_or("", |(_, body)| body);
    assert_redacted("junit <failure> text", details);
}

#[test]
fn secrets_never_appear_in_the_junit_report() {
    let (project, _) = run_secret();
    let xml = std::fs::read_to_string(project.path().join("secret.xml")).expect("JUnit");
    assert_redacted("junit", &xml);
}

#[test]
fn wait_until_sees_an_asynchronous_span() {
    let project = Project::with_service(Export::Http, "");
    project.fixture("async.tbt");
    let out = project.run(&["--format", "json", "async.tbt"]);
    assert_code(&out, 0);
    let doc = json(&out);
    assert_eq!(doc["tests"][0]["wait"]["end"], "until");
    assert_eq!(doc["tests"][0]["services"]["shop"], 2);
}

#[test]
fn a_response_only_test_does_not_wait_for_spans() {
    let project = Project::with_service(Export::Http, "");
    project.fixture("response_only.tbt");
    // /health exports no span: waiting for one would time out and fail the test.
    let out = project.run(&["--format", "json", "response_only.tbt"]);
    assert_code(&out, 0);
    let doc = json(&out);
    let test = &doc["tests"][0];
    assert_eq!(test["verdict"], "pass");
    assert_eq!(test["spans"], 0);
    assert_eq!(test["wait"]["end"], "complete");
}
