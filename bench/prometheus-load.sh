#!/usr/bin/env bash
# The exporter under a real Prometheus, on loopback only: one process serves the /metrics of RANKS
# simulated ranks with MATRICES matrices each (synthetic reports through the real monitors,
# binders and HTTP servers: io.specwatch.bench.ScrapeLoad), and Debian's prometheus scrapes every
# one every INTERVAL seconds for SECONDS. Prints the scrape durations Prometheus measured (medians
# over all scrapes), the samples it ingested per second, and the CPU the process spent serving.
# Bounded: SECONDS of scraping plus about half a minute to build and stop.
# Usage: bench/prometheus-load.sh [RANKS] [MATRICES] [SECONDS] [INTERVAL]      (build first: mvn -B package -DskipTests)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ranks=${1:-64}
matrices=${2:-200}
seconds=${3:-240}
interval=${4:-15}
jar=$(ls agent/target/specwatch-agent-*.jar | grep -v -e sources -e tests | head -n 1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
exec java ${JAVA_OPTS:--Xmx8g} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$jar:agent/target/lib/*:agent/target/cli-lib/*" \
  io.specwatch.bench.ScrapeLoad "$ranks" "$matrices" "$seconds" "$interval" "$work"
