/* The "Train it yourself" panels' Web Worker: it loads the shipped digits,
 * trains the autoencoder (engine.js) and posts the losses, reconstructions
 * and codes back to the page, so the page stays responsive while it trains.
 *
 * Messages from the page (train.js):
 *   {type: 'load', base, book}                    fetch the digits; book: the live panel's models
 *                                                  [{prefix, latent, encoderKernel, ...}] (Float32Arrays)
 *   {type: 'configure', config}                   a new untrained model: {kind, latent, noise, learningRate,
 *                                                  batchSize, seconds, steps, evalEvery, seed}
 *   {type: 'start'} / {type: 'pause'} / {type: 'resume'} / {type: 'reset'}
 *   {type: 'compare'}                             the book's model on the same held-out digits
 *   {type: 'weights'}                             the current weights (tests compare them)
 * Messages to the page: 'loaded', 'state', 'progress', 'evaluation', 'done', 'comparison', 'weights', 'error'.
 */
/* global importScripts, DLBookTrain */
'use strict';
importScripts('engine.js');
const T = DLBookTrain, PIXELS = T.PIXELS;
/** The reconstructions shown: the first 8 held-out digits. */
const SHOWN = 8;
/** How long one uninterrupted stretch of training runs before the worker reads its messages (ms). */
const SLICE_MS = 100;
/** How often the running training loss is posted (ms). */
const POST_MS = 500;
/** Seeds of the held-out digits' noise and of the training noise (chapter 2). */
const HELD_OUT_NOISE_SEED = 7, TRAINING_NOISE_SEED = 11, BATCH_SEED = 5;

let data = null;      // {train, test, labels, trainCount, testCount, book}
let config = null;
let run = null;       // the model and its training state

function post(message, transfer) { self.postMessage(message, transfer || []); }

function fail(error) { post({type: 'error', message: String(error && error.message || error)}); }

async function load(message) {
  const manifest = await (await fetch(message.base + 'manifest.json')).json();
  const [train, test] = await Promise.all([T.fetchInflated(message.base + manifest.train.file),
    T.fetchInflated(message.base + manifest.test.file)]);
  const labels = test.subarray(manifest.test.count * PIXELS);
  // The book's trained models, as the live panel of the page runs them (train.js passes them on).
  const book = new Map((message.book || []).map((model) => [model.prefix, model]));
  data = {manifest, train, test: test.subarray(0, manifest.test.count * PIXELS), labels,
    trainCount: manifest.train.count, testCount: manifest.test.count, book};
  post({type: 'loaded', trainCount: data.trainCount, testCount: data.testCount,
    labels: Array.from(labels.subarray(0, data.testCount))});
}

/** The held-out inputs and targets for the current configuration (noisy inputs for the denoiser). */
function heldOut() {
  const clean = T.toUnit(data.test);
  if (!config.noise) return {inputs: clean, targets: clean};
  return {inputs: T.addNoise(clean, config.noise, T.random(HELD_OUT_NOISE_SEED)), targets: clean};
}

function configure(next) {
  config = next;
  const model = new T.Autoencoder({latent: config.latent, seed: config.seed, learningRate: config.learningRate});
  run = {
    model, batches: new T.Batches(data.trainCount, config.batchSize, BATCH_SEED + config.seed),
    noise: T.random(TRAINING_NOISE_SEED + config.seed), x: new Float32Array(config.batchSize * PIXELS),
    y: new Float32Array(config.batchSize * PIXELS), held: heldOut(), step: 0, trainedMs: 0, running: false,
    paused: false, done: false, lossSum: 0, lossCount: 0, lastPost: 0, timer: null,
  };
  post({type: 'state', state: 'ready'});
  evaluate();
  compare(true);
}

/** Held-out BCE and MSE, the reconstructions of the shown digits and (for k = 2) the codes. */
function evaluate() {
  const {inputs, targets} = run.held, count = data.testCount;
  const {codes, reconstructions} = run.model.predict(inputs, count);
  const {bce, mse} = T.scores(targets, reconstructions);
  const shown = Float32Array.from(reconstructions.subarray(0, SHOWN * PIXELS));
  const message = {type: 'evaluation', step: run.step, seconds: run.trainedMs / 1000, epoch: epochs(), bce, mse,
    reconstructions: shown, inputs: Float32Array.from(inputs.subarray(0, SHOWN * PIXELS)),
    targets: Float32Array.from(targets.subarray(0, SHOWN * PIXELS))};
  if (config.latent === 2) message.codes = Float32Array.from(codes);
  post(message, [shown.buffer, message.inputs.buffer, message.targets.buffer].concat(message.codes ? [message.codes.buffer] : []));
  return {bce, mse};
}

/** Epochs of the shipped training digits seen so far. */
function epochs() { return run.step * config.batchSize / data.trainCount; }

function finished() {
  return (config.steps && run.step >= config.steps) || (config.seconds && run.trainedMs >= 1000 * config.seconds);
}

function trainSlice() {
  run.timer = null;
  if (!run.running || run.paused) return;
  const start = performance.now();
  while (performance.now() - start < SLICE_MS && !finished()) {
    const indices = run.batches.next(), rows = indices.length;
    const x = rows === config.batchSize ? run.x : new Float32Array(rows * PIXELS);
    const y = rows === config.batchSize ? run.y : new Float32Array(rows * PIXELS);
    T.gather(data.train, indices, y);
    if (config.noise) T.addNoise(y, config.noise, run.noise, x);  // fresh noise every batch, as chapter 2's NoisyImages
    const loss = run.model.step(config.noise ? x : y, y, rows);
    run.lossSum += loss; run.lossCount += 1; run.step += 1;
    if (run.step % config.evalEvery === 0) {
      run.trainedMs += performance.now() - start;  // the evaluation is not training time
      evaluate();
      return schedule(performance.now(), true);
    }
  }
  run.trainedMs += performance.now() - start;
  schedule(performance.now(), false);
}

/** Post the running training loss when due, and go on (or finish). */
function schedule(now, evaluated) {
  if (run.lossCount && (now - run.lastPost >= POST_MS || evaluated || finished())) {
    post({type: 'progress', step: run.step, seconds: run.trainedMs / 1000, epoch: epochs(),
      loss: run.lossSum / run.lossCount, fraction: fraction()});
    run.lossSum = 0; run.lossCount = 0; run.lastPost = now;
  }
  if (finished()) {
    run.running = false; run.done = true;
    if (run.step % config.evalEvery !== 0) evaluate();
    post({type: 'done', step: run.step, seconds: run.trainedMs / 1000, epoch: epochs()});
    post({type: 'state', state: 'done'});
    return;
  }
  run.timer = setTimeout(trainSlice, 0);
}

function fraction() {
  const parts = [];
  if (config.steps) parts.push(run.step / config.steps);
  if (config.seconds) parts.push(run.trainedMs / 1000 / config.seconds);
  return Math.min(1, Math.max(...parts));
}

/**
 * The book's model of the same size on the same held-out digits. `quiet`:
 * only its reconstructions, shown beside the reader's from the start.
 */
function compare(quiet) {
  const weights = data.book.get(config.bookPrefix);
  if (!weights || weights.latent !== config.latent) {
    post({type: 'comparison', available: false, quiet: !!quiet});
    return;
  }
  const book = new T.Autoencoder({latent: config.latent}, weights);
  const {inputs, targets} = run.held;
  const {reconstructions} = book.predict(inputs, data.testCount);
  const book_ = T.scores(targets, reconstructions);
  const mine = T.scores(targets, run.model.predict(inputs, data.testCount).reconstructions);
  const shown = Float32Array.from(reconstructions.subarray(0, SHOWN * PIXELS));
  post({type: 'comparison', available: true, quiet: !!quiet, book: book_, mine, step: run.step, seconds: run.trainedMs / 1000,
    epoch: epochs(), reconstructions: shown}, [shown.buffer]);
}

self.onmessage = (event) => {
  const message = event.data;
  try {
    switch (message.type) {
      case 'load':
        load(message).catch(fail);
        break;
      case 'configure':
        if (run && run.timer) clearTimeout(run.timer);
        configure(message.config);
        break;
      case 'start':
        if (run.done || run.running) break;
        run.running = true; run.paused = false;
        post({type: 'state', state: 'training'});
        schedule(performance.now(), false);
        break;
      case 'pause':
        if (!run.running || run.paused) break;
        run.paused = true;
        if (run.timer) { clearTimeout(run.timer); run.timer = null; }
        post({type: 'state', state: 'paused', step: run.step});
        break;
      case 'resume':
        if (!run.running || !run.paused) break;
        run.paused = false;
        post({type: 'state', state: 'training'});
        schedule(performance.now(), false);
        break;
      case 'reset':
        if (run && run.timer) clearTimeout(run.timer);
        configure(config);
        break;
      case 'compare':
        compare();
        break;
      case 'weights': {
        const w = run.model.weights();
        post({type: 'weights', step: run.step, weights: {encoderKernel: Array.from(w.encoderKernel),
          encoderBias: Array.from(w.encoderBias), decoderKernel: Array.from(w.decoderKernel), decoderBias: Array.from(w.decoderBias)}});
        break;
      }
      default:
        fail('unknown message ' + message.type);
    }
  } catch (error) {
    fail(error);
  }
};
