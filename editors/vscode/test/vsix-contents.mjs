// Lists a .vsix (a zip archive) for tests/lsp_e2e.rs, which has no zip reader of its own:
//
//   node test/vsix-contents.mjs FILE.vsix
//
// prints {"entries": [{"name", "size"}...], "texts": {"name": "content", ...}} on stdout, with
// the content of every JSON, XML and Markdown entry.
import { createRequire } from "node:module";

const yauzl = createRequire(import.meta.url)("yauzl");
const TEXT = /\.(json|xml|md|vsixmanifest)$/;

const [file] = process.argv.slice(2);
if (!file) {
  console.error("usage: node vsix-contents.mjs FILE.vsix");
  process.exit(2);
}

function fail(error) {
  console.error(`error: ${file}: ${error.message}`);
  process.exit(1);
}

yauzl.open(file, { lazyEntries: true }, (error, zip) => {
  if (error) return fail(error);
  const entries = [];
  const texts = {};
  zip.on("error", fail);
  zip.on("entry", (entry) => {
    entries.push({ name: entry.fileName, size: entry.uncompressedSize });
    if (!TEXT.test(entry.fileName)) return zip.readEntry();
    zip.openReadStream(entry, (streamError, stream) => {
      if (streamError) return fail(streamError);
      const chunks = [];
      stream.on("data", (chunk) => chunks.push(chunk));
      stream.on("error", fail);
      stream.on("end", () => {
        texts[entry.fileName] = Buffer.concat(chunks).toString("utf8");
        zip.readEntry();
      });
    });
  });
  zip.on("end", () => {
    entries.sort((a, b) => a.name.localeCompare(b.name));
    process.stdout.write(JSON.stringify({ entries, texts }, null, 2) + "\n");
  });
  zip.readEntry();
});
