#!/usr/bin/env bash
# Installs the Debian packages idara needs to build, run and test. Idempotent:
# it asks apt only for packages that are missing, so a second run is quick.
#   scripts/install-deps.sh          build + run dependencies
#   scripts/install-deps.sh --test   also test tools (PostgreSQL server, Chromium, wrk, npm packages)
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev zlib1g-dev libsqlite3-dev libpq-dev libsodium-dev
  libcli11-dev libtomlplusplus-dev libkainjow-mustache-dev
  libicu-dev libcurl4-openssl-dev libvalijson-dev
  libpango1.0-dev libcairo2-dev libqrencode-dev fonts-noto-core libqpdf-dev qpdf libpoppler-cpp-dev
  libmagic-dev libmagic-mgc libjpeg62-turbo-dev libpng-dev liboath-dev
  libgtest-dev libgmock-dev libbenchmark-dev
)
TEST_PKGS=(
  postgresql-15 chromium nodejs npm wrk curl poppler-utils zbar-tools libnss3-tools openssl
)

want=("${BUILD_PKGS[@]}")
if [[ "${1:-}" == "--test" ]]; then want+=("${TEST_PKGS[@]}"); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    # A tool already on PATH from elsewhere (e.g. node) counts as present.
    case "$p" in
      nodejs) command -v node >/dev/null && continue ;;
      npm) command -v npm >/dev/null && continue ;;
    esac
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=(); [[ "$(id -u)" != 0 ]] && SUDO=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all Debian packages present"
fi

if [[ "${1:-}" == "--test" ]]; then
  here="$(cd "$(dirname "$0")/.." && pwd)"
  if [[ ! -d "$here/tests/browser/node_modules/playwright-core" || ! -d "$here/tests/browser/node_modules/@axe-core/playwright" ]]; then
    echo "install-deps: npm packages for browser tests"
    (cd "$here/tests/browser" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
