#!/usr/bin/env bash
# Compiles the tbt tree-sitter parser for Neovim into parser/tbt.so (next to this script).
# Needs a C compiler; the C sources are grammar/tree-sitter-tbt/src (committed, generated).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/../../grammar/tree-sitter-tbt/src"
mkdir -p "$here/parser"
"${CC:-cc}" -shared -fPIC -O2 -std=c11 -I "$src" "$src/parser.c" "$src/scanner.c" -o "$here/parser/tbt.so"
echo "built $here/parser/tbt.so"
