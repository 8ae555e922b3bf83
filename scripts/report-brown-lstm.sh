#!/usr/bin/env bash
# The model card's measurements of a Brown word model, in one run: size, validation (f32 and q8),
# then the test split once per row of the card's Metrics and Adaptation tables. Test is read only
# here, once the weights and the adaptation settings are chosen on validation.
#
# Usage: scripts/report-brown-lstm.sh F32_MODEL Q8_MODEL OUT_DIRECTORY
#   (npm run build and `node dist/cli.js prepare-brown` first; Q8_MODEL is usually
#   models/brown-lstm.q8.msgpack, made by `node dist/cli.js quantize F32_MODEL Q8_MODEL --dtype q8`).
# Writes OUT_DIRECTORY/<row>.json (eval --json's line) and prints a summary. Two evaluations run
# at a time (one per core); on the shared 2-core machine the whole report takes about an hour.
set -euo pipefail
F32=${1:?usage: scripts/report-brown-lstm.sh F32_MODEL Q8_MODEL OUT_DIRECTORY}
Q8=${2:?usage: scripts/report-brown-lstm.sh F32_MODEL Q8_MODEL OUT_DIRECTORY}
OUT=${3:?usage: scripts/report-brown-lstm.sh F32_MODEL Q8_MODEL OUT_DIRECTORY}
mkdir -p "$OUT"
VALID=data/brown/valid.txt
TEST=data/brown/test.txt

row() { # NAME MODEL FILE [eval flags…]
  local name=$1 model=$2 file=$3
  shift 3
  node dist/cli.js eval "$model" "$file" --json "$@" > "$OUT/$name.json"
  echo "$name: $(cat "$OUT/$name.json")   (node dist/cli.js eval $model $file --json $*)"
}

echo "q8 file: $(stat -c %s "$Q8") bytes (budget 8,000,000)"
row valid-f32 "$F32" "$VALID" & row valid-q8 "$Q8" "$VALID" & wait
row test-static-q8 "$Q8" "$TEST" & row test-static-f32 "$F32" "$TEST" & wait
row test-adapt "$Q8" "$TEST" --adapt & row test-cache-only "$Q8" "$TEST" --adapt --dynamic off & wait
row test-dynamic-only "$Q8" "$TEST" --adapt --cache none & row test-unigram "$Q8" "$TEST" --adapt --dynamic off --cache unigram --cache-size 700 --lambda 0.1 & wait
