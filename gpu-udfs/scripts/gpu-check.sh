#!/usr/bin/env bash
# Runs SparkRec's array UDFs under the RAPIDS Accelerator on this machine's NVIDIA GPU and checks them against the
# CPU, in one Spark session (dev.sparkrec.gpu.GpuCheck):
#   - the GPU twins are the ones registered, and every plan node evaluating them is a GPU node (the plan, and the
#     plugin's spark.rapids.sql.explain=ALL lines for each sparkrec_ UDF);
#   - GPU and CPU results agree row by row (spark.rapids.sql.enabled toggled), edge rows included;
#   - arrays of different lengths fail on the GPU with SparkRec's message;
#   - the GPU/CPU time ratio of the four functions over ROWS rows of DIM-float vectors read from Parquet.
#
#   gpu-udfs/scripts/gpu-check.sh [ROWS [DIM]]          defaults: 10000000 64
#
# Needs an NVIDIA GPU with its driver (nvidia-smi) and Java 17. Without SPARKREC_GPU_CHECK_BUNDLE it needs Maven too and
# builds the bundle first with gpu-check-bundle.sh (which fetches the RAPIDS jar, ~600 MB, unless RAPIDS_JAR names a
# local copy); with SPARKREC_GPU_CHECK_BUNDLE naming a folder that gpu-check-bundle.sh wrote (on another machine,
# say), it runs from that folder alone. Environment: SPARKREC_GPU_CHECK_BUNDLE, RAPIDS_JAR, MAVEN_REPO_LOCAL,
# SPARKREC_GPU_CHECK_DIR (scratch folder; default a new folder under /tmp), SPARKREC_GPU_CHECK_HEAP (driver heap,
# default 24g). Exits 0 when every check passed, 1 when one failed, 2 when there is no GPU.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rows=${1:-10000000}
dim=${2:-64}
work=${SPARKREC_GPU_CHECK_DIR:-$(mktemp -d /tmp/sparkrec-gpu-check.XXXXXX)}
mkdir -p "$work"
log="$work/gpu-check.log"

fail() {
  echo "gpu-check: FAIL: $*" >&2
  exit 1
}

if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu-check: no NVIDIA GPU here (nvidia-smi -L failed); nothing was run." >&2
  exit 2
fi
nvidia-smi -L

# 1. The jars: SparkRec's with their classpath, and the RAPIDS Accelerator's.
bundle=${SPARKREC_GPU_CHECK_BUNDLE:-}
if [ -z "$bundle" ]; then
  bundle="$work/bundle"
  "$root/gpu-udfs/scripts/gpu-check-bundle.sh" "$bundle"
fi
rapids_jar=$(ls "$bundle"/rapids-4-spark_2.12-*.jar 2>/dev/null | head -1)
[ -n "$rapids_jar" ] || fail "no RAPIDS jar in $bundle (run gpu-check-bundle.sh)"
gpu_jar=$(ls "$bundle"/lib/gpu-udfs-*.jar 2>/dev/null | head -1)
[ -n "$gpu_jar" ] || fail "no gpu-udfs jar in $bundle/lib (run gpu-check-bundle.sh)"
classpath=$(ls "$bundle"/lib/*.jar | tr '\n' ':')

# 2. The job, with the plugin on: Spark's Java 17 options, everything on the application classpath.
read -r -a opens < "$bundle/java17-opens.txt"
java_cmd=${JAVA_HOME:+$JAVA_HOME/bin/}java
set +e
"$java_cmd" "${opens[@]}" -Xmx"${SPARKREC_GPU_CHECK_HEAP:-24g}" \
  -cp "$classpath$rapids_jar" \
  org.apache.spark.deploy.SparkSubmit \
  --master 'local[*]' \
  --conf spark.plugins=com.nvidia.spark.SQLPlugin \
  --conf spark.rapids.sql.enabled=true \
  --conf spark.rapids.sql.explain=ALL \
  --conf spark.rapids.sql.rowBasedUDF.enabled=false \
  --conf spark.rapids.sql.concurrentGpuTasks=2 \
  --conf spark.rapids.memory.pinnedPool.size=2g \
  --conf spark.sql.files.maxPartitionBytes=512m \
  --conf spark.ui.enabled=false \
  --class dev.sparkrec.gpu.GpuCheck \
  "$gpu_jar" "$work/data" "$rows" "$dim" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 0 ] || fail "the Spark job exited with $status (log: $log)"
grep -q '^GPU-CHECK PASS' "$log" || fail "the job did not print GPU-CHECK PASS (log: $log)"

# 3. The plugin's own account: every SparkRec UDF it planned runs on the GPU.
grep -E '<ScalaUDF> sparkrec_' "$log" | sed 's/^[[:space:]]*//' | sort -u > "$work/udf-explain.txt" || true
[ -s "$work/udf-explain.txt" ] || fail "spark.rapids.sql.explain=ALL named no SparkRec UDF (log: $log)"
if grep -v -E '^\*Expression <ScalaUDF> sparkrec_.* will run on GPU' "$work/udf-explain.txt"; then
  fail "the lines above show a SparkRec UDF that does not run on the GPU"
fi

echo "gpu-check: the plugin's explain lines for SparkRec's UDFs:"
sed 's/^/  /' "$work/udf-explain.txt"
echo "gpu-check: summary"
grep '^gpu-check: ' "$log" | grep -v 'executed plan'
echo "gpu-check: PASS"
