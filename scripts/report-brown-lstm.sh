#!/usr/bin/env bash
# The model card's measurements of a Brown word model, in one run: size, validation (f32 and the
# shipped quantized file), then the test split once per row of the card's Metrics and Adaptation
# tables. Test is read only here, once the weights and the adaptation settings are chosen on
# validation.
#
# Usage: scripts/report-brown-lstm.sh F32_MODEL SHIPPED_MODEL OUT_DIRECTORY
#   (npm run build and `node dist/cli.js prepare-brown` first; SHIPPED_MODEL is the quantized file
#   that ships, made by `node dist/cli.js quantize F32_MODEL SHIPPED_MODEL --dtype q8` or q4).
# Writes OUT_DIRECTORY/<row>.json (eval --json's line) and prints a summary. Two evaluations run
# at a time (one per core), the two with dynamic evaluation together since they take longest
# (about 1 h each for a 512-wide model on the shared 2-core machine; the rest about 20 min).
set -euo pipefail
USAGE="usage: scripts/report-brown-lstm.sh F32_MODEL SHIPPED_MODEL OUT_DIRECTORY"
F32=${1:?$USAGE}
SHIPPED=${2:?$USAGE}
OUT=${3:?$USAGE}
mkdir -p "$OUT"
VALID=data/brown/valid.txt
TEST=data/brown/test.txt

row() { # NAME MODEL FILE [eval flags…]
  local name=$1 model=$2 file=$3
  shift 3
  node dist/cli.js eval "$model" "$file" --json "$@" > "$OUT/$name.json"
  echo "$name: $(cat "$OUT/$name.json")   (node dist/cli.js eval $model $file --json $*)"
}

echo "shipped file: $(stat -c %s "$SHIPPED") bytes (budget 8,000,000)"
row valid-f32 "$F32" "$VALID" & row valid-shipped "$SHIPPED" "$VALID" & wait
row test-adapt "$SHIPPED" "$TEST" --adapt & row test-dynamic-only "$SHIPPED" "$TEST" --adapt --cache none & wait
row test-static-shipped "$SHIPPED" "$TEST" & row test-static-f32 "$F32" "$TEST" & wait
row test-cache-only "$SHIPPED" "$TEST" --adapt --dynamic off & row test-unigram "$SHIPPED" "$TEST" --adapt --dynamic off --cache unigram --cache-size 700 --lambda 0.1 & wait
