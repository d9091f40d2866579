//! `tbt check` end to end: the binary on temporary folders.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const DONE_WHEN: &str = r#"schema {
  attribute payment.amount: double
}

test "done when" {
  trigger http POST "http://127.0.0.1:8080/checkout"
  span[http.status_code == 500] {
    expect payment.amount == "ninety"
    expect duration < 200
    expect name matches /^GET (/
  }
}
"#;

fn tbt(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tbt"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("tbt runs")
}

fn json(dir: &Path, args: &[&str]) -> (Value, i32) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let out = tbt(dir, &all);
    let value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (value, out.status.code().unwrap_or(-1))
}

/// `CODE line:col-line:col` for every diagnostic (1-based lines and columns).
fn summary(value: &Value) -> Vec<String> {
    value["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let at = |p: &str| format!("{}:{}", d["range"][p]["line"], d["range"][p]["column"]);
            format!(
                "{} {}-{}",
                d["code"].as_str().unwrap_or(""),
                at("start"),
                at("end")
            )
        })
        .collect()
}

fn temp_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }
    dir
}

#[test]
fn done_when_one_warning_with_the_new_name_and_three_errors() {
    let dir = temp_with(&[("checkout.tbt", DONE_WHEN)]);
    let (value, code) = json(dir.path(), &["checkout.tbt"]);
    assert_eq!(code, 1);
    assert_eq!(value["errors"], 3);
    assert_eq!(value["warnings"], 1);
    assert_eq!(
        summary(&value),
        [
            "W0102 7:8-7:24",
            "E0101 8:30-8:38",
            "E0102 9:23-9:26",
            "E0103 10:31-10:32"
        ]
    );
    let warning = &value["diagnostics"][0];
    assert_eq!(warning["severity"], "warning");
    assert_eq!(warning["label"], "renamed to `http.response.status_code`");
    assert_eq!(
        warning["fixes"][0]["edits"][0]["replacement"],
        "http.response.status_code"
    );
    for d in value["diagnostics"].as_array().expect("array") {
        assert!(d["help"].as_str().is_some_and(|h| !h.is_empty()), "{d}");
    }
    // The unit-less duration has a fix for editors, not for --fix.
    assert_eq!(value["diagnostics"][2]["fixes"][0]["message"], "add `ms`");
}

#[test]
fn done_when_renders_for_people() {
    let dir = temp_with(&[("checkout.tbt", DONE_WHEN)]);
    let out = tbt(dir.path(), &["check", "--color", "never", "checkout.tbt"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    insta::assert_snapshot!(stdout);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "checked 1 file: 3 errors, 1 warning"
    );
}

#[test]
fn fix_rewrites_the_deprecated_name_and_reports_what_remains() {
    let dir = temp_with(&[("checkout.tbt", DONE_WHEN)]);
    let out = tbt(
        dir.path(),
        &["check", "--fix", "--color", "never", "checkout.tbt"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("fixed 1 problem in checkout.tbt"),
        "{stderr}"
    );
    assert!(
        stderr.contains("checked 1 file: 3 errors, 0 warnings"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(dir.path().join("checkout.tbt")).expect("read");
    assert_eq!(
        text,
        DONE_WHEN.replace("http.status_code", "http.response.status_code")
    );
    // Nothing left to fix: a second run changes nothing.
    let again = tbt(dir.path(), &["check", "--fix", "checkout.tbt"]);
    assert!(!String::from_utf8_lossy(&again.stderr).contains("fixed"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("checkout.tbt")).expect("read"),
        text
    );
}

#[test]
fn json_output_is_one_document() {
    let dir = temp_with(&[
        ("a.tbt", DONE_WHEN),
        (
            "b.tbt",
            "test \"ok\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n}\n",
        ),
    ]);
    let (value, code) = json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(value["version"], 1);
    assert_eq!(value["files"], 2);
    let d = &value["diagnostics"][1];
    assert_eq!(d["file"], "./a.tbt");
    assert_eq!(d["code"], "E0101");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["message"], "`==` cannot combine `double` and `string`");
    assert_eq!(
        d["secondary"][0]["message"],
        "`payment.amount` is a `double`"
    );
}

#[test]
fn deny_warnings_fails_on_warnings_only() {
    let text = "test \"t\" {\n  trigger trace \"4bf92f3577b34da6a3ce929d0e0e4736\"\n  expect no span[http.request.method == \"FETCH\"]\n}\n";
    let dir = temp_with(&[("t.tbt", text)]);
    let (value, code) = json(dir.path(), &["t.tbt"]);
    assert_eq!(
        (summary(&value), code),
        (vec!["W0104 3:41-3:48".to_string()], 0)
    );
    let (_, code) = json(dir.path(), &["--deny", "warnings", "t.tbt"]);
    assert_eq!(code, 1);
}

#[test]
fn clean_files_pass() {
    let dir = temp_with(&[
        (
            "shop.schema.tbt",
            "schema {\n  services gateway, order-service\n  attribute order.id: string\n}\n",
        ),
        (
            "tests/checkout.tbt",
            "use \"../shop.schema.tbt\"\n\ntest \"t\" {\n  trigger http GET \"http://127.0.0.1:8080/\"\n  expect response.status == 200\n  span[order.id == \"1\"] {\n    expect duration < 200ms\n  }\n  expect gateway -> order-service\n}\n",
        ),
    ]);
    let (value, code) = json(dir.path(), &[]);
    assert_eq!((summary(&value), code), (Vec::<String>::new(), 0));
}

#[test]
fn schemas_come_through_use_even_outside_the_given_paths() {
    let dir = temp_with(&[
        (
            "schemas/shop.tbt",
            "schema {\n  attribute order.id: int\n}\n",
        ),
        (
            "tests/t.tbt",
            "use \"../schemas/shop.tbt\"\nuse \"missing.tbt\"\n\ntest \"t\" {\n  trigger trace \"1\"\n  span[order.id == \"x\"] {\n  }\n}\n",
        ),
    ]);
    let (value, code) = json(dir.path(), &["tests"]);
    assert_eq!(code, 1);
    assert_eq!(summary(&value), ["E0110 2:5-2:18", "E0101 6:20-6:23"]);
}

#[test]
fn the_declared_environment_is_checked() {
    let text = "test \"t\" {\n  trigger http GET \"${env.SHOP_URL}/${env.SHOP_URLL}\" {\n    auth bearer env.secret.TOKEN\n  }\n}\n";
    let dir = temp_with(&[
        ("tbt.toml", "[env]\nfile = \".env\"\nvars = [\"TOKEN\"]\n"),
        (".env", "# local\nSHOP_URL=http://127.0.0.1:8080\n"),
        ("tests/t.tbt", text),
    ]);
    let (value, code) = json(dir.path(), &[]);
    assert_eq!(
        (summary(&value), code),
        (vec!["W0105 2:43-2:52".to_string()], 0)
    );
    assert_eq!(value["diagnostics"][0]["help"], "did you mean `SHOP_URL`?");
    // Without an [env] table, every name is accepted.
    std::fs::write(dir.path().join("tbt.toml"), "").expect("write");
    let (value, _) = json(dir.path(), &[]);
    assert_eq!(value["warnings"], 0);
}

#[test]
fn a_broken_project_file_is_a_usage_error() {
    let dir = temp_with(&[
        ("tbt.toml", "[env]\nvars = \"A\"\n"),
        ("t.tbt", "test \"t\" {\n  trigger trace \"1\"\n}\n"),
    ]);
    let out = tbt(dir.path(), &["check", "--color", "never"]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("invalid `"), "{stdout}");
}
