#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for Coverage Atlas: the system tools the tests use, then the npm packages
# from the lock. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
# Electron's own binary is only needed for `npm start`; browser mode and the tests never launch it.
export ELECTRON_SKIP_BINARY_DOWNLOAD="${ELECTRON_SKIP_BINARY_DOWNLOAD:-1}"

need=()
command -v chromium >/dev/null || need+=(chromium)        # end-to-end tests (playwright-core drives it)
command -v ogrinfo >/dev/null || need+=(gdal-bin)         # GeoPackage checks with GDAL
command -v pdftoppm >/dev/null || need+=(poppler-utils)   # PDF checks
fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' || need+=(fonts-noto-cjk)  # Chinese text in screenshots
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
node -e "require('better-sqlite3')(':memory:').close()"
