#!/usr/bin/env bash
# Puts the .tflite files of MediaPipe's npm packages (the versions models/ was converted from,
# models/mediapipe.md) into DIR for the reference-comparison tests. Exit 77 when npm or the
# registry is not there, so the tests skip.
set -euo pipefail
dir=$1
command -v npm >/dev/null 2>&1 || exit 77
mkdir -p "$dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent @mediapipe/selfie_segmentation@0.1.1675465747 \
   @mediapipe/face_detection@0.4.1657300184 @mediapipe/face_mesh@0.4.1657299874 \
   >/dev/null 2>&1) || exit 77
for t in "$work"/*.tgz; do tar -xzf "$t" -C "$work" package; done
# The face mesh package packs its .tflite files into one asset file.
/usr/bin/python3 "$(dirname "$0")/../../tools/unpack_face_mesh.py" "$work/package" "$work/package"
# Renamed into place, so a test running at the same time never reads a half-copied file.
for f in "$work"/package/*.tflite; do
  cp "$f" "$dir/.$(basename "$f").$$" && mv -f "$dir/.$(basename "$f").$$" "$dir/$(basename "$f")"
done
