// Finds the `test "name" { ... }` block around a position of a .tbt text, without the language
// server: a small scanner that knows just enough of the lexical rules (docs/language.md §18) to
// skip comments, strings and regex literals, so braces and quotes inside them do not count.

/** A `test` block of a file: its name and the offsets it spans. */
export interface TestBlock {
  /** The test's name, with the string's escapes decoded. */
  name: string;
  /** Offset (UTF-16 code units) of the `test` keyword. */
  start: number;
  /** Offset just past the closing `}` (the text's length if it is never closed). */
  end: number;
}

type Token =
  | { kind: "word"; text: string; start: number; afterDot: boolean }
  | { kind: "string"; value: string; start: number }
  | { kind: "open" | "close" | "other"; start: number };

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;

/** Every `test` block of `text`, in source order. */
export function findTests(text: string): TestBlock[] {
  const tokens = tokenize(text);
  const tests: TestBlock[] = [];
  // One entry per open `{`: the test it opens, if it opens one.
  const stack: Array<{ name: string; start: number } | undefined> = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind === "open") {
      stack.push(undefined);
    } else if (token.kind === "close") {
      const frame = stack.pop();
      if (frame) {
        tests.push({ name: frame.name, start: frame.start, end: token.start + 1 });
      }
    } else if (token.kind === "word" && token.text === "test" && !token.afterDot) {
      const name = tokens[i + 1];
      const brace = tokens[i + 2];
      if (name?.kind === "string" && brace?.kind === "open") {
        stack.push({ name: name.value, start: token.start });
        i += 2;
      }
    }
  }
  // Blocks left open at the end of the text run to its end.
  for (const frame of stack) {
    if (frame) {
      tests.push({ name: frame.name, start: frame.start, end: text.length });
    }
  }
  return tests.sort((a, b) => a.start - b.start);
}

/** The test block that contains `offset` (from its `test` keyword to its `}`), if any. */
export function testAt(text: string, offset: number): TestBlock | undefined {
  // Tests do not nest, so at most one contains the offset.
  return findTests(text).find((t) => t.start <= offset && offset <= t.end);
}

/**
 * The other tests of `text` that `tbt run --filter <name>` also selects: `--filter` keeps every
 * test whose name contains the text.
 */
export function alsoSelected(text: string, name: string): string[] {
  return findTests(text)
    .map((t) => t.name)
    .filter((other) => other !== name && other.includes(name));
}

/** The arguments of `tbt` that run the test named `testName` of `file`. */
export function runArguments(testName: string, file: string): string[] {
  return ["run", "--filter", testName, file];
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === '"') {
      const { value, end } = scanString(text, i);
      tokens.push({ kind: "string", value, start: i });
      i = end;
    } else if (c === "{" || c === "[" || c === "(") {
      // Only braces delimit blocks, but brackets and parentheses must not hide a `}`.
      tokens.push({ kind: c === "{" ? "open" : "other", start: i });
      i++;
    } else if (c === "}") {
      tokens.push({ kind: "close", start: i });
      i++;
    } else if (NAME_START.test(c)) {
      const start = i;
      i = scanName(text, i);
      const word = text.slice(start, i);
      const previous = tokens[tokens.length - 1];
      const afterDot = previous?.kind === "other" && text[previous.start] === ".";
      tokens.push({ kind: "word", text: word, start, afterDot });
      if (word === "matches" && !afterDot) {
        i = skipRegex(text, i);
      }
    } else if (/\s/.test(c)) {
      i++;
    } else {
      tokens.push({ kind: "other", start: i });
      i++;
    }
  }
  return tokens;
}

/** A name: letters, digits and `_`, with single `-` between them (`order-service`). */
function scanName(text: string, i: number): number {
  while (i < text.length) {
    if (NAME_CHAR.test(text[i])) {
      i++;
    } else if (text[i] === "-" && i + 1 < text.length && NAME_CHAR.test(text[i + 1])) {
      i++;
    } else {
      break;
    }
  }
  return i;
}

/** A string starting at the `"` at `start`; strings end at the closing quote or the line's end. */
function scanString(text: string, start: number): { value: string; end: number } {
  let value = "";
  let i = start + 1;
  while (i < text.length && text[i] !== "\n") {
    const c = text[i];
    if (c === '"') {
      return { value, end: i + 1 };
    }
    if (c === "\\" && i + 1 < text.length) {
      const { decoded, length } = decodeEscape(text, i);
      value += decoded;
      i += length;
    } else {
      value += c;
      i++;
    }
  }
  return { value, end: i };
}

/** The escape at `text[i] == '\\'`: its meaning and its length in the source. */
function decodeEscape(text: string, i: number): { decoded: string; length: number } {
  const next = text[i + 1];
  const simple: Record<string, string> = { n: "\n", r: "\r", t: "\t", "0": "\0", "\\": "\\", '"': '"', $: "$" };
  if (next in simple) {
    return { decoded: simple[next], length: 2 };
  }
  if (next === "u") {
    const match = /^\\u\{([0-9A-Fa-f]{1,6})\}/.exec(text.slice(i, i + 11));
    const code = match ? parseInt(match[1], 16) : NaN;
    if (match && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)) {
      return { decoded: String.fromCodePoint(code), length: match[0].length };
    }
  }
  // An invalid escape (E0004): keep it as written.
  return { decoded: text.slice(i, i + 2), length: 2 };
}

/** After `matches`, a regex literal `/.../flags` on the same line; returns where it ends. */
function skipRegex(text: string, i: number): number {
  let j = i;
  while (j < text.length && (text[j] === " " || text[j] === "\t")) j++;
  if (text[j] !== "/") {
    return i;
  }
  j++;
  let inClass = false;
  while (j < text.length && text[j] !== "\n") {
    const c = text[j];
    if (c === "\\") {
      j += 2;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/" && !inClass) {
      j++;
      while (j < text.length && /[A-Za-z]/.test(text[j])) j++;
      return j;
    }
    j++;
  }
  // Unterminated: the rest of the line is the regex.
  return j;
}
