#!/usr/bin/env bash
# Series and bytes per scrape of the monitor's real /metrics for GPT-2 small, Llama 2 7B and 70B
# shapes on 1 and 64 ranks, from synthetic reports with every series present
# (io.specwatch.bench.ScrapeSizing; about 30 s). Build first: mvn -B package -DskipTests
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jar=$(ls agent/target/specwatch-agent-*.jar | grep -v -e sources -e tests | head -n 1)
exec java ${JAVA_OPTS:--Xmx4g} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$jar:agent/target/lib/*:agent/target/cli-lib/*" io.specwatch.bench.ScrapeSizing
