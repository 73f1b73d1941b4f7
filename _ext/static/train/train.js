/* "Train it yourself": the reader trains the chapter's autoencoder in the page.
 *
 * _ext/train_panels.py puts a <div class="dlbook-train" data-train="autoencoder|denoising"
 * data-src="..._static/train/<chapter>/" data-worker="..._static/train/worker.js"> into chapters 1 and 2, with a line
 * that stays if JavaScript is off. This script builds the controls and draws
 * what the Web Worker (worker.js, which trains with engine.js) reports: the
 * loss curves, the reconstructions of 8 held-out digits, the 2-D codes at
 * latent size 2, and the comparison with the book's model of the same size.
 *
 * window.DLBookTrainPanels.ready resolves to the page's panel API once its
 * data is loaded: tests/browser/test_train_panels.py drives it.
 */
(function (global) {
  'use strict';

  const SHOWN = 8;
  /** Ten colours for the ten digit classes (Okabe-Ito plus two), told apart by the legend's text too. */
  const CLASS_COLOURS = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#999999',
    '#7F3C8D', '#3CB44B'];

  let counter = 0;
  function uid(prefix) { counter += 1; return 'dlbook-train-' + prefix + '-' + counter; }

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

  function labelled(text, input) {
    if (!input.id) input.id = uid('input');
    return element('div', {className: 'dlbook-train__control'}, [element('label', {for: input.id, text}), input]);
  }

  function button(text) {
    return element('button', {type: 'button', className: 'dlbook-panel__button', text});
  }

  function paintDigit(canvas, pixels, offset) {
    const context = canvas.getContext('2d');
    const image = context.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = Math.round(255 * Math.min(1, Math.max(0, pixels[offset + i])));
      image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = v;
      image.data[4 * i + 3] = 255;
    }
    context.putImageData(image, 0, 0);
  }

  const number = (x, digits) => x.toFixed(digits);
  const count = (n) => Math.round(n).toLocaleString('en-US');

  /** The theme's text and border colours, read when drawing (they change with light and dark mode). */
  function themeColours(node) {
    const style = getComputedStyle(node);
    return {text: style.color, grid: style.getPropertyValue('--pst-color-border').trim() || '#888'};
  }

  /**
   * The loss curves: training loss (running mean between posts) and held-out
   * BCE, against training steps, on a canvas sized to its box.
   */
  class LossChart {
    constructor(canvas) {
      this.canvas = canvas;
      this.train = [];
      this.test = [];
    }

    clear() { this.train = []; this.test = []; this.draw(); }

    /** Redraw once per frame at most, however many messages arrive: the main thread stays free. */
    schedule() {
      if (this.pending) return;
      this.pending = true;
      global.requestAnimationFrame(() => { this.pending = false; this.draw(); });
    }

    /** Add a training-loss point; past 400 points, every other one is dropped (a curve needs no more). */
    addTrain(point) {
      this.train.push(point);
      if (this.train.length > 400) this.train = this.train.filter((_, i) => i % 2 === 0 || i === this.train.length - 1);
      this.schedule();
    }

    draw() {
      const canvas = this.canvas, ratio = global.devicePixelRatio || 1;
      const width = canvas.clientWidth || 320, height = canvas.clientHeight || 200;
      if (canvas.width !== Math.round(width * ratio)) { canvas.width = Math.round(width * ratio); canvas.height = Math.round(height * ratio); }
      const c = canvas.getContext('2d'), colours = themeColours(canvas.parentNode);
      c.setTransform(ratio, 0, 0, ratio, 0, 0);
      c.clearRect(0, 0, width, height);
      const left = 46, right = 8, top = 22, bottom = 30;
      const all = this.train.concat(this.test);
      const maxStep = Math.max(10, ...all.map((p) => p[0]));
      const values = all.map((p) => p[1]);
      // A log scale: the first steps fall from 0.69 to 0.2, the rest of the run from 0.2 to 0.1.
      const low = Math.log(0.9 * (values.length ? Math.min(...values) : 0.08));
      const high = Math.log(1.05 * (values.length ? Math.max(...values) : 0.7));
      const x = (s) => left + (width - left - right) * s / maxStep;
      const y = (v) => top + (height - top - bottom) * (1 - (Math.log(v) - low) / (high - low));
      c.strokeStyle = colours.grid; c.fillStyle = colours.text; c.lineWidth = 1;
      c.font = '11px sans-serif';
      c.beginPath(); c.moveTo(left, top); c.lineTo(left, height - bottom); c.lineTo(width - right, height - bottom); c.stroke();
      c.textAlign = 'right'; c.textBaseline = 'middle';
      for (let i = 0; i <= 4; i++) {
        const v = Math.exp(low + (high - low) * i / 4);
        c.fillText(number(v, 3), left - 4, y(v));
      }
      c.textAlign = 'center'; c.textBaseline = 'top';
      c.fillText('0', x(0), height - bottom + 3);
      c.fillText(count(maxStep), x(maxStep) - 12, height - bottom + 3);
      c.fillText('training steps', left + (width - left - right) / 2, height - bottom + 14);
      c.textAlign = 'left';
      c.fillText('BCE per pixel (log scale)', 2, 2);
      const line = (points, colour, dash) => {
        if (!points.length) return;
        c.strokeStyle = colour; c.lineWidth = 2; c.setLineDash(dash);
        c.beginPath();
        points.forEach(([s, v], i) => (i ? c.lineTo(x(s), y(v)) : c.moveTo(x(s), y(v))));
        c.stroke(); c.setLineDash([]);
      };
      line(this.train, '#0072B2', []);
      line(this.test, '#D55E00', [6, 3]);
    }
  }

  /** The 2-D codes of the held-out digits, one dot each, coloured by class. */
  function drawCodes(canvas, codes, labels) {
    const ratio = global.devicePixelRatio || 1, size = canvas.clientWidth || 260;
    if (canvas.width !== Math.round(size * ratio)) { canvas.width = canvas.height = Math.round(size * ratio); }
    const c = canvas.getContext('2d'), colours = themeColours(canvas.parentNode);
    c.setTransform(ratio, 0, 0, ratio, 0, 0);
    c.clearRect(0, 0, size, size);
    let maxX = 1e-6, maxY = 1e-6;
    for (let i = 0; i < labels.length; i++) { maxX = Math.max(maxX, codes[2 * i]); maxY = Math.max(maxY, codes[2 * i + 1]); }
    const pad = 8, x = (v) => pad + (size - 2 * pad) * v / maxX, y = (v) => size - pad - (size - 2 * pad) * v / maxY;
    c.strokeStyle = colours.grid; c.strokeRect(0.5, 0.5, size - 1, size - 1);
    for (let i = 0; i < labels.length; i++) {
      c.fillStyle = CLASS_COLOURS[labels[i]];
      c.beginPath(); c.arc(x(codes[2 * i]), y(codes[2 * i + 1]), 2.2, 0, 2 * Math.PI); c.fill();
    }
    return {maxX, maxY};
  }

  /**
   * The book's trained models, as the page's live panel (panels.js) loaded
   * them: the page downloads their weights once, for both panels. Copies, so
   * that the worker can own them. [] if the page has no live panel.
   */
  async function bookModels() {
    const live = global.DLBookPanels ? await global.DLBookPanels.ready.catch(() => null) : null;
    if (!live) return [];
    const named = live.models ? live.models.map((m) => ['autoencoder-' + m.latentDim, m])
      : [['denoiser', live.denoiser], ['basic', live.basic]].filter(([, m]) => m);
    return named.map(([prefix, m]) => ({prefix, latent: m.latentDim,
      encoderKernel: Float32Array.from(m.encoder.kernel), encoderBias: Float32Array.from(m.encoder.bias),
      decoderKernel: Float32Array.from(m.decoder.kernel), decoderBias: Float32Array.from(m.decoder.bias)}));
  }

  function trainPanel(root) {
    const kind = root.dataset.train, denoising = kind === 'denoising';
    const body = root.querySelector('.dlbook-train__body'), status = root.querySelector('.dlbook-train__status');
    const settings = JSON.parse(root.dataset.settings);
    const worker = new Worker(root.dataset.worker);
    const listeners = new Set();
    let labels = [], state = 'loading', loaded = null, last = {evaluation: null, progress: null, comparison: null};

    // Controls.
    const latent = element('select', {});
    for (const k of settings.latent_dims) latent.append(element('option', {value: String(k), text: String(k)}));
    latent.value = String(settings.latent);
    const sigma = element('input', {type: 'range', min: '0', max: '1', step: '0.05', value: String(settings.noise_std)});
    const sigmaValue = element('output', {text: number(settings.noise_std, 2)});
    const duration = element('select', {});
    for (const s of settings.durations) duration.append(element('option', {value: String(s), text: s < 60 ? s + ' s' : (s / 60) + ' min'}));
    duration.value = String(settings.seconds);
    const train = button('Train'), pause = button('Pause'), resume = button('Resume'), reset = button('Reset');
    const compareButton = button('Compare with the book’s model');
    const progress = element('progress', {max: '1', value: '0'});
    const controls = [];
    if (denoising) {
      const control = labelled('Training noise σ', sigma);
      sigmaValue.setAttribute('for', sigma.id);
      control.append(sigmaValue);
      controls.push(control);
    } else {
      controls.push(labelled('Latent size k', latent));
    }
    controls.push(labelled('Training time', duration));
    const progressControl = labelled('Progress', progress);
    const progressText = element('span', {className: 'dlbook-train__small', text: 'Not started.'});
    progressControl.append(progressText);

    const chart = element('canvas', {className: 'dlbook-train__chart', role: 'img', 'aria-label': 'Loss curves: not trained yet.'});
    const lossChart = new LossChart(chart);
    const legend = element('p', {className: 'dlbook-train__small'}, [
      element('span', {className: 'dlbook-train__key dlbook-train__key--train', 'aria-hidden': 'true'}),
      ' training loss (mean over the last batches)  ',
      element('span', {className: 'dlbook-train__key dlbook-train__key--test', 'aria-hidden': 'true'}),
      ' held-out BCE (' + count(settings.test_count) + ' test digits)']);
    const readout = element('p', {className: 'dlbook-train__small dlbook-train__readout'});

    const rowNames = denoising ? ['Noisy input', 'Your denoiser', 'The book’s denoiser', 'Clean digit']
      : ['Test digit', 'Your model', 'The book’s model'];
    const rows = rowNames.map((name) => {
      const canvases = Array.from({length: SHOWN}, (_, i) => element('canvas', {width: '28', height: '28',
        className: 'dlbook-panel__digit dlbook-train__digit', role: 'img', 'aria-label': name + ', held-out digit ' + (i + 1)}));
      return {name, canvases, node: element('div', {className: 'dlbook-train__digits'},
        [element('span', {className: 'dlbook-train__rowname', text: name})].concat(canvases))};
    });
    const codes = element('canvas', {className: 'dlbook-train__codes', role: 'img',
      'aria-label': 'The 2-D codes of the held-out digits, coloured by class.'});
    const codesLegend = element('ul', {className: 'dlbook-train__classes'},
      CLASS_COLOURS.map((colour, digit) => element('li', {}, [
        element('span', {className: 'dlbook-train__swatch', style: 'background:' + colour, 'aria-hidden': 'true'}), String(digit)])));
    const codesBox = element('figure', {className: 'dlbook-train__codesbox', hidden: ''}, [codes,
      element('figcaption', {className: 'dlbook-train__small',
        text: 'Codes (the two numbers of the code) of the held-out digits, one dot each, coloured by class:'}), codesLegend]);
    const comparison = element('p', {className: 'dlbook-train__comparison', role: 'status'});
    const announcer = element('p', {className: 'dlbook-panel__sr', role: 'status'});

    body.append(
      element('div', {className: 'dlbook-panel__row'}, controls),
      element('div', {className: 'dlbook-panel__row'}, [train, pause, resume, reset, compareButton]),
      element('div', {className: 'dlbook-panel__row'}, [progressControl]),
      element('div', {className: 'dlbook-train__figures'}, [
        element('figure', {className: 'dlbook-train__chartbox'}, [chart, legend]), codesBox]),
      readout,
      element('div', {className: 'dlbook-train__grid'}, rows.map((r) => r.node)),
      comparison, announcer);

    function config() {
      const k = denoising ? settings.latent : Number(latent.value);
      return {kind, latent: k, noise: denoising ? Number(sigma.value) : 0, learningRate: settings.learning_rate,
        batchSize: settings.batch_size, seconds: Number(duration.value), steps: 0, evalEvery: settings.eval_every,
        seed: settings.seed, bookPrefix: denoising ? 'denoiser' : 'autoencoder-' + k};
    }

    function setState(next) {
      state = next;
      const configurable = state === 'ready' || state === 'done';
      train.disabled = state !== 'ready';
      pause.disabled = state !== 'training';
      resume.disabled = state !== 'paused';
      reset.disabled = state === 'loading';
      compareButton.disabled = state === 'loading' || state === 'training';
      latent.disabled = sigma.disabled = duration.disabled = !configurable;
      root.dataset.state = state;
    }

    function describeRun(message) {
      return count(message.step) + ' steps, ' + number(message.seconds, 1) + ' s of training, ' +
        number(message.epoch, 1) + ' passes over the ' + count(settings.train_count) + ' digits';
    }

    function showEvaluation(message) {
      last.evaluation = message;
      if (message.step === 0) lossChart.clear();
      lossChart.test.push([message.step, message.bce]);
      lossChart.schedule();
      for (let i = 0; i < SHOWN; i++) {
        paintDigit(rows[0].canvases[i], message.inputs, i * 784);
        paintDigit(rows[1].canvases[i], message.reconstructions, i * 784);
        if (denoising) paintDigit(rows[3].canvases[i], message.targets, i * 784);
      }
      readout.textContent = 'Held-out BCE ' + number(message.bce, 4) + ', MSE ' + number(message.mse, 4) +
        ' after ' + describeRun(message) + '.';
      chart.setAttribute('aria-label', 'Loss curves. ' + readout.textContent);
      const showCodes = message.codes !== undefined;
      codesBox.hidden = !showCodes;
      if (showCodes) drawCodes(codes, message.codes, labels);
    }

    function showComparison(message) {
      // No book model of this size (k = 2): no row of its reconstructions, rather than another size's.
      rows[2].node.hidden = !message.available;
      if (message.available) for (let i = 0; i < SHOWN; i++) paintDigit(rows[2].canvases[i], message.reconstructions, i * 784);
      if (message.quiet) return;
      last.comparison = message;
      if (!message.available) {
        comparison.textContent = 'This build has no trained model of latent size ' + config().latent + ' to compare with.';
        return;
      }
      const book = settings.book[denoising ? 'denoiser' : String(config().latent)];
      const what = denoising ? 'MSE ' + number(message.mine.mse, 4) + ' (BCE ' + number(message.mine.bce, 4) + ')'
        : 'BCE ' + number(message.mine.bce, 4);
      const theirs = denoising ? 'MSE ' + number(message.book.mse, 4) + ' (BCE ' + number(message.book.bce, 4) + ')'
        : 'BCE ' + number(message.book.bce, 4);
      comparison.textContent = 'On the same ' + count(settings.test_count) + ' held-out digits' +
        (denoising ? ' with noise σ = ' + number(config().noise, 2) : '') + ': your model: ' + what + ' after ' +
        number(message.seconds, 0) + ' s (' + count(message.step) + ' steps); the book’s: ' + theirs + ' after ' +
        book.epochs + ' epochs on ' + count(book.train_size) + ' digits' +
        (denoising ? ', trained with σ = ' + number(settings.noise_std, 2) : '') + '.';
    }

    // The longest time one message took to handle here (tests/browser records it beside the long tasks).
    let slowestMessageMs = 0;
    worker.onmessage = (event) => {
      const began = performance.now();
      handle(event);
      slowestMessageMs = Math.max(slowestMessageMs, performance.now() - began);
    };
    function handle(event) {
      const message = event.data;
      switch (message.type) {
        case 'loaded': {
          labels = message.labels;
          loaded = message;
          status.textContent = settings.status;
          setState('ready');
          break;
        }
        case 'state':
          setState(message.state);
          if (message.state === 'ready') {
            progress.value = 0; progressText.textContent = 'Not started.';
            comparison.textContent = '';
            last = {evaluation: null, progress: null, comparison: null};
          }
          if (message.state === 'paused') announcer.textContent = 'Paused after ' + count(message.step) + ' steps.';
          break;
        case 'progress':
          last.progress = message;
          lossChart.addTrain([message.step, message.loss]);
          progress.value = message.fraction;
          progressText.textContent = Math.round(100 * message.fraction) + ' %: ' + describeRun(message) + '.';
          break;
        case 'evaluation':
          showEvaluation(message);
          break;
        case 'done':
          announcer.textContent = 'Training finished: ' + describeRun(message) + '.';
          worker.postMessage({type: 'compare'});
          break;
        case 'comparison':
          showComparison(message);
          break;
        case 'error':
          status.textContent = 'The training panel stopped: ' + message.message;
          break;
        default:
          break;
      }
      for (const listener of listeners) listener(message);
    }
    worker.onerror = (event) => { status.textContent = 'The training panel stopped: ' + event.message; };

    function configureWorker() {
      lossChart.clear();
      worker.postMessage({type: 'configure', config: config()});
    }

    train.addEventListener('click', () => worker.postMessage({type: 'start'}));
    pause.addEventListener('click', () => worker.postMessage({type: 'pause'}));
    resume.addEventListener('click', () => worker.postMessage({type: 'resume'}));
    reset.addEventListener('click', configureWorker);
    compareButton.addEventListener('click', () => worker.postMessage({type: 'compare'}));
    latent.addEventListener('change', configureWorker);
    duration.addEventListener('change', configureWorker);
    sigma.addEventListener('input', () => { sigmaValue.textContent = number(Number(sigma.value), 2); });
    sigma.addEventListener('change', configureWorker);
    global.addEventListener('resize', () => { lossChart.draw(); if (last.evaluation && last.evaluation.codes) drawCodes(codes, last.evaluation.codes, labels); });
    // The theme toggle changes the text colour: redraw the axes in the new one.
    new MutationObserver(() => lossChart.draw()).observe(document.documentElement, {attributes: true, attributeFilter: ['data-theme']});

    setState('loading');
    /** Resolves with the next message of `type` (tests wait on it). */
    const next = (type, test) => new Promise((resolve) => {
      const listener = (message) => {
        if (message.type === type && (!test || test(message))) { listeners.delete(listener); resolve(message); }
      };
      listeners.add(listener);
    });
    const ready = next('loaded').then(() => {
      const firstEvaluation = next('evaluation');
      configureWorker();
      return firstEvaluation;
    });
    // The worker resolves URLs against its own script's: send absolute ones.
    const absolute = (url) => new URL(url, document.baseURI).href;
    bookModels().then((book) => worker.postMessage({type: 'load', base: absolute(root.dataset.src), book}));
    return ready.then(() => ({
      kind, root, settings, worker, next, config, state: () => state, last: () => last,
      slowestMessageMs: () => slowestMessageMs,
      controls: {latent, sigma, duration, train, pause, resume, reset, compare: compareButton, progress},
      /** Train a fixed number of steps (tests): configure, start, wait for 'done'. */
      trainSteps(steps) {
        const done = next('done');
        worker.postMessage({type: 'configure', config: Object.assign(config(), {steps, seconds: 0})});
        worker.postMessage({type: 'start'});
        return done;
      },
      weights() {
        const reply = next('weights');
        worker.postMessage({type: 'weights'});
        return reply;
      },
    }));
  }

  const roots = Array.from(document.querySelectorAll('.dlbook-train[data-train]'));
  const started = roots.map((root) => trainPanel(root).catch((error) => {
    root.querySelector('.dlbook-train__status').textContent = 'The training panel could not start: ' + error.message;
    throw error;
  }));
  global.DLBookTrainPanels = {ready: Promise.all(started).then((panels) => panels[0] || null)};
})(window);
