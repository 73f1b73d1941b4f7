/* The forward pass of the book's models, in plain JavaScript (no library).
 *
 * The live panels run the weights that this build trained (exported by
 * _ext/live_panels.py) in the reader's browser. The book's models need only
 * three layers, Dense, Embedding and LSTM, so a hand-written forward pass is
 * a few kilobytes where a framework runtime is megabytes; tests/browser checks
 * it against Keras on the same weights.
 *
 * Numbers: weights arrive as float32, or as 12-bit numbers with one float32
 * scale per row (_ext/live_panels.py quantise_rows; the manifest's
 * "quantisation" lists them), which `dequantised` decodes to the very float32
 * values of live_panels.dequantised; every sum is accumulated in float64, so
 * the results stay within about 1e-6 of Keras' float32 arithmetic on the
 * same (dequantised) weights.
 *
 * Exposed as window.DLBookNN (a classic script, so that it also runs where
 * ES modules are unavailable).
 */
(function (global) {
  'use strict';

  /** 1 / (1 + e^-x), written so that large |x| neither overflows nor loses 0.5. */
  function sigmoid(x) {
    return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  }

  /** Load a panel's manifest.json and its weights file into typed arrays. */
  async function loadBundle(base) {
    const manifestResponse = await fetch(base + 'manifest.json');
    if (!manifestResponse.ok) throw new Error('manifest.json: HTTP ' + manifestResponse.status);
    const manifest = await manifestResponse.json();
    const weightsResponse = await fetch(base + manifest.weights);
    if (!weightsResponse.ok) throw new Error(manifest.weights + ': HTTP ' + weightsResponse.status);
    const buffer = await weightsResponse.arrayBuffer();
    const tensors = {};
    for (const [name, spec] of Object.entries(manifest.tensors)) {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      // The exporter aligns every tensor to 8 bytes, so typed-array views need no copy.
      const View = {float32: Float32Array, int8: Int8Array, uint8: Uint8Array}[spec.dtype];
      if (!View) throw new Error('unknown dtype ' + spec.dtype + ' of ' + name);
      tensors[name] = {data: new View(buffer, spec.offset, size), shape: spec.shape};
    }
    return {manifest, tensors};
  }

  /**
   * Row `id` of a 12-bit table (_ext/live_panels.py quantise_rows): the high
   * 8 bits as int8, the low 4 bits two per byte (even column in the low
   * nibble), value = (16 * high + low) * scale, rounded to float32 as NumPy
   * does (the integer times a float32 is exact in float64, so one rounding).
   */
  function decodeRow(high, low, scales, dim, id, out) {
    const start = id * dim, lowStart = id * dim / 2, scale = scales[id];
    for (let j = 0; j < dim; j++) {
      const byte = low[lowStart + (j >> 1)];
      out[j] = Math.fround((16 * high[start + j] + ((j & 1) ? byte >> 4 : byte & 15)) * scale);
    }
    return out;
  }

  /**
   * Tensor `name` of a bundle as float32: decoded once (at load) where it is
   * shipped in 12 bits, with `name/low` and `name/scales` beside it; as it
   * is otherwise.
   */
  function dequantised(tensors, name) {
    const tensor = tensors[name];
    if (!tensor) throw new Error('no tensor ' + name);
    const low = tensors[name + '/low'], scales = tensors[name + '/scales'];
    if (!low || !scales) return tensor;
    const [rows, dim] = tensor.shape;
    if (scales.data.length !== rows || low.data.length * 2 !== rows * dim) throw new Error('malformed 12-bit tensor ' + name);
    const data = new Float32Array(rows * dim);
    for (let i = 0; i < rows; i++) decodeRow(tensor.data, low.data, scales.data, dim, i, data.subarray(i * dim, (i + 1) * dim));
    return {data, shape: tensor.shape};
  }

  /** y = activation(x W + b) for one input vector; W is (inputs, outputs), row-major as Keras stores it. */
  class Dense {
    constructor(kernel, bias, activation) {
      [this.inputs, this.outputs] = kernel.shape;
      this.kernel = kernel.data;
      this.bias = bias.data;
      this.activation = activation || 'linear';
      this.sums = new Float64Array(this.outputs);
    }

    apply(x, out) {
      const n = this.inputs, m = this.outputs, w = this.kernel, sums = this.sums;
      for (let j = 0; j < m; j++) sums[j] = this.bias[j];
      for (let k = 0; k < n; k++) {
        const xk = x[k];
        if (xk === 0) continue;  // ReLU codes and blank pixels are often exactly 0
        const row = k * m;
        for (let j = 0; j < m; j++) sums[j] += xk * w[row + j];
      }
      out = out || new Float64Array(m);
      if (this.activation === 'relu') for (let j = 0; j < m; j++) out[j] = sums[j] > 0 ? sums[j] : 0;
      else if (this.activation === 'sigmoid') for (let j = 0; j < m; j++) out[j] = sigmoid(sums[j]);
      else for (let j = 0; j < m; j++) out[j] = sums[j];
      return out;
    }
  }

  /**
   * A table of row vectors: float32, or quantised to 12 bits per number with
   * one float32 scale per row, decoded row by row as it is read (decodeRow):
   * the sentiment embedding's 20,000 rows are never decoded all at once.
   */
  class Embedding {
    constructor(table, scales, low) {
      [this.rows, this.dim] = table.shape;
      this.table = table.data;
      this.scales = scales ? scales.data : null;
      this.low = low ? low.data : null;
    }

    row(id, out) {
      out = out || new Float64Array(this.dim);
      const start = id * this.dim;
      if (!this.scales) {
        for (let j = 0; j < this.dim; j++) out[j] = this.table[start + j];
        return out;
      }
      return decodeRow(this.table, this.low, this.scales, this.dim, id, out);
    }
  }

  /**
   * A Keras LSTM cell (tanh, sigmoid recurrent activation, bias). Keras
   * concatenates the four gates' weights in the order input, forget,
   * candidate (cell), output: z = x K + h R + b, split into [i | f | c | o].
   */
  class LSTM {
    constructor(kernel, recurrentKernel, bias) {
      this.inputs = kernel.shape[0];
      this.units = recurrentKernel.shape[0];
      this.kernel = kernel.data;
      this.recurrent = recurrentKernel.data;
      this.bias = bias.data;
      this.z = new Float64Array(4 * this.units);
    }

    initialState() {
      return {h: new Float64Array(this.units), c: new Float64Array(this.units)};
    }

    /** x K + b: the input's part of the gates (callers may precompute it per token). */
    inputGates(x, out) {
      const width = 4 * this.units, k = this.kernel;
      out = out || new Float64Array(width);
      for (let j = 0; j < width; j++) out[j] = this.bias[j];
      for (let i = 0; i < this.inputs; i++) {
        const xi = x[i];
        if (xi === 0) continue;
        const row = i * width;
        for (let j = 0; j < width; j++) out[j] += xi * k[row + j];
      }
      return out;
    }

    /** Advance state {h, c} in place by one step, given the input's gates (from inputGates). */
    step(gates, state) {
      const u = this.units, width = 4 * u, r = this.recurrent, z = this.z, h = state.h, c = state.c;
      for (let j = 0; j < width; j++) z[j] = gates[j];
      for (let i = 0; i < u; i++) {
        const hi = h[i];
        if (hi === 0) continue;
        const row = i * width;
        for (let j = 0; j < width; j++) z[j] += hi * r[row + j];
      }
      for (let j = 0; j < u; j++) {
        const inputGate = sigmoid(z[j]);
        const forgetGate = sigmoid(z[u + j]);
        const candidate = Math.tanh(z[2 * u + j]);
        const outputGate = sigmoid(z[3 * u + j]);
        c[j] = forgetGate * c[j] + inputGate * candidate;
        h[j] = outputGate * Math.tanh(c[j]);
      }
      return state;
    }
  }

  /** softmax(logits / temperature), in float64, max subtracted against overflow. */
  function softmax(logits, temperature) {
    const t = temperature || 1;
    let max = -Infinity;
    for (let j = 0; j < logits.length; j++) max = Math.max(max, logits[j] / t);
    const out = new Float64Array(logits.length);
    let total = 0;
    for (let j = 0; j < logits.length; j++) { out[j] = Math.exp(logits[j] / t - max); total += out[j]; }
    for (let j = 0; j < logits.length; j++) out[j] /= total;
    return out;
  }

  /** A seeded generator of uniform numbers in [0, 1) (mulberry32): the same seed, the same samples. */
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

  /** Index drawn from probabilities (inverse CDF); rounding leftovers go to the last non-zero entry. */
  function sample(probabilities, uniform) {
    const target = uniform();
    let cumulative = 0, last = 0;
    for (let j = 0; j < probabilities.length; j++) {
      if (probabilities[j] > 0) last = j;
      cumulative += probabilities[j];
      if (target < cumulative) return j;
    }
    return last;
  }

  global.DLBookNN = {sigmoid, loadBundle, dequantised, Dense, Embedding, LSTM, softmax, random, normal, sample};
})(window);
