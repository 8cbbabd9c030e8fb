#!/usr/bin/env bash
# Installs and starts what hypertune needs on a Debian/Ubuntu machine, only where missing:
# Redis (started locally when nothing answers), the Fashion-MNIST files, node modules, the
# generated Prisma clients and, where it can, the oneDNN addon (the fastest CPU training backend:
# g++, make and libdnnl-dev). With WITH_POSTGRES=1 (the tests) also a PostgreSQL server, with
# WITH_TEST_TOOLS=1 Mesa's EGL drivers, docker-compose and chromium, with WITH_PYTORCH=1 the
# benchmarks' PyTorch baseline (bench:train, bench:epochs).
set -euo pipefail
cd "$(dirname "$0")/.."

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"
  else return 1; fi
}
apt_install() {
  echo "installing from Debian: $*" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1 ||
    { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; } ||
    { echo "hypertune needs the Debian packages: $*; install them with: sudo apt-get install $*" >&2; exit 1; }
}

missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
dataset_dir="${DATASET_DIR:-/usr/share/datasets/fashion-mnist}"
[ -f "$dataset_dir/train-images-idx3-ubyte.gz" ] || missing+=(dataset-fashion-mnist)
if [ "${WITH_POSTGRES:-0}" = 1 ] && ! command -v pg_ctlcluster >/dev/null && ! port_open 127.0.0.1 5432; then missing+=(postgresql); fi
if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi

# The native backend's toolchain: wanted, not required (training falls back to wasm without it).
native_missing=()
command -v g++ >/dev/null || native_missing+=(g++)
command -v make >/dev/null || native_missing+=(make)
command -v python3 >/dev/null || native_missing+=(python3)
[ -f /usr/include/oneapi/dnnl/dnnl.hpp ] || native_missing+=(libdnnl-dev)
if [ ${#native_missing[@]} -gt 0 ]; then
  ( apt_install "${native_missing[@]}" ) || echo "continuing without the native backend (training uses wasm)" >&2
fi

# The tests (WITH_TEST_TOOLS=1) run the webgpu backend on Mesa's llvmpipe through EGL when there
# is no GPU (Dawn's OpenGL ES backend needs Mesa's EGL and DRI drivers), and check
# docker-compose.yml with Debian's docker-compose (no Docker engine needed); the dashboard's tests
# drive Debian's chromium headless.
if [ "${WITH_TEST_TOOLS:-0}" = 1 ]; then
  tools_missing=()
  for pkg in libegl1 libegl-mesa0 libgl1-mesa-dri docker-compose chromium; do dpkg -s "$pkg" >/dev/null 2>&1 || tools_missing+=("$pkg"); done
  if [ ${#tools_missing[@]} -gt 0 ]; then
    ( apt_install "${tools_missing[@]}" ) || echo "continuing without ${tools_missing[*]}: their tests will be skipped" >&2
  fi
fi

# The benchmarks' baseline (WITH_PYTORCH=1): Debian's PyTorch for /usr/bin/python3, OpenBLAS
# (libtorch's BLAS is Debian's alternative; the reference one is the default without it) and the
# allocators bench/pytorch-env.ts tries (about 650 MB installed, without recommends).
if [ "${WITH_PYTORCH:-0}" = 1 ]; then
  torch_missing=()
  for pkg in python3-torch libopenblas0-pthread libjemalloc2 libtcmalloc-minimal4; do dpkg -s "$pkg" >/dev/null 2>&1 || torch_missing+=("$pkg"); done
  if [ ${#torch_missing[@]} -gt 0 ]; then
    echo "installing from Debian: ${torch_missing[*]}" >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${torch_missing[@]}" >/dev/null ||
      echo "could not install ${torch_missing[*]}: the benchmarks will run without a PyTorch baseline" >&2
  fi
fi

# Redis: a local, non-persistent one when REDIS_URL points here and nothing answers.
redis_url="${REDIS_URL:-redis://127.0.0.1:6379}"
redis_hostport="${redis_url#*://}"; redis_hostport="${redis_hostport#*@}"; redis_hostport="${redis_hostport%%/*}"
redis_host="${redis_hostport%%:*}"; redis_port="${redis_hostport##*:}"; [ "$redis_port" = "$redis_hostport" ] && redis_port=6379
if ! port_open "$redis_host" "$redis_port"; then
  case "$redis_host" in
    127.0.0.1|localhost)
      echo "starting redis-server on port $redis_port" >&2
      redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no >/dev/null
      for _ in $(seq 50); do port_open 127.0.0.1 "$redis_port" && break; sleep 0.1; done ;;
    *) echo "Redis at $redis_url does not answer" >&2; exit 1 ;;
  esac
fi

if [ "${WITH_POSTGRES:-0}" = 1 ] && ! port_open 127.0.0.1 5432; then
  echo "starting PostgreSQL" >&2
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start ||
    { echo "could not start PostgreSQL; set DATABASE_URL_PG to a server you can reach" >&2; exit 1; }
  for _ in $(seq 100); do port_open 127.0.0.1 5432 && break; sleep 0.1; done
fi

# node modules: reinstall when the lockfile is newer than the installed tree.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
[ -d src/generated/sqlite ] && [ -d src/generated/postgres ] || npm run --silent prisma:generate
# npm ci builds the addon; rebuild when its sources changed since (or the toolchain came later).
addon=native/build/Release/hypertune_native.node
if [ ! -f "$addon" ] || [ -n "$(find native/src native/binding.gyp -newer "$addon" 2>/dev/null | head -1)" ]; then
  npm run --silent build:native
fi
