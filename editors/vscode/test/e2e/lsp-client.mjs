// End-to-end test of `tbt lsp` with a protocol client we did not write: the node client of
// vscode-languageserver-protocol (the one inside VS Code's language client), over the server's
// stdio.
//
//   node test/e2e/lsp-client.mjs TBT WORKSPACE FILE
//
// TBT is the tbt executable, WORKSPACE a folder (a scratch copy of test/e2e/fixture: the
// quick fix is applied in memory only, but the server may write caches) and FILE a .tbt file
// in it with a deprecated `http.status_code` and a `http.response.status_code`. The client
// initializes with WORKSPACE as its workspace folder, opens FILE, and then:
//
//   1. waits for the diagnostics of FILE: a W0102 warning on `http.status_code`;
//   2. asks for completion inside `http.response.status_code` in a selector;
//   3. asks for the hover of `http.response.status_code`;
//   4. asks for code actions on the warning and applies the rename with didChange;
//   5. waits for diagnostics without the warning;
//   6. shuts the server down (shutdown, exit) and waits for it to exit.
//
// It prints a JSON transcript of what the server answered on stdout, for tests/lsp_e2e.rs to
// check, with the milliseconds each step took (`timings`); failed steps are listed in `errors` and the script goes on with the next step. It
// exits 0 when the transcript was written, whatever the server did, and 2 on bad arguments.

import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const protocol = require("vscode-languageserver-protocol/node");
const { createProtocolConnection, StreamMessageReader, StreamMessageWriter } = protocol;

/** How long one answer or notification may take. */
const STEP_TIMEOUT_MS = Number(process.env.TBT_LSP_STEP_TIMEOUT_MS || 30_000);

const [tbt, workspaceArg, fileArg] = process.argv.slice(2);
if (!tbt || !workspaceArg || !fileArg) {
  console.error("usage: node lsp-client.mjs TBT WORKSPACE FILE");
  process.exit(2);
}
const workspace = resolve(workspaceArg);
const file = resolve(workspace, fileArg);
const uri = pathToFileURL(file).href;
let text;
try {
  text = readFileSync(file, "utf8");
} catch (error) {
  console.error(`error: cannot read ${file}: ${error.message}`);
  process.exit(2);
}

const transcript = { errors: [] };
const timings = {};
const serverRequests = [];
const published = []; // every publishDiagnostics of FILE, in order
let waiters = [];

const server = spawn(tbt, ["lsp"], { cwd: workspace, stdio: ["pipe", "pipe", "pipe"] });
let stderr = "";
server.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
const exited = new Promise((done) => {
  server.on("exit", (code, signal) => done({ code, signal }));
  server.on("error", (error) => done({ code: null, signal: null, error: error.message }));
});

const connection = createProtocolConnection(
  new StreamMessageReader(server.stdout),
  new StreamMessageWriter(server.stdin),
);
connection.onNotification("textDocument/publishDiagnostics", (params) => {
  if (params.uri !== uri) return;
  published.push(params);
  waiters = waiters.filter((waiter) => !waiter(params));
});
// Requests from the server: answered as a client without those features would.
connection.onRequest((method, params) => {
  serverRequests.push(method);
  switch (method) {
    case "workspace/configuration":
      return (params?.items ?? []).map(() => null);
    case "workspace/applyEdit":
      return { applied: false, failureReason: "this client applies edits of code actions itself" };
    case "workspace/workspaceFolders":
      return [{ uri: pathToFileURL(workspace).href, name: basename(workspace) }];
    default:
      return null;
  }
});
connection.onError(([error]) => transcript.errors.push(`connection error: ${error?.message ?? error}`));
connection.listen();

/** Runs one step; an exception or a timeout is recorded and the next step goes on. */
async function step(name, body) {
  const started = performance.now();
  try {
    await withTimeout(body(), `${name} took longer than ${STEP_TIMEOUT_MS} ms`);
  } catch (error) {
    transcript.errors.push(`${name}: ${error?.message ?? error}`);
  }
  // Wall-clock milliseconds of the step, for the report (the tests never check them).
  timings[name] = Math.round((performance.now() - started) * 10) / 10;
}

function withTimeout(promise, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), STEP_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The first diagnostics of FILE (already published or to come) that satisfy `accept`. */
function diagnosticsWhere(accept, after = 0) {
  const earlier = published.slice(after).find(accept);
  if (earlier) return Promise.resolve(earlier);
  return new Promise((done) => {
    waiters.push((params) => {
      if (!accept(params)) return false;
      done(params);
      return true;
    });
  });
}

/** The LSP position (UTF-16 code units, as JS strings count) of `offset` in `source`. */
function position(source, offset) {
  const before = source.slice(0, offset);
  const line = before.split("\n").length - 1;
  return { line, character: offset - (before.lastIndexOf("\n") + 1) };
}

function offsetOf(source, pos) {
  const lines = source.split("\n");
  let offset = 0;
  for (let i = 0; i < pos.line; i++) offset += lines[i].length + 1;
  return offset + pos.character;
}

/** The position of `needle` in `source` plus `delta` code units, or an error. */
function find(source, needle, delta = 0) {
  const offset = source.indexOf(needle);
  if (offset < 0) throw new Error(`${JSON.stringify(needle)} is not in ${file}`);
  return position(source, offset + delta);
}

/** `edits` (LSP TextEdits) applied to `source`. */
function applyEdits(source, edits) {
  const sorted = [...edits].sort((a, b) => offsetOf(source, b.range.start) - offsetOf(source, a.range.start));
  for (const edit of sorted) {
    source = source.slice(0, offsetOf(source, edit.range.start)) + edit.newText + source.slice(offsetOf(source, edit.range.end));
  }
  return source;
}

function summarize(diagnostics) {
  return diagnostics.map((d) => ({
    code: d.code,
    severity: ["", "error", "warning", "information", "hint"][d.severity] ?? d.severity,
    range: d.range,
    message: d.message,
    source: d.source,
  }));
}

/** The text of hover contents: MarkupContent, a MarkedString or an array of them. */
function hoverText(contents) {
  if (typeof contents === "string") return contents;
  if (Array.isArray(contents)) return contents.map(hoverText).join("\n\n");
  return contents?.value ?? "";
}

/** The text edits of a code action's WorkspaceEdit for FILE. */
function editsFor(edit) {
  if (!edit) return [];
  const fromChanges = edit.changes?.[uri] ?? [];
  const fromDocumentChanges = (edit.documentChanges ?? [])
    .filter((change) => change.textDocument?.uri === uri)
    .flatMap((change) => change.edits);
  return [...fromChanges, ...fromDocumentChanges];
}

let syncKind = 1;
let version = 1;
const deprecated = "http.status_code";
const current = "http.response.status_code";

await step("initialize", async () => {
  const result = await connection.sendRequest("initialize", {
    processId: process.pid,
    clientInfo: { name: "tbt-e2e", version: "1" },
    rootUri: pathToFileURL(workspace).href,
    workspaceFolders: [{ uri: pathToFileURL(workspace).href, name: basename(workspace) }],
    capabilities: {
      general: { positionEncodings: ["utf-16"] },
      workspace: { workspaceFolders: true, configuration: true, applyEdit: true, workspaceEdit: { documentChanges: true } },
      textDocument: {
        synchronization: { didSave: true, dynamicRegistration: false },
        publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
        completion: {
          completionItem: { snippetSupport: false, documentationFormat: ["markdown", "plaintext"], labelDetailsSupport: true },
          contextSupport: true,
        },
        hover: { contentFormat: ["markdown", "plaintext"] },
        codeAction: {
          codeActionLiteralSupport: {
            codeActionKind: { valueSet: ["", "quickfix", "refactor", "refactor.rewrite", "source", "source.fixAll"] },
          },
          isPreferredSupport: true,
          dataSupport: true,
          resolveSupport: { properties: ["edit"] },
        },
      },
    },
  });
  const caps = result.capabilities ?? {};
  const sync = caps.textDocumentSync;
  syncKind = typeof sync === "number" ? sync : (sync?.change ?? 0);
  transcript.server = result.serverInfo?.name;
  transcript.capabilities = {
    textDocumentSync: ["none", "full", "incremental"][syncKind] ?? syncKind,
    completion: Boolean(caps.completionProvider),
    hover: Boolean(caps.hoverProvider),
    codeAction: Boolean(caps.codeActionProvider),
  };
  connection.sendNotification("initialized", {});
});

await step("didOpen", async () => {
  connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "tbt", version, text } });
});

let warning;
await step("diagnostics", async () => {
  const params = await diagnosticsWhere((p) => p.diagnostics.some((d) => d.code === "W0102"));
  transcript.diagnostics = summarize(params.diagnostics);
  warning = params.diagnostics.find((d) => d.code === "W0102");
});
if (!transcript.diagnostics) {
  transcript.diagnostics = summarize(published.at(-1)?.diagnostics ?? []);
}

await step("completion", async () => {
  // Inside the selector `span[http.response.status_code == 200]`, after `http.response.sta`.
  const at = find(text, `span[${current}`, "span[http.response.sta".length);
  const result = await connection.sendRequest("textDocument/completion", {
    textDocument: { uri },
    position: at,
    context: { triggerKind: 1 },
  });
  const items = Array.isArray(result) ? result : (result?.items ?? []);
  const inserted = (item) => item.textEdit?.newText ?? item.insertText ?? item.label;
  const item = items.find((i) => i.label === current || inserted(i) === current);
  transcript.completion = {
    position: at,
    items: items.length,
    item: item && {
      label: item.label,
      kind: item.kind,
      detail: item.detail,
      insert: inserted(item),
      range: item.textEdit?.range ?? item.textEdit?.replace,
    },
  };
  if (!item) throw new Error(`no item inserts ${current} among ${items.length}: ${items.slice(0, 10).map((i) => i.label).join(", ")}`);
});

await step("hover", async () => {
  const at = find(text, `span[${current}`, "span[http.re".length);
  const result = await connection.sendRequest("textDocument/hover", { textDocument: { uri }, position: at });
  transcript.hover = result ? { position: at, contents: hoverText(result.contents), range: result.range } : null;
  if (!result) throw new Error(`no hover at ${JSON.stringify(at)}`);
});

await step("codeAction", async () => {
  if (!warning) throw new Error("no W0102 diagnostic to fix");
  const actions =
    (await connection.sendRequest("textDocument/codeAction", {
      textDocument: { uri },
      range: warning.range,
      context: { diagnostics: [warning], triggerKind: 1 },
    })) ?? [];
  transcript.codeActions = actions.map((a) => ({ title: a.title, kind: a.kind, isPreferred: a.isPreferred, command: a.command?.command }));
  let action = actions.find((a) => a.title?.includes(current));
  if (!action) throw new Error(`no code action mentions ${current}`);
  if (!action.edit && action.data !== undefined) {
    action = await connection.sendRequest("codeAction/resolve", action);
  }
  const edits = editsFor(action.edit);
  if (edits.length === 0) throw new Error(`the action "${action.title}" has no edit of ${file}`);
  transcript.applied = { title: action.title, edits };

  const before = text;
  text = applyEdits(text, edits);
  version += 1;
  const contentChanges =
    syncKind === 2
      ? [...edits]
          .sort((a, b) => offsetOf(before, b.range.start) - offsetOf(before, a.range.start))
          .map((e) => ({ range: e.range, text: e.newText }))
      : [{ text }];
  const seen = published.length;
  connection.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges });
  transcript.editedLine = text.split("\n")[find(text, "expect no span").line];

  const after = await diagnosticsWhere((p) => (p.version ?? version) >= version, seen);
  transcript.diagnosticsAfterEdit = summarize(after.diagnostics);
});

await step("shutdown", async () => {
  await connection.sendRequest("shutdown");
  connection.sendNotification("exit");
  const { code, signal, error } = await exited;
  transcript.exit = error ? { error } : { code, signal };
});
if (!transcript.exit) {
  server.kill();
  transcript.exit = { killed: true };
}

transcript.serverRequests = [...new Set(serverRequests)].sort();
transcript.stderr = stderr;
transcript.timings = timings;
connection.dispose();
process.stdout.write(JSON.stringify(transcript, null, 2) + "\n");
process.exit(0);
