#!/bin/sh
# Trains the shipped next-word model (models/brown-lstm.q8.msgpack): tied embedding/output 256,
# one LSTM layer of 256, full softmax over the 17,906 Brown words, window 35, batch 20, both cores,
# dropout 0.5 on the embedding output and before the output layer, gradient-norm clip 0.25.
#
#   phase1: the classic word-LM recipe, SGD with learning rate 20, 5 epochs (it returns the
#           best-validation weights: epoch 5's);
#   phase2: from those weights, SGD with learning rate 5 and the running mean of the weights
#           over every step (averaged SGD) validated and exported; learning rate ÷ 4 when an
#           epoch lowers validation perplexity by less than 2%.
#
# Usage: scripts/train-brown-lstm.sh RUN_DIRECTORY phase1|phase2 [--resume]
#   (npm run build and `node dist/cli.js prepare-brown` first). Each phase checkpoints every
#   5 minutes and on Ctrl-C; run it again with --resume to continue bit-identically (a stopped
#   phase 2 also writes its current averaged weights to RUN_DIRECTORY/brown-lstm.f32.stopped.msgpack).
#   PHASE2_EPOCHS (default 12) sets phase 2's length; the shipped file is its best after 3 epochs
#   (PHASE2_EPOCHS=3 gives those weights: the schedule does not depend on the length).
#   Then: node dist/cli.js quantize RUN_DIRECTORY/brown-lstm.f32.msgpack models/brown-lstm.q8.msgpack --dtype q8
set -e
RUN=${1:?usage: scripts/train-brown-lstm.sh RUN_DIRECTORY phase1|phase2 [--resume]}
PHASE=${2:?usage: scripts/train-brown-lstm.sh RUN_DIRECTORY phase1|phase2 [--resume]}
shift 2
mkdir -p "$RUN"
DATA="--train data/brown/train.txt --valid data/brown/valid.txt"
COMMON="--tie --classes 0 --optimizer sgd --clip 0.25 --dropout 0.5 --input-dropout 0.5 --lr-decay 0.25 --lr-decay-threshold 0.02 --patience 0 --workers 2 --checkpoint-minutes 5"
case "$PHASE" in
  phase1)
    exec node dist/cli.js train $DATA --vocab data/brown/vocab.txt --hidden 256 $COMMON --lr 20 --epochs 5 --seed 1 \
      --out "$RUN/phase1.f32.msgpack" --report "$RUN/phase1.html" "$@" ;;
  phase2)
    exec node dist/cli.js train $DATA --init "$RUN/phase1.f32.msgpack" $COMMON --lr 5 --average-from 1 --epochs "${PHASE2_EPOCHS:-12}" --seed 2 \
      --out "$RUN/brown-lstm.f32.msgpack" --report "$RUN/brown-lstm.html" "$@" ;;
  phase3)
    exec node dist/cli.js train $DATA --init "$RUN/phase2.f32.msgpack" $COMMON --lr 20 --lr-decay 1 --epochs "${PHASE3_EPOCHS:-4}" --seed 3 \
      --out "$RUN/phase3.f32.msgpack" --report "$RUN/phase3.html" "$@" ;;
  *)
    echo "unknown phase $PHASE (phase1 or phase2)" >&2
    exit 2 ;;
esac
