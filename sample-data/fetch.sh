#!/usr/bin/env bash
# Downloads the public recommender datasets that SparkRec's tests and benchmarks read, or checks
# copies that are already present. The datasets' terms forbid redistribution, so SparkRec ships
# only generated samples; this script fetches the real files from their public homes.
#
# Usage:
#   sample-data/fetch.sh NAME                  download NAME into sample-data/real/ and verify it
#   sample-data/fetch.sh --list                print the dataset names
#   sample-data/fetch.sh --verify DIR [NAME..] check the files under DIR against the checksums below
#   sample-data/fetch.sh --verify-shared DIR   the same for the project's shared data folder, which
#                                              is known to lack ML-1M ratings.dat
#   sample-data/fetch.sh --help
#
# NAME is one of: movielens-100k, movielens-1m, frappe, criteo-sample.
#
# Files land under sample-data/real/ (git-ignored; set SPARKREC_REAL_DATA to use another folder)
# in the same layout as the project's shared data folder, so tests can read them with
# -Dsparkrec.data.dir=sample-data/real:
#   movielens-100k -> real/movielens-100k/   (u.data, u.item, ..., from GroupLens' ml-100k.zip)
#   movielens-1m   -> real/movielens-1m/     (README, movies.dat, users.dat, ratings.dat)
#   frappe         -> real/frappe/nfm/       (NFM split: frappe.{train,validation,test}.libfm)
#   criteo-sample  -> real/criteo/           (wide-resdnn/{train,dev,test}.csv: the first 8,000
#                                             rows of Criteo's Kaggle train.txt; license.txt)
#
# A download is checked before it is moved into place; on any mismatch nothing is installed and
# the script exits with status 1. --verify DIR accepts a file or its gzipped copy (FILE.gz) and
# checks the uncompressed content; a dataset with no file under DIR is reported ABSENT unless it
# was named. Exit status: 0 all good, 1 mismatch or missing file, 2 usage.
set -euo pipefail

readonly NAMES=(movielens-100k movielens-1m frappe criteo-sample)
readonly SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly REAL_DIR="${SPARKREC_REAL_DATA:-$SCRIPT_DIR/real}"

readonly MOVIELENS_100K_ZIP="https://files.grouplens.org/datasets/movielens/ml-100k.zip"
readonly MOVIELENS_1M_ZIP="https://files.grouplens.org/datasets/movielens/ml-1m.zip"
# Raw files pinned to the commits whose content the checksums below describe.
readonly FRAPPE_BASE="https://raw.githubusercontent.com/hexiangnan/neural_factorization_machine/ca2a5d11b929816aa44c6e470e795af144608507/data/frappe"
readonly CRITEO_BASE="https://raw.githubusercontent.com/Lapis-Hong/Wide-ResDNN/9889f939deb904a35692e2efdc6ab4f743a7df71/data/criteo"
# Files the project's shared data folder is documented not to have (see its README.md).
readonly SHARED_ABSENT=" movielens-1m/ratings.dat "

readonly CRITEO_TERMS_BASE="https://raw.githubusercontent.com/theofpa/datascience/9b15b98c180e9bd240fb25d22753e49384816dbe/spark/data/cs190"

# NAME|path under the data root|sha256 of the uncompressed content ("-" = not known)|line count ("-" = not checked)
#
# Not known, so only the line count is checked:
#  - the GroupLens zips themselves (GroupLens publishes no sha256 we could pin); their extracted
#    files are checked instead, except ml-100k's mku.sh, which is not checked;
#  - ML-1M ratings.dat (1,000,209 ratings, the official count);
#  - the original NFM frappe.train.libfm (202,027 lines); the project's shared copy is a rebuild
#    with the same line count but other bytes, so a checksum could not describe both.
readonly CHECKSUMS='
movielens-100k|movielens-100k/README|4883b8cf340ed0059971b33f56ad3adc88a40792108ebca3d24aafc4c82e8b52|157
movielens-100k|movielens-100k/allbut.pl|bfc6a75cbd65c74bb38a0b580dbe866af252733dfa9a65a2c4b93258774ee8a3|34
movielens-100k|movielens-100k/u.data|06416e597f82b7342361e41163890c81036900f418ad91315590814211dca490|100000
movielens-100k|movielens-100k/u.genre|9757e0d3e6b298159a80dd48eaf938114690e911e39af97a76949ef1663610bb|20
movielens-100k|movielens-100k/u.info|5b0a40b2e47a729ee6203063f6dcf8790c2e63f5a18663e6ee318a72c5f3c27b|3
movielens-100k|movielens-100k/u.item|553841ebc7de3a0fd0d6b62a204ea30c1e651aacfb2814c7a6584ac52f2c5701|1682
movielens-100k|movielens-100k/u.occupation|cd5fbec9afe345d993a62fc7817df1a4a9079c4feb267b3118763b8fd942137d|21
movielens-100k|movielens-100k/u.user|f120e114da2e8cf314fd28f99417c94ae9ddf1cb6db8ce0e4b5995d40e90e62c|943
movielens-100k|movielens-100k/u1.base|ce253ec86c448b44fb3ba9a30d12dcfc2e9210cbde71efada3730c22e9ac212a|80000
movielens-100k|movielens-100k/u1.test|18c6014a4b2c7324f250a63f8904a7b16b2b19f911129e346141507b0cbac950|20000
movielens-100k|movielens-100k/u2.base|6c06f0b5df4b256da1a994f3ac66edc8da4d3f09bc9282df6b14d893366d703e|80000
movielens-100k|movielens-100k/u2.test|4de658d1e04ed9104629509a2e2528fce833ac8e048280183f1df167632038c3|20000
movielens-100k|movielens-100k/u3.base|afdc155c291c6edc41c0407e39d7462eb98d341e064f0b0a12175b80b3c4af5d|80000
movielens-100k|movielens-100k/u3.test|0f548b51c78327de4c156461d3e430b7e5579fe2b5681586a59416e48fd35f6d|20000
movielens-100k|movielens-100k/u4.base|219f0f4d40dfe9c5141d425f53fa91ee23ed275f14e280bbf1b50117afb064ca|80000
movielens-100k|movielens-100k/u4.test|7c02ad0a1e7ab1083c8b9d4b627203a051dd7b5eab46d99fa44de33470de8db9|20000
movielens-100k|movielens-100k/u5.base|a9574e59ce961eec2121627760b6e9b0974ce1637b3fe69ac32cb14a4bfab485|80000
movielens-100k|movielens-100k/u5.test|351cc52e0d15b6c721466276fc24671d40936899e3d01fadeaf312915b8c5634|20000
movielens-100k|movielens-100k/ua.base|67b5bcdb380c29f85d56a012ecd88612ae020f30a6730d117a334ee8203b91f2|90570
movielens-100k|movielens-100k/ua.test|d0497e202417720f57a184ec8c66be2d1afa4ff41bb53787c57b28d6bf79bc42|9430
movielens-100k|movielens-100k/ub.base|237254d253b6ad7de84f919d041055428646254f34ed8f562703c899430cd881|90570
movielens-100k|movielens-100k/ub.test|d54a72d05730d5892062734b2bec73e976f9b713d18c828a18b968d6cce442da|9430
movielens-1m|movielens-1m/README|2d5ddce86ccbd247207456165827b4b9ddf27282bca93807d4c763e28414f133|170
movielens-1m|movielens-1m/movies.dat|0140fc2356357c1a851d0f52e893a1e4d3696df632c4141cea8d5bc3d621f0b9|3883
movielens-1m|movielens-1m/users.dat|1dc3a95300cb19f7c10e027daf29b8cdf1d908dab65b5edfb45950aa389a10a3|6040
movielens-1m|movielens-1m/ratings.dat|-|1000209
frappe|frappe/nfm/README.txt|8ece0e428ba5c1879f2cf298aa65ab5c6c092d5c9716c8a4d5c4ee209dfdc6e7|53
frappe|frappe/nfm/frappe.test.libfm|a2ebaef3a9af8e55f8bb0d08bc4923965e42e43760ebd7635ac2f8c5db99e097|28860
frappe|frappe/nfm/frappe.validation.libfm|fdf4be563a7dd9b15f7a6e8b32671e90e6e7a2a2bd3af4e10bf13c5ad7e76e9e|57722
frappe|frappe/nfm/frappe.train.libfm|-|202027
criteo-sample|criteo/license.txt|88d50f5b643c1124d276daac89b21c25ecab0bcd014c322413f7fcfc0c39d54c|59
criteo-sample|criteo/readme.txt|9acce6743b384033737cdb62a2df37d4cb6f8b01c3158fd80027072f05793da9|37
criteo-sample|criteo/wide-resdnn/train.csv|2b0614035f6c931dc4ac2c1a1a26fa954f2b9231703f3a77bcdd53d9d9f29872|7200
criteo-sample|criteo/wide-resdnn/dev.csv|7ac8a164e43a9903be3d43e640bcd464cfa0d96d7a652ec8ef8a33fe97cac6b9|409
criteo-sample|criteo/wide-resdnn/test.csv|3a7a78b694945482aede520e68300b0e2748603363072822cfbbb9f72d0dfd9a|391
'

usage() {
  sed -n '6,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

is_name() {
  local candidate="$1" name
  for name in "${NAMES[@]}"; do
    [[ "$candidate" == "$name" ]] && return 0
  done
  return 1
}

terms() {
  case "$1" in
    movielens-100k|movielens-1m)
      cat <<'EOF'
Terms (GroupLens, see the README in the download): research use only; do not redistribute
without separate permission; no commercial use without permission; do not state or imply
endorsement; cite F. Maxwell Harper and Joseph A. Konstan, "The MovieLens Datasets: History and
Context", ACM TiiS 5(4), 2015.
EOF
      ;;
    frappe)
      cat <<'EOF'
Terms (Frappe, see frappe/nfm/README.txt): research use only, with acknowledgement; no
redistribution, deanonymisation or commercial use without permission; cite Baltrunas et al.,
"Frappe: Understanding the Usage and Perception of Mobile App Recommendations In-The-Wild",
arXiv:1505.03014, and He and Chua, "Neural Factorization Machines for Sparse Predictive
Analytics", SIGIR 2017, for the split.
EOF
      ;;
    criteo-sample)
      cat <<'EOF'
Terms (Criteo Labs Data Terms of Use, see criteo/license.txt): non-commercial research use; you
shall not distribute the data in any manner; publications must reference Criteo. The rows are
the head of the Kaggle Display Advertising Challenge train.txt (dataset by Olivier Chapelle).
EOF
      ;;
  esac
}

sha256_of_stream() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum | cut -d' ' -f1
  else
    shasum -a 256 | cut -d' ' -f1
  fi
}

# verify_dataset ROOT NAME REQUIRED [TOLERATED]: prints one line per file; returns 0 when every
# file of NAME matches, or when none is present and REQUIRED is "no"; 1 otherwise. Missing files
# listed in TOLERATED (space-separated, padded with spaces) are reported but do not fail.
verify_dataset() {
  local root="$1" name="$2" required="$3" tolerated="${4:-}"
  local entry_name path sha lines file reader actual_sha actual_lines
  local present=0 failed=0 report=""
  while IFS='|' read -r entry_name path sha lines; do
    [[ "$entry_name" == "$name" ]] || continue
    if [[ -f "$root/$path" ]]; then
      file="$root/$path"
      reader=(cat "$file")
    elif [[ -f "$root/$path.gz" ]]; then
      file="$root/$path.gz"
      reader=(gzip -dc "$file")
    elif [[ "$tolerated" == *" $path "* ]]; then
      report+="ABSENT    $path (known to be missing from this copy; not checked)"$'\n'
      continue
    else
      report+="MISSING   $path"$'\n'
      failed=1
      continue
    fi
    present=1
    actual_sha="$("${reader[@]}" | sha256_of_stream)"
    actual_lines="$("${reader[@]}" | wc -l | tr -d ' ')"
    if [[ "$sha" != "-" && "$actual_sha" != "$sha" ]]; then
      report+="MISMATCH  $path: sha256 $actual_sha, expected $sha"$'\n'
      failed=1
    elif [[ "$lines" != "-" && "$actual_lines" != "$lines" ]]; then
      report+="MISMATCH  $path: $actual_lines lines, expected $lines"$'\n'
      failed=1
    elif [[ "$sha" == "-" ]]; then
      report+="OK        $path ($actual_lines lines; no published checksum, line count checked)"$'\n'
    else
      report+="OK        $path"$'\n'
    fi
  done <<< "$CHECKSUMS"

  if [[ $present -eq 0 && "$required" == "no" ]]; then
    echo "ABSENT    $name (no files under $root)"
    return 0
  fi
  printf '%s' "$report"
  return $failed
}

# verify TOLERATED ROOT [NAME...]
verify() {
  local tolerated="$1" root="$2"
  shift 2
  if [[ ! -d "$root" ]]; then
    echo "fetch.sh: $root is not a folder." >&2
    exit 2
  fi
  local names=("$@") required="yes" name status=0
  if [[ ${#names[@]} -eq 0 ]]; then
    names=("${NAMES[@]}")
    required="no"
  fi
  for name in "${names[@]}"; do
    if ! is_name "$name"; then
      echo "fetch.sh: unknown dataset '$name'; known: ${NAMES[*]}" >&2
      exit 2
    fi
    verify_dataset "$root" "$name" "$required" "$tolerated" || status=1
  done
  if [[ $status -ne 0 ]]; then
    echo "Verification FAILED under $root." >&2
  fi
  return $status
}

download() {
  local url="$1" target="$2"
  mkdir -p "$(dirname "$target")"
  echo "Downloading $url"
  if command -v curl >/dev/null 2>&1; then
    curl -fL --retry 3 --progress-bar -o "$target" "$url"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$target" "$url"
  else
    echo "fetch.sh: neither curl nor wget is installed." >&2
    exit 1
  fi
}

# unzip_into ZIP FOLDER_IN_ZIP TARGET: extracts the files of FOLDER_IN_ZIP flat into TARGET.
unzip_into() {
  local zip="$1" inner="$2" target="$3" scratch
  scratch="$(mktemp -d)"
  if command -v unzip >/dev/null 2>&1; then
    unzip -q "$zip" -d "$scratch"
  else
    python3 -m zipfile -e "$zip" "$scratch"
  fi
  mkdir -p "$target"
  mv "$scratch/$inner"/* "$target"/
  rm -rf "$scratch"
}

STAGING=""

fetch() {
  local name="$1" staging
  terms "$name"
  echo
  STAGING="$(mktemp -d)"
  trap 'rm -rf "$STAGING"' EXIT
  staging="$STAGING"
  case "$name" in
    movielens-100k)
      download "$MOVIELENS_100K_ZIP" "$staging/ml-100k.zip"
      unzip_into "$staging/ml-100k.zip" ml-100k "$staging/root/movielens-100k"
      ;;
    movielens-1m)
      download "$MOVIELENS_1M_ZIP" "$staging/ml-1m.zip"
      unzip_into "$staging/ml-1m.zip" ml-1m "$staging/root/movielens-1m"
      ;;
    frappe)
      local file
      for file in README.txt frappe.train.libfm frappe.validation.libfm frappe.test.libfm; do
        download "$FRAPPE_BASE/$file" "$staging/root/frappe/nfm/$file"
      done
      ;;
    criteo-sample)
      local file
      for file in train.csv dev.csv test.csv; do
        download "$CRITEO_BASE/$file" "$staging/root/criteo/wide-resdnn/$file"
      done
      download "$CRITEO_TERMS_BASE/license.txt" "$staging/root/criteo/license.txt"
      download "$CRITEO_TERMS_BASE/readme.txt" "$staging/root/criteo/readme.txt"
      ;;
  esac
  if ! verify_dataset "$staging/root" "$name" yes; then
    echo "fetch.sh: the download of $name does not match the expected checksums; nothing was installed." >&2
    exit 1
  fi
  mkdir -p "$REAL_DIR"
  cp -R "$staging/root/." "$REAL_DIR/"
  echo "Installed $name under $REAL_DIR. Run tests on it with -Dsparkrec.data.dir=$REAL_DIR"
  echo
  terms "$name"
}

main() {
  if [[ $# -eq 0 ]]; then
    usage >&2
    exit 2
  fi
  case "$1" in
    --help|-h)
      usage
      ;;
    --list)
      printf '%s\n' "${NAMES[@]}"
      ;;
    --verify)
      if [[ $# -lt 2 ]]; then
        echo "fetch.sh: --verify needs a folder." >&2
        exit 2
      fi
      shift
      verify "" "$@"
      ;;
    --verify-shared)
      if [[ $# -lt 2 ]]; then
        echo "fetch.sh: --verify-shared needs a folder." >&2
        exit 2
      fi
      shift
      verify "$SHARED_ABSENT" "$@"
      ;;
    *)
      if [[ $# -ne 1 ]] || ! is_name "$1"; then
        echo "fetch.sh: unknown dataset '$*'; known: ${NAMES[*]}" >&2
        usage >&2
        exit 2
      fi
      fetch "$1"
      ;;
  esac
}

main "$@"
