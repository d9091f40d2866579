// `tbt: Run test at cursor`: runs `tbt run --filter <name> <file>` for the test around the
// cursor, streams its output to the "tbt run" output channel, and tells whether it passed.

import { spawn } from "node:child_process";
import { dirname } from "node:path";
import * as vscode from "vscode";
import { alsoSelected, runArguments, testAt } from "./testAtCursor";

/** How a `tbt run` ended. */
type Outcome = { exitCode: number } | { cancelled: true } | { error: string };

/**
 * Runs the test around the active editor's cursor with the executable `tbt`. `output` receives
 * the run's output; the verdict is a notification.
 */
export async function runTestAtCursor(tbt: string, output: vscode.OutputChannel): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== "tbt") {
    void vscode.window.showInformationMessage("tbt: open a .tbt file and put the cursor inside a test.");
    return;
  }
  const document = editor.document;
  const test = testAt(document.getText(), document.offsetAt(editor.selection.active));
  if (!test) {
    void vscode.window.showInformationMessage('tbt: the cursor is not inside a `test "name" { ... }` block.');
    return;
  }
  if (document.isUntitled) {
    void vscode.window.showInformationMessage("tbt: save the file first; `tbt run` reads it from disk.");
    return;
  }
  if (document.isDirty && !(await document.save())) {
    void vscode.window.showWarningMessage("tbt: the file could not be saved, so the test was not run.");
    return;
  }

  const file = document.uri.fsPath;
  const cwd = vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath ?? dirname(file);
  const args = runArguments(test.name, file);
  output.clear();
  output.show(true);
  output.appendLine(`$ ${[tbt, ...args].map(shellQuote).join(" ")}`);
  output.appendLine(`  (in ${cwd})`);
  const others = alsoSelected(document.getText(), test.name);
  if (others.length > 0) {
    // --filter matches names by substring; the verdict below covers all of them.
    output.appendLine(`  --filter also selects: ${others.map((n) => JSON.stringify(n)).join(", ")}`);
  }
  output.appendLine("");

  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `tbt: running "${test.name}"`, cancellable: true },
    (_progress, cancel) => run(tbt, args, cwd, output, cancel),
  );
  report(test.name, outcome, output);
}

function run(
  tbt: string,
  args: string[],
  cwd: string,
  output: vscode.OutputChannel,
  cancel: vscode.CancellationToken,
): Promise<Outcome> {
  return new Promise((done) => {
    const child = spawn(tbt, args, { cwd, windowsHide: true });
    let cancelled = false;
    const subscription = cancel.onCancellationRequested(() => {
      cancelled = true;
      child.kill();
    });
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => output.append(chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => output.append(chunk));
    child.on("error", (error) => {
      subscription.dispose();
      done({ error: error.message });
    });
    child.on("close", (code, signal) => {
      subscription.dispose();
      if (cancelled) {
        done({ cancelled: true });
      } else if (code === null) {
        done({ error: `tbt was stopped by signal ${signal ?? "unknown"}` });
      } else {
        done({ exitCode: code });
      }
    });
  });
}

function report(name: string, outcome: Outcome, output: vscode.OutputChannel): void {
  const showOutput = "Show output";
  const onClick = (choice: string | undefined) => {
    if (choice === showOutput) output.show();
  };
  if ("cancelled" in outcome) {
    output.appendLine("\n(cancelled)");
    return;
  }
  if ("error" in outcome) {
    output.appendLine(`\n${outcome.error}`);
    void vscode.window.showErrorMessage(`tbt: could not run "${name}": ${outcome.error}`, showOutput).then(onClick);
    return;
  }
  output.appendLine(`\n(exit code ${outcome.exitCode})`);
  // tbt run's exit codes (docs/run.md): 0 every selected test passed, 1 a test failed, 2 a
  // usage, configuration or infrastructure error, 130 interrupted.
  if (outcome.exitCode === 0) {
    void vscode.window.showInformationMessage(`tbt: "${name}" passed.`, showOutput).then(onClick);
  } else if (outcome.exitCode === 1) {
    void vscode.window.showErrorMessage(`tbt: "${name}" failed.`, showOutput).then(onClick);
  } else if (outcome.exitCode === 130) {
    void vscode.window.showWarningMessage(`tbt: "${name}" was interrupted.`, showOutput).then(onClick);
  } else {
    void vscode.window
      .showErrorMessage(`tbt: "${name}" could not run (exit code ${outcome.exitCode}); see the output.`, showOutput)
      .then(onClick);
  }
}

/** Quotes an argument for display, the way a POSIX shell would read it back. */
function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
