// The test finder behind `tbt: Run test at cursor` (src/testAtCursor.ts, compiled to out/ by
// `npm run compile`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const { alsoSelected, findTests, testAt, runArguments } = createRequire(import.meta.url)("../../out/testAtCursor.js");

/** The text without its `|` marker, and the marker's offset. */
function cursor(marked) {
  const offset = marked.indexOf("|");
  assert.notEqual(offset, -1, "the text has a | marker");
  return [marked.slice(0, offset) + marked.slice(offset + 1), offset];
}

function nameAt(marked) {
  const [text, offset] = cursor(marked);
  return testAt(text, offset)?.name;
}

test("finds the test around the cursor among several", () => {
  const file = `
let base = "\${env.SHOP_URL}"
test "first" {
  trigger http GET "\${base}/a"
  expect response.status == 200
}
test "second" {
  trigger http GET "\${base}/b"
  span[name == "x"] {
    expect duration < 2|00ms
  }
}
`;
  assert.equal(nameAt(file), "second");
  assert.equal(nameAt(file.replace("|", "").replace('test "first" {', 'test "first" {|')), "first");
});

test("the test line itself counts, before the brace", () => {
  assert.equal(nameAt('te|st "on the keyword" {\n  trigger trace "x"\n}\n'), "on the keyword");
  assert.equal(nameAt('test "on the name|" {\n}\n'), "on the name");
});

test("outside every test there is none", () => {
  assert.equal(nameAt('let a = 1\n|\ntest "t" {\n  trigger trace "x"\n}\n'), undefined);
  assert.equal(nameAt('test "t" {\n  trigger trace "x"\n}\n|'), undefined);
  assert.equal(nameAt('suite "s" {\n  let x = 1|\n  test "t" {\n    trigger trace "x"\n  }\n}\n'), undefined);
});

test("tests inside a suite are found", () => {
  const file = 'suite "checkout" {\n  test "pays" {\n    trigger trace "x"|\n  }\n  test "ships" {\n  }\n}\n';
  assert.equal(nameAt(file), "pays");
  assert.deepEqual(
    findTests(file.replace("|", "")).map((t) => t.name),
    ["pays", "ships"],
  );
});

test("braces and quotes in strings, comments and regexes do not count", () => {
  const file = `test "tricky" {
  trigger http GET "http://x/{id}}}"   # a comment with } and "quotes
  expect response.body matches /^[}"#]{2}\\/}/i
  expect response.body contains "\\"}"
  |
}
`;
  assert.equal(nameAt(file), "tricky");
  const [text] = cursor(file);
  const [block] = findTests(text);
  assert.equal(text.slice(block.start, block.end), text.trimEnd(), "the block ends at its own brace");
});

test("test after a dot is an attribute, not a keyword", () => {
  const file = 'test "outer" {\n  expect resource.test "x" {|\n  }\n}\n';
  assert.equal(nameAt(file), "outer");
});

test("escapes in the name are decoded", () => {
  assert.equal(nameAt('test "a \\"quoted\\" caf\\u{e9} \\$5" {|\n}\n'), 'a "quoted" café $5');
});

test("an unclosed test runs to the end of the text", () => {
  const [text, offset] = cursor('test "open" {\n  trigger trace "x"\n  |');
  assert.deepEqual(testAt(text, offset), { name: "open", start: 0, end: text.length });
});

test("a test without a string name or a block is no test", () => {
  assert.equal(nameAt("test {|\n}\n"), undefined);
  assert.equal(nameAt('test "no block"|\n'), undefined);
});

test("the run command filters by the test's name", () => {
  assert.deepEqual(runArguments('a "b"', "/x/y.tbt"), ["run", "--filter", 'a "b"', "/x/y.tbt"]);
});

test("the other tests a substring filter selects are named", () => {
  const file = 'test "pay" {\n}\nsuite "s" {\n  test "pay twice" {\n  }\n}\ntest "ship" {\n}\n';
  assert.deepEqual(alsoSelected(file, "pay"), ["pay twice"]);
  assert.deepEqual(alsoSelected(file, "ship"), []);
});
