#!/usr/bin/env bash
# Times `moment check` on a synthetic 500-module repository with hyperfine.
#
#   scripts/bench.sh                     # 50 moments x 10 modules
#   MOMENTS=100 MODULES=10 scripts/bench.sh
#
# Builds the release binary, generates the repository with scripts/gen-synthetic.py
# into a temporary folder, makes sure `moment check` finds nothing at all there (and
# fails loudly otherwise), then runs hyperfine (warm-up 3, 20 runs) on all cores and,
# when taskset exists, pinned to one core. hyperfine comes from Debian
# (`apt-get install -y hyperfine`); the script installs it when it can.
#
# Settings: MOMENTS (50), MODULES (10), RUNS (20), WARMUP (3), SEED (1),
# KEEP=1 keeps the generated repository and the JSON results.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
moments="${MOMENTS:-50}"
modules="${MODULES:-10}"
runs="${RUNS:-20}"
warmup="${WARMUP:-3}"
seed="${SEED:-1}"

die() { printf 'bench.sh: %s\n' "$*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 is needed to generate the repository"
if ! command -v hyperfine >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing hyperfine from Debian…" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null ||
      { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null; } ||
      die "could not install hyperfine"
  else
    die "hyperfine is missing: apt-get install -y hyperfine (or cargo install hyperfine)"
  fi
fi

echo "== building the release binary" >&2
(cd "$root" && cargo build --release --quiet --bin moment)
bin="$root/target/release/moment"
[ -x "$bin" ] || die "no binary at $bin"

work="$(mktemp -d)"
if [ "${KEEP:-0}" = 1 ]; then
  echo "keeping $work" >&2
else
  trap 'rm -rf "$work"' EXIT
fi
repo="$work/repo"

echo "== generating $moments moments x $modules modules" >&2
python3 "$root/scripts/gen-synthetic.py" "$repo" --moments "$moments" --modules "$modules" --seed "$seed"
count="$(find "$repo/moments" -path '*/modules/*.md' | wc -l)"

echo "== checking that the synthetic repository is clean" >&2
set +e
"$bin" check "$repo" --format json >"$work/check.json"
code=$?
set -e
if [ "$code" -ne 0 ] || ! grep -q '"errors": 0' "$work/check.json" || ! grep -q '"warnings": 0' "$work/check.json"; then
  "$bin" check "$repo" | tail -n 40 >&2 || true
  die "moment check is not clean on the synthetic repository (exit $code): see above"
fi

cores="$(nproc 2>/dev/null || echo '?')"
echo "== hyperfine: moment check, $count modules, all cores ($cores)" >&2
hyperfine --warmup "$warmup" --runs "$runs" --style basic \
  --export-json "$work/all-cores.json" \
  -n "moment check ($count modules, $cores cores)" "$bin check $repo"

if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then
  echo "== hyperfine: moment check, $count modules, one core (taskset -c 0)" >&2
  hyperfine --warmup "$warmup" --runs "$runs" --style basic \
    --export-json "$work/one-core.json" \
    -n "moment check ($count modules, 1 core)" "taskset -c 0 $bin check $repo"
else
  echo "(taskset is not available: no single-core run)" >&2
fi

echo
echo "== summary"
python3 - "$count" "$work"/*.json <<'PY'
import json, statistics, sys
count = int(sys.argv[1])
for path in sys.argv[2:]:
    if path.endswith("check.json"):
        continue
    for r in json.load(open(path))["results"]:
        times = r["times"]
        median = statistics.median(times)
        print(f"{r['command']}: median {median * 1000:.1f} ms, mean {r['mean'] * 1000:.1f} ± "
              f"{r['stddev'] * 1000:.1f} ms, min {min(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms, "
              f"{count / median:.0f} modules/s")
PY
