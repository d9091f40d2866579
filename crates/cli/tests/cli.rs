//! The `tbt` binary end to end: exit codes, output formats and `explain`, on real files.

use std::path::Path;
use std::process::{Command, Output};

fn tbt(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tbt"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run tbt")
}

fn write(dir: &Path, name: &str, text: &[u8]) {
    std::fs::write(dir.join(name), text).expect("write fixture");
}

const VALID: &str = "test \"health\" {\n  trigger http GET \"http://127.0.0.1:8080/health\"\n  expect response.status == 200\n}\n";
const BROKEN: &str = "test \"t\" {\n  trigger http GET \"http://127.0.0.1:8080/\"\n  expect response.status = 200\n}\n";

#[test]
fn exit_code_0_when_clean() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "ok.tbt", VALID.as_bytes());
    let out = tbt(&["check"], dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn exit_code_1_on_errors_and_2_on_missing_paths() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "bad.tbt", BROKEN.as_bytes());
    assert_eq!(
        tbt(&["check", "bad.tbt"], dir.path()).status.code(),
        Some(1)
    );
    let missing = tbt(&["check", "nope.tbt"], dir.path());
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stdout).contains("E0901"));
    assert_eq!(
        tbt(&["check", "--format", "yaml"], dir.path())
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn warnings_fail_only_when_denied() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "empty.tbt", b"# nothing yet\n");
    assert_eq!(tbt(&["check"], dir.path()).status.code(), Some(0));
    assert_eq!(
        tbt(&["check", "--deny", "warnings"], dir.path())
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn non_utf8_file_names_the_offset() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "latin1.tbt", b"let x = \"caf\xe9\"\n");
    let out = tbt(&["check", "--format", "json"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    let diagnostic = &json["diagnostics"][0];
    assert_eq!(diagnostic["code"], "E0006");
    assert_eq!(diagnostic["range"]["start"]["offset"], 12);
}

#[test]
fn json_output_is_one_versioned_document() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "bad.tbt", BROKEN.as_bytes());
    let out = tbt(&["check", "--format", "json", "bad.tbt"], dir.path());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    insta::assert_json_snapshot!(json);
}

#[test]
fn github_output_is_workflow_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "bad.tbt", BROKEN.as_bytes());
    let out = tbt(&["check", "--format", "github", "bad.tbt"], dir.path());
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn human_output_has_source_excerpts() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "bad.tbt", BROKEN.as_bytes());
    let out = tbt(&["check", "--color", "never", "bad.tbt"], dir.path());
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}

#[test]
fn explain_prints_the_long_description() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = tbt(&["explain", "e0023"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("E0023 single-equals"), "{text}");
    assert!(text.contains("Example:"), "{text}");
    assert_eq!(
        tbt(&["explain", "E9999"], dir.path()).status.code(),
        Some(2)
    );
    let list = tbt(&["explain"], dir.path());
    assert!(String::from_utf8_lossy(&list.stdout).lines().count() >= 40);
}

#[test]
fn folders_are_searched_recursively_skipping_hidden_and_target() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("nested/deeper")).expect("mkdir");
    std::fs::create_dir_all(dir.path().join(".hidden")).expect("mkdir");
    std::fs::create_dir_all(dir.path().join("target")).expect("mkdir");
    write(
        &dir.path().join("nested/deeper"),
        "bad.tbt",
        BROKEN.as_bytes(),
    );
    write(&dir.path().join(".hidden"), "bad.tbt", BROKEN.as_bytes());
    write(&dir.path().join("target"), "bad.tbt", BROKEN.as_bytes());
    let out = tbt(&["check", "--format", "json"], dir.path());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    assert_eq!(json["files"], 1);
    assert_eq!(json["errors"], 1);
}
