// The demo page: a character model and the addition task, each training in its own Web Worker; after training, each
// trained model is loaded on the page and looked inside (./inside-text.ts, ./inside-adder.ts).
import { resolveBackend } from 'simple-rnn';
import { downloadBytes, loadCheckpoint, readFileBytes, saveCheckpoint } from 'simple-rnn/browser';
import { Trainer, type AdditionJob, type BackendChoice, type TextJob } from 'simple-rnn/worker';
import { LineChart } from './chart';
import { AdderInside } from './inside-adder';
import { TextInside } from './inside-text';
import { PRESETS } from './texts';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const num = (id: string) => Number($<HTMLInputElement>(id).value);
const newTrainer = () => new Trainer(new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module' }));

const STORE_KEY = 'char-model';

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtTime = (ms: number) => (ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`);

// ---- backend ----
const choice = resolveBackend('auto');
const badge = $('backend');
badge.textContent = choice.backend === 'wasm' ? 'WebAssembly SIMD' : 'pure JS (no WebAssembly SIMD)';
badge.title = choice.reason;
badge.classList.add(choice.backend);

// ---- character model ----
const panel = $('text-panel');
const textArea = $<HTMLTextAreaElement>('text');
const preset = $<HTMLSelectElement>('preset');
const textInfo = $('text-info');
const trainBtn = $<HTMLButtonElement>('train');
const stopBtn = $<HTMLButtonElement>('stop');
const resampleBtn = $<HTMLButtonElement>('resample');
const temp = $<HTMLInputElement>('temp');
const tempValue = $('temp-value');
const sampleBox = $('sample');
const ckStatus = $('ck-status');
const chart = new LineChart($('t-chart') as unknown as SVGSVGElement, { xLabel: 'step', yLabel: 'loss, nats per character' });

const inside = new TextInside($('x-inside'), $<HTMLInputElement>('x-text'), $<HTMLSelectElement>('x-layer'), $('x-info'),
  $('x-svg') as unknown as SVGSVGElement, $('x-readout'));
const lookInside = (bytes: Uint8Array, text: string) =>
  inside.show(bytes, text).catch((e) => ($('x-info').textContent = `Could not look inside: ${(e as Error).message}`));

let trainer = newTrainer();
let losses: [number, number][] = [];
let checkpoint: Uint8Array | undefined;
let hasModel = false;
let sampleSeed = 1;
let layers = 1; // of the job being trained
let drawPending = false;

for (const [k, p] of PRESETS.entries()) preset.append(new Option(p.name, String(k)));
const showTextInfo = () => {
  const chars = Array.from(textArea.value);
  textInfo.textContent = `${fmtInt(chars.length)} characters, ${new Set(chars).size} distinct`;
};
preset.addEventListener('change', () => {
  const p = PRESETS[Number(preset.value)];
  textArea.value = p.text;
  if (!p.text) textArea.focus();
  showTextInfo();
});
textArea.value = PRESETS[0].text;
textArea.addEventListener('input', showTextInfo);
showTextInfo();
$<HTMLInputElement>('text-file').addEventListener('change', async (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (!file) return;
  textArea.value = await file.text();
  preset.value = String(PRESETS.length - 1);
  showTextInfo();
});

const setState = (el: HTMLElement, state: 'idle' | 'training' | 'done' | 'error') => (el.dataset.state = state);
const drawChart = () => {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    chart.render([{ points: losses, color: 'var(--accent)', label: 'loss' }]);
  });
};
const showSample = (text: string, temperature: number, step: number) => {
  sampleBox.classList.remove('muted');
  sampleBox.textContent = text;
  sampleBox.dataset.count = String(Number(sampleBox.dataset.count ?? 0) + 1);
  sampleBox.title = `step ${step}, temperature ${temperature.toFixed(2)}`;
};
const setCheckpoint = (bytes: Uint8Array | undefined) => {
  checkpoint = bytes;
  $<HTMLButtonElement>('ck-download').disabled = !bytes;
  $<HTMLButtonElement>('ck-save').disabled = !bytes;
};
const resample = async () => {
  if (!hasModel) return;
  try {
    const t = Number(temp.value);
    showSample(await trainer.sample({ temperature: t, length: 400, seed: sampleSeed++ }), t, Number(panel.dataset.step ?? 0));
  } catch (e) {
    ckStatus.textContent = (e as Error).message;
  }
};

const wire = (t: Trainer) => {
  t.on('started', (e) => {
    panel.dataset.backend = e.backend;
    ckStatus.textContent = `${fmtInt(e.paramCount)} parameters${layers > 1 ? ` in ${layers} layers` : ''}, a vocabulary of ${e.vocab?.length} ids, backend ${e.backend} (${e.backendReason})`;
  });
  t.on('progress', (e) => {
    losses.push([e.step, e.loss]);
    if (losses.length === 1) panel.dataset.firstLoss = String(e.loss);
    panel.dataset.lastLoss = String(e.loss);
    panel.dataset.step = String(e.step);
    $('t-step').innerHTML = `${fmtInt(e.step)}<small> / ${fmtInt(e.steps)}</small>`;
    $('t-loss').textContent = e.loss.toFixed(3);
    $('t-speed').textContent = fmtInt(e.tokensPerSecond);
    $('t-time').textContent = fmtTime(e.elapsedMs);
    drawChart();
  });
  t.on('sample', (e) => {
    if (e.id === 0) showSample(e.text, e.temperature, e.step);
  });
};
wire(trainer);

trainBtn.addEventListener('click', async () => {
  const text = textArea.value;
  const seqLength = num('seq');
  if (Array.from(text).length < seqLength + 2) {
    ckStatus.textContent = `The text needs at least ${seqLength + 2} characters.`;
    return;
  }
  const steps = num('steps');
  layers = num('layers');
  panel.dataset.layers = String(layers);
  const job: TextJob = {
    task: 'text', steps, seqLength, hiddenSize: num('hidden'), batchSize: num('batch'), learningRate: num('lr'),
    seed: num('seed'), sampleEvery: Math.max(50, Math.round(steps / 6 / 50) * 50), sampleLength: 400,
    temperature: Number(temp.value), backend: $<HTMLSelectElement>('backend-choice').value as BackendChoice,
    modelOptions: {
      optimizer: $<HTMLSelectElement>('optimizer').value as 'adam', ...(num('clip') > 0 ? { clipNorm: num('clip') } : {}),
      ...(layers > 1 ? { layers } : {}),
    },
  };
  losses = [];
  drawChart();
  hasModel = false;
  setCheckpoint(undefined);
  trainBtn.disabled = true;
  stopBtn.disabled = false;
  resampleBtn.disabled = true;
  setState(panel, 'training');
  try {
    const r = await trainer.start(job, text);
    hasModel = true;
    setCheckpoint(r.checkpoint);
    ckStatus.textContent = `${r.reason === 'stopped' ? 'Stopped' : 'Trained'} after ${fmtInt(r.step)} steps in ${fmtTime(r.elapsedMs)}.` +
      (r.checkpoint ? ` Checkpoint: ${fmtInt(r.checkpoint.length)} bytes.` : '');
    await Promise.all([resample(), r.checkpoint ? lookInside(r.checkpoint, text) : undefined]);
    setState(panel, 'done');
  } catch (e) {
    ckStatus.textContent = `Training failed: ${(e as Error).message}`;
    setState(panel, 'error');
    if (/worker/.test((e as Error).message)) {
      trainer = newTrainer();
      wire(trainer);
    }
  } finally {
    trainBtn.disabled = false;
    stopBtn.disabled = true;
    resampleBtn.disabled = !hasModel;
  }
});
stopBtn.addEventListener('click', () => trainer.stop());
temp.addEventListener('input', () => (tempValue.textContent = Number(temp.value).toFixed(2)));
temp.addEventListener('change', () => void resample());
resampleBtn.addEventListener('click', () => void resample());

// ---- checkpoints ----
const useCheckpoint = async (bytes: Uint8Array, from: string) => {
  const e = await trainer.load(bytes);
  hasModel = true;
  setCheckpoint(bytes);
  resampleBtn.disabled = false;
  ckStatus.textContent = `Loaded ${from}: ${fmtInt(e.paramCount)} parameters, trained ${fmtInt(e.stepCount)} steps.`;
  await Promise.all([resample(), lookInside(bytes, textArea.value)]);
};
const guard = (fn: () => Promise<void>) => () => {
  fn().catch((e) => (ckStatus.textContent = (e as Error).message));
};
$('ck-download').addEventListener('click', () => checkpoint && downloadBytes(checkpoint, 'char-model.simple-rnn'));
$<HTMLInputElement>('ck-upload').addEventListener('change', guard(async () => {
  const input = $<HTMLInputElement>('ck-upload');
  const file = input.files?.[0];
  input.value = '';
  if (file) await useCheckpoint(await readFileBytes(file), file.name);
}));
$('ck-save').addEventListener('click', guard(async () => {
  if (!checkpoint) return;
  await saveCheckpoint(STORE_KEY, checkpoint);
  ckStatus.textContent = `Saved in this browser (IndexedDB, key "${STORE_KEY}", ${fmtInt(checkpoint.length)} bytes).`;
}));
$('ck-load').addEventListener('click', guard(async () => {
  const bytes = await loadCheckpoint(STORE_KEY);
  if (!bytes) ckStatus.textContent = 'Nothing saved in this browser yet.';
  else await useCheckpoint(bytes, 'from this browser');
}));

// ---- addition ----
const addPanel = $('add-panel');
const aTrain = $<HTMLButtonElement>('a-train');
const aStop = $<HTMLButtonElement>('a-stop');
const aChart = new LineChart($('a-chart') as unknown as SVGSVGElement, { xLabel: 'step', yLabel: 'loss, nats per digit' });
const aBody = $('a-table').querySelector('tbody')!;
const TEST_LENGTHS = [8, 16, 32, 64, 100];
const aInside = new AdderInside($('c-inside'), $('c-svg') as unknown as SVGSVGElement, $('c-summary'), $<HTMLButtonElement>('c-next'));
let aTrainer = newTrainer();
let aLosses: [number, number][] = [];

const showAccuracy = (rows: { length: number; accuracy: number | null }[]) => {
  aBody.replaceChildren(...rows.map(({ length, accuracy }) => {
    const tr = document.createElement('tr');
    const pct = accuracy === null ? '–' : `${(accuracy * 100).toFixed(accuracy === 1 ? 0 : 1)}%`;
    tr.innerHTML = `<td>${length}${length <= 8 ? '' : ' <span class="muted small">unseen</span>'}</td><td class="num">${pct}</td>` +
      `<td class="bar"><span style="width:${((accuracy ?? 0) * 100).toFixed(1)}%"></span></td>`;
    tr.dataset.length = String(length);
    if (accuracy !== null) tr.dataset.accuracy = String(accuracy);
    return tr;
  }));
};
showAccuracy(TEST_LENGTHS.map((length) => ({ length, accuracy: null })));

const aWire = (t: Trainer) => {
  t.on('progress', (e) => {
    aLosses.push([e.step, e.loss]);
    $('a-step').innerHTML = `${fmtInt(e.step)}<small> / ${fmtInt(e.steps)}</small>`;
    $('a-loss').textContent = e.loss < 0.001 ? e.loss.toExponential(1) : e.loss.toFixed(3);
    aChart.render([{ points: aLosses, color: 'var(--accent-2)', label: 'loss' }]);
  });
  t.on('evaluation', (e) => {
    showAccuracy(e.accuracy);
    addPanel.dataset.step = String(e.step);
    if (e.example) {
      const { a, b, predicted, expected } = e.example;
      const w = expected.length;
      const ok = predicted === expected ? 'right' : 'wrong';
      $('a-example').classList.remove('muted');
      $('a-example').textContent = `  ${a.padStart(w)}\n+ ${b.padStart(w)}\n= ${predicted.padStart(w)}\n${expected.length - 1}-digit test sum at step ${fmtInt(e.step)}: ${ok}`;
    }
  });
};
aWire(aTrainer);

aTrain.addEventListener('click', async () => {
  const job: AdditionJob = {
    task: 'addition', steps: num('a-steps'), hiddenSize: num('a-hidden'), seed: num('a-seed'), batchSize: 32,
    learningRate: 0.01, evalEvery: 250, testLengths: TEST_LENGTHS, exampleLength: 32, modelOptions: { optimizer: 'adam', clipNorm: 1 },
  };
  aLosses = [];
  aTrain.disabled = true;
  aStop.disabled = false;
  setState(addPanel, 'training');
  try {
    const r = await aTrainer.start(job);
    await aInside.show(r, job.seed!).catch((e) => ($('c-summary').textContent = `Could not look inside: ${(e as Error).message}`));
    setState(addPanel, 'done');
  } catch (e) {
    $('a-example').textContent = `Training failed: ${(e as Error).message}`;
    setState(addPanel, 'error');
    if (/worker/.test((e as Error).message)) {
      aTrainer = newTrainer();
      aWire(aTrainer);
    }
  } finally {
    aTrain.disabled = false;
    aStop.disabled = true;
  }
});
aStop.addEventListener('click', () => aTrainer.stop());
