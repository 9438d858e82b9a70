#!/usr/bin/env bash
# Compares `moment build` with `mdbook build` and `hugo` on the same Markdown pages.
#
#   scripts/bench-build.sh                 # 1,000 and 10,000 module pages
#   PAGES="1000" scripts/bench-build.sh    # only 1,000
#
# For each size, scripts/gen-synthetic.py writes N moments x M modules of plain Swedish
# Markdown as a moments repository, as an mdBook and as a Hugo site (the same module
# Markdown in all three). hyperfine times the three builds side by side, and GNU time
# gives each one's peak memory (maximum resident set size). mdbook and hugo come from
# the usual places: `cargo install mdbook --locked` and Debian's `hugo` package; the
# script installs hyperfine, hugo and time with apt-get when it can.
#
# Note that `moment build` does more than the others: it checks every file against the
# schemas and rules first, and writes a manifest with SHA-256 digests and a
# reproducible .tar.gz archive per moment besides the HTML pages.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pages="${PAGES:-1000 10000}"
runs="${RUNS:-5}"
die() { printf 'bench-build.sh: %s\n' "$*" >&2; exit 1; }

need_apt=()
for tool in hyperfine hugo; do command -v "$tool" >/dev/null || need_apt+=("$tool"); done
[ -x /usr/bin/time ] || need_apt+=(time)
if [ "${#need_apt[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing: ${need_apt[*]} (apt-get install -y ${need_apt[*]})"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null; }
fi
command -v mdbook >/dev/null || cargo install mdbook --locked --quiet

(cd "$root" && cargo build --release --quiet --bin moment)
moment="$root/target/release/moment"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

peak() { # peak RSS in MiB of a command
  /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n 1 | awk '{printf "%.0f", $1/1024}'
}

printf '%s\n' "moment $("$moment" --version | cut -d' ' -f2), $(mdbook --version), $(hugo version | cut -d' ' -f1-2)"
for n in $pages; do
  modules=10
  moments=$((n / modules))
  repo="$work/repo-$n"; book="$work/book-$n"
  python3 "$root/scripts/gen-synthetic.py" "$repo" --moments "$moments" --modules "$modules" --plain-md "$book" --force >/dev/null
  "$moment" check "$repo" >/dev/null || die "moment check is not clean on the synthetic repository"
  echo
  echo "== $n module pages ($moments moments x $modules modules)"
  hyperfine --warmup 1 --runs "$runs" --export-json "$work/result-$n.json" \
    --prepare "rm -rf $work/out-moment $book/book $work/out-hugo" \
    -n moment "$moment build --path $repo --out $work/out-moment" \
    -n mdbook "mdbook build $book" \
    -n hugo "hugo --quiet -s $book-hugo -d $work/out-hugo"
  python3 - "$work/result-$n.json" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
m = results["moment"]["median"]
for name in ("mdbook", "hugo"):
    print(f"  moment is {results[name]['median'] / m:.2f}x faster than {name} (median {m*1000:.0f} ms vs {results[name]['median']*1000:.0f} ms)")
PY
  rm -rf "$work/out-moment" "$book/book" "$work/out-hugo"
  echo "  peak memory: moment $(peak "$moment" build --path "$repo" --out "$work/out-moment") MiB," \
    "mdbook $(peak mdbook build "$book") MiB, hugo $(peak hugo --quiet -s "$book-hugo" -d "$work/out-hugo") MiB"
done
