#!/bin/sh
# Watches a running `lstm-stream train` process (Linux /proc): every 20 s one line with the
# CPU time its threads used in the interval (in clock ticks, 100 per second: 2,000 = one
# core busy, 4,000 = two), the machine's steal ticks, the load average, and the last window
# the training log reached. Tells a slower machine (same CPU use, fewer windows) from a
# process that stopped using its cores (CPU use falls).
# Usage: bench/train-monitor.sh PID TRAINING_LOG > monitor.log
PID=$1
LOG=$2
previous_cpu=0
previous_steal=0
while kill -0 "$PID" 2>/dev/null; do
  cpu=$(awk '{print $14 + $15}' "/proc/$PID/stat")
  steal=$(awk '/^cpu /{print $9}' /proc/stat)
  window=$(grep -o "epoch [0-9]*/[0-9]* window [0-9]*" "$LOG" | tail -1)
  echo "$(date +%H:%M:%S) cpu_ticks=$((cpu - previous_cpu)) steal_ticks=$((steal - previous_steal)) load=$(cut -d' ' -f1 /proc/loadavg) $window"
  previous_cpu=$cpu
  previous_steal=$steal
  sleep 20
done
