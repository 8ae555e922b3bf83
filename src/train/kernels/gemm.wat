;; out = a · bᵀ with 128-bit SIMD, for the trainer's matrix products.
;; a: [m × k] row-major at byte offset $a, b: [n × k] at $b, out: [m × n] at $out,
;; all f32, rows contiguous. The caller pads: k is a multiple of 4, m of 2,
;; n of 4 (zero rows and columns), so there are no tails here.
;; Register block: 2 rows of a × 4 rows of b, 8 f32x4 partial sums along k.
;; softmax_rows turns the output layer's product into probabilities where it
;; lies, so the trainer's softmax does not run in JavaScript (Math.exp over
;; every logit was a tenth of a training window).
(module
  (memory (export "memory") 1)
  (func (export "gemm_nt") (param $a i32) (param $b i32) (param $out i32) (param $m i32) (param $n i32) (param $k i32)
    (local $rowBytes i32) (local $i i32) (local $j i32) (local $p i32)
    (local $a0 i32) (local $a1 i32) (local $b0 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32) (local $o i32)
    (local $x0 v128) (local $x1 v128) (local $y0 v128) (local $y1 v128) (local $y2 v128) (local $y3 v128)
    (local $s00 v128) (local $s01 v128) (local $s02 v128) (local $s03 v128)
    (local $s10 v128) (local $s11 v128) (local $s12 v128) (local $s13 v128)
    (local.set $rowBytes (i32.shl (local.get $k) (i32.const 2)))
    (local.set $j (i32.const 0))
    (block $jDone
      (loop $jLoop
        (br_if $jDone (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $b0 (i32.add (local.get $b) (i32.mul (local.get $j) (local.get $rowBytes))))
        (local.set $b1 (i32.add (local.get $b0) (local.get $rowBytes)))
        (local.set $b2 (i32.add (local.get $b1) (local.get $rowBytes)))
        (local.set $b3 (i32.add (local.get $b2) (local.get $rowBytes)))
        (local.set $i (i32.const 0))
        (block $iDone
          (loop $iLoop
            (br_if $iDone (i32.ge_u (local.get $i) (local.get $m)))
            (local.set $a0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rowBytes))))
            (local.set $a1 (i32.add (local.get $a0) (local.get $rowBytes)))
            (local.set $s00 (v128.const i64x2 0 0)) (local.set $s01 (v128.const i64x2 0 0))
            (local.set $s02 (v128.const i64x2 0 0)) (local.set $s03 (v128.const i64x2 0 0))
            (local.set $s10 (v128.const i64x2 0 0)) (local.set $s11 (v128.const i64x2 0 0))
            (local.set $s12 (v128.const i64x2 0 0)) (local.set $s13 (v128.const i64x2 0 0))
            (local.set $p (i32.const 0))
            (block $pDone
              (loop $pLoop
                (br_if $pDone (i32.ge_u (local.get $p) (local.get $rowBytes)))
                (local.set $x0 (v128.load (i32.add (local.get $a0) (local.get $p))))
                (local.set $x1 (v128.load (i32.add (local.get $a1) (local.get $p))))
                (local.set $y0 (v128.load (i32.add (local.get $b0) (local.get $p))))
                (local.set $y1 (v128.load (i32.add (local.get $b1) (local.get $p))))
                (local.set $y2 (v128.load (i32.add (local.get $b2) (local.get $p))))
                (local.set $y3 (v128.load (i32.add (local.get $b3) (local.get $p))))
                (local.set $s00 (f32x4.add (local.get $s00) (f32x4.mul (local.get $x0) (local.get $y0))))
                (local.set $s01 (f32x4.add (local.get $s01) (f32x4.mul (local.get $x0) (local.get $y1))))
                (local.set $s02 (f32x4.add (local.get $s02) (f32x4.mul (local.get $x0) (local.get $y2))))
                (local.set $s03 (f32x4.add (local.get $s03) (f32x4.mul (local.get $x0) (local.get $y3))))
                (local.set $s10 (f32x4.add (local.get $s10) (f32x4.mul (local.get $x1) (local.get $y0))))
                (local.set $s11 (f32x4.add (local.get $s11) (f32x4.mul (local.get $x1) (local.get $y1))))
                (local.set $s12 (f32x4.add (local.get $s12) (f32x4.mul (local.get $x1) (local.get $y2))))
                (local.set $s13 (f32x4.add (local.get $s13) (f32x4.mul (local.get $x1) (local.get $y3))))
                (local.set $p (i32.add (local.get $p) (i32.const 16)))
                (br $pLoop)))
            ;; out[i, j … j+3] and out[i+1, j … j+3]: horizontal sums of the 8 partial sums.
            (local.set $o (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 2))))
            (f32.store offset=0 (local.get $o) (call $hsum (local.get $s00)))
            (f32.store offset=4 (local.get $o) (call $hsum (local.get $s01)))
            (f32.store offset=8 (local.get $o) (call $hsum (local.get $s02)))
            (f32.store offset=12 (local.get $o) (call $hsum (local.get $s03)))
            (local.set $o (i32.add (local.get $o) (i32.shl (local.get $n) (i32.const 2))))
            (f32.store offset=0 (local.get $o) (call $hsum (local.get $s10)))
            (f32.store offset=4 (local.get $o) (call $hsum (local.get $s11)))
            (f32.store offset=8 (local.get $o) (call $hsum (local.get $s12)))
            (f32.store offset=12 (local.get $o) (call $hsum (local.get $s13)))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $iLoop)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $jLoop))))
  ;; Row softmax in place, for $rows rows of $n values (row stride $stride
  ;; floats) at $x, with the bias [$n] at $bias: v = x + bias, then
  ;; e = exp(v − max), then x = e / Σe. The row's max and Σe (f64) go to
  ;; stats[2r] and stats[2r + 1] (f64), so the caller has the row's
  ;; log-sum-exp = max + log Σe. Values are finite (the caller's divergence
  ;; guard catches the rest: a NaN makes the max and the sum NaN).
  (func (export "softmax_rows") (param $x i32) (param $bias i32) (param $rows i32) (param $n i32) (param $stride i32) (param $stats i32)
    (local $r i32) (local $i i32) (local $end4 i32) (local $row i32) (local $at i32)
    (local $v v128) (local $top v128) (local $maxSplat v128) (local $e v128) (local $lo v128) (local $hi v128)
    (local $max f32) (local $one f32) (local $sum f64) (local $scale v128)
    (local.set $end4 (i32.and (local.get $n) (i32.const -4)))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $row (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $stride)) (i32.const 2))))
        ;; v = x + bias, and its maximum.
        (local.set $top (f32x4.splat (f32.const -inf)))
        (local.set $max (f32.const -inf))
        (local.set $i (i32.const 0))
        (block $addDone
          (loop $addLoop
            (br_if $addDone (i32.ge_u (local.get $i) (local.get $end4)))
            (local.set $at (i32.shl (local.get $i) (i32.const 2)))
            (local.set $v (f32x4.add (v128.load (i32.add (local.get $row) (local.get $at))) (v128.load (i32.add (local.get $bias) (local.get $at)))))
            (v128.store (i32.add (local.get $row) (local.get $at)) (local.get $v))
            (local.set $top (f32x4.max (local.get $top) (local.get $v)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $addLoop)))
        (block $addTailDone
          (loop $addTail
            (br_if $addTailDone (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $at (i32.shl (local.get $i) (i32.const 2)))
            (local.set $one (f32.add (f32.load (i32.add (local.get $row) (local.get $at))) (f32.load (i32.add (local.get $bias) (local.get $at)))))
            (f32.store (i32.add (local.get $row) (local.get $at)) (local.get $one))
            (local.set $max (f32.max (local.get $max) (local.get $one)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $addTail)))
        (local.set $max (f32.max (local.get $max)
          (f32.max (f32.max (f32x4.extract_lane 0 (local.get $top)) (f32x4.extract_lane 1 (local.get $top)))
                   (f32.max (f32x4.extract_lane 2 (local.get $top)) (f32x4.extract_lane 3 (local.get $top))))))
        ;; e = exp(v − max) in place; Σe in f64 (many terms in (0, 1]).
        (local.set $maxSplat (f32x4.splat (local.get $max)))
        (local.set $lo (v128.const i64x2 0 0))
        (local.set $hi (v128.const i64x2 0 0))
        (local.set $sum (f64.const 0))
        (local.set $i (i32.const 0))
        (block $expDone
          (loop $expLoop
            (br_if $expDone (i32.ge_u (local.get $i) (local.get $end4)))
            (local.set $at (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))
            (local.set $e (call $exp4 (f32x4.sub (v128.load (local.get $at)) (local.get $maxSplat))))
            (v128.store (local.get $at) (local.get $e))
            (local.set $lo (f64x2.add (local.get $lo) (f64x2.promote_low_f32x4 (local.get $e))))
            (local.set $hi (f64x2.add (local.get $hi) (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $e) (local.get $e)))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $expLoop)))
        (block $expTailDone
          (loop $expTail
            (br_if $expTailDone (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $at (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))
            (local.set $one (f32x4.extract_lane 0 (call $exp4 (f32x4.splat (f32.sub (f32.load (local.get $at)) (local.get $max))))))
            (f32.store (local.get $at) (local.get $one))
            (local.set $sum (f64.add (local.get $sum) (f64.promote_f32 (local.get $one))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $expTail)))
        (local.set $lo (f64x2.add (local.get $lo) (local.get $hi)))
        (local.set $sum (f64.add (local.get $sum) (f64.add (f64x2.extract_lane 0 (local.get $lo)) (f64x2.extract_lane 1 (local.get $lo)))))
        (f64.store offset=0 (i32.add (local.get $stats) (i32.shl (local.get $r) (i32.const 4))) (f64.promote_f32 (local.get $max)))
        (f64.store offset=8 (i32.add (local.get $stats) (i32.shl (local.get $r) (i32.const 4))) (local.get $sum))
        ;; x = e / Σe.
        (local.set $one (f32.demote_f64 (f64.div (f64.const 1) (local.get $sum))))
        (local.set $scale (f32x4.splat (local.get $one)))
        (local.set $i (i32.const 0))
        (block $scaleDone
          (loop $scaleLoop
            (br_if $scaleDone (i32.ge_u (local.get $i) (local.get $end4)))
            (local.set $at (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))
            (v128.store (local.get $at) (f32x4.mul (v128.load (local.get $at)) (local.get $scale)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $scaleLoop)))
        (block $scaleTailDone
          (loop $scaleTail
            (br_if $scaleTailDone (i32.ge_u (local.get $i) (local.get $n)))
            (local.set $at (i32.add (local.get $row) (i32.shl (local.get $i) (i32.const 2))))
            (f32.store (local.get $at) (f32.mul (f32.load (local.get $at)) (local.get $one)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $scaleTail)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))
  ;; exp, four lanes: Cephes' expf as in src/math/wasm/kernels.wat's $exp4
  ;; (range reduction by ln 2 in two constants, a degree-5 polynomial, 2^n in
  ;; the exponent bits; about 1 ulp). Arguments here are ≤ 0 (v − max), so
  ;; only the lower clamp is needed: below −87 the result is a tiny normal.
  (func $exp4 (param $v v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128) (local $k v128)
    (local.set $v (f32x4.pmax (local.get $v) (f32x4.splat (f32.const -87.0))))
    (local.set $k (f32x4.add (f32x4.mul (local.get $v) (f32x4.splat (f32.const 1.44269504088896341))) (f32x4.splat (f32.const 12582912.0))))
    (local.set $n (f32x4.sub (local.get $k) (f32x4.splat (f32.const 12582912.0))))
    (local.set $r (f32x4.sub (local.get $v) (f32x4.mul (local.get $n) (f32x4.splat (f32.const 0.693359375)))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $n) (f32x4.splat (f32.const -2.12194440e-4)))))
    (local.set $p (f32x4.add (f32x4.mul (f32x4.splat (f32.const 1.9875691500e-4)) (local.get $r)) (f32x4.splat (f32.const 1.3981999507e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 8.3334519073e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 4.1665795894e-2))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.6666665459e-1))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 5.0000001201e-1))))
    (local.set $p (f32x4.add
      (f32x4.add (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
      (f32x4.splat (f32.const 1.0))))
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (local.get $k) (i32x4.splat (i32.const -1262485377))) (i32.const 23))))
  (func $hsum (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v))))))
