#!/usr/bin/env bash
# Builds, on a machine with a JDK and Maven, what bench/gpu-check.sh needs on the GPU machine,
# which has neither (and no network): target/gpu-check/ with
#   jre/  a Java runtime made by jlink (java.base, java.logging, jdk.unsupported), about 34 MB
#   lib/  the collectors jar, JNA, Jackson, SLF4J: the GPU path's whole classpath, no ND4J
# At most 64 MiB travel to the GPU machine, the working tree included: this script fails above that.
# Then it runs the harness from that folder once (no GPU here: it must say so and exit 3), which
# proves the runtime has every module and the classpath every class the GPU path loads.
#
#   bench/gpu-check-pack.sh          then carry target/gpu-check to the GPU machine
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out=target/gpu-check
limit=$((64 * 1024 * 1024))

mvn -B -q -o -pl collectors package -DskipTests
rm -rf "$out"
mkdir -p "$out/lib"
cp "$(ls collectors/target/specwatch-collectors-*.jar | grep -v -e tests -e sources | head -n 1)" "$out/lib/"
mvn -B -q -o -pl collectors dependency:copy-dependencies -DoutputDirectory="$root/$out/lib" \
  -DincludeArtifactIds=jna,jackson-databind,jackson-core,jackson-annotations,slf4j-api,slf4j-simple
if ls "$out/lib" | grep -q -i -e nd4j -e bytedeco -e openblas -e javacpp; then
  echo "gpu-check-pack: an ND4J/JavaCPP jar slipped into $out/lib" >&2
  exit 1
fi
jlink --add-modules java.base,java.logging,jdk.unsupported --strip-debug --no-header-files --no-man-pages \
  --compress=2 --output "$out/jre"

# self-test on this machine: discovery, JSON, the parity files and metrics, without a GPU
selftest="$(mktemp -d)"
trap 'rm -rf "$selftest"' EXIT
py="${PYTHON:-$root/.venv/bin/python}"
[[ -x "$py" ]] || py=python3
"$py" bench/gpu_check.py prepare --small --device cpu --dir "$selftest/work" --out "$selftest/prepare.json" >/dev/null
set +e
SPECWATCH_CUDA_LIBS="$selftest/none" "$out/jre/bin/java" -Djna.tmpdir="$selftest" -Dspecwatch.cuda.systemSearch=false \
  -cp "$out/lib/*" io.specwatch.bench.GpuCheck parity --dir "$selftest/work" --out "$selftest/parity.json" 2>"$selftest/err.txt"
status=$?
set -e
if [[ $status -ne 3 ]] || ! grep -q '"status" : "no-gpu"' "$selftest/parity.json" || ! grep -q '"reference_only"' "$selftest/parity.json"; then
  echo "gpu-check-pack: self-test failed (exit $status, expected 3 and a no-gpu result with the reference metrics):" >&2
  cat "$selftest/err.txt" "$selftest/parity.json" >&2
  exit 1
fi

packed=$(du -sb "$out" | cut -f1)
tree=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -n 1 | cut -f1)
total=$((packed + tree))
printf 'gpu-check-pack: %s: %.1f MiB (jre %.1f MiB, lib %.1f MiB); with the working tree (%.1f MiB): %.1f MiB of the 64 MiB a call carries\n' \
  "$out" "$(echo "$packed / 1048576" | bc -l)" "$(echo "$(du -sb "$out/jre" | cut -f1) / 1048576" | bc -l)" \
  "$(echo "$(du -sb "$out/lib" | cut -f1) / 1048576" | bc -l)" "$(echo "$tree / 1048576" | bc -l)" "$(echo "$total / 1048576" | bc -l)"
echo "gpu-check-pack: self-test passed: $(sed -n 's/.*"reason" : "\(.*\)".*/\1/p' "$selftest/parity.json" | head -n 1)"
if (( total > limit )); then
  echo "gpu-check-pack: over the 64 MiB limit" >&2
  exit 1
fi
