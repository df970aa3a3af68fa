#!/usr/bin/env bash
# Installs every Debian 12 package samsa needs to build and test. Does nothing when all are present.
set -euo pipefail
PKGS=(
  build-essential cmake ninja-build ccache pkg-config git
  clang libclang-rt-14-dev
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-svg-dev libgl-dev
  libboost-dev libboost-graph-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libyaml-cpp-dev libcli11-dev libfmt-dev libspdlog-dev nlohmann-json3-dev
  zlib1g-dev liblz4-dev libzstd-dev libsnappy-dev libisal-dev libjemalloc-dev
  fonts-dejavu-core
  tesseract-ocr tesseract-ocr-eng xvfb xauth
  python3-minimal
)
missing=()
for p in "${PKGS[@]}"; do
  if ! grep -q "install ok installed" <<<"$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
