/* Training the chapters' dense autoencoder in the reader's browser: forward
 * pass, backward pass and Adam, in plain JavaScript.
 *
 * The model is chapters 1 and 2's: Dense(k, relu) down to the code,
 * Dense(784, sigmoid) back to the pixels, the per-pixel binary cross-entropy
 * as the loss. The arithmetic follows Keras 3 (TensorFlow backend) so that
 * one step here gives Keras' weights (tests/browser/test_train_panels.py
 * checks it within 1e-5):
 *
 * - weights start as Keras' defaults do: Glorot-uniform kernels
 *   (limit sqrt(6 / (fan_in + fan_out))), zero biases, here from a seeded
 *   generator so that Reset gives the same untrained model;
 * - the loss is computed from the sigmoid's input, as Keras does for a
 *   sigmoid output (max(z, 0) - z t + log(1 + e^-|z|)), averaged over the 784
 *   pixels and the batch, so its gradient with respect to z is
 *   (sigmoid(z) - t) / (784 B);
 * - Adam is Keras' update: m += (g - m)(1 - beta1), v += (g^2 - v)(1 - beta2),
 *   w -= m alpha / (sqrt(v) + eps) with alpha = lr sqrt(1 - beta2^t) / (1 - beta1^t)
 *   (eps outside the bias correction, unlike the paper's formula).
 *
 * Weights and Adam's moments are float32, as Keras keeps them; sums are
 * accumulated in float64 (JavaScript's numbers).
 *
 * Why our own code and not TensorFlow.js 4.22: the model is two Dense layers
 * and the backward pass is about 100 lines; this file is 15 kB, where tfjs
 * is 1.47 MB of script and 2.0 MB with its wasm backend, which with the
 * 1.8 MB of digits would pass the 3 MB a page may add. Its speed does not
 * make up for that: in headless Chromium on 2 cores this loop takes 16.0 ms
 * per step (batch 128, k = 32), tfjs' wasm backend 15.9 ms, its webgl
 * backend (software-rendered there) 45 ms and its cpu backend 132 ms
 * (benchmarks/train_panel.py measures both; benchmarks/results/train_panel.json
 * has the figures).
 *
 * Exposed as DLBookTrain (self in a worker, window in a page) by a classic
 * script, so that the worker can importScripts() it.
 */
(function (global) {
  'use strict';

  /** A seeded generator of uniform numbers in [0, 1) (mulberry32), as nn.js's. */
  function random(seed) {
    let a = seed >>> 0;
    return function () {
      a = (a + 0x6D2B79F5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** Standard normal samples from uniform ones (Box-Muller). */
  function normal(uniform) {
    let u = 0;
    while (u === 0) u = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  }

  function sigmoid(x) {
    return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  }

  /** Keras' glorot_uniform for a (fanIn, fanOut) kernel, from `uniform`. */
  function glorotUniform(fanIn, fanOut, uniform) {
    const limit = Math.sqrt(6 / (fanIn + fanOut)), out = new Float32Array(fanIn * fanOut);
    for (let i = 0; i < out.length; i++) out[i] = (2 * uniform() - 1) * limit;
    return out;
  }

  const PIXELS = 784;

  /** sum_n a[ai + n] b[bi + n] for n < length, with four partial sums in flight. */
  function dot(a, ai, b, bi, length) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, n = 0;
    for (; n + 3 < length; n += 4) {
      s0 += a[ai + n] * b[bi + n];
      s1 += a[ai + n + 1] * b[bi + n + 1];
      s2 += a[ai + n + 2] * b[bi + n + 2];
      s3 += a[ai + n + 3] * b[bi + n + 3];
    }
    for (; n < length; n++) s0 += a[ai + n] * b[bi + n];
    return (s0 + s1) + (s2 + s3);
  }

  /**
   * The autoencoder 784 -> k (relu) -> 784 (sigmoid), with Keras' Adam.
   *
   * options: {latent, seed, learningRate, beta1, beta2, epsilon}. `weights`
   * (optional) are {encoderKernel, encoderBias, decoderKernel, decoderBias}
   * as Float32Arrays (Keras' row-major layout: kernel[i * outputs + j]).
   */
  class Autoencoder {
    constructor(options, weights) {
      this.latent = options.latent;
      this.seed = options.seed === undefined ? 1 : options.seed;
      this.learningRate = options.learningRate === undefined ? 1e-3 : options.learningRate;
      this.beta1 = options.beta1 === undefined ? 0.9 : options.beta1;
      this.beta2 = options.beta2 === undefined ? 0.999 : options.beta2;
      this.epsilon = options.epsilon === undefined ? 1e-7 : options.epsilon;
      if (weights) this.setWeights(weights);
      else this.initialise();
      this.buffers = null;
    }

    /** The untrained model: Glorot-uniform kernels and zero biases from the seed, Adam's state at zero. */
    initialise() {
      const uniform = random(this.seed), k = this.latent;
      this.setWeights({
        encoderKernel: glorotUniform(PIXELS, k, uniform), encoderBias: new Float32Array(k),
        decoderKernel: glorotUniform(k, PIXELS, uniform), decoderBias: new Float32Array(PIXELS),
      });
    }

    setWeights(w) {
      const k = this.latent;
      this.params = [Float32Array.from(w.encoderKernel), Float32Array.from(w.encoderBias),
        Float32Array.from(w.decoderKernel), Float32Array.from(w.decoderBias)];
      const expected = [PIXELS * k, k, k * PIXELS, PIXELS];
      this.params.forEach((p, i) => { if (p.length !== expected[i]) throw new Error('weight ' + i + ' has ' + p.length + ' numbers, not ' + expected[i]); });
      this.m = this.params.map((p) => new Float32Array(p.length));
      this.v = this.params.map((p) => new Float32Array(p.length));
      this.iterations = 0;
    }

    /** The weights as plain arrays (for tests and the comparison with Keras). */
    weights() {
      const [encoderKernel, encoderBias, decoderKernel, decoderBias] = this.params;
      return {encoderKernel, encoderBias, decoderKernel, decoderBias};
    }

    /** Scratch space for a batch of `rows`, reused from step to step. */
    scratch(rows) {
      if (!this.buffers || this.buffers.rows !== rows) {
        const k = this.latent;
        this.buffers = {
          rows, hidden: new Float64Array(rows * k), hiddenT: new Float64Array(k * rows),
          output: new Float64Array(rows * PIXELS), delta: new Float64Array(rows * PIXELS),
          deltaT: new Float64Array(PIXELS * rows), hiddenDelta: new Float64Array(rows * k),
          decoderT: new Float64Array(PIXELS * k), decoder: new Float64Array(k * PIXELS), grads: this.params.map((p) => new Float64Array(p.length)),
        };
      }
      return this.buffers;
    }

    /**
     * The decoder kernel transposed (784 x k), so that each output pixel is
     * one contiguous dot product, and (into `copy`, if given) as it is, both
     * in float64: `dot` then always reads two arrays of one type, which V8
     * compiles to much faster code than a mix of float32 and float64.
     */
    transposeDecoder(out, copy) {
      const k = this.latent, w2 = this.params[2];
      for (let j = 0; j < k; j++) for (let i = 0; i < PIXELS; i++) out[i * k + j] = w2[j * PIXELS + i];
      if (copy) for (let n = 0; n < w2.length; n++) copy[n] = w2[n];
      return out;
    }

    /**
     * Forward pass of `rows` inputs (row-major in `x`, values in [0, 1]):
     * fills hidden (the codes, after relu) and logits (before the sigmoid).
     * The loops are arranged as dot products over contiguous memory (the
     * decoder through its transpose), with four sums in flight: a plain
     * JavaScript loop runs several times faster so than by updating an
     * output array in the inner loop.
     */
    forward(x, rows, hidden, logits, decoderT) {
      const k = this.latent, [w1, b1, , b2] = this.params;
      decoderT = decoderT || this.transposeDecoder(new Float64Array(PIXELS * k));
      for (let r = 0; r < rows; r++) {
        const h = r * k, xo = r * PIXELS;
        for (let j = 0; j < k; j++) hidden[h + j] = b1[j];
        for (let i = 0; i < PIXELS; i++) {
          const xi = x[xo + i];
          if (xi === 0) continue;  // most MNIST pixels are exactly 0
          const row = i * k;
          for (let j = 0; j < k; j++) hidden[h + j] += xi * w1[row + j];
        }
        for (let j = 0; j < k; j++) if (hidden[h + j] < 0) hidden[h + j] = 0;
        const z = r * PIXELS;
        for (let i = 0; i < PIXELS; i++) logits[z + i] = b2[i] + dot(hidden, h, decoderT, i * k, k);
      }
    }

    /**
     * One Adam step on a batch: inputs `x` and targets `y` (Float32Array or
     * Float64Array, rows x 784). Returns the batch's loss before the update,
     * as Keras' train_on_batch does.
     */
    step(x, y, rows) {
      const k = this.latent, s = this.scratch(rows), w2 = s.decoder;
      const {hidden, hiddenT, delta, deltaT, hiddenDelta} = s, logits = s.output;
      const [g1, gb1, g2, gb2] = s.grads;
      this.forward(x, rows, hidden, logits, this.transposeDecoder(s.decoderT, w2));
      let loss = 0;
      const scale = 1 / (PIXELS * rows);
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < PIXELS; i++) {
          const n = r * PIXELS + i, z = logits[n], t = y[n], e = Math.exp(-Math.abs(z));
          loss += Math.max(z, 0) - z * t + Math.log1p(e);
          const d = ((z >= 0 ? 1 / (1 + e) : e / (1 + e)) - t) * scale;
          delta[n] = d;
          deltaT[i * rows + r] = d;
        }
      }
      for (let r = 0; r < rows; r++) for (let j = 0; j < k; j++) hiddenT[j * rows + r] = hidden[r * k + j];
      // Decoder: dW2 = H^T delta (a dot over the batch), db2 = column sums of delta.
      for (let i = 0; i < PIXELS; i++) {
        let sum = 0;
        for (let r = 0; r < rows; r++) sum += deltaT[i * rows + r];
        gb2[i] = sum;
      }
      for (let j = 0; j < k; j++) {
        for (let i = 0; i < PIXELS; i++) g2[j * PIXELS + i] = dot(hiddenT, j * rows, deltaT, i * rows, rows);
      }
      // Back to the code: delta W2^T, zero where relu was off.
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < k; j++) {
          const n = r * k + j;
          hiddenDelta[n] = hidden[n] > 0 ? dot(delta, r * PIXELS, w2, j * PIXELS, PIXELS) : 0;
        }
      }
      // Encoder: dW1 = X^T hiddenDelta over the non-zero pixels, db1 = column sums.
      g1.fill(0); gb1.fill(0);
      for (let r = 0; r < rows; r++) {
        const h = r * k, xo = r * PIXELS;
        for (let j = 0; j < k; j++) gb1[j] += hiddenDelta[h + j];
        for (let i = 0; i < PIXELS; i++) {
          const xi = x[xo + i];
          if (xi === 0) continue;
          const row = i * k;
          for (let j = 0; j < k; j++) g1[row + j] += xi * hiddenDelta[h + j];
        }
      }
      this.adam(s.grads);
      return loss * scale;
    }

    /** Keras 3's Adam update of every weight, in float32 storage. */
    adam(grads) {
      this.iterations += 1;
      const t = this.iterations, b1 = this.beta1, b2 = this.beta2, eps = this.epsilon;
      const f = Math.fround;
      const alpha = f(f(this.learningRate) * f(Math.sqrt(f(1 - f(Math.pow(f(b2), t))))) / f(1 - f(Math.pow(f(b1), t))));
      for (let p = 0; p < this.params.length; p++) {
        const w = this.params[p], m = this.m[p], v = this.v[p], g = grads[p];
        for (let i = 0; i < w.length; i++) {
          const gi = f(g[i]);
          m[i] += (gi - m[i]) * (1 - b1);
          v[i] += (gi * gi - v[i]) * (1 - b2);
          w[i] -= (m[i] * alpha) / (Math.sqrt(v[i]) + eps);
        }
      }
    }

    /** Reconstructions (sigmoid outputs) and codes of `rows` inputs. */
    predict(x, rows) {
      const hidden = new Float64Array(rows * this.latent), out = new Float64Array(rows * PIXELS);
      this.forward(x, rows, hidden, out);
      for (let n = 0; n < out.length; n++) out[n] = sigmoid(out[n]);
      return {codes: hidden, reconstructions: out};
    }
  }

  /**
   * Per-pixel BCE and MSE of reconstructions against targets, averaged as
   * dlbook.autoencoders.binary_crossentropy and mse do (outputs clipped to
   * [1e-7, 1 - 1e-7] for the BCE), so the book's test scores and these agree.
   */
  function scores(targets, outputs) {
    let bce = 0, mse = 0;
    for (let n = 0; n < targets.length; n++) {
      const t = targets[n], p = Math.min(1 - 1e-7, Math.max(1e-7, outputs[n]));
      bce -= t * Math.log(p) + (1 - t) * Math.log(1 - p);
      mse += (outputs[n] - t) ** 2;
    }
    return {bce: bce / targets.length, mse: mse / targets.length};
  }

  /** clip(x + sigma N(0, 1), 0, 1), as dlbook.denoising.add_gaussian_noise, into `out`. */
  function addNoise(clean, sigma, uniform, out) {
    out = out || new Float32Array(clean.length);
    for (let n = 0; n < clean.length; n++) out[n] = Math.min(1, Math.max(0, clean[n] + sigma * normal(uniform)));
    return out;
  }

  /** uint8 pixels (0-255) to floats in [0, 1], as the chapters divide by 255 in float32. */
  function toUnit(bytes, out) {
    out = out || new Float32Array(bytes.length);
    for (let n = 0; n < bytes.length; n++) out[n] = bytes[n] / 255;
    return out;
  }

  /**
   * Batches of a shuffled training set, epoch after epoch (a new seeded
   * permutation each epoch; the last, shorter batch of an epoch is kept, as
   * Keras' fit does).
   */
  class Batches {
    constructor(count, batchSize, seed) {
      this.count = count;
      this.batchSize = batchSize;
      this.uniform = random(seed);
      this.order = new Uint32Array(count);
      this.epoch = 0;
      this.position = count;
    }

    /** Indices of the next batch. */
    next() {
      if (this.position >= this.count) {
        for (let i = 0; i < this.count; i++) this.order[i] = i;
        for (let i = this.count - 1; i > 0; i--) {
          const j = Math.floor(this.uniform() * (i + 1));
          const swap = this.order[i]; this.order[i] = this.order[j]; this.order[j] = swap;
        }
        this.position = 0;
        if (this.started) this.epoch += 1;
        this.started = true;
      }
      const end = Math.min(this.count, this.position + this.batchSize);
      const out = this.order.subarray(this.position, end);
      this.position = end;
      return out;
    }
  }

  /** Rows `indices` of uint8 images, as floats in [0, 1], into `out`. */
  function gather(bytes, indices, out) {
    for (let r = 0; r < indices.length; r++) {
      const from = indices[r] * PIXELS, to = r * PIXELS;
      for (let i = 0; i < PIXELS; i++) out[to + i] = bytes[from + i] / 255;
    }
    return out;
  }

  /** Fetch a zlib-compressed ("deflate") file of uint8 numbers and inflate it (DecompressionStream). */
  async function fetchInflated(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(url + ': HTTP ' + response.status);
    const stream = response.body.pipeThrough(new DecompressionStream('deflate'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  global.DLBookTrain = {random, normal, sigmoid, glorotUniform, Autoencoder, scores, addNoise, toUnit, Batches, gather,
    fetchInflated, PIXELS};
})(typeof self !== 'undefined' ? self : this);
