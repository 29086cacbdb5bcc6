#!/usr/bin/env bash
# Regenerates models/{selfie_segmentation,selfie_segmentation_landscape,face_detection_short_range,
# face_detection_full_range,face_landmark}.onnx from MediaPipe's npm packages (Apache-2.0; models/mediapipe.md)
# and checks each against the NumPy reference on the given photos (python3-opencv for cv::dnn).
# Not part of the build or CI: the converted files are committed.
#   tools/mediapipe_models.sh [photo.jpg ...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
py=/usr/bin/python3  # Debian's, where python3-numpy / python3-onnx / python3-flatbuffers live
photos=()
for f in "$@"; do photos+=("$(realpath "$f")"); done  # the work happens in another folder
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent @mediapipe/selfie_segmentation@0.1.1675465747 \
  @mediapipe/face_detection@0.4.1657300184 @mediapipe/face_mesh@0.4.1657299874 >/dev/null
for t in *.tgz; do mkdir "${t%.tgz}"; tar -xzf "$t" -C "${t%.tgz}" --strip-components=1; done
# The face mesh package packs its .tflite files into one asset file.
"$py" "$here/tools/unpack_face_mesh.py" mediapipe-face_mesh-0.4.1657299874 mediapipe-face_mesh-0.4.1657299874
for m in selfie_segmentation selfie_segmentation_landscape face_detection_short_range \
         face_detection_full_range face_landmark; do
  src=$(ls ./*/"$m.tflite")
  "$py" "$here/tools/tflite2onnx.py" "$src" "$here/models/$m.onnx"
  if [ ${#photos[@]} -gt 0 ]; then
    "$py" "$here/tools/tflite_reference.py" check "$src" "$here/models/$m.onnx" "${photos[@]}" | tail -1
  fi
done
