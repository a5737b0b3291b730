#!/bin/sh
# Electron security scan of electron/ (see electron/SECURITY.md for the accepted findings). Prints a CSV report.
# Offline-safe: the check that downloads Electron's release list is skipped.
set -eu
cd "$(dirname "$0")/.."
out="${1:-dist/electronegativity.csv}"
mkdir -p "$(dirname "$out")"
electron_version="$(node -p "require('electron/package.json').version")"
header='issue, severity, confidence, filename, location, sample, description, url'
# The tool writes the CSV's header and rows with two racing asynchronous writes: a preload makes them run in order
# (scripts/electronegativity-ordered-writes.mjs). The report is still checked: a header, then rows of findings.
node --import ./scripts/electronegativity-ordered-writes.mjs node_modules/@doyensec/electronegativity/dist/index.js \
  -i electron -r -o "$out" -e "$electron_version" -x AvailableSecurityFixesGlobalCheck >/dev/null
if [ "$(head -n 1 "$out")" != "$header" ] || tail -n +2 "$out" | grep -qv '^[A-Z_]*_CHECK,"'; then
  echo "electronegativity: malformed report: $out" >&2
  exit 1
fi
cat "$out"
