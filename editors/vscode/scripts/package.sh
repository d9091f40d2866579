#!/usr/bin/env bash
# Packages the extension as a .vsix with @vscode/vsce (a devDependency: run `npm ci` first).
#
#   scripts/package.sh [--out FILE] [--binary PATH --target TARGET]
#
#   --out FILE       where to write the .vsix (default: tbt-<version>.vsix in editors/vscode)
#   --binary PATH    bundle this tbt executable as bin/tbt-<platform>-<arch>, which the
#                    extension tries before `tbt` on PATH; needs --target
#   --target TARGET  a vsce target (linux-x64, darwin-arm64, win32-x64, ...): the .vsix is then
#                    platform-specific, and installs only there
#
# vsce runs `npm run compile` (the vscode:prepublish script) first: the grammar is copied from
# grammar/tbt.tmLanguage.json and the extension bundled into dist/extension.js, so the .vsix
# needs no node_modules (--no-dependencies). Nothing here reaches the network.
set -euo pipefail

extension="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out=""
binary=""
target=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="${2:?--out needs a file}"; shift 2 ;;
    --binary) binary="${2:?--binary needs a path}"; shift 2 ;;
    --target) target="${2:?--target needs a vsce target}"; shift 2 ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [[ -n "$binary" && -z "$target" ]]; then
  echo "error: --binary needs --target, the platform the binary runs on (e.g. linux-x64)" >&2
  exit 2
fi

cd "$extension"
vsce="$extension/node_modules/.bin/vsce"
if [[ ! -x "$vsce" ]]; then
  echo "error: $vsce is missing: run \`npm ci\` in $extension first" >&2
  exit 1
fi

# bin/ holds only the binary of this package, and only while packaging.
rm -rf bin
trap 'rm -rf "$extension/bin"' EXIT
if [[ -n "$binary" ]]; then
  if [[ ! -f "$binary" ]]; then
    echo "error: --binary $binary is not a file" >&2
    exit 2
  fi
  # The extension looks for bin/tbt-<node platform>-<node arch>; vsce's targets mostly use the
  # same names.
  case "$target" in
    alpine-*) platform_arch="linux-${target#alpine-}" ;;
    linux-armhf) platform_arch="linux-arm" ;;
    web) echo "error: the web target cannot run a binary" >&2; exit 2 ;;
    *) platform_arch="$target" ;;
  esac
  suffix=""
  [[ "$target" == win32-* ]] && suffix=".exe"
  mkdir -p bin
  cp "$binary" "bin/tbt-$platform_arch$suffix"
  chmod +x "bin/tbt-$platform_arch$suffix"
fi

version="$(node -p 'require("./package.json").version')"
if [[ -z "$out" ]]; then
  out="$extension/tbt-$version${target:+-$target}.vsix"
fi
args=(package --no-dependencies --out "$out")
[[ -n "$target" ]] && args+=(--target "$target")
"$vsce" "${args[@]}"
