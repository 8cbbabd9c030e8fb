#!/usr/bin/env bash
# The device run checked on this CPU machine, end to end (run when asked: it takes many minutes,
# most of them xz): bash scripts/device/check.sh [--reuse] [pack options, e.g. --level 0]
#  1. packs (npm run device:pack; --reuse keeps an existing device-pack/), which checks the budget;
#  2. unpacks into a temp dir and, with the packed node alone, loads tfjs (training a step on cpu),
#     fastify and the generated Prisma client over SQLite from the unpacked modules;
#  3. copies the tree as the device tool does (tracked and untracked-not-ignored files, plus
#     device-pack/) and runs `bash scripts/device/run.sh --dry-run` there, then reads its summary.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
REUSE=0
[ "${1:-}" = --reuse ] && { REUSE=1; shift; }
if [ $REUSE = 0 ] || [ ! -f device-pack/hypertune-device.tar.xz ]; then node scripts/device/pack.mjs "$@"; fi

TMP=$(mktemp -d /tmp/device-check-XXXXXX)
# Kept when a step fails, for its logs.
trap 'if [ $? = 0 ]; then rm -rf "$TMP"; else echo "logs kept in $TMP/out" >&2; fi' EXIT
echo "== unpack into $TMP/unpacked"
mkdir -p "$TMP/unpacked"
tar -xf device-pack/hypertune-device.tar.xz -C "$TMP/unpacked"
du -sh "$TMP/unpacked"/* | sed "s|$TMP/unpacked/||"
# Module resolution from the unpacked tree only: NODE_PATH unset, cwd inside it.
(cd "$TMP/unpacked" && env -u NODE_PATH ./node/bin/node -e '
  const tf = require("@tensorflow/tfjs");
  const fastify = require("fastify");
  const Database = require("better-sqlite3");
  require("@prisma/client/runtime/client");
  require("@prisma/adapter-better-sqlite3");
  require("bullmq"); require("ioredis"); require("tsx/esm/api");
  (async () => {
    await tf.setBackend("cpu");
    const m = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    m.compile({ optimizer: "adam", loss: "meanSquaredError" });
    const loss = await m.trainOnBatch(tf.ones([4, 3]), tf.zeros([4, 2]));
    const app = fastify(); app.get("/", async () => ({ ok: true }));
    const res = await app.inject("/");
    const db = new Database(":memory:");
    console.log(`node ${process.version}: tfjs ${tf.version.tfjs} trained a step (loss ${loss.toFixed(4)}), fastify answered ${res.body}, better-sqlite3 ${db.prepare("select sqlite_version() v").get().v}`);
  })().catch((e) => { console.error(e); process.exit(1); });
')

echo "== dry run in a copy of the tree"
mkdir -p "$TMP/tree"
git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} cp --parents -P {} "$TMP/tree/" 2>/dev/null || true
cp -r device-pack "$TMP/tree/device-pack"
OUT="$TMP/out" bash "$TMP/tree/scripts/device/run.sh" --dry-run
echo "== summary"
cat "$TMP/out/summary.json"
# The dry run passes when no step failed or ran out of its box (skipped ones say why).
node -e 'const s = require(process.argv[1]); const bad = s.steps.filter((x) => x.status === "failed" || x.status === "timeout"); if (bad.length) { console.error("failed:", bad.map((b) => `${b.step}: ${b.reason}`).join("; ")); process.exit(1); } console.log("dry run ok:", s.steps.map((x) => `${x.step} ${x.status}`).join(", "))' "$TMP/out/summary.json"
