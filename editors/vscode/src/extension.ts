// The tbt extension: starts `tbt lsp` (found by ./discovery) as a language client, shows its
// state in the status bar, and contributes the commands of package.json.

import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, State, TransportKind } from "vscode-languageclient/node";
import { candidates, describeFailures, discover, Found } from "./discovery";
import { runTestAtCursor } from "./runTest";

const INSTALL_URL = "https://github.com/tbt-dev/tbt#install";

let client: LanguageClient | undefined;
let tbt: Found | undefined;
let status: vscode.StatusBarItem;
let serverOutput: vscode.OutputChannel;
let runOutput: vscode.OutputChannel;
let extensionPath: string;

/** Called by VS Code when a .tbt file is opened or a workspace with a tbt.toml is loaded. */
export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionPath = context.extensionPath;
  serverOutput = vscode.window.createOutputChannel("tbt language server");
  runOutput = vscode.window.createOutputChannel("tbt run");
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 0);
  status.name = "tbt language server";
  status.command = "tbt.showServerOutput";
  status.show();
  context.subscriptions.push(
    serverOutput,
    runOutput,
    status,
    vscode.commands.registerCommand("tbt.runTestAtCursor", async () => {
      const found = tbt ?? (await findTbt());
      if (found) {
        await runTestAtCursor(found.command, runOutput);
      }
    }),
    vscode.commands.registerCommand("tbt.restartServer", restart),
    vscode.commands.registerCommand("tbt.showServerOutput", () => serverOutput.show()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("tbt.path")) {
        void restart();
      }
    }),
  );
  await start();
}

/** Called by VS Code on shutdown: stops the server. */
export async function deactivate(): Promise<void> {
  await stop();
}

async function start(): Promise<void> {
  showStatus("sync~spin", "starting", "Looking for the tbt executable");
  tbt = await findTbt();
  if (!tbt) {
    showStatus("error", "not found", "No working tbt executable: set tbt.path or install tbt");
    return;
  }
  const serverOptions: ServerOptions = {
    command: tbt.command,
    args: ["lsp"],
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "tbt" },
      { scheme: "untitled", language: "tbt" },
    ],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{*.tbt,tbt.toml}"),
    },
    outputChannel: serverOutput,
  };
  // The id `tbt` makes the client honour the `tbt.trace.server` setting.
  client = new LanguageClient("tbt", "tbt language server", serverOptions, clientOptions);
  const version = tbt.version;
  client.onDidChangeState(({ newState }) => {
    if (newState === State.Running) {
      showStatus("check", "", `${version} (${tbt?.command}): running`);
    } else if (newState === State.Starting) {
      showStatus("sync~spin", "starting", `${version}: starting`);
    } else {
      showStatus("error", "stopped", `${version}: the language server stopped; click for its output`);
    }
  });
  try {
    await client.start();
  } catch (error) {
    showStatus("error", "failed", `${version}: the language server did not start`);
    void vscode.window.showErrorMessage(`tbt: the language server did not start: ${message(error)}`);
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch {
      // It had already stopped; nothing is left to clean up.
    }
  }
}

async function restart(): Promise<void> {
  await stop();
  await start();
}

/** Discovers `tbt`, telling the user when nothing works or when `tbt.path` was passed over. */
async function findTbt(): Promise<Found | undefined> {
  const setting = vscode.workspace.getConfiguration("tbt").get<string>("path");
  const workspaceDir = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const { found, failures } = await discover(candidates(setting, extensionPath, workspaceDir));
  const settingFailure = failures.find((f) => f.source === "setting");
  if (found && settingFailure) {
    void vscode.window.showWarningMessage(
      `tbt: the tbt.path setting (${settingFailure.command}) does not work: ${settingFailure.reason}. Using ${found.command} instead.`,
    );
  }
  if (found) {
    serverOutput.appendLine(`Using ${found.command}: ${found.version}`);
    return found;
  }
  const install = "How to install";
  const settings = "Open settings";
  void vscode.window
    .showErrorMessage(
      `tbt: no working tbt executable found (${describeFailures(failures)}). ` +
        "Install it with `cargo install --locked --path crates/cli` in a clone of the tbt repository, or set tbt.path.",
      install,
      settings,
    )
    .then((choice) => {
      if (choice === install) {
        void vscode.env.openExternal(vscode.Uri.parse(INSTALL_URL));
      } else if (choice === settings) {
        void vscode.commands.executeCommand("workbench.action.openSettings", "tbt.path");
      }
    });
  return undefined;
}

function showStatus(icon: string, state: string, tooltip: string): void {
  status.text = `$(${icon}) tbt${state ? ` ${state}` : ""}`;
  status.tooltip = tooltip;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
