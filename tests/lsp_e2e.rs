//! The VS Code extension (`editors/vscode`) and the language server, end to end.
//!
//! - The extension's unit tests (node's test runner) pass after `npm ci` and `npm run compile`.
//! - `scripts/package.sh` packages a `.vsix` holding the manifest, the bundled JavaScript, the
//!   language configuration and the project's TextMate grammar, whose keywords are the lexer's.
//! - `tbt lsp`, driven over stdio by the protocol client of `vscode-languageserver-protocol`
//!   (`test/e2e/lsp-client.mjs`, a client this project did not write), publishes the W0102
//!   warning of a deprecated attribute, completes and explains attributes, and offers the
//!   rename that makes the warning go away; then it shuts down and exits with 0.
//!
//! Node 20 and npm must be on PATH; the npm dependencies are installed on first use (see
//! `tbt_tests::node`). `tbt` is built with cargo into this test's target directory, or taken
//! from `TBT_BIN`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use tbt_syntax::Kind;
use tbt_tests::node::{self, DirLock};
use tbt_tests::workspace_root;

fn extension_dir() -> PathBuf {
    workspace_root().join("editors/vscode")
}

/// Fails the test with `message` (npm's or cargo's output, typically).
fn ok<T>(result: Result<T, String>) -> T {
    result.unwrap_or_else(|message| panic!("{message}"))
}

/// The extension's dependencies, installed, and the lock that keeps other tests from rebuilding
/// its outputs (out/, dist/, syntaxes/) while this one uses them.
fn prepared_extension() -> DirLock {
    ok(node::npm_ci(&extension_dir()));
    ok(DirLock::acquire(&ok(node::lock_path(
        "vscode-extension-build",
    ))))
}

fn stdout(output: std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_extension_compiles_and_its_unit_tests_pass() {
    let _lock = prepared_extension();
    let dir = extension_dir();
    ok(node::run(
        node::npm().args(["run", "compile"]).current_dir(&dir),
    ));
    let output = stdout(ok(node::run(node::npm().arg("test").current_dir(&dir))));
    // node's test runner ends with `# pass N` and `# fail 0`.
    let passed = output
        .lines()
        .find_map(|l| l.strip_prefix("# pass "))
        .and_then(|n| n.trim().parse::<u32>().ok());
    assert!(passed.is_some_and(|n| n > 0), "no unit test ran:\n{output}");
    assert!(output.lines().any(|l| l == "# fail 0"), "{output}");
}

/// The keywords of a TextMate grammar: the words of the `(?:a|b|...)` group of each pattern of
/// its `keywords` repository entry.
fn textmate_keywords(grammar: &Value) -> Vec<String> {
    let patterns = grammar["repository"]["keywords"]["patterns"]
        .as_array()
        .expect("the grammar has repository.keywords.patterns");
    let mut words: Vec<String> = patterns
        .iter()
        .flat_map(|pattern| {
            let regex = pattern["match"]
                .as_str()
                .expect("a keyword pattern has a match");
            let group = &regex[regex.find("(?:").expect("a (?:...) group") + 3..];
            let group = &group[..group.find(')').expect("a closed group")];
            group.split('|').map(str::to_string).collect::<Vec<_>>()
        })
        .collect();
    words.sort();
    words
}

#[test]
fn the_vsix_holds_the_manifest_the_code_the_grammar_and_the_language_configuration() {
    let _lock = prepared_extension();
    let out_dir = ok(node::target_dir()).join("tbt-vscode");
    std::fs::create_dir_all(&out_dir).expect("create the .vsix folder");
    let vsix = out_dir.join("tbt.vsix");
    let _ = std::fs::remove_file(&vsix);
    ok(node::run(
        std::process::Command::new("bash")
            .arg("scripts/package.sh")
            .arg("--out")
            .arg(&vsix)
            .current_dir(extension_dir()),
    ));
    assert!(
        vsix.is_file(),
        "scripts/package.sh wrote no {}",
        vsix.display()
    );

    let listing: Value = serde_json::from_str(&stdout(ok(node::run(
        node::node()
            .arg("test/vsix-contents.mjs")
            .arg(&vsix)
            .current_dir(extension_dir()),
    ))))
    .expect("vsix-contents.mjs prints JSON");
    let entries: Vec<(&str, u64)> = listing["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap_or(""),
                e["size"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let size = |name: &str| entries.iter().find(|(n, _)| *n == name).map(|(_, s)| *s);
    let text = |name: &str| {
        listing["texts"][name]
            .as_str()
            .unwrap_or_else(|| panic!("the .vsix has no {name}; it has {entries:?}"))
            .to_string()
    };

    // The manifest, and every file it names.
    let manifest: Value =
        serde_json::from_str(&text("extension/package.json")).expect("package.json is JSON");
    assert_eq!(manifest["name"], "tbt");
    let language = &manifest["contributes"]["languages"][0];
    assert_eq!(language["id"], "tbt");
    assert_eq!(language["extensions"], serde_json::json!([".tbt"]));
    let grammar_entry = &manifest["contributes"]["grammars"][0];
    assert_eq!(grammar_entry["language"], "tbt");
    assert_eq!(grammar_entry["scopeName"], "source.tbt");
    let in_vsix = |path: &Value| {
        format!(
            "extension/{}",
            path.as_str().expect("a path").trim_start_matches("./")
        )
    };
    let main = in_vsix(&manifest["main"]);
    assert!(
        size(&main).is_some_and(|s| s > 10_000),
        "the bundled extension {main} is missing or empty: {entries:?}"
    );
    let configuration_path = in_vsix(&language["configuration"]);
    let grammar_path = in_vsix(&grammar_entry["path"]);
    for setting in ["tbt.path", "tbt.trace.server"] {
        assert!(
            manifest["contributes"]["configuration"]["properties"][setting].is_object(),
            "package.json declares no setting {setting}"
        );
    }
    let commands: Vec<&str> = manifest["contributes"]["commands"]
        .as_array()
        .expect("commands")
        .iter()
        .filter_map(|c| c["command"].as_str())
        .collect();
    assert!(commands.contains(&"tbt.runTestAtCursor"), "{commands:?}");

    // The grammar is the project's, unchanged, and its keywords are the lexer's.
    let grammar_text = text(&grammar_path);
    let project_grammar =
        std::fs::read_to_string(workspace_root().join("grammar/tbt.tmLanguage.json"))
            .expect("read grammar/tbt.tmLanguage.json");
    assert!(
        grammar_text == project_grammar,
        "{grammar_path} is not grammar/tbt.tmLanguage.json"
    );
    let grammar: Value = serde_json::from_str(&grammar_text).expect("the grammar is JSON");
    let mut lexer_keywords: Vec<String> =
        Kind::KEYWORDS.iter().map(|(k, _)| k.to_string()).collect();
    lexer_keywords.sort();
    assert_eq!(
        textmate_keywords(&grammar),
        lexer_keywords,
        "the keywords of the packaged grammar"
    );

    // The language configuration: `#` comments and the lexer's three bracket pairs.
    let configuration: Value = serde_json::from_str(&text(&configuration_path))
        .expect("the language configuration is JSON");
    assert_eq!(configuration["comments"]["lineComment"], "#");
    assert_eq!(
        configuration["brackets"],
        serde_json::json!([["{", "}"], ["[", "]"], ["(", ")"]])
    );
    let closes_quotes = configuration["autoClosingPairs"]
        .as_array()
        .expect("autoClosingPairs")
        .iter()
        .any(|p| p["open"] == "\"" && p["close"] == "\"");
    assert!(closes_quotes, "quotes are not auto-closed");

    // Nothing else: no sources, no node_modules, no tests.
    for (name, _) in &entries {
        assert!(
            ![
                "extension/node_modules/",
                "extension/src/",
                "extension/test/",
                "extension/out/"
            ]
            .iter()
            .any(|dir| name.starts_with(dir)),
            "the .vsix should not hold {name}"
        );
    }
}

/// A scratch copy of `from` at `to`, which is emptied first.
fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).expect("create the scratch workspace");
    for entry in std::fs::read_dir(from).expect("read the fixture").flatten() {
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).expect("copy a fixture file");
        }
    }
}

#[test]
fn tbt_lsp_serves_a_real_protocol_client() {
    ok(node::npm_ci(&extension_dir()));
    let tbt = ok(tbt_tests::tbt_bin::tbt());
    let workspace = ok(node::target_dir())
        .join("tbt-lsp-e2e")
        .join(std::process::id().to_string());
    copy_dir(&extension_dir().join("test/e2e/fixture"), &workspace);

    let output = ok(node::run(
        node::node()
            .arg("test/e2e/lsp-client.mjs")
            .arg(&tbt)
            .arg(&workspace)
            .arg("checkout.tbt")
            .current_dir(extension_dir()),
    ));
    let _ = std::fs::remove_dir_all(&workspace);
    let mut transcript: Value =
        serde_json::from_str(&stdout(output)).expect("lsp-client.mjs prints a JSON transcript");
    let stderr = transcript
        .as_object_mut()
        .and_then(|t| t.remove("stderr"))
        .unwrap_or_default();
    // Reported, never checked: `cargo test -- --nocapture` shows them.
    let timings = transcript
        .as_object_mut()
        .and_then(|t| t.remove("timings"))
        .unwrap_or_default();
    println!("milliseconds per step: {timings}");
    let context = format!(
        "transcript:\n{}\nserver stderr:\n{}",
        serde_json::to_string_pretty(&transcript).unwrap_or_default(),
        stderr.as_str().unwrap_or("")
    );

    assert_eq!(transcript["errors"], serde_json::json!([]), "{context}");
    // 1. The deprecated attribute is a warning, on its name.
    let warning = transcript["diagnostics"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["code"] == "W0102"))
        .unwrap_or_else(|| panic!("no W0102\n{context}"));
    assert_eq!(warning["severity"], "warning", "{context}");
    assert_eq!(
        warning["range"],
        serde_json::json!({"start": {"line": 5, "character": 17}, "end": {"line": 5, "character": 33}}),
        "{context}"
    );
    // 2. Completion offers the attribute with its type.
    let item = &transcript["completion"]["item"];
    assert!(
        item["detail"].as_str().is_some_and(|d| d.contains("int")),
        "the completion of http.response.status_code has no type in its detail\n{context}"
    );
    // 3. Hover gives the type and the brief.
    let hover = transcript["hover"]["contents"].as_str().unwrap_or("");
    assert!(hover.contains("int"), "hover has no type\n{context}");
    assert!(
        hover.to_lowercase().contains("status code"),
        "hover has no brief\n{context}"
    );
    // 4. The rename applies, and the warning is gone.
    assert_eq!(
        transcript["editedLine"], "  expect no span[http.response.status_code == 500]",
        "{context}"
    );
    assert!(
        transcript["diagnosticsAfterEdit"]
            .as_array()
            .is_some_and(|d| d.iter().all(|d| d["code"] != "W0102")),
        "the warning is still there after the fix\n{context}"
    );
    // 5. A clean shutdown.
    assert_eq!(
        transcript["exit"],
        serde_json::json!({"code": 0, "signal": null}),
        "{context}"
    );

    insta::assert_json_snapshot!("lsp_transcript", transcript);
}
