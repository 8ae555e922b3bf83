;; lstm-stream's hot kernels in WebAssembly text with 128-bit SIMD.
;;
;; Assembled by scripts/build-wasm.mjs (wabt) into src/math/wasm/kernel-bytes.ts;
;; test/math/wasm-build.test.ts fails when that file no longer matches this source.
;;
;; Every pointer is a byte offset into the imported memory; every matrix is
;; row-major f32 (or int8 with f32 scales) without padding, so any shape works:
;; the column and row remainders (n mod 4) take a narrower path. Kernels never
;; allocate, never grow the memory and never trap on well-formed offsets.
;;
;; Gate order of the fused LSTM matrix is i, f, g, o (PyTorch's), as in
;; src/cells/lstm-cell.ts; of the GRU r, z, n, as in src/cells/gru-cell.ts.
(module
  (import "env" "memory" (memory 1))

  ;; ---------------------------------------------------------------------
  ;; Transcendentals, four lanes at a time.
  ;; exp: Cephes' expf (range reduction by ln 2 split in two constants, a
  ;; degree-5 polynomial, 2^n built in the exponent bits); about 1 ulp.
  ;; pmin/pmax and the 1.5·2^23 rounding trick instead of min/max, floor and
  ;; trunc_sat: each of those costs several x64 instructions for NaN and
  ;; saturation rules that cannot arise here (the inputs are finite).
  ;; ---------------------------------------------------------------------
  (func $exp4 (param $v v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128) (local $k v128)
    ;; Clamp so 2^n stays a normal float: e^±87 is far past where sigmoid and
    ;; tanh saturate in f32, so the clamp never changes their result.
    (local.set $v (f32x4.pmin (local.get $v) (f32x4.splat (f32.const 87.0))))
    (local.set $v (f32x4.pmax (local.get $v) (f32x4.splat (f32.const -87.0))))
    ;; n = round(v·log2 e): adding 1.5·2^23 rounds to an integer in the low mantissa bits.
    (local.set $k (f32x4.add (f32x4.mul (local.get $v) (f32x4.splat (f32.const 1.44269504088896341))) (f32x4.splat (f32.const 12582912.0))))
    (local.set $n (f32x4.sub (local.get $k) (f32x4.splat (f32.const 12582912.0))))
    (local.set $r (f32x4.sub (local.get $v) (f32x4.mul (local.get $n) (f32x4.splat (f32.const 0.693359375)))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $n) (f32x4.splat (f32.const -2.12194440e-4)))))
    (local.set $p (f32x4.splat (f32.const 1.9875691500e-4)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.3981999507e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 8.3334519073e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 4.1665795894e-2))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.6666665459e-1))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 5.0000001201e-1))))
    ;; p·r² + r + 1
    (local.set $p (f32x4.add
      (f32x4.add (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
      (f32x4.splat (f32.const 1.0))))
    (f32x4.mul (local.get $p)
      ;; 2^n in the exponent bits: n sits in k's low bits, offset by k's own bit pattern 0x4B400000.
      (i32x4.shl (i32x4.add (local.get $k) (i32x4.splat (i32.const -1262485377))) (i32.const 23))))

  ;; σ(v) = 1 / (1 + e^-v)
  (func $sigmoid4 (param $v v128) (result v128)
    (f32x4.div (f32x4.splat (f32.const 1.0))
      (f32x4.add (f32x4.splat (f32.const 1.0)) (call $exp4 (f32x4.neg (local.get $v))))))

  ;; The hard sigmoid clip(0.2·v + 0.5, 0, 1) (TensorFlow.js's gate default).
  (func $hardSigmoid4 (param $v v128) (result v128)
    (f32x4.pmin
      (f32x4.pmax
        (f32x4.add (f32x4.mul (local.get $v) (f32x4.splat (f32.const 0.2))) (f32x4.splat (f32.const 0.5)))
        (v128.const f32x4 0 0 0 0))
      (f32x4.splat (f32.const 1.0))))

  ;; A gate's activation: the hard sigmoid when hard = 1, else σ.
  (func $gate4 (param $v v128) (param $hard i32) (result v128)
    (if (result v128) (local.get $hard)
      (then (call $hardSigmoid4 (local.get $v)))
      (else (call $sigmoid4 (local.get $v)))))

  ;; The hard sigmoid over n bytes of floats at p, in place (n a multiple of 4).
  (func $hardSigmoidInPlace (param $p i32) (param $n i32)
    (local $j i32) (local $end4 i32)
    (local.set $end4 (i32.and (local.get $n) (i32.const -16)))
    (block $done
      (loop $each4
        (br_if $done (i32.ge_u (local.get $j) (local.get $end4)))
        (v128.store (i32.add (local.get $p) (local.get $j)) (call $hardSigmoid4 (v128.load (i32.add (local.get $p) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $each4)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $j) (local.get $n)))
        (f32.store (i32.add (local.get $p) (local.get $j))
          (f32x4.extract_lane 0 (call $hardSigmoid4 (v128.load32_splat (i32.add (local.get $p) (local.get $j))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $tail))))

  ;; tanh(v) = 1 - 2 / (e^2v + 1): absolute error stays near one ulp of 1
  ;; everywhere, which is what the state (bounded by 1) needs.
  (func $tanh4 (param $v v128) (result v128)
    (f32x4.sub (f32x4.splat (f32.const 1.0))
      (f32x4.div (f32x4.splat (f32.const 2.0))
        (f32x4.add (call $exp4 (f32x4.add (local.get $v) (local.get $v))) (f32x4.splat (f32.const 1.0))))))

  ;; Lane sums of four accumulators: [Σa, Σb, Σc, Σd].
  (func $sum4x4 (param $a v128) (param $b v128) (param $c v128) (param $d v128) (result v128)
    (local $ab v128) (local $cd v128)
    (local.set $ab (f32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $a) (local.get $b))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $a) (local.get $b))))
    (local.set $cd (f32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $c) (local.get $d))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $c) (local.get $d))))
    (f32x4.add
      (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $ab) (local.get $cd))
      (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $ab) (local.get $cd))))

  ;; ---------------------------------------------------------------------
  ;; out[r] = bias[r] + Σ_c W[r, c]·x[c] for r < rows. f32 weights.
  ;; Four rows at a time share each load of x; two column blocks per turn
  ;; give eight independent accumulators to hide the add latency.
  ;; ---------------------------------------------------------------------
  (func $matvec (export "matvec")
    (param $W i32) (param $rows i32) (param $cols i32) (param $x i32) (param $bias i32) (param $out i32)
    (local $rowBytes i32) (local $r i32) (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)
    (local $c i32) (local $end8 i32) (local $end4 i32) (local $end i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $xv v128) (local $yv v128) (local $s v128) (local $xs f32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $end (local.get $rowBytes))
    (local.set $end8 (i32.and (local.get $rowBytes) (i32.const -32)))
    (local.set $end4 (i32.and (local.get $rowBytes) (i32.const -16)))
    (local.set $r (i32.const 0))
    (local.set $p0 (local.get $W))
    (block $rowsDone
      (loop $rows4
        (br_if $rowsDone (i32.gt_s (i32.add (local.get $r) (i32.const 4)) (local.get $rows)))
        (local.set $p1 (i32.add (local.get $p0) (local.get $rowBytes)))
        (local.set $p2 (i32.add (local.get $p1) (local.get $rowBytes)))
        (local.set $p3 (i32.add (local.get $p2) (local.get $rowBytes)))
        (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0)) (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $b0 (v128.const i32x4 0 0 0 0)) (local.set $b1 (v128.const i32x4 0 0 0 0))
        (local.set $b2 (v128.const i32x4 0 0 0 0)) (local.set $b3 (v128.const i32x4 0 0 0 0))
        (local.set $c (i32.const 0))
        (block $done8
          (loop $cols8
            (br_if $done8 (i32.ge_u (local.get $c) (local.get $end8)))
            (local.set $xv (v128.load (i32.add (local.get $x) (local.get $c))))
            (local.set $yv (v128.load offset=16 (i32.add (local.get $x) (local.get $c))))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (i32.add (local.get $p0) (local.get $c))) (local.get $xv))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load (i32.add (local.get $p1) (local.get $c))) (local.get $xv))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load (i32.add (local.get $p2) (local.get $c))) (local.get $xv))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load (i32.add (local.get $p3) (local.get $c))) (local.get $xv))))
            (local.set $b0 (f32x4.add (local.get $b0) (f32x4.mul (v128.load offset=16 (i32.add (local.get $p0) (local.get $c))) (local.get $yv))))
            (local.set $b1 (f32x4.add (local.get $b1) (f32x4.mul (v128.load offset=16 (i32.add (local.get $p1) (local.get $c))) (local.get $yv))))
            (local.set $b2 (f32x4.add (local.get $b2) (f32x4.mul (v128.load offset=16 (i32.add (local.get $p2) (local.get $c))) (local.get $yv))))
            (local.set $b3 (f32x4.add (local.get $b3) (f32x4.mul (v128.load offset=16 (i32.add (local.get $p3) (local.get $c))) (local.get $yv))))
            (local.set $c (i32.add (local.get $c) (i32.const 32)))
            (br $cols8)))
        (if (i32.lt_u (local.get $c) (local.get $end4))
          (then
            (local.set $xv (v128.load (i32.add (local.get $x) (local.get $c))))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (i32.add (local.get $p0) (local.get $c))) (local.get $xv))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load (i32.add (local.get $p1) (local.get $c))) (local.get $xv))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load (i32.add (local.get $p2) (local.get $c))) (local.get $xv))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load (i32.add (local.get $p3) (local.get $c))) (local.get $xv))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))))
        (local.set $s (call $sum4x4
          (f32x4.add (local.get $a0) (local.get $b0)) (f32x4.add (local.get $a1) (local.get $b1))
          (f32x4.add (local.get $a2) (local.get $b2)) (f32x4.add (local.get $a3) (local.get $b3))))
        ;; Columns past the last multiple of 4, one at a time for the four rows.
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $c) (local.get $end)))
            (local.set $xs (f32.load (i32.add (local.get $x) (local.get $c))))
            (local.set $s (f32x4.add (local.get $s)
              (f32x4.mul (f32x4.splat (local.get $xs))
                (f32x4.replace_lane 3
                  (f32x4.replace_lane 2
                    (f32x4.replace_lane 1
                      (f32x4.splat (f32.load (i32.add (local.get $p0) (local.get $c))))
                      (f32.load (i32.add (local.get $p1) (local.get $c))))
                    (f32.load (i32.add (local.get $p2) (local.get $c))))
                  (f32.load (i32.add (local.get $p3) (local.get $c)))))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $tail)))
        (v128.store
          (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32x4.add (local.get $s) (v128.load (i32.add (local.get $bias) (i32.shl (local.get $r) (i32.const 2))))))
        (local.set $p0 (i32.add (local.get $p3) (local.get $rowBytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rows4)))
    ;; The last rows mod 4, one at a time.
    (block $lastDone
      (loop $last
        (br_if $lastDone (i32.ge_s (local.get $r) (local.get $rows)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $c (i32.const 0))
        (block $d4
          (loop $c4
            (br_if $d4 (i32.ge_u (local.get $c) (local.get $end4)))
            (local.set $a0 (f32x4.add (local.get $a0)
              (f32x4.mul (v128.load (i32.add (local.get $p0) (local.get $c))) (v128.load (i32.add (local.get $x) (local.get $c))))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $c4)))
        (local.set $xs (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
          (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
        (block $d1
          (loop $c1
            (br_if $d1 (i32.ge_u (local.get $c) (local.get $end)))
            (local.set $xs (f32.add (local.get $xs)
              (f32.mul (f32.load (i32.add (local.get $p0) (local.get $c))) (f32.load (i32.add (local.get $x) (local.get $c))))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $c1)))
        (f32.store
          (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32.add (local.get $xs) (f32.load (i32.add (local.get $bias) (i32.shl (local.get $r) (i32.const 2))))))
        (local.set $p0 (i32.add (local.get $p0) (local.get $rowBytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $last))))

  ;; ---------------------------------------------------------------------
  ;; The same product over weights packed in panels of 8 rows (see
  ;; recurrent-layer-kernel.ts): for each 4-column block, the 8 rows' four
  ;; values follow each other (128 bytes), so the loop walks one pointer with
  ;; constant offsets, and each load of x feeds 8 rows. rows and cols are the
  ;; padded sizes (multiples of 8 and 4); x's padding columns must be zero.
  ;; ---------------------------------------------------------------------
  (func $matvecPanels
    (param $W i32) (param $rows i32) (param $cols i32) (param $x i32) (param $bias i32) (param $out i32)
    (local $p i32) (local $xp i32) (local $xEnd i32) (local $r i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $xv v128)
    (local.set $p (local.get $W))
    (local.set $xEnd (i32.add (local.get $x) (i32.shl (local.get $cols) (i32.const 2))))
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $panels
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0)) (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $a4 (v128.const i32x4 0 0 0 0)) (local.set $a5 (v128.const i32x4 0 0 0 0))
        (local.set $a6 (v128.const i32x4 0 0 0 0)) (local.set $a7 (v128.const i32x4 0 0 0 0))
        (local.set $xp (local.get $x))
        (loop $columns
          (local.set $xv (v128.load (local.get $xp)))
          (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load offset=0 (local.get $p)) (local.get $xv))))
          (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load offset=16 (local.get $p)) (local.get $xv))))
          (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load offset=32 (local.get $p)) (local.get $xv))))
          (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load offset=48 (local.get $p)) (local.get $xv))))
          (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (v128.load offset=64 (local.get $p)) (local.get $xv))))
          (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (v128.load offset=80 (local.get $p)) (local.get $xv))))
          (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (v128.load offset=96 (local.get $p)) (local.get $xv))))
          (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (v128.load offset=112 (local.get $p)) (local.get $xv))))
          (local.set $p (i32.add (local.get $p) (i32.const 128)))
          (local.set $xp (i32.add (local.get $xp) (i32.const 16)))
          (br_if $columns (i32.lt_u (local.get $xp) (local.get $xEnd))))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32x4.add
            (call $sum4x4 (local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3))
            (v128.load (i32.add (local.get $bias) (i32.shl (local.get $r) (i32.const 2))))))
        (v128.store offset=16 (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32x4.add
            (call $sum4x4 (local.get $a4) (local.get $a5) (local.get $a6) (local.get $a7))
            (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $r) (i32.const 2))))))
        (local.set $r (i32.add (local.get $r) (i32.const 8)))
        (br $panels))))

  ;; ---------------------------------------------------------------------
  ;; LSTM cell update from the pre-activations gates [4H] (i, f, g, o):
  ;; c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c'). c [H] in place, h' to h.
  ;; Two passes, each with exp written out once in its loop: the gates are
  ;; activated in place (σ or tanh per block), then the state is updated.
  ;; Both σ and tanh are (p·e + q) / (e + 1) with e = exp(a·v):
  ;; σ: a = -1, p = 0, q = 1;  tanh: a = 2, p = 1, q = -1.
  ;; The H mod 4 remainder of each block takes the scalar path ($sigmoid4 and
  ;; $tanh4 on splatted lanes). hard = 1: the gates i, f, o take the hard
  ;; sigmoid instead of σ ($hardSigmoidInPlace on their blocks).
  ;; ---------------------------------------------------------------------
  (func $lstmUpdate (param $gates i32) (param $c i32) (param $h i32) (param $H i32) (param $hard i32)
    (local $hBytes i32) (local $end4 i32) (local $block i32) (local $base i32) (local $j i32)
    (local $a v128) (local $p v128) (local $q v128) (local $v v128) (local $e v128) (local $t v128) (local $n v128) (local $k v128)
    (local $cv v128)
    (local.set $hBytes (i32.shl (local.get $H) (i32.const 2)))
    (local.set $end4 (i32.and (local.get $hBytes) (i32.const -16)))
    ;; Pass 1: activate the four gate blocks in place.
    (local.set $block (i32.const 0))
    (loop $blocks
      (local.set $base (i32.add (local.get $gates) (i32.mul (local.get $block) (local.get $hBytes))))
      (block $activated
      (if (i32.and (local.get $hard) (i32.ne (local.get $block) (i32.const 2)))
        (then
          (call $hardSigmoidInPlace (local.get $base) (local.get $hBytes))
          (br $activated)))
      (if (i32.eq (local.get $block) (i32.const 2))
        (then
          (local.set $a (f32x4.splat (f32.const 2.0)))
          (local.set $p (f32x4.splat (f32.const 1.0)))
          (local.set $q (f32x4.splat (f32.const -1.0))))
        (else
          (local.set $a (f32x4.splat (f32.const -1.0)))
          (local.set $p (v128.const i32x4 0 0 0 0))
          (local.set $q (f32x4.splat (f32.const 1.0)))))
      (local.set $j (i32.const 0))
      (block $done
        (loop $each4
          (br_if $done (i32.ge_u (local.get $j) (local.get $end4)))
          (local.set $v (f32x4.mul (v128.load (i32.add (local.get $base) (local.get $j))) (local.get $a)))
          ;; $e = e^(local.get $v) (Cephes expf, as $exp4, written out here: a call per vector costs more than the polynomial)
          (local.set $t (f32x4.pmax (f32x4.pmin (local.get $v) (f32x4.splat (f32.const 87.0))) (f32x4.splat (f32.const -87.0))))
          ;; n = round(t·log2 e): adding 1.5·2^23 rounds to an integer in the low mantissa bits.
          (local.set $k (f32x4.add (f32x4.mul (local.get $t) (f32x4.splat (f32.const 1.44269504088896341))) (f32x4.splat (f32.const 12582912.0))))
          (local.set $n (f32x4.sub (local.get $k) (f32x4.splat (f32.const 12582912.0))))
          (local.set $t (f32x4.sub (f32x4.sub (local.get $t)
            (f32x4.mul (local.get $n) (f32x4.splat (f32.const 0.693359375))))
            (f32x4.mul (local.get $n) (f32x4.splat (f32.const -2.12194440e-4)))))
          (local.set $e (f32x4.add (f32x4.mul (f32x4.splat (f32.const 1.9875691500e-4)) (local.get $t)) (f32x4.splat (f32.const 1.3981999507e-3))))
          (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $t)) (f32x4.splat (f32.const 8.3334519073e-3))))
          (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $t)) (f32x4.splat (f32.const 4.1665795894e-2))))
          (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $t)) (f32x4.splat (f32.const 1.6666665459e-1))))
          (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $t)) (f32x4.splat (f32.const 5.0000001201e-1))))
          (local.set $e (f32x4.mul
            (f32x4.add (f32x4.add (f32x4.mul (local.get $e) (f32x4.mul (local.get $t) (local.get $t))) (local.get $t)) (f32x4.splat (f32.const 1.0)))
            ;; 2^n in the exponent bits: the integer n sits in k's low bits, offset by k's own exponent.
            (i32x4.shl (i32x4.add (local.get $k) (i32x4.splat (i32.const -1262485377))) (i32.const 23))))
          (v128.store (i32.add (local.get $base) (local.get $j))
            (f32x4.div
              (f32x4.add (f32x4.mul (local.get $p) (local.get $e)) (local.get $q))
              (f32x4.add (local.get $e) (f32x4.splat (f32.const 1.0)))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $each4)))
      (block $tailDone
        (loop $tail
          (br_if $tailDone (i32.ge_u (local.get $j) (local.get $hBytes)))
          (f32.store (i32.add (local.get $base) (local.get $j))
            (f32x4.extract_lane 0
              (if (result v128) (i32.eq (local.get $block) (i32.const 2))
                (then (call $tanh4 (v128.load32_splat (i32.add (local.get $base) (local.get $j)))))
                (else (call $sigmoid4 (v128.load32_splat (i32.add (local.get $base) (local.get $j))))))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $tail)))
      ) ;; $activated
      (local.set $block (i32.add (local.get $block) (i32.const 1)))
      (br_if $blocks (i32.lt_u (local.get $block) (i32.const 4))))
    ;; Pass 2: c' = f·c + i·g, h' = o·tanh(c').
    (local.set $j (i32.const 0))
    (block $done2
      (loop $each4b
        (br_if $done2 (i32.ge_u (local.get $j) (local.get $end4)))
        (local.set $base (i32.add (local.get $gates) (local.get $j)))
        (local.set $cv (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $base) (local.get $hBytes))) (v128.load (i32.add (local.get $c) (local.get $j))))
          (f32x4.mul (v128.load (local.get $base)) (v128.load (i32.add (local.get $base) (i32.shl (local.get $hBytes) (i32.const 1)))))))
        (v128.store (i32.add (local.get $c) (local.get $j)) (local.get $cv))
          ;; $e = e^(f32x4.add (local.get $cv) (local.get $cv)) (Cephes expf, as $exp4, written out here: a call per vector costs more than the polynomial)
          (local.set $t (f32x4.pmax (f32x4.pmin (f32x4.add (local.get $cv) (local.get $cv)) (f32x4.splat (f32.const 87.0))) (f32x4.splat (f32.const -87.0))))
          ;; n = round(t·log2 e): adding 1.5·2^23 rounds to an integer in the low mantissa bits.
          (local.set $k (f32x4.add (f32x4.mul (local.get $t) (f32x4.splat (f32.const 1.44269504088896341))) (f32x4.splat (f32.const 12582912.0))))
          (local.set $n (f32x4.sub (local.get $k) (f32x4.splat (f32.const 12582912.0))))
          (local.set $t (f32x4.sub (f32x4.sub (local.get $t)
            (f32x4.mul (local.get $n) (f32x4.splat (f32.const 0.693359375))))
            (f32x4.mul (local.get $n) (f32x4.splat (f32.const -2.12194440e-4)))))
          (local.set $e (f32x4.add (f32x4.mul (f32x4.splat (f32.const 1.9875691500e-4)) (local.get $t)) (f32x4.splat (f32.const 1.3981999507e-3))))
          (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $t)) (f32x4.splat (f32.const 8.3334519073e-3))))
          (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $t)) (f32x4.splat (f32.const 4.1665795894e-2))))
          (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $t)) (f32x4.splat (f32.const 1.6666665459e-1))))
          (local.set $e (f32x4.add (f32x4.mul (local.get $e) (local.get $t)) (f32x4.splat (f32.const 5.0000001201e-1))))
          (local.set $e (f32x4.mul
            (f32x4.add (f32x4.add (f32x4.mul (local.get $e) (f32x4.mul (local.get $t) (local.get $t))) (local.get $t)) (f32x4.splat (f32.const 1.0)))
            ;; 2^n in the exponent bits: the integer n sits in k's low bits, offset by k's own exponent.
            (i32x4.shl (i32x4.add (local.get $k) (i32x4.splat (i32.const -1262485377))) (i32.const 23))))
        (v128.store (i32.add (local.get $h) (local.get $j))
          (f32x4.mul
            (v128.load (i32.add (local.get $base) (i32.mul (local.get $hBytes) (i32.const 3))))
            (f32x4.div
              (f32x4.sub (local.get $e) (f32x4.splat (f32.const 1.0)))
              (f32x4.add (local.get $e) (f32x4.splat (f32.const 1.0))))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $each4b)))
    (block $tailDone2
      (loop $tail2
        (br_if $tailDone2 (i32.ge_u (local.get $j) (local.get $hBytes)))
        (local.set $base (i32.add (local.get $gates) (local.get $j)))
        (local.set $cv (f32x4.add
          (f32x4.mul (v128.load32_splat (i32.add (local.get $base) (local.get $hBytes))) (v128.load32_splat (i32.add (local.get $c) (local.get $j))))
          (f32x4.mul (v128.load32_splat (local.get $base)) (v128.load32_splat (i32.add (local.get $base) (i32.shl (local.get $hBytes) (i32.const 1)))))))
        (f32.store (i32.add (local.get $c) (local.get $j)) (f32x4.extract_lane 0 (local.get $cv)))
        (f32.store (i32.add (local.get $h) (local.get $j))
          (f32x4.extract_lane 0
            (f32x4.mul
              (v128.load32_splat (i32.add (local.get $base) (i32.mul (local.get $hBytes) (i32.const 3))))
              (call $tanh4 (local.get $cv)))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $tail2))))

  ;; One LSTM layer step, fused: gates = W·xh + bias, then the cell update.
  ;; xh [I + H] holds the input then the previous h; the new h overwrites that
  ;; h in place (the matrix product has read it already), so the next step's
  ;; xh is ready. W: the packed panels of [4H × (I + H)], padded to
  ;; [rows × cols]; bias [rows], gates [rows] scratch, c [H]; xh padded to cols.
  ;; hard = 1: hard-sigmoid gates (see $lstmUpdate).
  (func (export "lstm_step")
    (param $W i32) (param $bias i32) (param $xh i32) (param $rows i32) (param $cols i32) (param $gates i32) (param $c i32) (param $H i32) (param $hOffset i32) (param $hard i32)
    (call $matvecPanels (local.get $W) (local.get $rows) (local.get $cols) (local.get $xh) (local.get $bias) (local.get $gates))
    (call $lstmUpdate (local.get $gates) (local.get $c) (i32.add (local.get $xh) (local.get $hOffset)) (local.get $H) (local.get $hard)))

  ;; One Elman layer step: h = f(W·xh + bias), f = tanh (relu = 0) or ReLU
  ;; (relu = 1); h overwrites xh's h part as in lstm_step. pre [rows] scratch.
  (func (export "rnn_step")
    (param $W i32) (param $bias i32) (param $xh i32) (param $rows i32) (param $cols i32) (param $pre i32) (param $H i32) (param $hOffset i32) (param $relu i32)
    (call $matvecPanels (local.get $W) (local.get $rows) (local.get $cols) (local.get $xh) (local.get $bias) (local.get $pre))
    (call $activate (local.get $pre) (i32.add (local.get $xh) (local.get $hOffset)) (local.get $H) (local.get $relu)))

  ;; min(max(v, 0), 2^64) per lane: pmax(a, b) is b when a < b, else a;
  ;; pmin(a, b) is b when b < a, else a.
  (func $relu4 (param $v v128) (result v128)
    (f32x4.pmin
      (v128.const f32x4 0x1p64 0x1p64 0x1p64 0x1p64)
      (f32x4.pmax (v128.const f32x4 0 0 0 0) (local.get $v))))

  ;; h[j] = tanh(pre[j]) (relu = 0) or min(max(pre[j], 0), 2^64) (relu = 1)
  ;; for j < H. The ReLU cap is RELU_CEILING (src/math/activations.ts): the
  ;; load-time overflow check counts on it. pmax(0, v) and pmin(2^64, v) in
  ;; that operand order also send NaN to 0 and +Infinity to 2^64, as the
  ;; TypeScript cell does.
  (func $activate (param $pre i32) (param $h i32) (param $H i32) (param $relu i32)
    (local $j i32) (local $hBytes i32) (local $end4 i32)
    (local.set $hBytes (i32.shl (local.get $H) (i32.const 2)))
    (local.set $end4 (i32.and (local.get $hBytes) (i32.const -16)))
    (local.set $j (i32.const 0))
    (block $done
      (loop $each4
        (br_if $done (i32.ge_u (local.get $j) (local.get $end4)))
        (v128.store (i32.add (local.get $h) (local.get $j))
          (if (result v128) (local.get $relu)
            (then (call $relu4 (v128.load (i32.add (local.get $pre) (local.get $j)))))
            (else (call $tanh4 (v128.load (i32.add (local.get $pre) (local.get $j)))))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $each4)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $j) (local.get $hBytes)))
        (f32.store (i32.add (local.get $h) (local.get $j))
          (f32x4.extract_lane 0
            (if (result v128) (local.get $relu)
              (then (call $relu4 (v128.load32_splat (i32.add (local.get $pre) (local.get $j)))))
              (else (call $tanh4 (v128.load32_splat (i32.add (local.get $pre) (local.get $j))))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $tail))))

  ;; =====================================================================
  ;; int8 weights (Q8Matrix) row-major, each row padded to a multiple of 16
  ;; columns (rowBytes = subPerRow·16 bytes apart) and the rows to a multiple
  ;; of 4, padding zero: for a matrix whose columns are already a multiple of
  ;; 16 this is the Q8Matrix's own array, so the model holds it once. The
  ;; kernels take 4 rows at a time, one 16-column sub-block of each per load,
  ;; and reuse each load of x for the 4 rows. A block of `subPerBlock`
  ;; sub-blocks shares one f32 scale per row; the scales are packed
  ;; [panel of 4 rows][block][4 rows]. subPerRow: sub-blocks per row.
  ;; =====================================================================

  ;; Quantizes x [n] (n a multiple of 8, padding zero) to int16 in xq with one
  ;; symmetric scale: xq = round(x / s), s = max|x| / limit. Returns s (0 when
  ;; x is all zeros, and then every xq is 0).
  (func $quantize (param $x i32) (param $n i32) (param $xq i32) (param $limit f32) (result f32)
    (local $i i32) (local $end i32) (local $m v128) (local $max f32) (local $inv v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $m (v128.const i32x4 0 0 0 0))
    (local.set $i (local.get $x))
    (block $done
      (loop $scan
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $m (f32x4.max (local.get $m) (f32x4.abs (v128.load (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $scan)))
    (local.set $max (f32.max
      (f32.max (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
      (f32.max (f32x4.extract_lane 2 (local.get $m)) (f32x4.extract_lane 3 (local.get $m)))))
    (local.set $inv (f32x4.splat
      (select (f32.div (local.get $limit) (local.get $max)) (f32.const 0) (f32.gt (local.get $max) (f32.const 0)))))
    (local.set $i (i32.const 0))
    (block $done2
      (loop $convert
        (br_if $done2 (i32.ge_u (local.get $i) (local.get $n)))
        (v128.store
          (i32.add (local.get $xq) (i32.shl (local.get $i) (i32.const 1)))
          (i16x8.narrow_i32x4_s
            (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul
              (v128.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))) (local.get $inv))))
            (i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul
              (v128.load offset=16 (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))) (local.get $inv))))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $convert)))
    (select (f32.div (local.get $max) (local.get $limit)) (f32.const 0) (f32.gt (local.get $max) (f32.const 0))))

  ;; out[r] = bias[r] + xScale · Σ_b scale[r, b] · Σ_{c in b} W[r, c]·xq[c],
  ;; in integers inside a block (i32x4.dot_i16x8_s: 8 products per instruction).
  (func $matvecQ8
    (param $W i32) (param $scales i32) (param $rows i32) (param $subPerRow i32) (param $subPerBlock i32)
    (param $xq i32) (param $xScale f32) (param $bias i32) (param $out i32)
    (local $p i32) (local $panel i32) (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $sp i32) (local $r i32) (local $sub i32) (local $blockEnd i32) (local $xp i32)
    (local $f v128) (local $i0 v128) (local $i1 v128) (local $i2 v128) (local $i3 v128)
    (local $xlo v128) (local $xhi v128) (local $w v128)
    (local.set $panel (local.get $W))
    (local.set $r1 (i32.shl (local.get $subPerRow) (i32.const 4)))
    (local.set $r2 (i32.shl (local.get $r1) (i32.const 1)))
    (local.set $r3 (i32.add (local.get $r2) (local.get $r1)))
    (local.set $sp (local.get $scales))
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $panels
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $p (local.get $panel))
        (local.set $f (v128.const i32x4 0 0 0 0))
        (local.set $sub (i32.const 0))
        (local.set $xp (local.get $xq))
        (block $blocksDone
          (loop $blocks
            (br_if $blocksDone (i32.ge_u (local.get $sub) (local.get $subPerRow)))
            (local.set $blockEnd (i32.add (local.get $sub) (local.get $subPerBlock)))
            (if (i32.gt_u (local.get $blockEnd) (local.get $subPerRow)) (then (local.set $blockEnd (local.get $subPerRow))))
            (local.set $i0 (v128.const i32x4 0 0 0 0)) (local.set $i1 (v128.const i32x4 0 0 0 0))
            (local.set $i2 (v128.const i32x4 0 0 0 0)) (local.set $i3 (v128.const i32x4 0 0 0 0))
            (loop $subs
              (local.set $xlo (v128.load (local.get $xp)))
              (local.set $xhi (v128.load offset=16 (local.get $xp)))
              (local.set $w (v128.load (local.get $p)))
              (local.set $i0 (i32x4.add (local.get $i0) (i32x4.add
                (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $w)) (local.get $xlo))
                (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $w)) (local.get $xhi)))))
              (local.set $w (v128.load (i32.add (local.get $p) (local.get $r1))))
              (local.set $i1 (i32x4.add (local.get $i1) (i32x4.add
                (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $w)) (local.get $xlo))
                (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $w)) (local.get $xhi)))))
              (local.set $w (v128.load (i32.add (local.get $p) (local.get $r2))))
              (local.set $i2 (i32x4.add (local.get $i2) (i32x4.add
                (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $w)) (local.get $xlo))
                (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $w)) (local.get $xhi)))))
              (local.set $w (v128.load (i32.add (local.get $p) (local.get $r3))))
              (local.set $i3 (i32x4.add (local.get $i3) (i32x4.add
                (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $w)) (local.get $xlo))
                (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $w)) (local.get $xhi)))))
              (local.set $p (i32.add (local.get $p) (i32.const 16)))
              (local.set $xp (i32.add (local.get $xp) (i32.const 32)))
              (local.set $sub (i32.add (local.get $sub) (i32.const 1)))
              (br_if $subs (i32.lt_u (local.get $sub) (local.get $blockEnd))))
            (local.set $f (f32x4.add (local.get $f) (f32x4.mul
              (call $sum4x4
                (f32x4.convert_i32x4_s (local.get $i0)) (f32x4.convert_i32x4_s (local.get $i1))
                (f32x4.convert_i32x4_s (local.get $i2)) (f32x4.convert_i32x4_s (local.get $i3)))
              (v128.load (local.get $sp)))))
            (local.set $sp (i32.add (local.get $sp) (i32.const 16)))
            (br $blocks)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32x4.add
            (f32x4.mul (local.get $f) (f32x4.splat (local.get $xScale)))
            (v128.load (i32.add (local.get $bias) (i32.shl (local.get $r) (i32.const 2))))))
        (local.set $panel (i32.add (local.get $panel) (i32.shl (local.get $r1) (i32.const 2))))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $panels))))

  ;; The same product with the int8 weights widened to f32 and multiplied by
  ;; x in f32 (no activation quantization): per 16 weights, 2 + 4 widenings and
  ;; 4 conversions before the 4 multiplies and adds, against 2 widenings and 2
  ;; dot products in the integer kernel. x [subPerRow·16] f32.
  (func $matvecQ8Float
    (param $W i32) (param $scales i32) (param $rows i32) (param $subPerRow i32) (param $subPerBlock i32)
    (param $x i32) (param $bias i32) (param $out i32)
    (local $p i32) (local $panel i32) (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $sp i32) (local $r i32) (local $sub i32) (local $blockEnd i32) (local $xp i32)
    (local $f v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $w v128) (local $lo v128) (local $hi v128)
    (local.set $panel (local.get $W))
    (local.set $r1 (i32.shl (local.get $subPerRow) (i32.const 4)))
    (local.set $r2 (i32.shl (local.get $r1) (i32.const 1)))
    (local.set $r3 (i32.add (local.get $r2) (local.get $r1)))
    (local.set $sp (local.get $scales))
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $panels
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $p (local.get $panel))
        (local.set $f (v128.const i32x4 0 0 0 0))
        (local.set $sub (i32.const 0))
        (local.set $xp (local.get $x))
        (block $blocksDone
          (loop $blocks
            (br_if $blocksDone (i32.ge_u (local.get $sub) (local.get $subPerRow)))
            (local.set $blockEnd (i32.add (local.get $sub) (local.get $subPerBlock)))
            (if (i32.gt_u (local.get $blockEnd) (local.get $subPerRow)) (then (local.set $blockEnd (local.get $subPerRow))))
            (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0)) (local.set $a3 (v128.const i32x4 0 0 0 0))
            (loop $subs
              (local.set $x0 (v128.load (local.get $xp)))
              (local.set $x1 (v128.load offset=16 (local.get $xp)))
              (local.set $x2 (v128.load offset=32 (local.get $xp)))
              (local.set $x3 (v128.load offset=48 (local.get $xp)))
              (local.set $w (v128.load (local.get $p)))
              (local.set $a0 (f32x4.add (local.get $a0) (f32x4.add
                (f32x4.add
                  (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.tee $lo (i16x8.extend_low_i8x16_s (local.get $w))))) (local.get $x0))
                  (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $lo))) (local.get $x1)))
                (f32x4.add
                  (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.tee $hi (i16x8.extend_high_i8x16_s (local.get $w))))) (local.get $x2))
                  (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $hi))) (local.get $x3))))))
              (local.set $w (v128.load (i32.add (local.get $p) (local.get $r1))))
              (local.set $a1 (f32x4.add (local.get $a1) (f32x4.add
                (f32x4.add
                  (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.tee $lo (i16x8.extend_low_i8x16_s (local.get $w))))) (local.get $x0))
                  (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $lo))) (local.get $x1)))
                (f32x4.add
                  (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.tee $hi (i16x8.extend_high_i8x16_s (local.get $w))))) (local.get $x2))
                  (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $hi))) (local.get $x3))))))
              (local.set $w (v128.load (i32.add (local.get $p) (local.get $r2))))
              (local.set $a2 (f32x4.add (local.get $a2) (f32x4.add
                (f32x4.add
                  (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.tee $lo (i16x8.extend_low_i8x16_s (local.get $w))))) (local.get $x0))
                  (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $lo))) (local.get $x1)))
                (f32x4.add
                  (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.tee $hi (i16x8.extend_high_i8x16_s (local.get $w))))) (local.get $x2))
                  (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $hi))) (local.get $x3))))))
              (local.set $w (v128.load (i32.add (local.get $p) (local.get $r3))))
              (local.set $a3 (f32x4.add (local.get $a3) (f32x4.add
                (f32x4.add
                  (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.tee $lo (i16x8.extend_low_i8x16_s (local.get $w))))) (local.get $x0))
                  (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $lo))) (local.get $x1)))
                (f32x4.add
                  (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.tee $hi (i16x8.extend_high_i8x16_s (local.get $w))))) (local.get $x2))
                  (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $hi))) (local.get $x3))))))
              (local.set $p (i32.add (local.get $p) (i32.const 16)))
              (local.set $xp (i32.add (local.get $xp) (i32.const 64)))
              (local.set $sub (i32.add (local.get $sub) (i32.const 1)))
              (br_if $subs (i32.lt_u (local.get $sub) (local.get $blockEnd))))
            (local.set $f (f32x4.add (local.get $f) (f32x4.mul
              (call $sum4x4 (local.get $a0) (local.get $a1) (local.get $a2) (local.get $a3))
              (v128.load (local.get $sp)))))
            (local.set $sp (i32.add (local.get $sp) (i32.const 16)))
            (br $blocks)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32x4.add (local.get $f) (v128.load (i32.add (local.get $bias) (i32.shl (local.get $r) (i32.const 2))))))
        (local.set $panel (i32.add (local.get $panel) (i32.shl (local.get $r1) (i32.const 2))))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $panels))))

  ;; The int8 product with x quantized first. x [subPerRow·16] f32 (padding
  ;; zero), xq [subPerRow·16] int16 scratch, limit: the largest |xq|.
  (func (export "matvec_q8")
    (param $W i32) (param $scales i32) (param $rows i32) (param $subPerRow i32) (param $subPerBlock i32)
    (param $x i32) (param $xq i32) (param $limit f32) (param $bias i32) (param $out i32)
    (call $matvecQ8 (local.get $W) (local.get $scales) (local.get $rows) (local.get $subPerRow) (local.get $subPerBlock)
      (local.get $xq)
      (call $quantize (local.get $x) (i32.shl (local.get $subPerRow) (i32.const 4)) (local.get $xq) (local.get $limit))
      (local.get $bias) (local.get $out)))

  ;; The int8 product in f32 (weights widened), for comparison and as the exact variant.
  (func (export "matvec_q8_float")
    (param $W i32) (param $scales i32) (param $rows i32) (param $subPerRow i32) (param $subPerBlock i32)
    (param $x i32) (param $bias i32) (param $out i32)
    (call $matvecQ8Float (local.get $W) (local.get $scales) (local.get $rows) (local.get $subPerRow) (local.get $subPerBlock)
      (local.get $x) (local.get $bias) (local.get $out)))

  ;; One LSTM layer step on int8 weights: gates = W·xh + bias (integer kernel
  ;; when exact = 0, widened-f32 kernel when exact = 1), then the cell update
  ;; (hard = 1: hard-sigmoid gates).
  (func (export "lstm_step_q8")
    (param $W i32) (param $scales i32) (param $bias i32) (param $xh i32) (param $xq i32) (param $limit f32)
    (param $rows i32) (param $subPerRow i32) (param $subPerBlock i32) (param $gates i32) (param $c i32) (param $H i32)
    (param $hOffset i32) (param $exact i32) (param $hard i32)
    (if (local.get $exact)
      (then
        (call $matvecQ8Float (local.get $W) (local.get $scales) (local.get $rows) (local.get $subPerRow) (local.get $subPerBlock)
          (local.get $xh) (local.get $bias) (local.get $gates)))
      (else
        (call $matvecQ8 (local.get $W) (local.get $scales) (local.get $rows) (local.get $subPerRow) (local.get $subPerBlock)
          (local.get $xq)
          (call $quantize (local.get $xh) (i32.shl (local.get $subPerRow) (i32.const 4)) (local.get $xq) (local.get $limit))
          (local.get $bias) (local.get $gates))))
    (call $lstmUpdate (local.get $gates) (local.get $c) (i32.add (local.get $xh) (local.get $hOffset)) (local.get $H) (local.get $hard)))

  ;; One Elman layer step on int8 weights (relu as in rnn_step, exact as in lstm_step_q8).
  (func (export "rnn_step_q8")
    (param $W i32) (param $scales i32) (param $bias i32) (param $xh i32) (param $xq i32) (param $limit f32)
    (param $rows i32) (param $subPerRow i32) (param $subPerBlock i32) (param $pre i32) (param $H i32)
    (param $hOffset i32) (param $exact i32) (param $relu i32)
    (if (local.get $exact)
      (then
        (call $matvecQ8Float (local.get $W) (local.get $scales) (local.get $rows) (local.get $subPerRow) (local.get $subPerBlock)
          (local.get $xh) (local.get $bias) (local.get $pre)))
      (else
        (call $matvecQ8 (local.get $W) (local.get $scales) (local.get $rows) (local.get $subPerRow) (local.get $subPerBlock)
          (local.get $xq)
          (call $quantize (local.get $xh) (i32.shl (local.get $subPerRow) (i32.const 4)) (local.get $xq) (local.get $limit))
          (local.get $bias) (local.get $pre))))
    (call $activate (local.get $pre) (i32.add (local.get $xh) (local.get $hOffset)) (local.get $H) (local.get $relu)))

;; =====================================================================
  ;; 4-bit weights (Q4Matrix): signed nibbles in two's complement, two per
  ;; byte, the low nibble the even column; each row padded to a multiple of
  ;; 32 columns (rowBytes = chunks·16 bytes apart) and the rows to a multiple
  ;; of 4, padding zero; one f32 scale per row and block of `chunkPerBlock`
  ;; 32-column chunks, row-major [rows × blocksPerRow] — the Q4Matrix's own
  ;; layout, so the model holds its 4-bit weights once. A load of 16 bytes is
  ;; 32 weights of one row: their low nibbles are the chunk's even columns,
  ;; sign-extended as ((w & 15) ^ 8) − 8, and the high ones its odd columns,
  ;; read as w & 0xF0, which is 16 × the nibble as an int8 (SIMD has no 8-bit
  ;; shifts on x86; these are three and one plain ops). So the kernels read x
  ;; de-interleaved per chunk ($deinterleave32) instead of shuffling every
  ;; row's weights back into column order, and undo the 16 exactly: the f32
  ;; product takes the odd columns of x divided by 16, the integer product
  ;; shifts the even sums left by 4 and divides the total by 16 at the end.
  ;; =====================================================================

  ;; For each of `chunks` chunks of 32 f32: out = its 16 even columns, then
  ;; its 16 odd ones times oddScale.
  (func $deinterleave32 (param $x i32) (param $chunks i32) (param $out i32) (param $oddScale f32)
    (local $end i32) (local $odd v128) (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $v4 v128) (local $v5 v128) (local $v6 v128) (local $v7 v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $chunks) (i32.const 7))))
    (local.set $odd (f32x4.splat (local.get $oddScale)))
    (block $done
      (loop $chunk
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $v0 (v128.load (local.get $x)))
        (local.set $v1 (v128.load offset=16 (local.get $x)))
        (local.set $v2 (v128.load offset=32 (local.get $x)))
        (local.set $v3 (v128.load offset=48 (local.get $x)))
        (local.set $v4 (v128.load offset=64 (local.get $x)))
        (local.set $v5 (v128.load offset=80 (local.get $x)))
        (local.set $v6 (v128.load offset=96 (local.get $x)))
        (local.set $v7 (v128.load offset=112 (local.get $x)))
        (v128.store (local.get $out) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $v0) (local.get $v1)))
        (v128.store offset=16 (local.get $out) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $v2) (local.get $v3)))
        (v128.store offset=32 (local.get $out) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $v4) (local.get $v5)))
        (v128.store offset=48 (local.get $out) (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $v6) (local.get $v7)))
        (v128.store offset=64 (local.get $out) (f32x4.mul (local.get $odd) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $v0) (local.get $v1))))
        (v128.store offset=80 (local.get $out) (f32x4.mul (local.get $odd) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $v2) (local.get $v3))))
        (v128.store offset=96 (local.get $out) (f32x4.mul (local.get $odd) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $v4) (local.get $v5))))
        (v128.store offset=112 (local.get $out) (f32x4.mul (local.get $odd) (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $v6) (local.get $v7))))
        (local.set $x (i32.add (local.get $x) (i32.const 128)))
        (local.set $out (i32.add (local.get $out) (i32.const 128)))
        (br $chunk))))

  ;; out[r] = bias[r] + xScale · Σ_b scale[r, b] · Σ_{c in b} q[r, c]·xq[c], in
  ;; integers inside a block (16 × the sum, see above). xq: int16,
  ;; de-interleaved per chunk (64 bytes).
  (func $matvecQ4
    (param $W i32) (param $scales i32) (param $rows i32) (param $chunks i32) (param $chunkPerBlock i32) (param $blocksPerRow i32)
    (param $xq i32) (param $xScale f32) (param $bias i32) (param $out i32)
    (local $p i32) (local $panel i32) (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $sp i32) (local $rowStep i32)
    (local $r i32) (local $chunk i32) (local $blockEnd i32) (local $xp i32)
    (local $f0 v128) (local $f1 v128) (local $f2 v128) (local $f3 v128) (local $i0 v128) (local $i1 v128) (local $i2 v128) (local $i3 v128)
    (local $xe0 v128) (local $xe1 v128) (local $xo0 v128) (local $xo1 v128) (local $w v128) (local $lo v128) (local $hi v128) (local $low4 v128) (local $eight v128) (local $high4 v128)
    (local.set $low4 (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $eight (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8))
    (local.set $high4 (v128.const i8x16 240 240 240 240 240 240 240 240 240 240 240 240 240 240 240 240))
    (local.set $panel (local.get $W))
    (local.set $r1 (i32.shl (local.get $chunks) (i32.const 4)))
    (local.set $r2 (i32.shl (local.get $r1) (i32.const 1)))
    (local.set $r3 (i32.add (local.get $r2) (local.get $r1)))
    (local.set $rowStep (i32.shl (local.get $blocksPerRow) (i32.const 2)))
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $panels
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $p (local.get $panel))
        (local.set $sp (i32.add (local.get $scales) (i32.mul (local.get $r) (local.get $rowStep))))
        (local.set $f0 (v128.const i32x4 0 0 0 0)) (local.set $f1 (v128.const i32x4 0 0 0 0))
        (local.set $f2 (v128.const i32x4 0 0 0 0)) (local.set $f3 (v128.const i32x4 0 0 0 0))
        (local.set $chunk (i32.const 0))
        (local.set $xp (local.get $xq))
        (block $blocksDone
          (loop $blocks
            (br_if $blocksDone (i32.ge_u (local.get $chunk) (local.get $chunks)))
            (local.set $blockEnd (i32.add (local.get $chunk) (local.get $chunkPerBlock)))
            (if (i32.gt_u (local.get $blockEnd) (local.get $chunks)) (then (local.set $blockEnd (local.get $chunks))))
            (local.set $i0 (v128.const i32x4 0 0 0 0)) (local.set $i1 (v128.const i32x4 0 0 0 0))
            (local.set $i2 (v128.const i32x4 0 0 0 0)) (local.set $i3 (v128.const i32x4 0 0 0 0))
            (loop $chunksInBlock
              (local.set $xe0 (v128.load (local.get $xp)))
              (local.set $xe1 (v128.load offset=16 (local.get $xp)))
              (local.set $xo0 (v128.load offset=32 (local.get $xp)))
              (local.set $xo1 (v128.load offset=48 (local.get $xp)))
              (local.set $w (v128.load (local.get $p)))
              (local.set $lo (i8x16.sub (v128.xor (v128.and (local.get $w) (local.get $low4))
                (local.get $eight)) (local.get $eight)))
              (local.set $hi (v128.and (local.get $w) (local.get $high4)))
              (local.set $i0 (i32x4.add (local.get $i0) (i32x4.add
                (i32x4.shl (i32x4.add
                  (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $lo)) (local.get $xe0))
                  (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $lo)) (local.get $xe1))) (i32.const 4))
                (i32x4.add
                  (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $hi)) (local.get $xo0))
                  (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $hi)) (local.get $xo1))))))
              (local.set $w (v128.load (i32.add (local.get $p) (local.get $r1))))
              (local.set $lo (i8x16.sub (v128.xor (v128.and (local.get $w) (local.get $low4))
                (local.get $eight)) (local.get $eight)))
              (local.set $hi (v128.and (local.get $w) (local.get $high4)))
              (local.set $i1 (i32x4.add (local.get $i1) (i32x4.add
                (i32x4.shl (i32x4.add
                  (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $lo)) (local.get $xe0))
                  (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $lo)) (local.get $xe1))) (i32.const 4))
                (i32x4.add
                  (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $hi)) (local.get $xo0))
                  (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $hi)) (local.get $xo1))))))
              (local.set $w (v128.load (i32.add (local.get $p) (local.get $r2))))
              (local.set $lo (i8x16.sub (v128.xor (v128.and (local.get $w) (local.get $low4))
                (local.get $eight)) (local.get $eight)))
              (local.set $hi (v128.and (local.get $w) (local.get $high4)))
              (local.set $i2 (i32x4.add (local.get $i2) (i32x4.add
                (i32x4.shl (i32x4.add
                  (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $lo)) (local.get $xe0))
                  (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $lo)) (local.get $xe1))) (i32.const 4))
                (i32x4.add
                  (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $hi)) (local.get $xo0))
                  (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $hi)) (local.get $xo1))))))
              (local.set $w (v128.load (i32.add (local.get $p) (local.get $r3))))
              (local.set $lo (i8x16.sub (v128.xor (v128.and (local.get $w) (local.get $low4))
                (local.get $eight)) (local.get $eight)))
              (local.set $hi (v128.and (local.get $w) (local.get $high4)))
              (local.set $i3 (i32x4.add (local.get $i3) (i32x4.add
                (i32x4.shl (i32x4.add
                  (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $lo)) (local.get $xe0))
                  (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $lo)) (local.get $xe1))) (i32.const 4))
                (i32x4.add
                  (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $hi)) (local.get $xo0))
                  (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $hi)) (local.get $xo1))))))
              (local.set $p (i32.add (local.get $p) (i32.const 16)))
              (local.set $xp (i32.add (local.get $xp) (i32.const 64)))
              (local.set $chunk (i32.add (local.get $chunk) (i32.const 1)))
              (br_if $chunksInBlock (i32.lt_u (local.get $chunk) (local.get $blockEnd))))
            (local.set $f0 (f32x4.add (local.get $f0) (f32x4.mul (f32x4.convert_i32x4_s (local.get $i0)) (v128.load32_splat (local.get $sp)))))
            (local.set $f1 (f32x4.add (local.get $f1) (f32x4.mul (f32x4.convert_i32x4_s (local.get $i1)) (v128.load32_splat (i32.add (local.get $sp) (local.get $rowStep))))))
            (local.set $f2 (f32x4.add (local.get $f2) (f32x4.mul (f32x4.convert_i32x4_s (local.get $i2)) (v128.load32_splat (i32.add (local.get $sp) (i32.shl (local.get $rowStep) (i32.const 1)))))))
            (local.set $f3 (f32x4.add (local.get $f3) (f32x4.mul (f32x4.convert_i32x4_s (local.get $i3)) (v128.load32_splat (i32.add (local.get $sp) (i32.mul (local.get $rowStep) (i32.const 3)))))))
            (local.set $sp (i32.add (local.get $sp) (i32.const 4)))
            (br $blocks)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32x4.add
            (f32x4.mul (call $sum4x4 (local.get $f0) (local.get $f1) (local.get $f2) (local.get $f3)) (f32x4.splat (f32.mul (local.get $xScale) (f32.const 0.0625))))
            (v128.load (i32.add (local.get $bias) (i32.shl (local.get $r) (i32.const 2))))))
        (local.set $panel (i32.add (local.get $panel) (i32.shl (local.get $r1) (i32.const 2))))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $panels))))

  ;; $matvecQ4 when every block is one chunk (blocks of 32 columns, the
  ;; quantizer's default): each chunk's integer sums are scaled as they are
  ;; made, without the block loop's bookkeeping (its bounds, its zeroed
  ;; accumulators), which for one-chunk blocks cost about as much as the
  ;; multiplications do. Same sums in the same order, so the same results.
  (func $matvecQ4ChunkBlocks
    (param $W i32) (param $scales i32) (param $rows i32) (param $chunks i32) (param $blocksPerRow i32)
    (param $xq i32) (param $xScale f32) (param $bias i32) (param $out i32)
    (local $p i32) (local $panel i32) (local $panelEnd i32) (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $sp i32)
    (local $rowStep i32) (local $rowStep2 i32) (local $rowStep3 i32) (local $r i32) (local $xp i32)
    (local $f0 v128) (local $f1 v128) (local $f2 v128) (local $f3 v128)
    (local $xe0 v128) (local $xe1 v128) (local $xo0 v128) (local $xo1 v128) (local $w v128) (local $lo v128) (local $hi v128) (local $low4 v128) (local $eight v128) (local $high4 v128)
    (local.set $low4 (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $eight (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8))
    (local.set $high4 (v128.const i8x16 240 240 240 240 240 240 240 240 240 240 240 240 240 240 240 240))
    (local.set $panel (local.get $W))
    (local.set $r1 (i32.shl (local.get $chunks) (i32.const 4)))
    (local.set $r2 (i32.shl (local.get $r1) (i32.const 1)))
    (local.set $r3 (i32.add (local.get $r2) (local.get $r1)))
    (local.set $rowStep (i32.shl (local.get $blocksPerRow) (i32.const 2)))
    (local.set $rowStep2 (i32.shl (local.get $rowStep) (i32.const 1)))
    (local.set $rowStep3 (i32.add (local.get $rowStep2) (local.get $rowStep)))
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $panels
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $p (local.get $panel))
        (local.set $panelEnd (i32.add (local.get $panel) (local.get $r1)))
        (local.set $sp (i32.add (local.get $scales) (i32.mul (local.get $r) (local.get $rowStep))))
        (local.set $f0 (v128.const i32x4 0 0 0 0)) (local.set $f1 (v128.const i32x4 0 0 0 0))
        (local.set $f2 (v128.const i32x4 0 0 0 0)) (local.set $f3 (v128.const i32x4 0 0 0 0))
        (local.set $xp (local.get $xq))
        (loop $chunk
          (local.set $xe0 (v128.load (local.get $xp)))
          (local.set $xe1 (v128.load offset=16 (local.get $xp)))
          (local.set $xo0 (v128.load offset=32 (local.get $xp)))
          (local.set $xo1 (v128.load offset=48 (local.get $xp)))
              (local.set $w (v128.load (local.get $p)))
              (local.set $lo (i8x16.sub (v128.xor (v128.and (local.get $w) (local.get $low4))
                (local.get $eight)) (local.get $eight)))
              (local.set $hi (v128.and (local.get $w) (local.get $high4)))
              (local.set $f0 (f32x4.add (local.get $f0) (f32x4.mul (v128.load32_splat (local.get $sp)) (f32x4.convert_i32x4_s (i32x4.add
                (i32x4.shl (i32x4.add
                  (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $lo)) (local.get $xe0))
                  (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $lo)) (local.get $xe1))) (i32.const 4))
                (i32x4.add
                  (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $hi)) (local.get $xo0))
                  (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $hi)) (local.get $xo1))))))))
              (local.set $w (v128.load (i32.add (local.get $p) (local.get $r1))))
              (local.set $lo (i8x16.sub (v128.xor (v128.and (local.get $w) (local.get $low4))
                (local.get $eight)) (local.get $eight)))
              (local.set $hi (v128.and (local.get $w) (local.get $high4)))
              (local.set $f1 (f32x4.add (local.get $f1) (f32x4.mul (v128.load32_splat (i32.add (local.get $sp) (local.get $rowStep))) (f32x4.convert_i32x4_s (i32x4.add
                (i32x4.shl (i32x4.add
                  (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $lo)) (local.get $xe0))
                  (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $lo)) (local.get $xe1))) (i32.const 4))
                (i32x4.add
                  (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $hi)) (local.get $xo0))
                  (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $hi)) (local.get $xo1))))))))
              (local.set $w (v128.load (i32.add (local.get $p) (local.get $r2))))
              (local.set $lo (i8x16.sub (v128.xor (v128.and (local.get $w) (local.get $low4))
                (local.get $eight)) (local.get $eight)))
              (local.set $hi (v128.and (local.get $w) (local.get $high4)))
              (local.set $f2 (f32x4.add (local.get $f2) (f32x4.mul (v128.load32_splat (i32.add (local.get $sp) (local.get $rowStep2))) (f32x4.convert_i32x4_s (i32x4.add
                (i32x4.shl (i32x4.add
                  (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $lo)) (local.get $xe0))
                  (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $lo)) (local.get $xe1))) (i32.const 4))
                (i32x4.add
                  (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $hi)) (local.get $xo0))
                  (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $hi)) (local.get $xo1))))))))
              (local.set $w (v128.load (i32.add (local.get $p) (local.get $r3))))
              (local.set $lo (i8x16.sub (v128.xor (v128.and (local.get $w) (local.get $low4))
                (local.get $eight)) (local.get $eight)))
              (local.set $hi (v128.and (local.get $w) (local.get $high4)))
              (local.set $f3 (f32x4.add (local.get $f3) (f32x4.mul (v128.load32_splat (i32.add (local.get $sp) (local.get $rowStep3))) (f32x4.convert_i32x4_s (i32x4.add
                (i32x4.shl (i32x4.add
                  (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $lo)) (local.get $xe0))
                  (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $lo)) (local.get $xe1))) (i32.const 4))
                (i32x4.add
                  (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $hi)) (local.get $xo0))
                  (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $hi)) (local.get $xo1))))))))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $xp (i32.add (local.get $xp) (i32.const 64)))
          (local.set $sp (i32.add (local.get $sp) (i32.const 4)))
          (br_if $chunk (i32.lt_u (local.get $p) (local.get $panelEnd))))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32x4.add
            (f32x4.mul (call $sum4x4 (local.get $f0) (local.get $f1) (local.get $f2) (local.get $f3)) (f32x4.splat (f32.mul (local.get $xScale) (f32.const 0.0625))))
            (v128.load (i32.add (local.get $bias) (i32.shl (local.get $r) (i32.const 2))))))
        (local.set $panel (i32.add (local.get $panel) (i32.shl (local.get $r1) (i32.const 2))))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $panels))))

  ;; The 4-bit product with the weights widened to f32 and x in f32,
  ;; de-interleaved per chunk (128 bytes), its odd columns divided by 16.
  (func $matvecQ4Float
    (param $W i32) (param $scales i32) (param $rows i32) (param $chunks i32) (param $chunkPerBlock i32) (param $blocksPerRow i32)
    (param $xd i32) (param $bias i32) (param $out i32)
    (local $p i32) (local $panel i32) (local $r1 i32) (local $r2 i32) (local $r3 i32) (local $sp i32) (local $rowStep i32)
    (local $r i32) (local $chunk i32) (local $blockEnd i32) (local $xp i32)
    (local $f0 v128) (local $f1 v128) (local $f2 v128) (local $f3 v128) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $xe0 v128) (local $xe1 v128) (local $xe2 v128) (local $xe3 v128) (local $xo0 v128) (local $xo1 v128) (local $xo2 v128) (local $xo3 v128)
    (local $w v128) (local $lo v128) (local $hi v128) (local $low4 v128) (local $eight v128) (local $high4 v128) (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local.set $low4 (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15))
    (local.set $eight (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8))
    (local.set $high4 (v128.const i8x16 240 240 240 240 240 240 240 240 240 240 240 240 240 240 240 240))
    (local.set $panel (local.get $W))
    (local.set $r1 (i32.shl (local.get $chunks) (i32.const 4)))
    (local.set $r2 (i32.shl (local.get $r1) (i32.const 1)))
    (local.set $r3 (i32.add (local.get $r2) (local.get $r1)))
    (local.set $rowStep (i32.shl (local.get $blocksPerRow) (i32.const 2)))
    (local.set $r (i32.const 0))
    (block $rowsDone
      (loop $panels
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $p (local.get $panel))
        (local.set $sp (i32.add (local.get $scales) (i32.mul (local.get $r) (local.get $rowStep))))
        (local.set $f0 (v128.const i32x4 0 0 0 0)) (local.set $f1 (v128.const i32x4 0 0 0 0))
        (local.set $f2 (v128.const i32x4 0 0 0 0)) (local.set $f3 (v128.const i32x4 0 0 0 0))
        (local.set $chunk (i32.const 0))
        (local.set $xp (local.get $xd))
        (block $blocksDone
          (loop $blocks
            (br_if $blocksDone (i32.ge_u (local.get $chunk) (local.get $chunks)))
            (local.set $blockEnd (i32.add (local.get $chunk) (local.get $chunkPerBlock)))
            (if (i32.gt_u (local.get $blockEnd) (local.get $chunks)) (then (local.set $blockEnd (local.get $chunks))))
            (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0))
            (local.set $a2 (v128.const i32x4 0 0 0 0)) (local.set $a3 (v128.const i32x4 0 0 0 0))
            (loop $chunksInBlock
              (local.set $xe0 (v128.load (local.get $xp)))
              (local.set $xe1 (v128.load offset=16 (local.get $xp)))
              (local.set $xe2 (v128.load offset=32 (local.get $xp)))
              (local.set $xe3 (v128.load offset=48 (local.get $xp)))
              (local.set $xo0 (v128.load offset=64 (local.get $xp)))
              (local.set $xo1 (v128.load offset=80 (local.get $xp)))
              (local.set $xo2 (v128.load offset=96 (local.get $xp)))
              (local.set $xo3 (v128.load offset=112 (local.get $xp)))
              (local.set $w (v128.load (local.get $p)))
              (local.set $lo (i8x16.sub (v128.xor (v128.and (local.get $w) (local.get $low4))
                (local.get $eight)) (local.get $eight)))
              (local.set $hi (v128.and (local.get $w) (local.get $high4)))
              (local.set $a (i16x8.extend_low_i8x16_s (local.get $lo)))
              (local.set $b (i16x8.extend_high_i8x16_s (local.get $lo)))
              (local.set $c (i16x8.extend_low_i8x16_s (local.get $hi)))
              (local.set $d (i16x8.extend_high_i8x16_s (local.get $hi)))
              (local.set $a0 (f32x4.add (local.get $a0) (f32x4.add
                (f32x4.add
                  (f32x4.add
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $a))) (local.get $xe0))
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $a))) (local.get $xe1)))
                  (f32x4.add
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $b))) (local.get $xe2))
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $b))) (local.get $xe3))))
                (f32x4.add
                  (f32x4.add
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $c))) (local.get $xo0))
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $c))) (local.get $xo1)))
                  (f32x4.add
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $d))) (local.get $xo2))
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $d))) (local.get $xo3)))))))
              (local.set $w (v128.load (i32.add (local.get $p) (local.get $r1))))
              (local.set $lo (i8x16.sub (v128.xor (v128.and (local.get $w) (local.get $low4))
                (local.get $eight)) (local.get $eight)))
              (local.set $hi (v128.and (local.get $w) (local.get $high4)))
              (local.set $a (i16x8.extend_low_i8x16_s (local.get $lo)))
              (local.set $b (i16x8.extend_high_i8x16_s (local.get $lo)))
              (local.set $c (i16x8.extend_low_i8x16_s (local.get $hi)))
              (local.set $d (i16x8.extend_high_i8x16_s (local.get $hi)))
              (local.set $a1 (f32x4.add (local.get $a1) (f32x4.add
                (f32x4.add
                  (f32x4.add
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $a))) (local.get $xe0))
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $a))) (local.get $xe1)))
                  (f32x4.add
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $b))) (local.get $xe2))
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $b))) (local.get $xe3))))
                (f32x4.add
                  (f32x4.add
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $c))) (local.get $xo0))
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $c))) (local.get $xo1)))
                  (f32x4.add
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $d))) (local.get $xo2))
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $d))) (local.get $xo3)))))))
              (local.set $w (v128.load (i32.add (local.get $p) (local.get $r2))))
              (local.set $lo (i8x16.sub (v128.xor (v128.and (local.get $w) (local.get $low4))
                (local.get $eight)) (local.get $eight)))
              (local.set $hi (v128.and (local.get $w) (local.get $high4)))
              (local.set $a (i16x8.extend_low_i8x16_s (local.get $lo)))
              (local.set $b (i16x8.extend_high_i8x16_s (local.get $lo)))
              (local.set $c (i16x8.extend_low_i8x16_s (local.get $hi)))
              (local.set $d (i16x8.extend_high_i8x16_s (local.get $hi)))
              (local.set $a2 (f32x4.add (local.get $a2) (f32x4.add
                (f32x4.add
                  (f32x4.add
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $a))) (local.get $xe0))
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $a))) (local.get $xe1)))
                  (f32x4.add
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $b))) (local.get $xe2))
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $b))) (local.get $xe3))))
                (f32x4.add
                  (f32x4.add
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $c))) (local.get $xo0))
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $c))) (local.get $xo1)))
                  (f32x4.add
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $d))) (local.get $xo2))
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $d))) (local.get $xo3)))))))
              (local.set $w (v128.load (i32.add (local.get $p) (local.get $r3))))
              (local.set $lo (i8x16.sub (v128.xor (v128.and (local.get $w) (local.get $low4))
                (local.get $eight)) (local.get $eight)))
              (local.set $hi (v128.and (local.get $w) (local.get $high4)))
              (local.set $a (i16x8.extend_low_i8x16_s (local.get $lo)))
              (local.set $b (i16x8.extend_high_i8x16_s (local.get $lo)))
              (local.set $c (i16x8.extend_low_i8x16_s (local.get $hi)))
              (local.set $d (i16x8.extend_high_i8x16_s (local.get $hi)))
              (local.set $a3 (f32x4.add (local.get $a3) (f32x4.add
                (f32x4.add
                  (f32x4.add
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $a))) (local.get $xe0))
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $a))) (local.get $xe1)))
                  (f32x4.add
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $b))) (local.get $xe2))
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $b))) (local.get $xe3))))
                (f32x4.add
                  (f32x4.add
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $c))) (local.get $xo0))
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $c))) (local.get $xo1)))
                  (f32x4.add
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $d))) (local.get $xo2))
                    (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $d))) (local.get $xo3)))))))
              (local.set $p (i32.add (local.get $p) (i32.const 16)))
              (local.set $xp (i32.add (local.get $xp) (i32.const 128)))
              (local.set $chunk (i32.add (local.get $chunk) (i32.const 1)))
              (br_if $chunksInBlock (i32.lt_u (local.get $chunk) (local.get $blockEnd))))
            (local.set $f0 (f32x4.add (local.get $f0) (f32x4.mul (local.get $a0) (v128.load32_splat (local.get $sp)))))
            (local.set $f1 (f32x4.add (local.get $f1) (f32x4.mul (local.get $a1) (v128.load32_splat (i32.add (local.get $sp) (local.get $rowStep))))))
            (local.set $f2 (f32x4.add (local.get $f2) (f32x4.mul (local.get $a2) (v128.load32_splat (i32.add (local.get $sp) (i32.shl (local.get $rowStep) (i32.const 1)))))))
            (local.set $f3 (f32x4.add (local.get $f3) (f32x4.mul (local.get $a3) (v128.load32_splat (i32.add (local.get $sp) (i32.mul (local.get $rowStep) (i32.const 3)))))))
            (local.set $sp (i32.add (local.get $sp) (i32.const 4)))
            (br $blocks)))
        (v128.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (f32x4.add (call $sum4x4 (local.get $f0) (local.get $f1) (local.get $f2) (local.get $f3))
            (v128.load (i32.add (local.get $bias) (i32.shl (local.get $r) (i32.const 2))))))
        (local.set $panel (i32.add (local.get $panel) (i32.shl (local.get $r1) (i32.const 2))))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $panels))))

  ;; out = bias + W·x on 4-bit weights: x [chunks·32] f32 (padding zero) is
  ;; de-interleaved into xd, then (exact = 0) quantized to int16 in xq with
  ;; one scale and multiplied in integers, or (exact = 1) multiplied in f32.
  (func $productQ4
    (param $W i32) (param $scales i32) (param $rows i32) (param $chunks i32) (param $chunkPerBlock i32) (param $blocksPerRow i32)
    (param $x i32) (param $xd i32) (param $xq i32) (param $limit f32) (param $exact i32) (param $bias i32) (param $out i32)
    (local $xScale f32)
    (call $deinterleave32 (local.get $x) (local.get $chunks) (local.get $xd)
      (select (f32.const 0.0625) (f32.const 1) (local.get $exact)))
    (if (local.get $exact)
      (then
        (call $matvecQ4Float (local.get $W) (local.get $scales) (local.get $rows) (local.get $chunks) (local.get $chunkPerBlock) (local.get $blocksPerRow)
          (local.get $xd) (local.get $bias) (local.get $out))
        (return)))
    (local.set $xScale (call $quantize (local.get $xd) (i32.shl (local.get $chunks) (i32.const 5)) (local.get $xq) (local.get $limit)))
    (if (i32.eq (local.get $chunkPerBlock) (i32.const 1))
      (then
        (call $matvecQ4ChunkBlocks (local.get $W) (local.get $scales) (local.get $rows) (local.get $chunks) (local.get $blocksPerRow)
          (local.get $xq) (local.get $xScale) (local.get $bias) (local.get $out)))
      (else
        (call $matvecQ4 (local.get $W) (local.get $scales) (local.get $rows) (local.get $chunks) (local.get $chunkPerBlock) (local.get $blocksPerRow)
          (local.get $xq) (local.get $xScale) (local.get $bias) (local.get $out)))))

  (func (export "matvec_q4")
    (param $W i32) (param $scales i32) (param $rows i32) (param $chunks i32) (param $chunkPerBlock i32) (param $blocksPerRow i32)
    (param $x i32) (param $xd i32) (param $xq i32) (param $limit f32) (param $exact i32) (param $bias i32) (param $out i32)
    (call $productQ4 (local.get $W) (local.get $scales) (local.get $rows) (local.get $chunks) (local.get $chunkPerBlock) (local.get $blocksPerRow)
      (local.get $x) (local.get $xd) (local.get $xq) (local.get $limit) (local.get $exact) (local.get $bias) (local.get $out)))

  ;; One LSTM layer step on 4-bit weights: gates = W·xh + bias as matvec_q4, then the cell update.
  (func (export "lstm_step_q4")
    (param $W i32) (param $scales i32) (param $bias i32) (param $xh i32) (param $xd i32) (param $xq i32) (param $limit f32)
    (param $rows i32) (param $chunks i32) (param $chunkPerBlock i32) (param $blocksPerRow i32) (param $gates i32) (param $c i32) (param $H i32)
    (param $hOffset i32) (param $exact i32) (param $hard i32)
    (call $productQ4 (local.get $W) (local.get $scales) (local.get $rows) (local.get $chunks) (local.get $chunkPerBlock) (local.get $blocksPerRow)
      (local.get $xh) (local.get $xd) (local.get $xq) (local.get $limit) (local.get $exact) (local.get $bias) (local.get $gates))
    (call $lstmUpdate (local.get $gates) (local.get $c) (i32.add (local.get $xh) (local.get $hOffset)) (local.get $H) (local.get $hard)))

  ;; One Elman layer step on 4-bit weights (relu as in rnn_step).
  (func (export "rnn_step_q4")
    (param $W i32) (param $scales i32) (param $bias i32) (param $xh i32) (param $xd i32) (param $xq i32) (param $limit f32)
    (param $rows i32) (param $chunks i32) (param $chunkPerBlock i32) (param $blocksPerRow i32) (param $pre i32) (param $H i32)
    (param $hOffset i32) (param $exact i32) (param $relu i32)
    (call $productQ4 (local.get $W) (local.get $scales) (local.get $rows) (local.get $chunks) (local.get $chunkPerBlock) (local.get $blocksPerRow)
      (local.get $xh) (local.get $xd) (local.get $xq) (local.get $limit) (local.get $exact) (local.get $bias) (local.get $pre))
    (call $activate (local.get $pre) (i32.add (local.get $xh) (local.get $hOffset)) (local.get $H) (local.get $relu)))

  ;; =====================================================================
  ;; GRU (src/cells/gru-cell.ts): gate order r, z, n. The input product gx and
  ;; the hidden product gh (biases b_ih and b_hh already added) are kept apart,
  ;; each [3S] with gate block k at float k·S (S: H rounded up to a multiple
  ;; of 8, so a block starts on a panel boundary). n: H rounded up to 4 (≤ S);
  ;; the lanes from H to n see zero products, biases and h, and so leave h's
  ;; padding at zero: r = z = 1/2, tanh(0) = 0, h' = (1/2)·0 + (1/2)·0.
  ;; =====================================================================

  ;; rh[j] = σ(gx_r[j] + gh_r[j]) · h[j] for j < n: the reset-before variant's
  ;; input to its n rows of the hidden product. hard = 1: the hard sigmoid for σ
  ;; (in $gruUpdate too; padding lanes get r = z = 1/2 either way).
  (func $gruReset (param $gx i32) (param $gh i32) (param $h i32) (param $rh i32) (param $n i32) (param $hard i32)
    (local $j i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $j (i32.const 0))
    (block $done
      (loop $each4
        (br_if $done (i32.ge_u (local.get $j) (local.get $end)))
        (v128.store (i32.add (local.get $rh) (local.get $j))
          (f32x4.mul
            (call $gate4 (f32x4.add
              (v128.load (i32.add (local.get $gx) (local.get $j)))
              (v128.load (i32.add (local.get $gh) (local.get $j))))
              (local.get $hard))
            (v128.load (i32.add (local.get $h) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $each4))))

  ;; The GRU state update for j < n, h in place:
  ;; z = σ(gx_z + gh_z), n = tanh(gx_n + c) with c = σ(gx_r + gh_r)·gh_n
  ;; (resetAfter = 1) or c = gh_n (resetAfter = 0: gh_n is already
  ;; W_hn·(r ⊙ h) + b_hn), h' = (1 − z)·n + z·h.
  (func $gruUpdate (param $gx i32) (param $gh i32) (param $h i32) (param $S i32) (param $n i32) (param $resetAfter i32) (param $hard i32)
    (local $j i32) (local $end i32) (local $sBytes i32) (local $gxp i32) (local $ghp i32)
    (local $z v128) (local $c v128) (local $hv v128)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $sBytes (i32.shl (local.get $S) (i32.const 2)))
    (local.set $j (i32.const 0))
    (block $done
      (loop $each4
        (br_if $done (i32.ge_u (local.get $j) (local.get $end)))
        (local.set $gxp (i32.add (local.get $gx) (local.get $j)))
        (local.set $ghp (i32.add (local.get $gh) (local.get $j)))
        (local.set $z (call $gate4 (f32x4.add
          (v128.load (i32.add (local.get $gxp) (local.get $sBytes)))
          (v128.load (i32.add (local.get $ghp) (local.get $sBytes))))
          (local.get $hard)))
        (local.set $c (v128.load (i32.add (local.get $ghp) (i32.shl (local.get $sBytes) (i32.const 1)))))
        (if (local.get $resetAfter)
          (then
            (local.set $c (f32x4.mul (local.get $c)
              (call $gate4 (f32x4.add (v128.load (local.get $gxp)) (v128.load (local.get $ghp))) (local.get $hard))))))
        (local.set $c (call $tanh4 (f32x4.add
          (v128.load (i32.add (local.get $gxp) (i32.shl (local.get $sBytes) (i32.const 1))))
          (local.get $c))))
        (local.set $hv (v128.load (i32.add (local.get $h) (local.get $j))))
        (v128.store (i32.add (local.get $h) (local.get $j))
          (f32x4.add
            (f32x4.mul (f32x4.sub (f32x4.splat (f32.const 1.0)) (local.get $z)) (local.get $c))
            (f32x4.mul (local.get $z) (local.get $hv))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $each4))))

  ;; One GRU layer step on f32 weights packed in panels of 8 rows (gate
  ;; blocks padded to S rows): gx = Wx·x + bx, gh = Wh·h + bh (reset after),
  ;; or for reset before gh_rz = Wh_rz·h + bh_rz, rh = r ⊙ h,
  ;; gh_n = Wh_n·rh + bh_n; then the update, the new h over h in place.
  ;; x [colsX], h and rh [colsH], padding zero; gx, gh [3S] scratch.
  (func (export "gru_step")
    (param $Wx i32) (param $Wh i32) (param $bx i32) (param $bh i32) (param $x i32) (param $h i32) (param $rh i32)
    (param $gx i32) (param $gh i32) (param $S i32) (param $colsX i32) (param $colsH i32) (param $resetAfter i32) (param $hard i32)
    (local $nRows i32)
    (call $matvecPanels (local.get $Wx) (i32.mul (local.get $S) (i32.const 3)) (local.get $colsX) (local.get $x) (local.get $bx) (local.get $gx))
    (if (local.get $resetAfter)
      (then
        (call $matvecPanels (local.get $Wh) (i32.mul (local.get $S) (i32.const 3)) (local.get $colsH) (local.get $h) (local.get $bh) (local.get $gh)))
      (else
        (call $matvecPanels (local.get $Wh) (i32.shl (local.get $S) (i32.const 1)) (local.get $colsH) (local.get $h) (local.get $bh) (local.get $gh))
        (call $gruReset (local.get $gx) (local.get $gh) (local.get $h) (local.get $rh) (local.get $colsH) (local.get $hard))
        ;; The n rows start 2S rows into the panels (2S·colsH floats) and the bias and gh vectors.
        (local.set $nRows (i32.shl (local.get $S) (i32.const 3)))
        (call $matvecPanels
          (i32.add (local.get $Wh) (i32.mul (local.get $nRows) (local.get $colsH)))
          (local.get $S) (local.get $colsH) (local.get $rh)
          (i32.add (local.get $bh) (local.get $nRows))
          (i32.add (local.get $gh) (local.get $nRows)))))
    (call $gruUpdate (local.get $gx) (local.get $gh) (local.get $h) (local.get $S) (local.get $colsH) (local.get $resetAfter) (local.get $hard)))

  ;; The two GRU element-wise passes on their own, for the int8 layer step,
  ;; which runs its products with matvec_q8 / matvec_q8_float in between.
  (func (export "gru_reset") (param $gx i32) (param $gh i32) (param $h i32) (param $rh i32) (param $n i32) (param $hard i32)
    (call $gruReset (local.get $gx) (local.get $gh) (local.get $h) (local.get $rh) (local.get $n) (local.get $hard)))
  (func (export "gru_update") (param $gx i32) (param $gh i32) (param $h i32) (param $S i32) (param $n i32) (param $resetAfter i32) (param $hard i32)
    (call $gruUpdate (local.get $gx) (local.get $gh) (local.get $h) (local.get $S) (local.get $n) (local.get $resetAfter) (local.get $hard)))

  ;; ---------------------------------------------------------------------
  ;; Next-token selection over logits x[0 … n): the k best (top_k) and the
  ;; normalizer's sum (sum_exp_into). Probabilities are exp(x[id] − m) / sum.
  ;; ---------------------------------------------------------------------

  ;; True when x[a] ranks above x[b]: larger, or equal with the lower index;
  ;; NaN never ranks above a number (as src/math/top-k.ts).
  (func $better (param $x i32) (param $a i32) (param $b i32) (result i32)
    (local $va f32) (local $vb f32)
    (local.set $va (f32.load (i32.add (local.get $x) (i32.shl (local.get $a) (i32.const 2)))))
    (local.set $vb (f32.load (i32.add (local.get $x) (i32.shl (local.get $b) (i32.const 2)))))
    (i32.or
      (i32.or
        (f32.gt (local.get $va) (local.get $vb))
        (i32.and (f32.eq (local.get $va) (local.get $vb)) (i32.lt_s (local.get $a) (local.get $b))))
      (i32.and (f32.ne (local.get $vb) (local.get $vb)) (f32.eq (local.get $va) (local.get $va)))))

  ;; Puts index i into ids[0 … count), kept best first, when count < k or i
  ;; ranks above ids[k − 1] (the caller checks); the weakest drops when full.
  ;; Returns the new count. Cost: at most k moves.
  (func $insert (param $x i32) (param $ids i32) (param $count i32) (param $k i32) (param $i i32) (result i32)
    (local $p i32) (local $slot i32)
    (local.set $p (select (local.get $count) (i32.sub (local.get $k) (i32.const 1)) (i32.lt_s (local.get $count) (local.get $k))))
    (block $done
      (loop $shift
        (br_if $done (i32.eqz (local.get $p)))
        (local.set $slot (i32.add (local.get $ids) (i32.shl (local.get $p) (i32.const 2))))
        (br_if $done (i32.eqz (call $better (local.get $x) (local.get $i) (i32.load (i32.sub (local.get $slot) (i32.const 4))))))
        (i32.store (local.get $slot) (i32.load (i32.sub (local.get $slot) (i32.const 4))))
        (local.set $p (i32.sub (local.get $p) (i32.const 1)))
        (br $shift)))
    (i32.store (i32.add (local.get $ids) (i32.shl (local.get $p) (i32.const 2))) (local.get $i))
    (select (i32.add (local.get $count) (i32.const 1)) (local.get $k) (i32.lt_s (local.get $count) (local.get $k))))

  ;; ids[0 … min(k, n)) = the indices of the largest x, best first (ties: lower
  ;; index first). Returns min(k, n). Sorts nothing but the kept k: four values
  ;; at a time are tested against the weakest kept one and skipped together
  ;; when none can rank above it. Cost: n/4 SIMD compares plus k moves per insertion.
  (func (export "top_k") (param $x i32) (param $n i32) (param $ids i32) (param $k i32) (result i32)
    (local $count i32) (local $i i32) (local $j i32) (local $end4 i32) (local $last i32) (local $t v128)
    (local.set $k (select (local.get $k) (local.get $n) (i32.lt_s (local.get $k) (local.get $n))))
    (if (i32.le_s (local.get $k) (i32.const 0)) (then (return (i32.const 0))))
    (local.set $last (i32.add (local.get $ids) (i32.shl (i32.sub (local.get $k) (i32.const 1)) (i32.const 2))))
    ;; One at a time: fill the k slots, then on to a multiple of four.
    (block $filled
      (loop $fill
        (br_if $filled (i32.ge_s (local.get $i) (local.get $n)))
        (br_if $filled (i32.and (i32.ge_s (local.get $count) (local.get $k)) (i32.eqz (i32.and (local.get $i) (i32.const 3)))))
        (if (i32.lt_s (local.get $count) (local.get $k))
          (then (local.set $count (call $insert (local.get $x) (local.get $ids) (local.get $count) (local.get $k) (local.get $i))))
          (else
            (if (call $better (local.get $x) (local.get $i) (i32.load (local.get $last)))
              (then (local.set $count (call $insert (local.get $x) (local.get $ids) (local.get $count) (local.get $k) (local.get $i)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $fill)))
    (local.set $end4 (i32.and (local.get $n) (i32.const -4)))
    (local.set $t (f32x4.splat (f32.load (i32.add (local.get $x) (i32.shl (i32.load (local.get $last)) (i32.const 2))))))
    (block $simdDone
      (loop $simd
        (br_if $simdDone (i32.ge_s (local.get $i) (local.get $end4)))
        ;; A lane ≤ the weakest kept value cannot rank above it (equal: a higher index); NaN lanes go to the exact test.
        (if (v128.any_true (v128.not (f32x4.le (v128.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))) (local.get $t))))
          (then
            (local.set $j (local.get $i))
            (block $lanesDone
              (loop $lanes
                (br_if $lanesDone (i32.ge_s (local.get $j) (i32.add (local.get $i) (i32.const 4))))
                (if (call $better (local.get $x) (local.get $j) (i32.load (local.get $last)))
                  (then (local.set $count (call $insert (local.get $x) (local.get $ids) (local.get $count) (local.get $k) (local.get $j)))))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $lanes)))
            (local.set $t (f32x4.splat (f32.load (i32.add (local.get $x) (i32.shl (i32.load (local.get $last)) (i32.const 2))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $simd)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_s (local.get $i) (local.get $n)))
        (if (call $better (local.get $x) (local.get $i) (i32.load (local.get $last)))
          (then (local.set $count (call $insert (local.get $x) (local.get $ids) (local.get $count) (local.get $k) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
    (local.get $k))

  ;; sum_exp_into: $sum_exp (below) with m read at byte offset $mAt (the maximum's
  ;; place among the x) and the sum stored at $out. Only i32 cross the
  ;; boundary: an f64 (or f32) passed or returned there is boxed in
  ;; JavaScript (a heap number per call), which the adaptive session's
  ;; per-step normalizer must not allocate.
  (func (export "sum_exp_into") (param $x i32) (param $n i32) (param $mAt i32) (param $out i32)
    (f64.store (local.get $out) (call $sum_exp (local.get $x) (local.get $n) (f32.load (local.get $mAt)))))

  ;; Σ exp(x[i] − m) over i < n with the SIMD exp (about 1 ulp), summed in
  ;; f64 so the sum of many small terms loses nothing; m ≥ every x[i] (the
  ;; maximum) keeps each term in (0, 1]. log-sum-exp = m + log(result).
  (func $sum_exp (param $x i32) (param $n i32) (param $m f32) (result f64)
    (local $i i32) (local $end8 i32) (local $e v128) (local $mv v128) (local $lo v128) (local $hi v128) (local $s f64)
    (local $evA v128) (local $enA v128) (local $erA v128) (local $epA v128) (local $ekA v128)
    (local $evB v128) (local $enB v128) (local $erB v128) (local $epB v128) (local $ekB v128)
    (local.set $mv (f32x4.splat (local.get $m)))
    (local.set $end8 (i32.and (local.get $n) (i32.const -8)))
    ;; Eight at a time: two independent exps ($exp4 inlined, without its upper
    ;; clamp since x − m ≤ 0; a call per four lanes cost about as much as the
    ;; polynomial), their f32 sum (one rounding of two terms in (0, 1]) added in f64.
    (block $done
      (loop $eight
        (br_if $done (i32.ge_s (local.get $i) (local.get $end8)))
        (local.set $evA (f32x4.pmax (f32x4.sub (v128.load offset=0 (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))) (local.get $mv)) (f32x4.splat (f32.const -87.0))))
        (local.set $ekA (f32x4.add (f32x4.mul (local.get $evA) (f32x4.splat (f32.const 1.44269504088896341))) (f32x4.splat (f32.const 12582912.0))))
        (local.set $enA (f32x4.sub (local.get $ekA) (f32x4.splat (f32.const 12582912.0))))
        (local.set $erA (f32x4.sub (local.get $evA) (f32x4.mul (local.get $enA) (f32x4.splat (f32.const 0.693359375)))))
        (local.set $erA (f32x4.sub (local.get $erA) (f32x4.mul (local.get $enA) (f32x4.splat (f32.const -2.12194440e-4)))))
        (local.set $epA (f32x4.add (f32x4.mul (f32x4.splat (f32.const 1.9875691500e-4)) (local.get $erA)) (f32x4.splat (f32.const 1.3981999507e-3))))
        (local.set $epA (f32x4.add (f32x4.mul (local.get $epA) (local.get $erA)) (f32x4.splat (f32.const 8.3334519073e-3))))
        (local.set $epA (f32x4.add (f32x4.mul (local.get $epA) (local.get $erA)) (f32x4.splat (f32.const 4.1665795894e-2))))
        (local.set $epA (f32x4.add (f32x4.mul (local.get $epA) (local.get $erA)) (f32x4.splat (f32.const 1.6666665459e-1))))
        (local.set $epA (f32x4.add (f32x4.mul (local.get $epA) (local.get $erA)) (f32x4.splat (f32.const 5.0000001201e-1))))
        (local.set $epA (f32x4.add
          (f32x4.add (f32x4.mul (local.get $epA) (f32x4.mul (local.get $erA) (local.get $erA))) (local.get $erA))
          (f32x4.splat (f32.const 1.0))))
        (local.set $epA (f32x4.mul (local.get $epA)
          (i32x4.shl (i32x4.add (local.get $ekA) (i32x4.splat (i32.const -1262485377))) (i32.const 23))))
        (local.set $evB (f32x4.pmax (f32x4.sub (v128.load offset=16 (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))) (local.get $mv)) (f32x4.splat (f32.const -87.0))))
        (local.set $ekB (f32x4.add (f32x4.mul (local.get $evB) (f32x4.splat (f32.const 1.44269504088896341))) (f32x4.splat (f32.const 12582912.0))))
        (local.set $enB (f32x4.sub (local.get $ekB) (f32x4.splat (f32.const 12582912.0))))
        (local.set $erB (f32x4.sub (local.get $evB) (f32x4.mul (local.get $enB) (f32x4.splat (f32.const 0.693359375)))))
        (local.set $erB (f32x4.sub (local.get $erB) (f32x4.mul (local.get $enB) (f32x4.splat (f32.const -2.12194440e-4)))))
        (local.set $epB (f32x4.add (f32x4.mul (f32x4.splat (f32.const 1.9875691500e-4)) (local.get $erB)) (f32x4.splat (f32.const 1.3981999507e-3))))
        (local.set $epB (f32x4.add (f32x4.mul (local.get $epB) (local.get $erB)) (f32x4.splat (f32.const 8.3334519073e-3))))
        (local.set $epB (f32x4.add (f32x4.mul (local.get $epB) (local.get $erB)) (f32x4.splat (f32.const 4.1665795894e-2))))
        (local.set $epB (f32x4.add (f32x4.mul (local.get $epB) (local.get $erB)) (f32x4.splat (f32.const 1.6666665459e-1))))
        (local.set $epB (f32x4.add (f32x4.mul (local.get $epB) (local.get $erB)) (f32x4.splat (f32.const 5.0000001201e-1))))
        (local.set $epB (f32x4.add
          (f32x4.add (f32x4.mul (local.get $epB) (f32x4.mul (local.get $erB) (local.get $erB))) (local.get $erB))
          (f32x4.splat (f32.const 1.0))))
        (local.set $epB (f32x4.mul (local.get $epB)
          (i32x4.shl (i32x4.add (local.get $ekB) (i32x4.splat (i32.const -1262485377))) (i32.const 23))))
        (local.set $e (f32x4.add (local.get $epA) (local.get $epB)))
        (local.set $lo (f64x2.add (local.get $lo) (f64x2.promote_low_f32x4 (local.get $e))))
        (local.set $hi (f64x2.add (local.get $hi) (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $e) (local.get $e)))))
        (local.set $i (i32.add (local.get $i) (i32.const 8)))
        (br $eight)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $s (f64.add (local.get $s) (f64.promote_f32 (f32x4.extract_lane 0
          (call $exp4 (f32x4.splat (f32.sub (f32.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))) (local.get $m))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))
    (local.set $lo (f64x2.add (local.get $lo) (local.get $hi)))
    (f64.add (local.get $s) (f64.add (f64x2.extract_lane 0 (local.get $lo)) (f64x2.extract_lane 1 (local.get $lo)))))
)
