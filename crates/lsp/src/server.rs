//! The protocol glue: the [`LanguageServer`] implementation. Each handler converts its
//! parameters, runs a feature of [`crate::features`] through [`crate::guard`] and converts the
//! answer; none holds a lock while it works.

use crate::features::{self, Doc};
use crate::guard::{self, Failure};
use crate::host::Host;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

/// How long the server waits after an edit before publishing diagnostics, so that a burst of
/// keystrokes is checked once.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(50);

/// The tbt language server.
pub struct Backend {
    client: Client,
    host: Arc<Host>,
    snippets: AtomicBool,
    watch_files: AtomicBool,
    debounce_ms: AtomicU64,
    generation: Arc<AtomicU64>,
    published: Arc<Mutex<HashMap<Uri, Vec<Diagnostic>>>>,
    shutdown: Arc<AtomicBool>,
}

impl Backend {
    /// A server talking to `client`; `shutdown` is set when the client asks it to shut down.
    pub fn new(client: Client, shutdown: Arc<AtomicBool>) -> Backend {
        Backend {
            client,
            host: Arc::new(Host::default()),
            snippets: AtomicBool::new(false),
            watch_files: AtomicBool::new(false),
            debounce_ms: AtomicU64::new(DEFAULT_DEBOUNCE.as_millis() as u64),
            generation: Arc::new(AtomicU64::new(0)),
            published: Arc::new(Mutex::new(HashMap::new())),
            shutdown,
        }
    }

    /// Runs a read request on a snapshot, shielded; a panic is also logged to the client.
    async fn read<T: Send + 'static>(
        &self,
        what: &'static str,
        work: impl FnOnce(&crate::host::Snapshot) -> T + Send + 'static,
    ) -> Result<T> {
        match guard::run(&self.host, work).await {
            Ok(value) => Ok(value),
            Err(failure) => {
                if let Failure::Panicked(message) = &failure {
                    self.client
                        .log_message(MessageType::ERROR, format!("tbt: {what} failed: {message}"))
                        .await;
                }
                Err(failure.into_error(what))
            }
        }
    }

    /// Runs a document request: `work` gets the document of `uri` (no answer when the server
    /// does not know it).
    async fn on_doc<T: Send + 'static>(
        &self,
        what: &'static str,
        uri: Uri,
        work: impl FnOnce(&Doc<'_>) -> Option<T> + Send + 'static,
    ) -> Result<Option<T>> {
        self.read(what, move |snap| {
            let doc = Doc::new(snap, &uri)?;
            work(&doc)
        })
        .await
    }

    /// Applies an edit to the state, shielded from panics.
    async fn edit(&self, what: &str, work: impl FnOnce(&Host)) {
        let host = &*self.host;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(host)));
        if let Err(payload) = result {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            self.client
                .log_message(MessageType::ERROR, format!("tbt: {what} failed: {message}"))
                .await;
        }
        self.schedule_diagnostics();
    }

    async fn log_problems(&self, problems: Vec<String>) {
        for problem in problems {
            self.client
                .log_message(MessageType::WARNING, format!("tbt: {problem}"))
                .await;
        }
    }

    /// Publishes the diagnostics of every open document once no edit has arrived for the
    /// debounce time. Only documents whose diagnostics changed are published again.
    fn schedule_diagnostics(&self) {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let latest = self.generation.clone();
        let host = self.host.clone();
        let client = self.client.clone();
        let published = self.published.clone();
        let delay = Duration::from_millis(self.debounce_ms.load(Ordering::Relaxed));
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            if latest.load(Ordering::SeqCst) != generation {
                return;
            }
            let open = host.open_documents();
            let computed = guard::run(&host, move |snap| {
                open.into_iter()
                    .filter_map(|(uri, version, _)| {
                        let doc = Doc::new(snap, &uri)?;
                        Some((uri, version, features::diagnostics::diagnostics(&doc)))
                    })
                    .collect::<Vec<_>>()
            })
            .await;
            // Cancelled by a newer edit, which publishes in turn; a panic was printed.
            let Ok(computed) = computed else {
                return;
            };
            for (uri, version, diagnostics) in computed {
                let changed = {
                    let mut published = published.lock().unwrap_or_else(|e| e.into_inner());
                    let same = published.get(&uri) == Some(&diagnostics);
                    if !same {
                        published.insert(uri.clone(), diagnostics.clone());
                    }
                    !same
                };
                if changed && latest.load(Ordering::SeqCst) == generation {
                    client
                        .publish_diagnostics(uri, diagnostics, Some(version))
                        .await;
                }
            }
        });
    }
}

/// The root folders of the workspace, from the initialize parameters.
fn roots(params: &InitializeParams) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|f| f.uri.to_file_path().map(|p| p.into_owned()))
        .collect();
    #[allow(deprecated)]
    if roots.is_empty()
        && let Some(path) = params.root_uri.as_ref().and_then(|u| u.to_file_path())
    {
        roots.push(path.into_owned());
    }
    roots.into_iter().map(|r| tbt_db::normalize(&r)).collect()
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..TextDocumentSyncOptions::default()
            },
        )),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(
                [".", ":", "[", "$", "\""]
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            ),
            ..CompletionOptions::default()
        }),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        signature_help_provider: Some(SignatureHelpOptions {
            trigger_characters: Some(vec!["(".to_string(), ",".to_string()]),
            ..SignatureHelpOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: WorkDoneProgressOptions::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::SOURCE_FIX_ALL,
            ]),
            ..CodeActionOptions::default()
        })),
        folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
        semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
            SemanticTokensOptions {
                legend: features::tokens::legend(),
                full: Some(SemanticTokensFullOptions::Bool(true)),
                range: None,
                work_done_progress_options: WorkDoneProgressOptions::default(),
            },
        )),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: None,
            }),
            file_operations: None,
        }),
        ..ServerCapabilities::default()
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let snippets = params
            .capabilities
            .text_document
            .as_ref()
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref())
            .and_then(|i| i.snippet_support)
            .unwrap_or(false);
        self.snippets.store(snippets, Ordering::Relaxed);
        let watch = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        self.watch_files.store(watch, Ordering::Relaxed);
        if let Some(ms) = params
            .initialization_options
            .as_ref()
            .and_then(|o| o.get("diagnosticsDelayMs"))
            .and_then(serde_json::Value::as_u64)
        {
            self.debounce_ms.store(ms, Ordering::Relaxed);
        }
        let roots = roots(&params);
        let host = self.host.clone();
        let loaded = tokio::task::spawn_blocking(move || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| host.load_roots(roots)))
        })
        .await;
        match loaded {
            Ok(Ok((_, problems))) => self.log_problems(problems).await,
            _ => {
                return Err(Error {
                    code: ErrorCode::InternalError,
                    message: "loading the workspace failed".into(),
                    data: None,
                });
            }
        }
        Ok(InitializeResult {
            capabilities: capabilities(),
            server_info: Some(ServerInfo {
                name: "tbt".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        if !self.watch_files.load(Ordering::Relaxed) {
            return;
        }
        let watchers = ["**/*.tbt", "**/tbt.toml", "**/.env", "**/*.env"]
            .iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob.to_string()),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = Registration {
            id: "tbt-watch".to_string(),
            method: "workspace/didChangeWatchedFiles".to_string(),
            register_options: serde_json::to_value(options).ok(),
        };
        if let Err(error) = self.client.register_capability(vec![registration]).await {
            self.client
                .log_message(
                    MessageType::WARNING,
                    format!("tbt: cannot watch files: {}", error.message),
                )
                .await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        self.edit("didOpen", |host| host.open(doc.uri, doc.version, doc.text))
            .await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let doc = params.text_document;
        self.edit("didChange", |host| {
            host.change(&doc.uri, doc.version, params.content_changes)
        })
        .await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.edit("didClose", |host| host.close(&uri)).await;
        let removed = self
            .published
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&uri);
        if removed.is_some() {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let changed: Vec<(PathBuf, bool)> = params
            .changes
            .iter()
            .filter_map(|c| {
                let path = c.uri.to_file_path()?.into_owned();
                Some((path, c.typ == FileChangeType::DELETED))
            })
            .collect();
        let host = self.host.clone();
        let problems = tokio::task::spawn_blocking(move || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| host.disk_changed(&changed)))
        })
        .await;
        if let Ok(Ok(problems)) = problems {
            self.log_problems(problems).await;
        }
        self.schedule_diagnostics();
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let items = self
            .on_doc("diagnostics", params.text_document.uri, |doc| {
                Some(features::diagnostics::diagnostics(doc))
            })
            .await?
            .unwrap_or_default();
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        let snippets = self.snippets.load(Ordering::Relaxed);
        self.on_doc("completion", at.text_document.uri, move |doc| {
            let items = features::completion::completion(doc, at.position, snippets);
            Some(CompletionResponse::Array(items))
        })
        .await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        self.on_doc("hover", at.text_document.uri, move |doc| {
            features::hover::hover(doc, at.position)
        })
        .await
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        let at = params.text_document_position_params;
        self.on_doc("signatureHelp", at.text_document.uri, move |doc| {
            features::signature::signature_help(doc, at.position)
        })
        .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        self.on_doc("definition", at.text_document.uri, move |doc| {
            features::navigation::definition(doc, at.position).map(GotoDefinitionResponse::Scalar)
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let at = params.text_document_position;
        let declaration = params.context.include_declaration;
        self.on_doc("references", at.text_document.uri, move |doc| {
            Some(features::navigation::references(
                doc,
                at.position,
                declaration,
            ))
        })
        .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        self.on_doc("prepareRename", params.text_document.uri, move |doc| {
            features::navigation::prepare_rename(doc, params.position)
        })
        .await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let at = params.text_document_position;
        let new_name = params.new_name;
        let result = self
            .on_doc("rename", at.text_document.uri, move |doc| {
                Some(features::navigation::rename(doc, at.position, &new_name))
            })
            .await?;
        match result {
            None => Ok(None),
            Some(Ok(edit)) => Ok(Some(edit)),
            Some(Err(features::navigation::RenameError::NotRenamable)) => Err(
                Error::invalid_params("only `let` and `output` names can be renamed"),
            ),
            Some(Err(features::navigation::RenameError::InvalidName(name))) => {
                Err(Error::invalid_params(format!(
                    "`{name}` is not a valid name (letters, digits, `_` and `-`, not a keyword)"
                )))
            }
        }
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.on_doc("documentSymbol", params.text_document.uri, |doc| {
            Some(DocumentSymbolResponse::Nested(
                features::symbols::document_symbols(doc),
            ))
        })
        .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        self.read("workspaceSymbol", move |snap| {
            Some(WorkspaceSymbolResponse::Nested(
                features::symbols::workspace_symbols(snap, &params.query),
            ))
        })
        .await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        self.on_doc("formatting", params.text_document.uri, |doc| {
            features::formatting::formatting(doc)
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.on_doc("codeAction", params.text_document.uri, move |doc| {
            let only = params.context.only.as_deref();
            Some(features::actions::code_actions(doc, params.range, only))
        })
        .await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.on_doc("foldingRange", params.text_document.uri, |doc| {
            Some(features::folding::folding_ranges(doc))
        })
        .await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        self.on_doc("semanticTokens", params.text_document.uri, |doc| {
            Some(SemanticTokensResult::Tokens(SemanticTokens {
                result_id: None,
                data: features::tokens::semantic_tokens(doc),
            }))
        })
        .await
    }
}
