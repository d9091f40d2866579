//! Types every file of `examples/` into the server character by character, as an editor
//! would, and asks for diagnostics, completion and hover at the cursor as it goes. No request
//! may fail and nothing may panic.
//!
//! Every edit is applied (one `didChange` per character, with the UTF-16 position of the
//! cursor). To keep CI fast, the three requests are sent after every `STRIDE`-th character
//! and at every line end, rather than after each character; with the stride at 1 the test
//! sends them at every step (set `TBT_LSP_STRIDE=1` to do that).

mod support;

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use support::{Client, uri};

const STRIDE: usize = 7;

fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/ exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "tbt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no examples found");
    files
}

fn assert_answer(what: &str, file: &Path, step: usize, answer: Result<Value, Value>) {
    if let Err(error) = answer {
        panic!(
            "{what} failed in {} at step {step}: {error}",
            file.display()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_every_example_never_fails() {
    let stride = std::env::var("TBT_LSP_STRIDE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(STRIDE)
        .max(1);
    let dir = tempfile::tempdir().expect("tempdir");
    let root = tbt_db::normalize(dir.path());
    let mut client = Client::start(Some(&root)).await;
    let mut requests = 0;
    for example in examples() {
        let text = std::fs::read_to_string(&example).expect("read example");
        let name = example.file_name().expect("file name");
        let doc = uri(&root.join(name));
        client.open(&doc, "").await;
        let (mut line, mut column) = (0u32, 0u32);
        for (step, c) in text.chars().enumerate() {
            let mut buf = [0u16; 2];
            client
                .insert(&doc, line, column, c.encode_utf8(&mut [0; 4]))
                .await;
            if c == '\n' {
                line += 1;
                column = 0;
            } else {
                column += c.encode_utf16(&mut buf).len() as u32;
            }
            if step % stride != 0 && c != '\n' {
                continue;
            }
            let at = (line, column);
            let diagnostics = client
                .request(
                    "textDocument/diagnostic",
                    json!({ "textDocument": { "uri": doc } }),
                )
                .await;
            assert_answer("diagnostics", &example, step, diagnostics);
            let completion = client
                .at("textDocument/completion", &doc, at, json!({}))
                .await;
            assert_answer("completion", &example, step, completion);
            let hover = client.at("textDocument/hover", &doc, at, json!({})).await;
            assert_answer("hover", &example, step, hover);
            requests += 3;
        }
        // The typed text is the example: its diagnostics are those of the file.
        let final_diagnostics = client
            .request(
                "textDocument/diagnostic",
                json!({ "textDocument": { "uri": doc } }),
            )
            .await
            .expect("diagnostics");
        assert!(final_diagnostics["items"].is_array());
    }
    let logged: Vec<String> = client
        .notifications
        .lock()
        .expect("lock")
        .iter()
        .filter(|(method, params)| method == "window/logMessage" && params["type"] == json!(1))
        .map(|(_, params)| params["message"].to_string())
        .collect();
    assert!(logged.is_empty(), "the server logged errors: {logged:?}");
    assert!(requests > 1000, "only {requests} requests were sent");
    client.shutdown().await;
}
