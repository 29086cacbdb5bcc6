#!/usr/bin/env bash
# Installs every build and run dependency of autograde from Debian's packages.
# Idempotent: packages already present are skipped by apt; `apt-get update` runs only when
# something is missing (or the package lists were never fetched).
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config git
  clang libclang-rt-14-dev  # the sanitizer build's libFuzzer targets (make build-asan)
  libopencolorio-dev opencolorio-tools
  libopenimageio-dev openimageio-tools
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev libavfilter-dev ffmpeg
  libhwy-dev libtbb-dev libeigen3-dev
  libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcairo2-dev libopencv-dev
  opencv-data  # train_regions (skin model trainer): Haar face cascade for the oracle faces
  libtorch-dev wordnet-dev wordnet-base
  zlib1g-dev  # tests write hostile PNG headers
  imagemagick  # bench_correct runs `convert -auto-level -auto-gamma` as its peer
  slurm-wlm munge  # the render farm's executor; scripts/slurm-local.sh runs a test cluster
  poppler-utils  # the PDF report test renders its pages with pdftoppm
  libcpp-httplib-dev  # autograde serve (src/server)
  unzip  # tests/server checks the LUT zip with it
  chromium nodejs  # the web UI's browser test (puppeteer-core from npm drives this chromium)
  python3-numpy  # tests/semantic run tools/tflite_reference.py (NumPy forward pass of MediaPipe's graphs)
  python3-onnx python3-opencv  # tools/mediapipe_models.sh: regenerate and check models/*.onnx (not CI)
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Debian ships npm as its own package; NodeSource's nodejs (if that is what is installed) brings
# npm inside and conflicts with Debian's, so npm is asked for only when it is absent.
if ! command -v npm >/dev/null 2>&1; then PKGS+=(npm); fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
