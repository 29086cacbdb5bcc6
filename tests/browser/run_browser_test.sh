#!/bin/sh
# CTest's driver of the web UI's browser test (studio.test.mjs): installs puppeteer-core from the
# committed package-lock.json into the build tree (npm ci, once per lock change) and runs the
# test against Debian's chromium. Exit 77 (CTest SKIP_RETURN_CODE) when node, chromium or the
# npm packages cannot be had, so machines without them skip instead of failing.
# Usage: run_browser_test.sh AUTOGRADE_CLI SOURCE_DIR WORK_DIR
set -u
cli=$1 src=$2 work=$3
command -v node >/dev/null 2>&1 || { echo "SKIP: node is not installed"; exit 77; }
command -v npm >/dev/null 2>&1 || { echo "SKIP: npm is not installed"; exit 77; }
[ -x /usr/bin/chromium ] || { echo "SKIP: /usr/bin/chromium is not installed"; exit 77; }
mkdir -p "$work"
if ! cmp -s "$src/tests/browser/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules/puppeteer-core" ]; then
  cp "$src/tests/browser/package.json" "$src/tests/browser/package-lock.json" "$work/"
  # PUPPETEER_SKIP_DOWNLOAD: puppeteer-core never downloads a browser; belt and braces.
  (cd "$work" && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) ||
    { rm -f "$work/package-lock.json"; echo "SKIP: npm ci failed (no registry access?)"; exit 77; }
fi
# Node resolves imports next to the script: run a copy beside node_modules.
cp "$src/tests/browser/studio.test.mjs" "$work/"
exec node "$work/studio.test.mjs" "$cli" "$src" "$work/out"
