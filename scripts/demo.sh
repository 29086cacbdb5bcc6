#!/usr/bin/env bash
# The main job on bundled media: grade a real clip with several shots (Tears of Steel excerpt,
# CC BY 3.0) to match a bundled reference still (a public-domain photo graded with
# data/looks/reference_teal_orange.json), one LUT per shot, shots of a scene matched to each
# other. Usage: scripts/demo.sh path/to/autograde
set -euo pipefail
AG=${1:-build/src/cli/autograde}
AG=$(realpath "$AG")
cd "$(dirname "$0")/.."
OUT=out/demo
mkdir -p "$OUT"

"$AG" grade data/video/tears_of_steel_excerpt.mp4 \
  --ref data/images/reference_teal_orange.png \
  --continuity \
  -o "$OUT/tears_graded.mp4" --luts "$OUT/luts" --plan "$OUT/plan.json" --report "$OUT/report.html"

# Before/after stills, one per shot (middle frame), for a quick look without a player.
if command -v ffmpeg >/dev/null && command -v python3 >/dev/null; then
  python3 - "$OUT" <<'PY'
import json, subprocess, sys
out = sys.argv[1]
plan = json.load(open(f"{out}/plan.json"))
for s in plan["shots"]:
    f = (s["first_frame"] + s["last_frame"]) // 2
    png = f"{out}/before_after_shot{s['index']}.png"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", plan["input"]["path"], "-i", f"{out}/tears_graded.mp4",
                    "-filter_complex", f"[0:v]select=eq(n\\,{f})[a];[1:v]select=eq(n\\,{f})[b];[a][b]hstack",
                    "-frames:v", "1", "-update", "1", png], check=True)
PY
fi

echo
echo "demo outputs in $OUT/:"
echo "  graded clip : $OUT/tears_graded.mp4"
echo "  LUTs        : $OUT/luts/ ($(ls "$OUT/luts" | wc -l) .cube: one per shot, plus skin LUTs where people are)"
echo "  plan        : $OUT/plan.json   (re-render: $AG render $OUT/plan.json -o OUT.mp4)"
echo "  report      : $OUT/report.html"
ls "$OUT"/before_after_shot*.png >/dev/null 2>&1 && echo "  before/after: $OUT/before_after_shot*.png"
