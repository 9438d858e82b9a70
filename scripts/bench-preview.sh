#!/usr/bin/env bash
# Reload latency of `moment preview`: 50 edits of a generated 100-module moment,
# timed until (a) the reload event arrives and (b) the page serves the change.
# Prints median and 95th percentile in ms; the goal is a median under 100 ms.
#
#   scripts/bench-preview.sh [--synthetic] [--runs N] [--modules N] [--strict]
#
# --synthetic  measure a 1,000-page repository from scripts/gen-synthetic.py
#              (10 moments of 100 modules), editing the modules of one moment
# --strict     exit 1 when the goal is missed
#
# The measurement program is benches/preview_latency.rs. It runs through
# `cargo bench` once that bench is registered in Cargo.toml (harness = false),
# and is built with rustc otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

args=()
synthetic=""
for arg in "$@"; do
    if [ "$arg" = "--synthetic" ]; then synthetic=1; else args+=("$arg"); fi
done
if [ -n "$synthetic" ]; then
    repo="$(mktemp -d)"
    trap 'rm -rf "$repo"' EXIT
    python3 scripts/gen-synthetic.py "$repo" --moments 10 --modules 100 >/dev/null
    args+=(--repo "$repo" --moment syn-0001)
fi

if grep -q '^name = "preview_latency"' Cargo.toml; then
    cargo bench --bench preview_latency -- ${args[@]+"${args[@]}"}
    exit
fi

cargo build --release --bin moment
target_dir="${CARGO_TARGET_DIR:-target}"
harness="$target_dir/release/preview-latency"
rustc --edition 2024 -O -o "$harness" benches/preview_latency.rs
MOMENT_BIN="$target_dir/release/moment" "$harness" ${args[@]+"${args[@]}"}
