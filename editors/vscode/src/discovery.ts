// Finds the `tbt` executable that serves the language and runs tests: the `tbt.path` setting,
// then a binary bundled in the extension's bin/ folder, then `tbt` on PATH. Each candidate must
// answer `tbt --version`; the first that does wins. Nothing here depends on VS Code, so it is
// tested with node's test runner.

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

/** Where a candidate executable comes from. */
export type Source = "setting" | "bundled" | "PATH";

/** One place to look for `tbt`. */
export interface Candidate {
  source: Source;
  /** What to run: a path, or a bare name searched on PATH. */
  command: string;
}

/** A candidate that answered `--version`. */
export interface Found extends Candidate {
  /** The first line of `tbt --version`, e.g. `tbt 0.1.0`. */
  version: string;
}

/** A candidate that did not work, and why. */
export interface Failure extends Candidate {
  reason: string;
}

/** The outcome of a discovery: the executable to use, if any, and every candidate that failed. */
export interface Discovery {
  found?: Found;
  failures: Failure[];
}

/** How long `tbt --version` may take before the candidate is given up. */
const VERSION_TIMEOUT_MS = 10_000;

/**
 * The file name of the binary bundled for a platform: `tbt-linux-x64`, `tbt-darwin-arm64`,
 * `tbt-win32-x64.exe`. The platform-arch pair is also the `vsce package --target` name.
 */
export function bundledBinaryName(platform: string = process.platform, arch: string = process.arch): string {
  return `tbt-${platform}-${arch}${platform === "win32" ? ".exe" : ""}`;
}

/**
 * The candidates, in order. `setting` is the `tbt.path` setting (blank: none); a relative path
 * is resolved against `workspaceDir` and a leading `~` is the home folder.
 */
export function candidates(
  setting: string | undefined,
  extensionDir: string,
  workspaceDir?: string,
  platform: string = process.platform,
  arch: string = process.arch,
): Candidate[] {
  const list: Candidate[] = [];
  const configured = setting?.trim();
  if (configured) {
    list.push({ source: "setting", command: expandPath(configured, workspaceDir) });
  }
  list.push({ source: "bundled", command: join(extensionDir, "bin", bundledBinaryName(platform, arch)) });
  list.push({ source: "PATH", command: platform === "win32" ? "tbt.exe" : "tbt" });
  return list;
}

function expandPath(path: string, workspaceDir?: string): string {
  if (path === "~" || path.startsWith("~/") || path.startsWith("~\\")) {
    return join(homedir(), path.slice(1));
  }
  if (isAbsolute(path) || !/[\\/]/.test(path)) {
    // Absolute, or a bare name to search on PATH.
    return path;
  }
  return workspaceDir ? resolve(workspaceDir, path) : resolve(path);
}

/** Runs `command --version`: the version line, or why the candidate cannot be used. */
export function probe(command: string, timeoutMs: number = VERSION_TIMEOUT_MS): Promise<{ version: string } | { reason: string }> {
  return new Promise((done) => {
    execFile(command, ["--version"], { timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") {
          done({ reason: "not found" });
        } else if (code === "EACCES") {
          done({ reason: "not executable" });
        } else if (error.killed) {
          done({ reason: `\`--version\` did not answer within ${timeoutMs / 1000}s` });
        } else {
          const detail = `${stderr}`.trim().split("\n")[0] || error.message;
          done({ reason: `\`--version\` failed: ${detail}` });
        }
        return;
      }
      const line = `${stdout}`.trim().split("\n")[0] ?? "";
      if (!/^tbt \d/.test(line)) {
        done({ reason: `\`--version\` printed ${JSON.stringify(line)}, which is not tbt's version line` });
        return;
      }
      done({ version: line });
    });
  });
}

/** Tries each candidate in order and stops at the first that answers `--version`. */
export async function discover(list: Candidate[], timeoutMs: number = VERSION_TIMEOUT_MS): Promise<Discovery> {
  const failures: Failure[] = [];
  for (const candidate of list) {
    if (candidate.source === "bundled" && !existsSync(candidate.command)) {
      failures.push({ ...candidate, reason: "no binary is bundled for this platform" });
      continue;
    }
    const answer = await probe(candidate.command, timeoutMs);
    if ("version" in answer) {
      return { found: { ...candidate, version: answer.version }, failures };
    }
    failures.push({ ...candidate, reason: answer.reason });
  }
  return { failures };
}

/** One line per failed candidate, for an error message: `tbt.path setting (/x/tbt): not found`. */
export function describeFailures(failures: Failure[]): string {
  const label: Record<Source, string> = { setting: "tbt.path setting", bundled: "bundled binary", PATH: "PATH" };
  return failures.map((f) => `${label[f.source]} (${f.command}): ${f.reason}`).join("; ");
}
