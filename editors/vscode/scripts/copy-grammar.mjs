// Copies the project's TextMate grammar (grammar/tbt.tmLanguage.json, the one the grammar tests
// check against the compiler's lexer) into syntaxes/, where package.json points VS Code at it.
// There is one grammar in the repository; the extension's copy is a build output.
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const extension = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(extension, "..", "..", "grammar", "tbt.tmLanguage.json");
const target = join(extension, "syntaxes", "tbt.tmLanguage.json");

let grammar;
try {
  grammar = JSON.parse(readFileSync(source, "utf8"));
} catch (error) {
  console.error(`error: cannot read the TextMate grammar ${source}: ${error.message}`);
  process.exit(1);
}
if (grammar.scopeName !== "source.tbt") {
  console.error(`error: ${source} has scopeName ${JSON.stringify(grammar.scopeName)}, expected "source.tbt"`);
  process.exit(1);
}
mkdirSync(dirname(target), { recursive: true });
copyFileSync(source, target);
