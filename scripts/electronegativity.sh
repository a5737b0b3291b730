#!/bin/sh
# Electron security scan of electron/ (see electron/SECURITY.md for the accepted findings). Writes a CSV report.
# Offline-safe: the check that downloads Electron's release list is skipped.
set -eu
cd "$(dirname "$0")/.."
out="${1:-dist/electronegativity.csv}"
mkdir -p "$(dirname "$out")"
electron_version="$(node -p "require('electron/package.json').version")"
npx --no-install electronegativity -i electron -r -o "$out" -e "$electron_version" -x AvailableSecurityFixesGlobalCheck >/dev/null
cat "$out"
