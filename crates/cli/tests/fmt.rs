//! `tbt fmt`, run as a process on temporary folders.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, SystemTime};

const UGLY: &str = "test \"t\"{trigger trace \"1\"\nexpect  a==1   # why\n}";
const FORMATTED: &str = "test \"t\" {\n  trigger trace \"1\"\n  expect a == 1 # why\n}\n";
const BROKEN: &str = "test \"t\" {\n  trigger trace \"1\"\n  expect a == \n";

fn tbt(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tbt"))
        .arg("fmt")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run tbt")
}

fn tbt_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tbt"))
        .arg("fmt")
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tbt");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait for tbt")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("read")
}

/// Sets a file's modification time into the past, so that a rewrite shows.
fn age(path: &Path) -> SystemTime {
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open")
        .set_modified(old)
        .expect("set mtime");
    old
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path)
        .expect("metadata")
        .modified()
        .expect("mtime")
}

#[test]
fn rewrites_unformatted_files_and_leaves_formatted_ones_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ugly = dir.path().join("ugly.tbt");
    let nested = dir.path().join("sub/deeper.tbt");
    let clean = dir.path().join("clean.tbt");
    std::fs::create_dir_all(nested.parent().expect("parent")).expect("mkdir");
    std::fs::write(&ugly, UGLY).expect("write");
    std::fs::write(&nested, UGLY).expect("write");
    std::fs::write(&clean, FORMATTED).expect("write");
    std::fs::write(dir.path().join("notes.txt"), UGLY).expect("write");
    let clean_time = age(&clean);

    let output = tbt(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(read(&ugly), FORMATTED);
    assert_eq!(read(&nested), FORMATTED);
    assert_eq!(read(&clean), FORMATTED);
    assert_eq!(
        modified(&clean),
        clean_time,
        "a formatted file must not be rewritten"
    );
    assert_eq!(
        read(&dir.path().join("notes.txt")),
        UGLY,
        "only .tbt files are formatted"
    );
    assert!(
        stderr(&output).contains("reformatted 2 of 3 files"),
        "{}",
        stderr(&output)
    );

    // A second run changes nothing.
    let output = tbt(dir.path(), &["--check", "."]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn explicit_files_are_formatted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("one.tbt");
    std::fs::write(&file, UGLY).expect("write");
    let output = tbt(dir.path(), &["one.tbt"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(read(&file), FORMATTED);
}

#[test]
fn check_passes_on_formatted_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("clean.tbt"), FORMATTED).expect("write");
    let output = tbt(dir.path(), &["--check"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).contains("1 file already formatted"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn check_lists_unformatted_files_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ugly = dir.path().join("ugly.tbt");
    std::fs::write(&ugly, UGLY).expect("write");
    std::fs::write(dir.path().join("clean.tbt"), FORMATTED).expect("write");
    let output = tbt(dir.path(), &["--check", "."]);
    assert_eq!(output.status.code(), Some(1));
    let listed: Vec<String> = stdout(&output).lines().map(str::to_string).collect();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(listed[0].ends_with("ugly.tbt"), "{listed:?}");
    let err = stderr(&output);
    assert!(
        err.contains("line 1:") && err.contains("- test \"t\"{trigger trace \"1\""),
        "{err}"
    );
    assert!(err.contains("+ test \"t\" {"), "{err}");
    assert!(err.contains("1 of 2 files would be reformatted"), "{err}");
    assert_eq!(read(&ugly), UGLY, "--check must not write");
}

#[test]
fn stdin_is_formatted_to_stdout() {
    let output = tbt_stdin(&["-"], UGLY);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), FORMATTED);
    assert_eq!(stderr(&output), "", "standard input mode prints no summary");

    let output = tbt_stdin(&["--check", "-"], UGLY);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "<stdin>\n");

    let output = tbt_stdin(&["--check", "-"], FORMATTED);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
}

#[test]
fn stdin_with_syntax_errors_prints_nothing_on_stdout() {
    let output = tbt_stdin(&["-"], BROKEN);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    assert!(stderr(&output).contains("<stdin>"), "{}", stderr(&output));
}

#[test]
fn files_with_syntax_errors_are_reported_and_left_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = dir.path().join("broken.tbt");
    let ugly = dir.path().join("ugly.tbt");
    std::fs::write(&broken, BROKEN).expect("write");
    std::fs::write(&ugly, UGLY).expect("write");
    let output = tbt(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("broken.tbt"), "{err}");
    assert!(err.contains("[E0"), "{err}");
    assert!(err.contains("1 file could not be formatted"), "{err}");
    assert_eq!(read(&broken), BROKEN);
    assert_eq!(
        read(&ugly),
        FORMATTED,
        "the other files are still formatted"
    );
}

#[test]
fn a_missing_path_is_an_io_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = tbt(dir.path(), &["does-not-exist.tbt"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("does-not-exist.tbt"),
        "{}",
        stderr(&output)
    );

    let output = tbt(dir.path(), &["--check", "does-not-exist"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn invalid_utf8_is_reported_not_formatted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("latin1.tbt");
    std::fs::write(&file, b"let x = \"caf\xe9\"\n").expect("write");
    let output = tbt(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("UTF-8"), "{}", stderr(&output));
    assert_eq!(
        std::fs::read(&file).expect("read"),
        b"let x = \"caf\xe9\"\n"
    );
}
