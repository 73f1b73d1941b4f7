/* The chapters' live panels: the book's trained models, run in the reader's browser.
 *
 * _ext/live_panels.py puts a <div class="dlbook-panel" data-panel="..."
 * data-src="..._static/panels/<chapter>/"> into each chapter page, with a
 * "loading" line that stays if JavaScript is off. This script loads the
 * weights the build exported, replaces that line with the controls, and keeps
 * every output in step with them. The forward pass is DLBookNN (nn.js).
 *
 * window.DLBookPanels.ready resolves to {kind, model, data, ...} once the
 * page's panel works: tests/browser uses it to compare the outputs with Keras.
 */
(function (global) {
  'use strict';
  const NN = global.DLBookNN;

  // ------------------------------------------------------------------ models

  /** Chapter 1's autoencoder: Dense(relu) down to the code, Dense(sigmoid) back to 784 pixels. */
  class Autoencoder {
    constructor(tensors, prefix) {
      this.encoder = new NN.Dense(tensors[prefix + '/encoder/kernel'], tensors[prefix + '/encoder/bias'], 'relu');
      this.decoder = new NN.Dense(tensors[prefix + '/decoder/kernel'], tensors[prefix + '/decoder/bias'], 'sigmoid');
      this.latentDim = this.encoder.outputs;
    }

    reconstruct(pixels) {
      return this.decoder.apply(this.encoder.apply(pixels));
    }
  }

  /**
   * Chapter 3's Embedding -> LSTM -> (Dropout) -> Dense character model, one
   * character at a time. Dropout acts in training only, so it has no part
   * here. The LSTM's kernels arrive in 12 bits (the manifest's
   * "quantisation"); they are decoded to float32 once, here, at load.
   */
  class CharModel {
    constructor(tensors, characters) {
      this.characters = characters;
      this.ids = new Map(characters.map((character, id) => [character, id]));
      const weight = (name) => NN.dequantised(tensors, name);
      const embedding = new NN.Embedding(weight('embedding'));
      this.lstm = new NN.LSTM(weight('lstm/kernel'), weight('lstm/recurrent_kernel'), weight('lstm/bias'));
      this.head = new NN.Dense(weight('dense/kernel'), weight('dense/bias'));
      // The input's part of the gates depends only on the character: compute
      // it once per character, as textgen.OneStep does, so a step costs one
      // recurrent product and the head.
      this.gates = characters.map((_, id) => this.lstm.inputGates(embedding.row(id)));
    }

    /** Ids of the characters of text that the model knows, and the ones it dropped. */
    encode(text) {
      const ids = [], unknown = new Set();
      for (const character of text) {
        if (this.ids.has(character)) ids.push(this.ids.get(character));
        else unknown.add(character);
      }
      return {ids, unknown: Array.from(unknown)};
    }

    initialState() {
      return this.lstm.initialState();
    }

    /** Feed one character id; returns the next character's logits. */
    step(id, state) {
      this.lstm.step(this.gates[id], state);
      return this.head.apply(state.h);
    }

    /** Logits after reading ids from a fresh state, and that state. */
    read(ids) {
      const state = this.initialState();
      let logits = null;
      for (const id of ids) logits = this.step(id, state);
      return {logits, state};
    }

    /** Generate length characters after the prompt's ids; onCharacter(id, logits) for each. */
    generate(ids, length, temperature, seed) {
      const uniform = NN.random(seed);
      let {logits, state} = this.read(ids);
      const out = [];
      for (let n = 0; n < length; n++) {
        const id = NN.sample(NN.softmax(logits, temperature), uniform);
        out.push(id);
        logits = this.step(id, state);
      }
      return out.map((id) => this.characters[id]).join('');
    }
  }

  // What the chapter's TextVectorization does ("lower_and_strip_punctuation",
  // then whitespace split), as dlbook.tasks.SentimentReader re-implements it:
  // the IMDB line breaks become spaces, only A-Z are lower-cased, these
  // punctuation characters are removed, and runs of ASCII whitespace split.
  const HTML_BREAK = /<br\s*\/?>/gi;
  const PUNCTUATION = /[!"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~']/g;
  const WHITESPACE = /[ \t\n\v\f\r]+/;

  /** Chapter 4's Embedding(mask_zero) -> LSTM -> Dense(sigmoid) review classifier. */
  class SentimentModel {
    constructor(tensors, vocabulary, sequenceLength, truncating) {
      this.vocabulary = vocabulary;
      this.ids = new Map();
      vocabulary.forEach((word, id) => { if (id >= 2) this.ids.set(word, id); });  // 0 padding, 1 [UNK]
      this.sequenceLength = sequenceLength;
      this.truncating = truncating;
      this.embedding = new NN.Embedding(tensors['embedding'], tensors['embedding/scales'], tensors['embedding/low']);
      this.lstm = new NN.LSTM(tensors['lstm/kernel'], tensors['lstm/recurrent_kernel'], tensors['lstm/bias']);
      this.head = new NN.Dense(tensors['dense/kernel'], tensors['dense/bias'], 'sigmoid');
    }

    tokens(text) {
      const standard = text.replace(HTML_BREAK, ' ').replace(/[A-Z]/g, (c) => c.toLowerCase()).replace(PUNCTUATION, '');
      return standard.split(WHITESPACE).filter((token) => token.length > 0);
    }

    /**
     * P(positive), and P(positive) after each token the model reads. Inputs
     * are post-padded and the padding is masked, so the state after the last
     * real token is the state the Dense layer sees: the loop stops there.
     */
    predict(text) {
      let tokens = this.tokens(text);
      const cut = tokens.length > this.sequenceLength;
      if (cut) tokens = this.truncating === 'pre' ? tokens.slice(-this.sequenceLength) : tokens.slice(0, this.sequenceLength);
      const state = this.lstm.initialState();
      const steps = [];
      const vector = new Float64Array(this.embedding.dim), gates = new Float64Array(4 * this.lstm.units);
      for (const token of tokens) {
        const id = this.ids.has(token) ? this.ids.get(token) : 1;
        this.lstm.step(this.lstm.inputGates(this.embedding.row(id, vector), gates), state);
        steps.push({token, id, probability: this.head.apply(state.h)[0]});
      }
      return {probability: this.head.apply(state.h)[0], steps, cut};
    }
  }

  // -------------------------------------------------------------- DOM helpers

  let counter = 0;
  function uid(prefix) { counter += 1; return 'dlbook-' + prefix + '-' + counter; }

  function element(tag, attributes, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (key === 'text') node.textContent = value;
      else if (key === 'className') node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  /** A labelled control: <label for> + the input, in one flex cell. */
  function labelled(text, input) {
    if (!input.id) input.id = uid('input');
    return element('div', {className: 'dlbook-panel__control'}, [element('label', {for: input.id, text}), input]);
  }

  function slider(min, max, step, value) {
    return element('input', {type: 'range', min: String(min), max: String(max), step: String(step), value: String(value)});
  }

  /** Draw 784 values in [0, 1] as a grey 28 x 28 image, scaled up with crisp pixels by CSS. */
  function paintDigit(canvas, pixels) {
    const context = canvas.getContext('2d');
    const image = context.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = Math.round(255 * Math.min(1, Math.max(0, pixels[i])));
      image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = v;
      image.data[4 * i + 3] = 255;
    }
    context.putImageData(image, 0, 0);
  }

  function digitCanvas(label) {
    return element('canvas', {width: '28', height: '28', className: 'dlbook-panel__digit', role: 'img', 'aria-label': label});
  }

  function figure(canvas, captionText) {
    const caption = element('figcaption', {text: captionText});
    return {node: element('figure', {className: 'dlbook-panel__figure'}, [canvas, caption]), caption};
  }

  function meanSquaredError(a, b) {
    let total = 0;
    for (let i = 0; i < a.length; i++) total += (a[i] - b[i]) ** 2;
    return total / a.length;
  }

  /** Per-pixel binary cross-entropy, the chapter's loss (Keras clips to [1e-7, 1 - 1e-7]). */
  function binaryCrossEntropy(target, output) {
    let total = 0;
    for (let i = 0; i < target.length; i++) {
      const p = Math.min(1 - 1e-7, Math.max(1e-7, output[i]));
      total -= target[i] * Math.log(p) + (1 - target[i]) * Math.log(1 - p);
    }
    return total / target.length;
  }

  /** Test digit i of the shipped uint8 images, as 784 floats in [0, 1]. */
  function testDigit(images, i) {
    const out = new Float64Array(784);
    for (let j = 0; j < 784; j++) out[j] = images[784 * i + j] / 255;
    return out;
  }

  /** A "test digit n of N" picker: previous/next buttons and a number box. */
  function digitPicker(count, onChange) {
    const number = element('input', {type: 'number', min: '1', max: String(count), value: '1', inputmode: 'numeric'});
    const previous = element('button', {type: 'button', className: 'dlbook-panel__button', text: 'Previous digit'});
    const next = element('button', {type: 'button', className: 'dlbook-panel__button', text: 'Next digit'});
    const set = (n) => {
      const wrapped = ((n - 1) % count + count) % count + 1;
      number.value = String(wrapped);
      onChange(wrapped - 1);
    };
    previous.addEventListener('click', () => set(Number(number.value) - 1));
    next.addEventListener('click', () => set(Number(number.value) + 1));
    number.addEventListener('change', () => set(Math.round(Number(number.value)) || 1));
    const node = element('div', {className: 'dlbook-panel__row'},
      [labelled('Test digit (1-' + count + ')', number), previous, next]);
    return {node, set};
  }

  // ------------------------------------------------------------------ panels

  function autoencoderPanel(body, bundle) {
    const {manifest, tensors} = bundle;
    const models = manifest.latent_dims.map((k) => new Autoencoder(tensors, 'autoencoder-' + k));
    const images = tensors['test_images'].data, count = tensors['test_images'].shape[0];
    let pixels = testDigit(images, 0);

    const pad = element('canvas', {width: '280', height: '280', className: 'dlbook-panel__pad', role: 'img',
      'aria-label': 'Drawing area: draw a digit with the mouse, a finger or a pen'});
    // The pad is read back after every stroke: keep it in CPU memory (else Chromium warns in the console).
    const padContext = pad.getContext('2d', {willReadFrequently: true});
    const clear = element('button', {type: 'button', className: 'dlbook-panel__button', text: 'Clear and draw'});
    const picker = digitPicker(count, (i) => { pixels = testDigit(images, i); showInput(); update(); });
    const outputs = models.map((model) => {
      const canvas = digitCanvas('Reconstruction with a ' + model.latentDim + '-number code');
      return {model, canvas, ...figure(canvas, '')};
    });
    const status = element('p', {className: 'dlbook-panel__note', role: 'status'});

    body.append(
      picker.node,
      element('div', {className: 'dlbook-panel__row'}, [
        element('figure', {className: 'dlbook-panel__figure'}, [pad, element('figcaption', {text: 'Input (draw here)'})]),
        element('div', {className: 'dlbook-panel__outputs'}, outputs.map((o) => o.node)),
      ]),
      element('div', {className: 'dlbook-panel__row'}, [clear]),
      status);

    /** The 28 x 28 input, drawn large on the pad. */
    function showInput() {
      const small = document.createElement('canvas');
      small.width = small.height = 28;
      paintDigit(small, pixels);
      padContext.imageSmoothingEnabled = false;
      padContext.drawImage(small, 0, 0, 280, 280);
    }

    function update() {
      for (const output of outputs) {
        const reconstruction = output.model.reconstruct(pixels);
        paintDigit(output.canvas, reconstruction);
        output.caption.textContent = 'k = ' + output.model.latentDim + ': BCE ' +
          binaryCrossEntropy(pixels, reconstruction).toFixed(3) + ', MSE ' + meanSquaredError(pixels, reconstruction).toFixed(4);
      }
      status.textContent = 'Reconstructed at code sizes ' + manifest.latent_dims.join(', ') +
        '. Per-image error: binary cross-entropy (the training loss) and mean squared error per pixel.';
    }

    /** The pad averaged down to 28 x 28 (10 x 10 blocks), like MNIST's anti-aliased strokes. */
    function readPad() {
      const data = padContext.getImageData(0, 0, 280, 280).data;
      const out = new Float64Array(784);
      for (let y = 0; y < 280; y++) {
        for (let x = 0; x < 280; x++) out[28 * Math.floor(y / 10) + Math.floor(x / 10)] += data[4 * (280 * y + x)] / 255 / 100;
      }
      return out;
    }

    let drawing = false, last = null, pending = false;
    function point(event) {
      const box = pad.getBoundingClientRect();
      return [(event.clientX - box.left) * 280 / box.width, (event.clientY - box.top) * 280 / box.height];
    }
    function scheduleUpdate() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; pixels = readPad(); update(); });
    }
    pad.addEventListener('pointerdown', (event) => {
      drawing = true; last = point(event);
      pad.setPointerCapture(event.pointerId);
      event.preventDefault();
    });
    pad.addEventListener('pointermove', (event) => {
      if (!drawing) return;
      const now = point(event);
      padContext.strokeStyle = '#fff';
      padContext.lineWidth = 22;
      padContext.lineCap = padContext.lineJoin = 'round';
      padContext.beginPath();
      padContext.moveTo(last[0], last[1]);
      padContext.lineTo(now[0], now[1]);
      padContext.stroke();
      last = now;
      scheduleUpdate();
    });
    const stop = () => { if (drawing) { drawing = false; scheduleUpdate(); } };
    pad.addEventListener('pointerup', stop);
    pad.addEventListener('pointercancel', stop);
    clear.addEventListener('click', () => {
      padContext.fillStyle = '#000';
      padContext.fillRect(0, 0, 280, 280);
      pixels = new Float64Array(784);
      update();
    });

    showInput();
    update();
    return {models, pickDigit: picker.set, current: () => pixels};
  }

  function denoisingPanel(body, bundle) {
    const {manifest, tensors} = bundle;
    const basic = new Autoencoder(tensors, 'basic');
    const denoiser = new Autoencoder(tensors, 'denoiser');
    const images = tensors['test_images'].data, count = tensors['test_images'].shape[0];
    let index = 0, seed = 1;

    const sigma = slider(0, 1, 0.05, manifest.noise_std);
    const sigmaValue = element('output', {for: '', text: ''});
    const fresh = element('button', {type: 'button', className: 'dlbook-panel__button', text: 'New noise'});
    const picker = digitPicker(count, (i) => { index = i; update(); });
    const names = ['Noisy input', 'Basic autoencoder', 'Denoising autoencoder', 'Clean digit'];
    const views = names.map((name) => {
      const canvas = digitCanvas(name);
      return {canvas, ...figure(canvas, name)};
    });
    const sigmaControl = labelled('Noise σ', sigma);
    sigmaValue.setAttribute('for', sigma.id);
    sigmaControl.append(sigmaValue);
    const status = element('p', {className: 'dlbook-panel__note', role: 'status'});
    body.append(picker.node, element('div', {className: 'dlbook-panel__row'}, [sigmaControl, fresh]),
      element('div', {className: 'dlbook-panel__outputs'}, views.map((v) => v.node)), status);

    /** clip(x + N(0, σ²), 0, 1), as denoising.add_gaussian_noise, from this panel's own seeded generator. */
    function noisy(clean, level, noiseSeed) {
      const uniform = NN.random(noiseSeed), out = new Float64Array(784);
      for (let j = 0; j < 784; j++) out[j] = Math.min(1, Math.max(0, clean[j] + level * NN.normal(uniform)));
      return out;
    }

    function update() {
      const level = Number(sigma.value);
      sigmaValue.textContent = level.toFixed(2);
      sigma.setAttribute('aria-valuetext', 'σ = ' + level.toFixed(2));
      const clean = testDigit(images, index), input = noisy(clean, level, seed);
      const outputs = [input, basic.reconstruct(input), denoiser.reconstruct(input), clean];
      outputs.forEach((pixels, i) => {
        paintDigit(views[i].canvas, pixels);
        views[i].caption.textContent = i < 3 ? names[i] + ': MSE ' + meanSquaredError(pixels, clean).toFixed(4) : names[i];
      });
      status.textContent = 'σ = ' + level.toFixed(2) + '. MSE of each image against the clean digit (lower is better); ' +
        'both models were trained with σ = ' + manifest.noise_std + ' (the denoiser) or on clean digits (the basic one).';
    }

    sigma.addEventListener('input', update);
    fresh.addEventListener('click', () => { seed += 1; update(); });
    update();
    return {basic, denoiser, noisy, pickDigit: picker.set};
  }

  function textPanel(body, bundle) {
    const {manifest, tensors} = bundle;
    const model = new CharModel(tensors, manifest.characters);
    const prompt = element('textarea', {rows: '2', spellcheck: 'false'});
    prompt.value = manifest.prompt;
    const temperature = slider(0.1, 2.0, 0.1, 1.0);
    const temperatureValue = element('output', {text: '1.0'});
    const length = element('input', {type: 'number', min: '1', max: '2000', step: '1', value: '400', inputmode: 'numeric'});
    const generate = element('button', {type: 'button', className: 'dlbook-panel__button', text: 'Generate'});
    const stop = element('button', {type: 'button', className: 'dlbook-panel__button', text: 'Stop', disabled: ''});
    // A named, focusable region: it scrolls, so keyboard users must be able to reach it.
    const output = element('pre', {className: 'dlbook-panel__text', tabindex: '0', role: 'region', 'aria-label': 'Generated text'});
    const topTable = element('table', {className: 'dlbook-panel__table'});
    const status = element('p', {className: 'dlbook-panel__note', role: 'status'});
    const temperatureControl = labelled('Temperature', temperature);
    temperatureValue.setAttribute('for', temperature.id);
    temperatureControl.append(temperatureValue);
    body.append(labelled('Prompt', prompt),
      element('div', {className: 'dlbook-panel__row'}, [temperatureControl, labelled('Characters to generate', length), generate, stop]),
      element('div', {className: 'dlbook-panel__row dlbook-panel__row--top'}, [
        output,
        element('div', {}, [element('p', {className: 'dlbook-panel__note', text: 'Next character: top 5 at this temperature'}), topTable]),
      ]),
      status);

    let logits = null, run = 0;
    const visible = (character) => character === '\n' ? '↵ (new line)' : character === ' ' ? '␣ (space)' : character;

    function showTop() {
      if (!logits) return;
      const t = Number(temperature.value);
      const probabilities = NN.softmax(logits, t);
      const order = Array.from(probabilities.keys()).sort((a, b) => probabilities[b] - probabilities[a]).slice(0, 5);
      topTable.replaceChildren(
        element('caption', {className: 'dlbook-panel__sr', text: 'The five most likely next characters'}),
        element('thead', {}, [element('tr', {}, [element('th', {scope: 'col', text: 'Character'}), element('th', {scope: 'col', text: 'Probability'})])]),
        element('tbody', {}, order.map((id) => element('tr', {}, [
          element('td', {text: visible(model.characters[id])}),
          element('td', {text: (100 * probabilities[id]).toFixed(1) + ' %'}),
        ]))));
    }

    function readPrompt() {
      const {ids, unknown} = model.encode(prompt.value);
      if (ids.length === 0) ids.push(model.ids.get('\n'));  // an empty prompt starts like a new line
      logits = model.read(ids).logits;
      return {ids, unknown};
    }

    /** Sample into the page in slices of about 12 ms, so characters stream while the page stays responsive. */
    function start() {
      run += 1;
      const thisRun = run;
      const {ids, unknown} = readPrompt();
      const state = model.read(ids).state;
      const t = Number(temperature.value), total = Math.max(1, Math.min(2000, Math.round(Number(length.value)) || 1));
      const uniform = NN.random(Date.now() >>> 0);
      output.textContent = prompt.value;
      generate.disabled = true;
      stop.disabled = false;
      let made = 0;
      const begun = performance.now();
      status.textContent = unknown.length ? 'Left out characters the model never saw: ' + unknown.join(' ') : '';
      function slice() {
        if (thisRun !== run) return;
        const until = performance.now() + 12;
        let text = '';
        while (made < total && performance.now() < until) {
          const id = NN.sample(NN.softmax(logits, Number(temperature.value) || t), uniform);
          text += model.characters[id];
          logits = model.step(id, state);
          made += 1;
        }
        output.textContent += text;
        showTop();
        if (made < total) setTimeout(slice, 0);
        else finish(made, performance.now() - begun);
      }
      slice();
    }

    function finish(made, milliseconds) {
      generate.disabled = false;
      stop.disabled = true;
      status.textContent = made + ' characters at temperature ' + Number(temperature.value).toFixed(1) +
        ', ' + Math.round(made / Math.max(milliseconds, 1) * 1000) + ' characters per second in this browser.';
    }

    generate.addEventListener('click', start);
    stop.addEventListener('click', () => { run += 1; finish(0, 1); status.textContent = 'Stopped.'; });
    temperature.addEventListener('input', () => {
      temperatureValue.textContent = Number(temperature.value).toFixed(1);
      showTop();
    });
    prompt.addEventListener('input', () => { readPrompt(); showTop(); });
    readPrompt();
    showTop();
    return {model, start};
  }

  function sentimentPanel(body, bundle) {
    const {manifest, tensors} = bundle;
    const model = new SentimentModel(tensors, manifest.vocabulary, manifest.sequence_length, manifest.truncating);
    const scores = tensors['test_scores'].data, labels = tensors['test_labels'].data;

    const review = element('textarea', {rows: '4'});
    review.value = manifest.example;
    const verdict = element('p', {className: 'dlbook-panel__verdict', 'aria-live': 'polite'});
    const trail = element('ol', {className: 'dlbook-panel__tokens', 'aria-label': 'P(positive) after each word the model read'});
    const threshold = slider(0, 1, 0.01, 0.5);
    const thresholdValue = element('output', {text: '0.50'});
    const matrix = element('table', {className: 'dlbook-panel__table'});
    const scoresLine = element('p', {className: 'dlbook-panel__scores'});
    const thresholdControl = labelled('Decision threshold', threshold);
    thresholdValue.setAttribute('for', threshold.id);
    thresholdControl.append(thresholdValue);
    body.append(labelled('Your review', review), verdict,
      element('p', {className: 'dlbook-panel__note', text: 'How P(positive) moves, word by word (unknown words read as [UNK]):'}),
      trail,
      element('p', {className: 'dlbook-panel__note', text: 'The threshold on the ' + scores.length +
        ' test reviews of this build: a review is called positive when P(positive) is at least the threshold.'}),
      thresholdControl, matrix, scoresLine);

    function updateReview() {
      const result = model.predict(review.value);
      verdict.textContent = 'P(positive) = ' + result.probability.toFixed(3) + ': ' +
        (result.probability >= Number(threshold.value) ? 'positive' : 'negative') + ' at threshold ' + Number(threshold.value).toFixed(2) +
        (result.steps.length ? '' : ' (no words: the model sees an empty review)') +
        (result.cut ? ' (only the last ' + model.sequenceLength + ' words are read, as in training)' : '');
      // The last 40 words at most: enough to see the movement, small enough for a phone.
      const shown = result.steps.slice(-40);
      trail.replaceChildren(...shown.map((step) => {
        const item = element('li', {className: 'dlbook-panel__token ' + (step.probability >= 0.5 ? 'is-positive' : 'is-negative')});
        item.append(element('span', {text: step.id === 1 ? step.token + ' [UNK]' : step.token}),
          element('span', {className: 'dlbook-panel__p', text: step.probability.toFixed(2)}));
        return item;
      }));
      return result;
    }

    /** Confusion counts and scores at threshold t, as dlbook.sentiment.threshold_metrics computes them. */
    function metricsAt(t) {
      let tp = 0, fp = 0, tn = 0, fn = 0;
      for (let i = 0; i < scores.length; i++) {
        const positive = scores[i] >= t;
        if (labels[i] === 1) { if (positive) tp += 1; else fn += 1; } else if (positive) fp += 1; else tn += 1;
      }
      const precision = tp + fp ? tp / (tp + fp) : 0;  // scikit-learn's zero_division=0
      const recall = tp + fn ? tp / (tp + fn) : 0;
      const f1 = precision + recall ? 2 * precision * recall / (precision + recall) : 0;
      return {threshold: t, tn, fp, fn, tp, precision, recall, f1, accuracy: (tp + tn) / scores.length};
    }

    function updateThreshold() {
      const t = Number(threshold.value);
      thresholdValue.textContent = t.toFixed(2);
      threshold.setAttribute('aria-valuetext', 'threshold ' + t.toFixed(2));
      const m = metricsAt(t);
      const cell = (name, value) => element('td', {'data-metric': name, text: String(value)});
      matrix.replaceChildren(
        element('caption', {text: 'Confusion matrix of the test reviews at threshold ' + t.toFixed(2)}),
        element('thead', {}, [element('tr', {}, [element('td', {}), element('th', {scope: 'col', text: 'predicted negative'}),
          element('th', {scope: 'col', text: 'predicted positive'})])]),
        element('tbody', {}, [
          element('tr', {}, [element('th', {scope: 'row', text: 'negative review'}), cell('tn', m.tn), cell('fp', m.fp)]),
          element('tr', {}, [element('th', {scope: 'row', text: 'positive review'}), cell('fn', m.fn), cell('tp', m.tp)]),
        ]));
      scoresLine.replaceChildren(...[['precision', m.precision], ['recall', m.recall], ['f1', m.f1], ['accuracy', m.accuracy]]
        .map(([name, value]) => element('span', {'data-metric': name, text: (name === 'f1' ? 'F1' : name[0].toUpperCase() + name.slice(1)) + ' ' + value.toFixed(3)})));
      updateReview();
      return m;
    }

    review.addEventListener('input', updateReview);
    threshold.addEventListener('input', updateThreshold);
    updateThreshold();
    return {model, metricsAt, setThreshold: (t) => { threshold.value = String(t); return updateThreshold(); }};
  }

  const PANELS = {autoencoder: autoencoderPanel, denoising: denoisingPanel, textgen: textPanel, sentiment: sentimentPanel};

  async function startPanel(root) {
    const status = root.querySelector('.dlbook-panel__status');
    const bundle = await NN.loadBundle(root.dataset.src);
    const body = root.querySelector('.dlbook-panel__body');
    const api = PANELS[root.dataset.panel](body, bundle);
    status.textContent = 'Ready: the model runs in your browser (' + (bundle.manifest.payload_bytes / 1e6).toFixed(2) + ' MB of weights and data).';
    root.classList.add('is-ready');
    return {kind: root.dataset.panel, manifest: bundle.manifest, tensors: bundle.tensors, ...api};
  }

  const roots = Array.from(document.querySelectorAll('.dlbook-panel[data-panel]'));
  const started = roots.map((root) => startPanel(root).catch((error) => {
    // Say so in the panel and keep the page: the static figures still teach.
    root.querySelector('.dlbook-panel__status').textContent = 'The live model could not be loaded (' + error.message + '); the rest of the page is unaffected.';
    console.warn('dlbook live panel:', error);
    return null;
  }));
  global.DLBookPanels = {
    ready: Promise.all(started).then((panels) => panels[0] || null),
    Autoencoder, CharModel, SentimentModel,
  };
})(window);
