#!/usr/bin/env bash
# The main job on bundled media. Usage: scripts/demo.sh path/to/autograde
set -euo pipefail
AG=${1:-build/src/cli/autograde}
cd "$(dirname "$0")/.."
OUT=out/demo
mkdir -p "$OUT"

"$AG" lut-info data/luts/demo_warm.cube
"$AG" apply data/luts/demo_warm.cube data/images/coffee.png -o "$OUT/coffee_warm.png"
echo
echo "demo outputs in $OUT/:"
ls -1 "$OUT"
