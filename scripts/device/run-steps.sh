# Sourced by scripts/device/run.sh: how each step is run, boxed and recorded.
# Needs OUT, DEADLINE and STEPS set.

json_str() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\n'/ }; printf '"%s"' "$s"; }

# note NN NAME STATUS SECONDS EXIT REASON: one line of $STEPS, read by summary.mjs.
note() {
  printf '{"nn":"%s","step":"%s","status":"%s","seconds":%s,"exit":%s,"reason":%s,"log":"%s"}\n' \
    "$1" "$2" "$3" "$4" "$5" "$(json_str "$6")" "$1-$2.log" >>"$STEPS"
  echo "== $1 $2: $3 in ${4}s${6:+ ($6)}"
}

# skip NN NAME REASON: the step is not run; its log says why.
skip() {
  echo "$3" >"$OUT/$1-$2.log"
  note "$1" "$2" skipped 0 null "$3"
}

# record NN NAME BOX CMD...: runs CMD under `timeout`, which signals its whole process group (the
# service and trial processes a benchmark starts go with it), within BOX seconds and the run's deadline.
record() {
  local nn=$1 name=$2 box=$3
  shift 3
  local log="$OUT/$nn-$name.log" left
  left=$((DEADLINE - $(date +%s) - 10))
  if [ "$left" -lt 15 ]; then skip "$nn" "$name" "out of time: ${left}s left before the run's deadline"; return; fi
  [ "$box" -gt "$left" ] && box=$left
  echo "\$ $* (time box ${box}s)" >"$log"
  local t0=$SECONDS rc
  timeout -k 10 "$box" "$@" >>"$log" 2>&1
  rc=$?
  local took=$((SECONDS - t0)) status=ok reason=
  case $rc in
    0) ;;
    124|137) status=timeout; reason="stopped at its ${box}s box" ;;
    *) status=failed; reason="exit $rc: $(tail -n 3 "$log" | tr '\n' ' ' | cut -c1-300)" ;;
  esac
  note "$nn" "$name" "$status" "$took" "$rc" "$reason"
}

# record_here NN NAME FUNCTION: a step that must change this shell (PATH, exported variables), so
# it runs unboxed here; only bounded work (tar, gzip) goes in one.
record_here() {
  local nn=$1 name=$2 fn=$3 log="$OUT/$1-$2.log" t0=$SECONDS rc
  "$fn" >"$log" 2>&1
  rc=$?
  if [ $rc = 0 ]; then note "$nn" "$name" ok $((SECONDS - t0)) 0 ""
  else note "$nn" "$name" failed $((SECONDS - t0)) $rc "$(tail -n 2 "$log" | tr '\n' ' ')"; fi
  return $rc
}
