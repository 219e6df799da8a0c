#!/usr/bin/env bash
# Analysis time per rank when RANKS ranks of one job split a model (work sharing split, the
# default), against one process analysing all of it: the baseline, measured in the same run
# (io.specwatch.bench.SplitBenchmark). The model: 3 blocks of 4 matrices shaped like the synthetic
# example's at width WIDTH (12 matrices), SNAPSHOTS snapshots; one JVM warmed up by an untimed
# round, each rank's monitor fed one snapshot at a time (a rank has its own cores), medians.
# Usage: bench/ranks-split.sh [REPEATS] [RANKS] [WIDTH] [SNAPSHOTS]   (build first: mvn -B package -DskipTests)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jar=$(ls agent/target/specwatch-agent-*.jar | grep -v -e sources -e tests | head -n 1)
exec java ${JAVA_OPTS:--Xmx4g} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$jar:agent/target/lib/*:agent/target/cli-lib/*" \
  io.specwatch.bench.SplitBenchmark "${1:-5}" "${2:-4}" "${3:-256}" "${4:-20}"
