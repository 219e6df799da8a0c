#!/usr/bin/env bash
# The mlp demo's training time with and without 2000 concurrent scrapes of its /metrics, alternating
# RUNS times, and the scrapes' latencies. Loopback only. Build first: mvn -B -q package -DskipTests
#   bench/scrape-load.sh [RUNS] [STEPS]
# LOAD_NICE=19 runs the load generator at that nice value, as if the flood came from another
# machine (on two cores it otherwise takes the core the job's JIT and GC use); SERVER_ARGS adds
# flags to the loaded job, e.g. SERVER_ARGS="--http-cpu off" for the server without its CPU budget.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${1:-3}; steps=${2:-2000}
port=9619
load_nice=${LOAD_NICE:-0}
read -r -a server_args <<< "${SERVER_ARGS:-}"
for i in $(seq "$runs"); do
  quiet=$(bin/specwatch-example mlp --steps "$steps" --port "$port" 2>/dev/null | tail -n 1)
  echo "quiet  $(echo "$quiet" | python3 -c 'import json,sys; print(json.load(sys.stdin)["train_seconds"])')"
  rm -f /tmp/scrape-load.stop
  bin/specwatch-example mlp --steps "$steps" --port "$port" --linger 10 "${server_args[@]}" > /tmp/scrape-load.out 2> /tmp/scrape-load.err &
  job=$!
  # the load starts as soon as the server listens (training starts right after) and stops when
  # training is done, while the server still serves: a server that exits under load resets the
  # connections waiting in its listen backlog, which is not what this measures
  until curl -s -o /dev/null "http://127.0.0.1:$port/-/healthy"; do sleep 0.05; done
  nice -n "$load_nice" python3 bench/scrape-load.py "$port" --concurrency 2000 --seconds 600 --stop-file /tmp/scrape-load.stop > /tmp/scrape-load.json &
  load=$!
  until grep -q "training done" /tmp/scrape-load.err || ! kill -0 "$job" 2>/dev/null; do sleep 0.05; done
  touch /tmp/scrape-load.stop
  wait "$load" || true
  kill "$job" 2>/dev/null || true
  wait "$job" || true
  echo "loaded $(tail -n 1 /tmp/scrape-load.out | python3 -c 'import json,sys; print(json.load(sys.stdin)["train_seconds"])')  scrapes $(cat /tmp/scrape-load.json)"
done
