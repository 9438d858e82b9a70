#!/usr/bin/env bash
# Compares `moment build` with `hugo` (and `mdbook build` with MDBOOK=1) on the same
# Markdown pages, then measures an incremental build.
#
#   scripts/bench-build.sh                 # 1,000 and 10,000 module pages
#   PAGES="10000" RUNS=3 scripts/bench-build.sh
#
# For each size, scripts/gen-synthetic.py writes N moments x 10 modules of plain
# Swedish Markdown as a moments repository, as an mdBook and as a Hugo site (the same
# module Markdown in all of them). Then:
#
# - cold builds, alternating: moment, hugo, (mdbook), moment, hugo, ... each into a
#   new output folder, so that machine load hits both alike. GNU time gives
#   each run's wall time and peak memory (maximum resident set size); the script prints
#   the medians and the ratio moment/hugo (the target is at most 0.5);
# - an incremental build: one line appended to one module of one moment, `moment build`
#   again into the same output folder, its time against the cold median (target under
#   0.1), and a byte-for-byte comparison of that output with a clean build's.
#
# No output is removed until a size is done: on ext4 without a journal (the 2-core
# machines we measure on), creating a file right after many were deleted scans past
# every recently deleted inode (the kernel's `recently_deleted`), which made a build
# after `rm -rf` of the last one two to three times slower for either tool, and for
# the one that creates more files the most. A CI job or a designer's first build
# starts from a fresh clone, not from a deletion. `DELETE_FIRST=1` measures the other
# way: each cold run's output folder is the previous run's, removed first.
#
# hugo comes from Debian's `hugo` package; the script installs hugo and time with
# apt-get when it can. Note that `moment build` does more than the others: it checks
# every file against the schemas and rules first, and writes a manifest with SHA-256
# digests and a reproducible .tar.gz archive per moment besides the HTML pages.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pages="${PAGES:-1000 10000}"
runs="${RUNS:-5}"
die() { printf 'bench-build.sh: %s\n' "$*" >&2; exit 1; }

need_apt=()
command -v hugo >/dev/null || need_apt+=(hugo)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ "${#need_apt[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing: ${need_apt[*]} (apt-get install -y ${need_apt[*]})"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null; }
fi

# MOMENT_BIN=path measures that binary instead of building target/release/moment.
if [ -z "${MOMENT_BIN:-}" ]; then (cd "$root" && cargo build --release --quiet --bin moment); fi
moment="${MOMENT_BIN:-$root/target/release/moment}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1700000000

# One run: prints "<wall seconds> <peak MiB>".
measure() {
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>&1 || die "failed: $*"
  awk '{printf "%s %.0f\n", $1, $2/1024}' "$work/time"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

tools="moment hugo"
# mdbook takes minutes on 10,000 pages: only with MDBOOK=1.
[ -n "${MDBOOK:-}" ] && command -v mdbook >/dev/null && tools="$tools mdbook"
printf '%s\n' "moment $("$moment" --version | cut -d' ' -f2), $(hugo version | cut -d' ' -f1-2)$(command -v mdbook >/dev/null && printf ', %s' "$(mdbook --version)")"
for n in $pages; do
  modules=10
  moments=$((n / modules))
  repo="$work/repo-$n"; book="$work/book-$n"
  python3 "$root/scripts/gen-synthetic.py" "$repo" --moments "$moments" --modules "$modules" --plain-md "$book" --force >/dev/null
  "$moment" check "$repo" >/dev/null || die "moment check is not clean on the synthetic repository"
  echo
  echo "== $n module pages ($moments moments x $modules modules), $runs alternating runs, load $(cut -d' ' -f1-3 /proc/loadavg)"
  : >"$work/runs"
  for i in $(seq "$runs"); do
    for tool in $tools; do
      out="$work/out-$n-$tool-$i"
      if [ -n "${DELETE_FIRST:-}" ]; then
        out="$work/out-$n-$tool"
        rm -rf "$out" "$book/book"
      fi
      # Untimed: the previous run's writes reach the disk first. moment's syncfs
      # (before it switches builds) flushes the whole file system, and would
      # otherwise also wait for the pages of the run before, whichever tool wrote them.
      sync
      case "$tool" in
        moment) r="$(measure "$moment" build --path "$repo" --out "$out")" ;;
        hugo) r="$(measure hugo --quiet -s "$book-hugo" -d "$out")" ;;
        mdbook) r="$(measure mdbook build "$book" --dest-dir "$out")" ;;
      esac
      echo "$tool $r" >>"$work/runs"
      echo "  run $i $tool: ${r% *} s, ${r#* } MiB"
    done
  done
  for tool in $tools; do
    t="$(awk -v t="$tool" '$1 == t {print $2}' "$work/runs" | median)"
    m="$(awk -v t="$tool" '$1 == t {print $3}' "$work/runs" | sort -n | tail -n 1)"
    echo "  $tool: median $t s, peak memory $m MiB"
    eval "median_$tool=$t"
  done
  # shellcheck disable=SC2154
  awk -v m="$median_moment" -v h="$median_hugo" 'BEGIN {printf "  cold ratio moment/hugo: %.2f (target <= 0.5)\n", m / h}'

  # Incremental: into the output of the first cold run of moment, change one module.
  incremental="$work/out-$n-moment-1"
  [ -n "${DELETE_FIRST:-}" ] && incremental="$work/out-$n-moment"
  module="$(find "$repo/moments" -path '*/modules/*.md' | sort | sed -n "$((moments / 2 * modules + 3))p")"
  printf '\nEn rad till, för mätningen.\n' >>"$module"
  sync
  r="$(measure "$moment" build --path "$repo" --out "$incremental")"
  echo "  incremental (one module of one moment changed): ${r% *} s, ${r#* } MiB"
  awk -v i="${r% *}" -v m="$median_moment" 'BEGIN {printf "  incremental ratio: %.3f of the cold median (target < 0.1)\n", i / m}'
  "$moment" build --path "$repo" --out "$work/out-$n-clean" >/dev/null 2>&1 || die "clean build failed"
  if diff -r "$incremental" "$work/out-$n-clean" -x .lock -x .builds -x .current -x .cache >/dev/null; then
    echo "  incremental output is byte-identical to a clean build's"
  else
    die "incremental output differs from a clean build's"
  fi
  rm -rf "$work"/out-"$n"-* "$book/book"
done
