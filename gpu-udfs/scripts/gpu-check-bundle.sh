#!/usr/bin/env bash
# Builds what gpu-check.sh runs into one folder, so that the check can run on a GPU host that has Java 17 but no
# Maven or network (an air-gapped GPU node): the gpu-udfs jar and its runtime classpath, the RAPIDS Accelerator jar,
# and Spark's Java 17 options.
#
#   gpu-udfs/scripts/gpu-check-bundle.sh DIR
#
# DIR/lib/*.jar              gpu-udfs, spark-estimators, Spark and their dependencies (no cuDF: the plugin carries it;
#                            no RocksDB: the check uses no state store)
# DIR/rapids-4-spark_2.12-25.04.0.jar
# DIR/java17-opens.txt       the --add-opens options of the root POM's spark.java17.opens
#
# Needs Java 17 and Maven. The RAPIDS jar (~600 MB) is fetched from Maven Central with `mvn dependency:get
# -Dtransitive=false` unless RAPIDS_JAR names a local copy (its POM names a parent that is not published, so it
# cannot be a Maven dependency). Environment: RAPIDS_JAR, MAVEN_REPO_LOCAL (default ~/.m2/repository).
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$1
rapids_version=25.04.0
version=$(sed -n '0,/<version>\(.*\)<\/version>/s::\1:p' "$root/pom.xml" | head -1 | tr -d '[:space:]')

fail() {
  echo "gpu-check-bundle: FAIL: $*" >&2
  exit 1
}

rapids_jar=${RAPIDS_JAR:-}
if [ -z "$rapids_jar" ]; then
  repo=${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}
  rapids_jar="$repo/com/nvidia/rapids-4-spark_2.12/$rapids_version/rapids-4-spark_2.12-$rapids_version.jar"
  if [ ! -f "$rapids_jar" ]; then
    echo "gpu-check-bundle: fetching rapids-4-spark_2.12:$rapids_version ..."
    mvn -B -q dependency:get -Dartifact="com.nvidia:rapids-4-spark_2.12:$rapids_version" -Dtransitive=false
  fi
fi
[ -f "$rapids_jar" ] || fail "the RAPIDS jar $rapids_jar is missing"

rm -rf "$out/lib"
mkdir -p "$out/lib"
(cd "$root" && mvn -B -q -DskipTests install -pl gpu-udfs -am)
(cd "$root" && mvn -B -q -pl gpu-udfs dependency:copy-dependencies -DoutputDirectory="$out/lib" \
  -DincludeScope=compile -DexcludeArtifactIds=cudf,rocksdbjni)
gpu_jar="$root/gpu-udfs/target/gpu-udfs-$version.jar"
if unzip -Z1 "$gpu_jar" | grep -q '^com/nvidia/'; then
  fail "$gpu_jar carries com/nvidia classes; the compile-only RapidsUDF copy must stay out of it"
fi
cp "$gpu_jar" "$out/lib/"
cp "$rapids_jar" "$out/rapids-4-spark_2.12-$rapids_version.jar"
sed -n 's:.*<spark.java17.opens>\(.*\)</spark.java17.opens>.*:\1:p' "$root/pom.xml" > "$out/java17-opens.txt"
[ -s "$out/java17-opens.txt" ] || fail "no spark.java17.opens in $root/pom.xml"
echo "gpu-check-bundle: $(ls "$out/lib" | wc -l) jars in $out/lib, $(du -sh "$out" | cut -f1) in all"
