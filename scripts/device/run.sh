#!/usr/bin/env bash
# The GPU device run of issue 12, as one command there: `bash scripts/device/run.sh` (carry
# device-pack). Unpacks device-pack/hypertune-device.tar.xz (npm run device:pack), puts its node
# on PATH, points the build at the CUDA libraries of the image's PyTorch wheels, then runs each
# step under its own time box so the whole stays under 9 minutes (the tool stops a command at 10):
#   01 build     node scripts/build-cuda.mjs --strict
#   02 test      vitest run test/training/cuda
#   03 train     bench:train for cuda, webgpu and PyTorch CUDA at batch 32, 128, 512, 2048
#   04 sweep     bench:gpu-concurrency: 1, 2, 4, 8 trial processes on the card
#   05 notebook  bench:notebook: the notebook's whole search through the API (SQLite, packed Redis)
# Each step logs to $OUT/NN-step.log; $OUT/summary.json says each step's status, seconds and key
# figures. A step whose code is not written yet is reported "not built yet" and skipped.
# --dry-run: the same steps on this CPU machine, the GPU-only parts skipped with the reason and the
# rest made tiny (wasm backend, 2,000 images), so the script is tested end to end here.
# No npm travels: `npm run X` is run as the command package.json gives for X.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
DRY=0
PACK=device-pack/hypertune-device.tar.xz
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY=1 ;;
    --pack) PACK=$2; shift ;;
    *) echo "usage: bash scripts/device/run.sh [--dry-run] [--pack FILE]" >&2; exit 2 ;;
  esac
  shift
done
OUT=${OUT:-$ROOT/device-out}
RUN=$ROOT/.device-run
mkdir -p "$OUT" "$RUN"
START=$(date +%s)
# 530 s leaves the tool's 10-minute limit a margin for the transfers and a slow unpack.
DEADLINE=$((START + ${DEVICE_DEADLINE_S:-$([ $DRY = 1 ] && echo 1500 || echo 530)}))
STEPS=$RUN/steps.jsonl
: > "$STEPS"
source scripts/device/run-steps.sh

# --- 00 setup: unpack, node, data, Redis, CUDA libraries --------------------------------------
setup() {
  [ -f "$PACK" ] || { echo "$PACK not found: run npm run device:pack here and carry device-pack"; return 1; }
  # node_modules goes to the root (where Node resolves it from the tree's files); refuse to
  # replace one that no pack put there (a developer's own install).
  if [ -e node_modules ] && [ ! -f node_modules/.device-pack ]; then
    echo "node_modules exists and is not from a device pack: run this in a copy of the tree (the device's is one)"; return 1
  fi
  rm -rf "$RUN/pack" node_modules
  mkdir -p "$RUN/pack"
  tar -xf "$PACK" -C "$RUN/pack" || return 1
  mv "$RUN/pack/node_modules" node_modules && touch node_modules/.device-pack
  mkdir -p src/generated && cp -r "$RUN/pack/src/generated/." src/generated/
  export PATH="$RUN/pack/node/bin:$PATH"
  echo "node $(node --version) from the pack ($(node -p 'require("./.device-run/pack/MANIFEST.json").commit' 2>/dev/null))"
  # The service and PyTorch read the .gz names; the pack holds the raw files (xz packs them tighter).
  export DATASET_DIR="$RUN/pack/fashion-mnist"
  for f in "$DATASET_DIR"/*-ubyte; do gzip -1 -f "$f" || return 1; done
  ls -la "$DATASET_DIR"
  # Redis for BullMQ, on its own port (a machine's own Redis and its data stay untouched).
  export REDIS_URL=redis://127.0.0.1:6399
  local missing
  missing=$(LD_LIBRARY_PATH="$RUN/pack/redis/lib" ldd "$RUN/pack/redis/bin/redis-server" | grep 'not found')
  [ -z "$missing" ] || echo "redis-server lacks libraries here: $missing"
  LD_LIBRARY_PATH="$RUN/pack/redis/lib" "$RUN/pack/redis/bin/redis-server" --port 6399 --bind 127.0.0.1 --save '' --appendonly no >"$RUN/redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/6399) 2>/dev/null && break; sleep 0.1; done
  (exec 3<>/dev/tcp/127.0.0.1/6399) 2>/dev/null && echo "redis-server up on 6399" || { echo "redis-server did not start:"; cat "$RUN/redis.log"; }
  # cuBLAS, cuDNN and the runtime from the image's PyTorch wheels (site-packages/nvidia/*/lib).
  local wheels
  wheels=$(ls -d /opt/torch/.venv/lib/python3*/site-packages/nvidia 2>/dev/null | head -1)
  if [ -n "$wheels" ]; then
    export CUDA_WHEELS_DIR=$wheels
    for lib in "$wheels"/*/lib; do LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; done
    export LD_LIBRARY_PATH
    echo "CUDA wheels: $wheels ($(ls "$wheels" | tr '\n' ' '))"
  else
    echo "no nvidia wheels under /opt/torch/.venv"
  fi
  # Dawn's Vulkan: the packed loaders, and NVIDIA's driver files as the device README gives them.
  if [ -d "$RUN/pack/gl/lib" ] && [ $DRY = 0 ]; then
    export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$RUN/pack/gl/lib"
    local icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
    [ -f $icd ] && export VK_DRIVER_FILES=$icd
    [ -f $egl ] && export __EGL_VENDOR_LIBRARY_FILENAMES=$egl
    echo "webgpu: loaders from the pack, VK_DRIVER_FILES=${VK_DRIVER_FILES:-none}"
  fi
  # The image's python3 holds PyTorch; bench/train.ts finds one itself elsewhere.
  if [ -x /opt/torch/.venv/bin/python3 ]; then PYTHON_ARGS=(--python /opt/torch/.venv/bin/python3); fi
  echo "python for PyTorch: ${PYTHON_ARGS[*]:-bench/train.ts finds one}"
  command -v nvcc >/dev/null && nvcc --version | tail -2
  if command -v nvidia-smi >/dev/null; then nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; else echo "no nvidia-smi: no GPU here"; fi
}
REDIS_PID=
PYTHON_ARGS=()
trap '[ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null' EXIT
if ! record_here 00 setup setup; then
  cat "$OUT/00-setup.log"
  node scripts/device/summary.mjs "$STEPS" "$OUT" "$START" "setup failed" 2>/dev/null
  exit 1
fi

# Whether a GPU and the cuda backend are here; the reason is each skipped GPU part's.
GPU_WHY=
if [ $DRY = 1 ]; then GPU_WHY="dry run"
elif ! command -v nvidia-smi >/dev/null || ! nvidia-smi -L >/dev/null 2>&1; then GPU_WHY="no GPU visible (nvidia-smi)"; fi
CUDA_WHY=
grep -q "'cuda'" src/training/backend-names.ts || CUDA_WHY="not built yet: no backend named cuda in src/training/backend-names.ts"

# --- 01 build --------------------------------------------------------------------------------
if [ ! -f scripts/build-cuda.mjs ]; then skip 01 build "not built yet: scripts/build-cuda.mjs does not exist"
elif [ $DRY = 1 ]; then record 01 build 300 node scripts/build-cuda.mjs   # no cuBLAS/cuDNN here: one line, exit 0
else record 01 build 150 node scripts/build-cuda.mjs --strict; fi

# --- 02 test (npx vitest run test/training/cuda) -----------------------------------------------
VITEST="node node_modules/vitest/vitest.mjs run"
if [ $DRY = 1 ]; then
  # vitest from the pack on tests that run on a CPU: this script's own.
  record 02 test 300 $VITEST test/scripts/device
elif [ ! -d test/training/cuda ]; then skip 02 test "not built yet: test/training/cuda does not exist"
else record 02 test 75 $VITEST test/training/cuda; fi

# --- 03 train (npm run bench:train) ---------------------------------------------------------------
TRAIN="node --import tsx bench/train.ts --repeats 1"
if [ $DRY = 1 ]; then
  record 03 train 300 $TRAIN --backends wasm,cuda --batches 32 --seconds 1 --pytorch cuda --pytorch-device cpu "${PYTHON_ARGS[@]}"
else
  # webgpu travels only in a pack made with --with-webgpu (scripts/device/README.md).
  BACKENDS=cuda
  if [ -d node_modules/webgpu ]; then BACKENDS=cuda,webgpu; else echo "03 train: webgpu not in the pack (npm run device:pack -- --with-webgpu)"; fi
  record 03 train 120 $TRAIN --backends $BACKENDS --batches 32,128,512,2048 --seconds 2 --pytorch cuda "${PYTHON_ARGS[@]}"
fi

# --- 04 sweep (npm run bench:gpu-concurrency) --------------------------------------------------------
SWEEP="node --import tsx bench/gpu-concurrency.ts"
if [ ! -f bench/gpu-concurrency.ts ]; then skip 04 sweep "not built yet: bench/gpu-concurrency.ts does not exist"
elif [ $DRY = 1 ]; then record 04 sweep 300 $SWEEP --backend wasm --processes 1,2 --batch 32 --seconds 1
elif [ -n "$CUDA_WHY" ]; then skip 04 sweep "$CUDA_WHY"
else record 04 sweep 85 $SWEEP --backend cuda --processes 1,2,4,8 --batch 32 --seconds 4; fi

# --- 05 notebook (npm run bench:notebook) ----------------------------------------------------------
NOTEBOOK="node --import tsx bench/notebook-search.ts"
if [ $DRY = 1 ]; then
  # One trial of one epoch on 2,000 images: the service, its queue and store, not the search.
  node -e 'const s=require("./examples/fashion-mnist-search.json"); s.dataset.limit=2000; s.budget.maxTrials=1; s.training.epochs=1; require("fs").writeFileSync(process.argv[1], JSON.stringify(s))' "$RUN/tiny-search.json"
  record 05 notebook 600 $NOTEBOOK --backend wasm --spec "$RUN/tiny-search.json"
elif [ -n "$CUDA_WHY" ]; then skip 05 notebook "$CUDA_WHY"
else record 05 notebook 240 $NOTEBOOK --backend cuda; fi

node scripts/device/summary.mjs "$STEPS" "$OUT" "$START" "${GPU_WHY:-}" || echo "summary failed"
