// How the extension finds `tbt` (src/discovery.ts, compiled to out/ by `npm run compile`): real
// executables (small shell scripts) in a temporary folder.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, homedir } from "node:os";
import { join } from "node:path";

const { bundledBinaryName, candidates, describeFailures, discover, probe } = createRequire(import.meta.url)(
  "../../out/discovery.js",
);
const posix = process.platform !== "win32";

function scratch(t) {
  const dir = mkdtempSync(join(tmpdir(), "tbt-discovery-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function script(path, body) {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

test("bundled binaries are named after node's platform and arch", () => {
  assert.equal(bundledBinaryName("linux", "x64"), "tbt-linux-x64");
  assert.equal(bundledBinaryName("darwin", "arm64"), "tbt-darwin-arm64");
  assert.equal(bundledBinaryName("win32", "x64"), "tbt-win32-x64.exe");
});

test("candidates: the setting, then the bundled binary, then PATH", () => {
  assert.deepEqual(candidates("  /opt/tbt  ", "/ext", "/ws", "linux", "x64"), [
    { source: "setting", command: "/opt/tbt" },
    { source: "bundled", command: join("/ext", "bin", "tbt-linux-x64") },
    { source: "PATH", command: "tbt" },
  ]);
  assert.deepEqual(
    candidates("", "/ext", "/ws", "linux", "x64").map((c) => c.source),
    ["bundled", "PATH"],
  );
  assert.equal(candidates("bin/tbt", "/ext", "/ws", "linux", "x64")[0].command, join("/ws", "bin", "tbt"));
  assert.equal(candidates("~/tbt", "/ext", "/ws", "linux", "x64")[0].command, join(homedir(), "tbt"));
  assert.equal(candidates("tbt-dev", "/ext", "/ws", "linux", "x64")[0].command, "tbt-dev");
  assert.equal(candidates(undefined, "/ext", undefined, "win32", "x64")[1].command, "tbt.exe");
});

test("probe reads the version line and rejects what is not tbt", { skip: !posix }, async (t) => {
  const dir = scratch(t);
  assert.deepEqual(await probe(script(join(dir, "good"), 'echo "tbt 1.2.3"')), { version: "tbt 1.2.3" });
  assert.match((await probe(script(join(dir, "other"), 'echo "other 1.0"'))).reason, /not tbt's version line/);
  assert.match((await probe(script(join(dir, "broken"), 'echo "boom" >&2; exit 3'))).reason, /failed: boom/);
  assert.equal((await probe(join(dir, "missing"))).reason, "not found");
  writeFileSync(join(dir, "plain"), "not a program");
  assert.equal((await probe(join(dir, "plain"))).reason, "not executable");
  assert.match((await probe(script(join(dir, "slow"), "sleep 5"), 200)).reason, /did not answer/);
});

test("discover takes the first candidate that works and says why the others failed", { skip: !posix }, async (t) => {
  const dir = scratch(t);
  mkdirSync(join(dir, "ext", "bin"), { recursive: true });
  const bundled = script(join(dir, "ext", "bin", bundledBinaryName()), 'echo "tbt 0.1.0"');
  const list = [
    { source: "setting", command: join(dir, "nowhere", "tbt") },
    { source: "bundled", command: bundled },
    { source: "PATH", command: script(join(dir, "path-tbt"), 'echo "tbt 9.9.9"') },
  ];
  const { found, failures } = await discover(list);
  assert.deepEqual(found, { source: "bundled", command: bundled, version: "tbt 0.1.0" });
  assert.deepEqual(failures, [{ source: "setting", command: join(dir, "nowhere", "tbt"), reason: "not found" }]);
  assert.equal(describeFailures(failures), `tbt.path setting (${join(dir, "nowhere", "tbt")}): not found`);
});

test("discover reports every failure when nothing works", { skip: !posix }, async (t) => {
  const dir = scratch(t);
  const list = [
    { source: "bundled", command: join(dir, "bin", "tbt-none") },
    { source: "PATH", command: join(dir, "no-tbt-here") },
  ];
  const { found, failures } = await discover(list);
  assert.equal(found, undefined);
  assert.deepEqual(
    failures.map((f) => f.reason),
    ["no binary is bundled for this platform", "not found"],
  );
});
