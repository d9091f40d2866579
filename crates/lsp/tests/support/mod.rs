//! An in-process client for the language server: it drives the `LspService` directly (no
//! pipes), answers the server's own requests, and keeps the server's notifications.

#![allow(dead_code)]

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tbt_lsp::Backend;
use tbt_lsp::tower_lsp_server::LspService;
use tbt_lsp::tower_lsp_server::jsonrpc::{Request, Response};
use tbt_lsp::tower_lsp_server::ls_types::Uri;
use tower::{Service, ServiceExt};

/// A language server in this process and what it sent.
pub struct Client {
    service: LspService<Backend>,
    next_id: i64,
    /// The notifications the server sent (method and params), in order.
    pub notifications: Arc<Mutex<Vec<(String, Value)>>>,
    versions: std::collections::HashMap<String, i32>,
}

/// The URI of a path.
pub fn uri(path: &Path) -> String {
    Uri::from_file_path(path)
        .map(|u| u.as_str().to_string())
        .unwrap_or_else(|| format!("file://{}", path.display()))
}

impl Client {
    /// Starts a server and initializes it with `root` as the workspace folder.
    pub async fn start(root: Option<&Path>) -> Client {
        let (service, socket, _) = tbt_lsp::service();
        let notifications = Arc::new(Mutex::new(Vec::new()));
        let seen = notifications.clone();
        tokio::spawn(async move {
            let (mut requests, mut responses) = socket.split();
            while let Some(request) = requests.next().await {
                let (method, id, params) = request.into_parts();
                match id {
                    // The server asks something (e.g. to register watchers): say yes.
                    Some(id) => {
                        let _ = responses.send(Response::from_ok(id, Value::Null)).await;
                    }
                    None => seen
                        .lock()
                        .expect("lock")
                        .push((method.to_string(), params.unwrap_or(Value::Null))),
                }
            }
        });
        let mut client = Client {
            service,
            next_id: 0,
            notifications,
            versions: Default::default(),
        };
        let root_uri = root.map(uri);
        let result = client
            .request(
                "initialize",
                json!({
                    "capabilities": {
                        "textDocument": { "completion": { "completionItem": { "snippetSupport": true } } },
                        "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } }
                    },
                    "rootUri": root_uri,
                    "initializationOptions": { "diagnosticsDelayMs": 0 }
                }),
            )
            .await;
        assert!(result.is_ok(), "initialize failed: {result:?}");
        client.notify("initialized", json!({})).await;
        client
    }

    /// Sends a request and returns its result or its error object.
    pub async fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.next_id += 1;
        let request = Request::build(method.to_string())
            .params(params)
            .id(self.next_id)
            .finish();
        let response = self
            .service
            .ready()
            .await
            .expect("service ready")
            .call(request)
            .await
            .expect("service answers");
        let response = response.expect("a request gets a response");
        let (_, body) = response.into_parts();
        body.map_err(|e| serde_json::to_value(e).unwrap_or(Value::Null))
    }

    /// Sends a notification.
    pub async fn notify(&mut self, method: &str, params: Value) {
        let request = Request::build(method.to_string()).params(params).finish();
        let response = self
            .service
            .ready()
            .await
            .expect("service ready")
            .call(request)
            .await
            .expect("service takes notifications");
        assert!(
            response.is_none(),
            "a notification got an answer: {response:?}"
        );
    }

    /// Opens a document.
    pub async fn open(&mut self, uri: &str, text: &str) {
        self.versions.insert(uri.to_string(), 1);
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "tbt", "version": 1, "text": text } }),
        )
        .await;
    }

    /// Inserts `text` at a position of an open document.
    pub async fn insert(&mut self, uri: &str, line: u32, character: u32, text: &str) {
        let version = self.versions.entry(uri.to_string()).or_insert(1);
        *version += 1;
        let version = *version;
        let at = json!({ "line": line, "character": character });
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "range": { "start": at, "end": at }, "text": text }]
            }),
        )
        .await;
    }

    /// Deletes `len` UTF-16 units at a position of an open document.
    pub async fn delete(&mut self, uri: &str, line: u32, character: u32, len: u32) {
        let version = self.versions.entry(uri.to_string()).or_insert(1);
        *version += 1;
        let version = *version;
        let start = json!({ "line": line, "character": character });
        let end = json!({ "line": line, "character": character + len });
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "range": { "start": start, "end": end }, "text": "" }]
            }),
        )
        .await;
    }

    /// A position request (`textDocument` and `position`) with extra fields.
    pub async fn at(
        &mut self,
        method: &str,
        uri: &str,
        (line, character): (u32, u32),
        extra: Value,
    ) -> Result<Value, Value> {
        let mut params = json!({
            "textDocument": { "uri": uri },
            "position": { "line": line, "character": character }
        });
        if let (Some(params), Value::Object(extra)) = (params.as_object_mut(), extra) {
            params.extend(extra);
        }
        self.request(method, params).await
    }

    /// Shuts the server down.
    pub async fn shutdown(mut self) {
        let result = self.request("shutdown", Value::Null).await;
        assert!(result.is_ok(), "shutdown failed: {result:?}");
        self.notify("exit", Value::Null).await;
    }
}

/// Removes the first `$0` of `text`: the text and the marker's line and UTF-16 column.
pub fn take_cursor(text: &str) -> (String, Option<(u32, u32)>) {
    let Some(at) = text.find("$0") else {
        return (text.to_string(), None);
    };
    let before = &text[..at];
    let line = before.matches('\n').count() as u32;
    let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .encode_utf16()
        .count() as u32;
    (text.replacen("$0", "", 1), Some((line, column)))
}

/// A folder with files written in it.
pub fn workspace(files: &[(String, String)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = tbt_db::normalize(dir.path());
    for (name, text) in files {
        let path = root.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }
    (dir, root)
}
