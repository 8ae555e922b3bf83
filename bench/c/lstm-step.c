/*
 * The C ceiling: the same fused LSTM step as lstm-stream (one row-major
 * [4H x (I+H)] matrix over [x; h], gate order i, f, g, o), compiled by the
 * benchmark with gcc -O3 -march=native. The dot products use gcc's vector
 * extensions (8-wide, fused multiply-add where the CPU has it), because gcc
 * does not vectorize a plain float reduction without -ffast-math.
 *
 * usage: lstm-step WEIGHTS verify STEPS      -> JSON: top-layer h of each step
 *        lstm-step WEIGHTS time STEPS REPEATS -> JSON: microseconds per step, per repeat
 * WEIGHTS: int32 H, I, L, ring; per layer W [4H x (I_l+H)] f32, bias [4H] f32;
 * then ring input vectors [ring x I] f32.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  int cols;
  float *W, *bias, *xh, *gates, *c;
} Layer;

/* 8 floats, unaligned loads allowed: AVX2 registers (gcc splits or widens as -march allows). */
typedef float v8 __attribute__((vector_size(32), aligned(4)));

static inline float hsum(v8 v) {
  float s = 0;
  for (int k = 0; k < 8; k++) s += v[k];
  return s;
}

static void matvec(const float *restrict W, const float *restrict bias, const float *restrict x,
                   float *restrict out, int rows, int cols) {
  int main_cols = cols - cols % 16;
  int r = 0;
  /* Four rows at a time share each load of x; two 8-wide column blocks per
     turn give eight independent accumulators (gcc fuses a*b+c into FMA). */
  for (; r + 4 <= rows; r += 4) {
    const float *w0 = W + (size_t)r * cols, *w1 = w0 + cols, *w2 = w1 + cols, *w3 = w2 + cols;
    v8 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, b0 = {0}, b1 = {0}, b2 = {0}, b3 = {0};
    for (int c = 0; c < main_cols; c += 16) {
      v8 x0 = *(const v8 *)(x + c), x1 = *(const v8 *)(x + c + 8);
      a0 += *(const v8 *)(w0 + c) * x0; b0 += *(const v8 *)(w0 + c + 8) * x1;
      a1 += *(const v8 *)(w1 + c) * x0; b1 += *(const v8 *)(w1 + c + 8) * x1;
      a2 += *(const v8 *)(w2 + c) * x0; b2 += *(const v8 *)(w2 + c + 8) * x1;
      a3 += *(const v8 *)(w3 + c) * x0; b3 += *(const v8 *)(w3 + c + 8) * x1;
    }
    float s0 = hsum(a0 + b0), s1 = hsum(a1 + b1), s2 = hsum(a2 + b2), s3 = hsum(a3 + b3);
    for (int c = main_cols; c < cols; c++) { s0 += w0[c] * x[c]; s1 += w1[c] * x[c]; s2 += w2[c] * x[c]; s3 += w3[c] * x[c]; }
    out[r] = s0 + bias[r]; out[r + 1] = s1 + bias[r + 1]; out[r + 2] = s2 + bias[r + 2]; out[r + 3] = s3 + bias[r + 3];
  }
  for (; r < rows; r++) {
    const float *w = W + (size_t)r * cols;
    float sum = 0;
    for (int c = 0; c < cols; c++) sum += w[c] * x[c];
    out[r] = sum + bias[r];
  }
}

static inline float sigmoidf(float v) { return 1.0f / (1.0f + expf(-v)); }

/* One layer step: xh holds [x; h]; the new h is written over its h part. */
static void lstm_step(Layer *layer, int H) {
  float *g = layer->gates, *c = layer->c, *h = layer->xh + (layer->cols - H);
  matvec(layer->W, layer->bias, layer->xh, g, 4 * H, layer->cols);
  for (int j = 0; j < H; j++) {
    float cn = sigmoidf(g[H + j]) * c[j] + sigmoidf(g[j]) * tanhf(g[2 * H + j]);
    c[j] = cn;
    h[j] = sigmoidf(g[3 * H + j]) * tanhf(cn);
  }
}

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  FILE *f = fopen(argv[1], "rb");
  if (!f) return 3;
  int header[4];
  if (fread(header, 4, 4, f) != 4) return 4;
  int H = header[0], I = header[1], L = header[2], ring = header[3];
  Layer *layers = calloc(L, sizeof(Layer));
  for (int l = 0; l < L; l++) {
    int cols = (l == 0 ? I : H) + H;
    layers[l].cols = cols;
    layers[l].W = aligned_alloc(64, ((size_t)4 * H * cols * 4 + 63) / 64 * 64);
    layers[l].bias = malloc(4 * H * 4);
    layers[l].xh = calloc(cols, 4);
    layers[l].gates = malloc(4 * H * 4);
    layers[l].c = calloc(H, 4);
    if (fread(layers[l].W, 4, (size_t)4 * H * cols, f) != (size_t)4 * H * cols) return 5;
    if (fread(layers[l].bias, 4, 4 * H, f) != (size_t)4 * H) return 6;
  }
  float *inputs = malloc((size_t)ring * I * 4);
  if (fread(inputs, 4, (size_t)ring * I, f) != (size_t)ring * I) return 7;
  fclose(f);

  int steps = atoi(argv[3]);
  int verify = strcmp(argv[2], "verify") == 0;
  int repeats = verify ? 1 : atoi(argv[4]);
  float checksum = 0;
  printf("{\"%s\":[", verify ? "h" : "microsecondsPerStep");
  long t = 0;
  for (int rep = 0; rep < repeats; rep++) {
    double start = now_us();
    for (int s = 0; s < steps; s++, t++) {
      memcpy(layers[0].xh, inputs + (size_t)(t % ring) * I, I * 4);
      for (int l = 0; l < L; l++) {
        if (l > 0) memcpy(layers[l].xh, layers[l - 1].xh + layers[l - 1].cols - H, H * 4);
        lstm_step(&layers[l], H);
      }
      float *top = layers[L - 1].xh + layers[L - 1].cols - H;
      checksum += top[0];
      if (verify) {
        printf("%s[", s ? "," : "");
        for (int j = 0; j < H; j++) printf("%s%.9g", j ? "," : "", top[j]);
        printf("]");
      }
    }
    double elapsed = now_us() - start;
    if (!verify) printf("%s%.4f", rep ? "," : "", elapsed / steps);
  }
  printf("],\"checksum\":%.6g}\n", checksum);
  return 0;
}
