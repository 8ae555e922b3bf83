#!/bin/sh
# Trains the shipped next-word model (models/brown-lstm.q8.msgpack) from scratch with the classic
# word-language-model recipe: tied embedding/output 256, one LSTM layer of 256, full softmax over
# the 17,906 Brown words, SGD with learning rate 20, gradient-norm clip 0.25, dropout 0.5 on the
# embedding output and before the output layer, learning rate ÷ 4 when an epoch lowers validation
# perplexity by less than 2%, window 35, batch 20, both cores.
#
# Usage: scripts/train-brown-lstm.sh RUN_DIRECTORY [--resume]
#   (npm run build and `node dist/cli.js prepare-brown` first). It checkpoints every 5 minutes and on
#   Ctrl-C; run it again with --resume to continue bit-identically. Then:
#   node dist/cli.js quantize RUN_DIRECTORY/brown-lstm.f32.msgpack models/brown-lstm.q8.msgpack --dtype q8
#   (a stopped run's weights are RUN_DIRECTORY/brown-lstm.f32.stopped.msgpack).
set -e
RUN=${1:?usage: scripts/train-brown-lstm.sh RUN_DIRECTORY [--resume]}
shift
mkdir -p "$RUN"
exec node dist/cli.js train --train data/brown/train.txt --valid data/brown/valid.txt --vocab data/brown/vocab.txt \
  --tie --hidden 256 --classes 0 --optimizer sgd --lr 20 --clip 0.25 --dropout 0.5 --input-dropout 0.5 \
  --lr-decay 0.25 --lr-decay-threshold 0.02 --epochs 18 --patience 0 --workers 2 --checkpoint-minutes 5 --seed 1 \
  --out "$RUN/brown-lstm.f32.msgpack" --report "$RUN/brown-lstm.html" "$@"
