#!/usr/bin/env bash
# Start-up time and resident memory of `npm start` (all apps, the worker, the embedded PostgreSQL).
# Usage: bash bench/startup.sh   (run from the repository root; uses a throwaway DATA_DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
data_dir="$(mktemp -d)"
chmod 755 "$data_dir"
trap 'rm -rf "$data_dir"' EXIT

measure() {
  local label="$1" log
  log="$(mktemp)"
  local started; started=$(date +%s%N)
  DATA_DIR="$data_dir/data" LOG_LEVEL=warn node dist/apps/launcher/src/main.js >"$log" 2>&1 &
  local launcher=$!
  until grep -q 'ready in' "$log"; do sleep 0.05; done
  local ready; ready=$(date +%s%N)
  sleep 2
  local node_kb; node_kb=$(ps -o rss= --ppid "$launcher" --pid "$launcher" | awk '{s+=$1} END {print s}')
  local pg_kb; pg_kb=$(ps -o rss= -p "$(pgrep -d, -f "$data_dir/data/postgres")" | awk '{s+=$1} END {print s}')
  printf '%-5s launcher → every app live: %5.1f s   node RSS (launcher + 3 apps): %4d MiB   embedded PostgreSQL RSS: %3d MiB\n' \
    "$label" "$(echo "($ready - $started) / 1000000000" | bc -l)" $((node_kb / 1024)) $((pg_kb / 1024))
  kill -TERM "$launcher"
  wait "$launcher" || true
  rm -f "$log"
}

npm run --silent build
started=$(date +%s%N); npm run --silent build
printf 'npm start first rebuilds incrementally: %.1f s when nothing changed\n' "$(echo "($(date +%s%N) - $started) / 1000000000" | bc -l)"
measure cold   # initdb + first migrations
measure warm
measure warm
