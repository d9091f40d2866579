#!/usr/bin/env bash
# The CI step of the editor grammars (grammar/tree-sitter-tbt):
#
#   1. installs the pinned tree-sitter CLI with `cargo install --locked`, unless
#      ~/.cargo/bin/tree-sitter already is that version (a first install takes about ten
#      minutes on two cores; later runs reuse it);
#   2. regenerates the parser from grammar.js into a temporary copy and fails if the committed
#      src/ differs (run `tree-sitter generate --abi 14` in grammar/tree-sitter-tbt to update);
#   3. runs `tree-sitter test`: the corpus (test/corpus) and the highlight tests
#      (test/highlight, with the capture names of test/config.json).
#
# Needs Rust (cargo, a C compiler) and Node (grammar.js is evaluated with node); nothing else.
# The agreement of the grammar with the compiler is tested by `cargo test -p tbt-tests --test
# grammar`.
set -euo pipefail

TREE_SITTER_VERSION=0.27.1
# ABI 14: loadable by every tree-sitter runtime from 0.20.7 (Debian 12's Neovim) to today's.
ABI=14

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
grammar="$here/tree-sitter-tbt"
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
tree_sitter="$cargo_bin/tree-sitter"
started=$SECONDS

step() { printf '\n== %s\n' "$*"; }

step "tree-sitter CLI $TREE_SITTER_VERSION"
if [[ -x "$tree_sitter" ]] && [[ "$("$tree_sitter" --version 2>/dev/null)" == "tree-sitter $TREE_SITTER_VERSION"* ]]; then
  echo "already installed: $("$tree_sitter" --version)"
else
  echo "installing (cargo install --locked, a few minutes)..."
  cargo install tree-sitter-cli --locked --version "$TREE_SITTER_VERSION"
fi
command -v node >/dev/null || { echo "error: node is needed to evaluate grammar.js" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

step "the committed parser is generated from grammar.js"
mkdir -p "$work/grammar"
cp -R "$grammar/grammar.js" "$grammar/tree-sitter.json" "$work/grammar/"
mkdir -p "$work/grammar/src"
cp "$grammar/src/scanner.c" "$work/grammar/src/"
(cd "$work/grammar" && "$tree_sitter" generate --abi "$ABI")
stale=0
for file in parser.c grammar.json node-types.json tree_sitter/parser.h tree_sitter/alloc.h tree_sitter/array.h; do
  if ! diff -q "$grammar/src/$file" "$work/grammar/src/$file" >/dev/null; then
    echo "src/$file is not what grammar.js generates:"
    diff -u "$grammar/src/$file" "$work/grammar/src/$file" | head -20 || true
    stale=1
  fi
done
if [[ $stale -ne 0 ]]; then
  echo "error: run \`tree-sitter generate --abi $ABI\` in grammar/tree-sitter-tbt and commit src/" >&2
  exit 1
fi
echo "src/ is up to date"

step "tree-sitter test (corpus and highlights)"
# A private config: no parser directories to scan, and a theme naming every capture.
export XDG_CACHE_HOME="$work/cache"
(cd "$grammar" && "$tree_sitter" test --config-path "$grammar/test/config.json")

step "done in $((SECONDS - started))s"
