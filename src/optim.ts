// Optimizers, learning-rate schedules, weight decay and gradient clipping: the options, their resolution, and the
// update step that runs them on a backend (the math is in assembly/optim.ts and its JS twins).
// One step, in order: finiteness check of loss and gradients -> clip by value -> clip by global norm -> update
// (weight decay inside the update kernel) -> step count + 1. Nothing is written before the check passes.
import type { Backend, FloatArray, Ptr } from './backend.js';
import { NonFiniteError, rangeError, typeError } from './errors.js';
import { checkKeys, f32, int, oneOf, snapshot, type Range } from './options.js';

/** The name of an update rule; a name alone uses that rule's default hyper-parameters. */
export type OptimizerType = 'sgd' | 'momentum' | 'nesterov' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad';
export const OPTIMIZER_TYPES: readonly OptimizerType[] = ['sgd', 'momentum', 'nesterov', 'adam', 'adamw', 'rmsprop', 'adagrad'];

/** Plain SGD: p -= lr (g + weightDecay p). No state. */
export interface SgdOptions {
  /** Selects plain SGD. */
  type: 'sgd';
}
/** SGD with momentum (PyTorch's form): v = momentum v + g; p -= lr v. 'nesterov': p -= lr (g + momentum v). */
export interface MomentumOptions {
  /** Selects SGD with momentum: 'momentum' (heavy ball) or 'nesterov'. */
  type: 'momentum' | 'nesterov';
  /** Momentum coefficient in [0, 1). Default 0.9. */
  momentum?: number;
}
/** Adam (weightDecay as L2 on the gradient) or AdamW (weightDecay decoupled: p -= lr weightDecay p). */
export interface AdamOptions {
  /** Selects Adam ('adam', L2 weight decay) or AdamW ('adamw', decoupled weight decay). */
  type: 'adam' | 'adamw';
  /** Decay of the first moment, in [0, 1). Default 0.9. */
  beta1?: number;
  /** Decay of the second moment, in [0, 1). Default 0.999. */
  beta2?: number;
  /** Added to sqrt(v̂) in the denominator. Default 1e-8. */
  epsilon?: number;
}
/** RMSprop: v = rho v + (1 - rho) g²; p -= lr g / (sqrt(v) + epsilon). */
export interface RmspropOptions {
  /** Selects RMSprop. */
  type: 'rmsprop';
  /** Decay of the running mean of g², in [0, 1). Default 0.9. */
  rho?: number;
  /** Default 1e-8. */
  epsilon?: number;
}
/** Adagrad as in min-char-rnn: v += g²; p -= lr g / sqrt(v + epsilon). */
export interface AdagradOptions {
  /** Selects Adagrad. */
  type: 'adagrad';
  /** Default 1e-8 (min-char-rnn's). */
  epsilon?: number;
}
/** The optimizer option: a name (e.g. 'adam'), or an object with `type` and that rule's hyper-parameters. An unknown key is refused. */
export type OptimizerOptions = OptimizerType | SgdOptions | MomentumOptions | AdamOptions | RmspropOptions | AdagradOptions;

/** A resolved optimizer: every hyper-parameter of its type is present (the others are 0). */
export interface OptimizerConfig {
  /** The update rule. */
  type: OptimizerType;
  /** Momentum coefficient ('momentum', 'nesterov'); 0 for the other types. */
  momentum: number;
  /** Decay of Adam's first moment ('adam', 'adamw'); 0 for the other types. */
  beta1: number;
  /** Decay of Adam's second moment ('adam', 'adamw'); 0 for the other types. */
  beta2: number;
  /** The denominator's epsilon ('adam', 'adamw', 'rmsprop', 'adagrad'); 0 for 'sgd', 'momentum' and 'nesterov'. */
  epsilon: number;
  /** Decay of RMSprop's running mean of g² ('rmsprop'); 0 for the other types. */
  rho: number;
}

/**
 * Learning-rate schedule, a function of the step number t (updates already applied, from 0):
 * - 'constant': learningRate.
 * - { type: 'step', stepSize, gamma }: learningRate * gamma^floor(t / stepSize).
 * - { type: 'cosine', decaySteps, warmupSteps, minLearningRate }: linear warm-up learningRate (t+1) / warmupSteps for
 *   t < warmupSteps, then minLearningRate + (learningRate - minLearningRate) (1 + cos(pi min(1, (t - warmupSteps) /
 *   decaySteps))) / 2, which stays at minLearningRate after decaySteps.
 */
export type ScheduleOptions =
  | 'constant'
  | {
      /** Selects the constant schedule (the same as 'constant'). */
      type: 'constant';
    }
  | {
      /** Selects the step schedule. */
      type: 'step';
      /** Steps between two decays (an integer >= 1). Required. */
      stepSize: number;
      /** Factor per decay, in (0, 1]. Default 0.1. */
      gamma?: number;
    }
  | {
      /** Selects the cosine schedule (with optional linear warm-up). */
      type: 'cosine';
      /** Steps of the cosine decay after warm-up (an integer >= 1). Required. */
      decaySteps: number;
      /** Steps of linear warm-up from learningRate / warmupSteps to learningRate. Default 0. */
      warmupSteps?: number;
      /** Learning rate at the end of the decay. Default 0. */
      minLearningRate?: number;
    };

/** A resolved learning-rate schedule (see ScheduleOptions for the formulas): the fields of other types are 0. */
export interface ScheduleConfig {
  /** The schedule's kind. */
  type: 'constant' | 'step' | 'cosine';
  /** 'step': steps between two decays. */
  stepSize: number;
  /** 'step': factor per decay. */
  gamma: number;
  /** 'cosine': steps of the cosine decay after warm-up. */
  decaySteps: number;
  /** 'cosine': steps of linear warm-up. */
  warmupSteps: number;
  /** 'cosine': learning rate at the end of the decay. */
  minLearningRate: number;
}

/** What a training step does with a non-finite loss or gradient. */
export type NonFiniteMode = 'throw' | 'skip';

/** Training options: accepted by SimpleRNN.create, and by fit / fitStream to change them from then on. */
export interface TrainingOptions {
  /** The update rule: a name, or an options object with `type` and its hyper-parameters. Default 'sgd'. */
  optimizer?: OptimizerOptions;
  /** Base learning rate (the schedule scales it). Default 0.01. */
  learningRate?: number;
  /** Learning-rate schedule. Default 'constant'. */
  schedule?: ScheduleOptions;
  /** Weight decay on every trainable parameter: L2 added to the gradient, or decoupled for 'adamw'. Default 0. */
  weightDecay?: number;
  /** Clip by global norm: when ‖g‖₂ over all parameters exceeds clipNorm, g *= clipNorm / ‖g‖₂. Default: off. */
  clipNorm?: number;
  /** Clip by value: every gradient element to [-clipValue, clipValue], before clipNorm. Default: off. */
  clipValue?: number;
  /**
   * A step whose loss or gradient is not finite changes nothing (weights, optimizer state, step count, RNG). 'throw'
   * (default) throws NonFiniteError; 'skip' skips the step, counts it in skippedSteps, and trainBatch returns NaN.
   */
  onNonFinite?: NonFiniteMode;
}

/** The resolved training options of a model (model.training): every option present, defaults filled in. */
export interface TrainingConfig {
  /** The update rule and its hyper-parameters. */
  optimizer: OptimizerConfig;
  /** Base learning rate (the schedule scales it). */
  learningRate: number;
  /** Learning-rate schedule. */
  schedule: ScheduleConfig;
  /** Weight decay on every trainable parameter (0 = none). */
  weightDecay: number;
  /** 0 = off. */
  clipNorm: number;
  /** 0 = off. */
  clipValue: number;
  /** What a step with a non-finite loss or gradient does: 'throw' or 'skip'. */
  onNonFinite: NonFiniteMode;
}

export const TRAINING_KEYS: readonly (keyof TrainingOptions)[] = [
  'optimizer', 'learningRate', 'schedule', 'weightDecay', 'clipNorm', 'clipValue', 'onNonFinite',
];

// Every hyper-parameter reaches the kernels as a float32: each is checked in its range both as given and as float32
// (src/options.ts f32), so that 1e39 (Infinity in f32) or an epsilon of 1e-50 (0 in f32) is refused by name.
const POSITIVE: Range = { min: 0, max: Infinity, minOpen: true };
const NON_NEGATIVE: Range = { min: 0, max: Infinity };
const DECAY: Range = { min: 0, max: 1, maxOpen: true };

const OPTIMIZER_KEYS: Record<OptimizerType, string[]> = {
  sgd: [], momentum: ['momentum'], nesterov: ['momentum'], adam: ['beta1', 'beta2', 'epsilon'],
  adamw: ['beta1', 'beta2', 'epsilon'], rmsprop: ['rho', 'epsilon'], adagrad: ['epsilon'],
};

export function resolveOptimizer(api: string, o: unknown, field = 'options.optimizer'): OptimizerConfig {
  const names = OPTIMIZER_TYPES.map((t) => `'${t}'`).join(', ');
  if (typeof o === 'string' || o === null || typeof o !== 'object' || Array.isArray(o)) {
    const type = oneOf(api, field, o, OPTIMIZER_TYPES);
    return resolveOptimizer(api, { type }, field);
  }
  // every key and value read once; the type comes from that one read, then the keys are checked against it
  const spec = snapshot(o);
  const type = spec.type;
  if (!OPTIMIZER_TYPES.includes(type as OptimizerType)) throw typeError(api, `${field}.type`, `one of ${names} (or an object with that type)`, type);
  const t = type as OptimizerType;
  checkKeys(api, spec, ['type', ...OPTIMIZER_KEYS[t]], field, `an option of '${t}'`);
  const get = (k: string, dflt: number, r: Range) => (OPTIMIZER_KEYS[t].includes(k) ? f32(api, `${field}.${k}`, spec[k], r, dflt) : 0);
  return {
    type: t,
    momentum: get('momentum', 0.9, DECAY),
    beta1: get('beta1', 0.9, DECAY),
    beta2: get('beta2', 0.999, DECAY),
    epsilon: get('epsilon', 1e-8, POSITIVE),
    rho: get('rho', 0.9, DECAY),
  };
}

const SCHEDULE_KEYS: Record<string, string[]> = { constant: [], step: ['stepSize', 'gamma'], cosine: ['decaySteps', 'warmupSteps', 'minLearningRate'] };

export function resolveSchedule(api: string, o: unknown, field = 'options.schedule'): ScheduleConfig {
  const none: ScheduleConfig = { type: 'constant', stepSize: 0, gamma: 0, decaySteps: 0, warmupSteps: 0, minLearningRate: 0 };
  const expected = "'constant', { type: 'step', stepSize, gamma } or { type: 'cosine', decaySteps, warmupSteps, minLearningRate }";
  if (o === 'constant') return none;
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw typeError(api, field, expected, o);
  const spec = snapshot(o); // every key and value read once; the type comes from that read
  const type = spec.type as string;
  if (!['constant', 'step', 'cosine'].includes(type)) throw typeError(api, field, expected, o);
  checkKeys(api, spec, ['type', ...SCHEDULE_KEYS[type]], field, `an option of the '${type}' schedule`);
  if (type === 'step') {
    return {
      ...none, type: 'step',
      stepSize: int(api, `${field}.stepSize`, spec.stepSize, 1, Infinity),
      gamma: f32(api, `${field}.gamma`, spec.gamma, { min: 0, max: 1, minOpen: true }, 0.1),
    };
  }
  if (type === 'cosine') {
    return {
      ...none,
      type: 'cosine',
      decaySteps: int(api, `${field}.decaySteps`, spec.decaySteps, 1, Infinity),
      warmupSteps: int(api, `${field}.warmupSteps`, spec.warmupSteps, 0, Infinity, 0),
      minLearningRate: f32(api, `${field}.minLearningRate`, spec.minLearningRate, NON_NEGATIVE, 0),
    };
  }
  return none;
}

/** The resolved training options before any change: plain SGD at 0.01, constant. */
export function defaultTraining(): TrainingConfig {
  return {
    optimizer: resolveOptimizer('create', 'sgd'),
    learningRate: 0.01,
    schedule: resolveSchedule('create', 'constant'),
    weightDecay: 0,
    clipNorm: 0,
    clipValue: 0,
    onNonFinite: 'throw',
  };
}

/**
 * Resolves training options over a base (the defaults, or the model's current config). `o` is a snapshot read once
 * by the caller (src/options.ts readOptions), or an object of the training keys only.
 */
export function resolveTraining(api: string, o: TrainingOptions, base?: TrainingConfig, prefix = 'options'): TrainingConfig {
  const cfg: TrainingConfig = base ? { ...base } : defaultTraining();
  if (o.optimizer !== undefined) cfg.optimizer = resolveOptimizer(api, o.optimizer, `${prefix}.optimizer`);
  if (o.learningRate !== undefined) cfg.learningRate = f32(api, `${prefix}.learningRate`, o.learningRate, POSITIVE);
  if (o.schedule !== undefined) cfg.schedule = resolveSchedule(api, o.schedule, `${prefix}.schedule`);
  if (o.weightDecay !== undefined) cfg.weightDecay = f32(api, `${prefix}.weightDecay`, o.weightDecay, NON_NEGATIVE);
  if (o.clipNorm !== undefined) cfg.clipNorm = f32(api, `${prefix}.clipNorm`, o.clipNorm, POSITIVE);
  if (o.clipValue !== undefined) cfg.clipValue = f32(api, `${prefix}.clipValue`, o.clipValue, POSITIVE);
  if (o.onNonFinite !== undefined) cfg.onNonFinite = oneOf(api, `${prefix}.onNonFinite`, o.onNonFinite, ['throw', 'skip'] as const);
  if (cfg.schedule.type === 'cosine' && cfg.schedule.minLearningRate > cfg.learningRate) {
    throw rangeError(api, `${prefix}.schedule.minLearningRate`, `= ${cfg.schedule.minLearningRate} exceeds learningRate = ${cfg.learningRate}`);
  }
  return cfg;
}

/** The options that resolve to cfg (what a checkpoint stores; create(options) gives the same config back). */
export function trainingOptionsOf(cfg: TrainingConfig): TrainingOptions {
  const o = cfg.optimizer;
  const optimizer: OptimizerOptions =
    o.type === 'sgd' ? { type: 'sgd' }
    : o.type === 'momentum' || o.type === 'nesterov' ? { type: o.type, momentum: o.momentum }
    : o.type === 'adam' || o.type === 'adamw' ? { type: o.type, beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon }
    : o.type === 'rmsprop' ? { type: 'rmsprop', rho: o.rho, epsilon: o.epsilon }
    : { type: 'adagrad', epsilon: o.epsilon };
  const s = cfg.schedule;
  const schedule: ScheduleOptions =
    s.type === 'step' ? { type: 'step', stepSize: s.stepSize, gamma: s.gamma }
    : s.type === 'cosine' ? { type: 'cosine', decaySteps: s.decaySteps, warmupSteps: s.warmupSteps, minLearningRate: s.minLearningRate }
    : 'constant';
  const out: TrainingOptions = { optimizer, learningRate: cfg.learningRate, schedule, weightDecay: cfg.weightDecay, onNonFinite: cfg.onNonFinite };
  if (cfg.clipNorm) out.clipNorm = cfg.clipNorm;
  if (cfg.clipValue) out.clipValue = cfg.clipValue;
  return out;
}

/** Optimizer state sections (P floats each) the optimizer reads and writes: 0, 1 (v) or 2 (m, v), from state 1 on. */
export function stateSections(type: OptimizerType): 0 | 1 | 2 {
  return type === 'sgd' ? 0 : type === 'adam' || type === 'adamw' ? 2 : 1;
}

/** The learning rate of update number t (t updates already applied). */
export function learningRateAt(cfg: TrainingConfig, t: number): number {
  const lr = cfg.learningRate;
  const s = cfg.schedule;
  if (s.type === 'step') return lr * Math.pow(s.gamma, Math.floor(t / s.stepSize));
  if (s.type === 'cosine') {
    if (t < s.warmupSteps) return (lr * (t + 1)) / s.warmupSteps;
    const progress = Math.min(1, (t - s.warmupSteps) / s.decaySteps);
    return s.minLearningRate + ((lr - s.minLearningRate) * (1 + Math.cos(Math.PI * progress))) / 2;
  }
  return lr;
}

/**
 * Where one model's sections live: params | grads | state 1 | state 2, n trainable floats each. A one-state optimizer
 * (momentum, rmsprop, adagrad) keeps its v in state 1; Adam keeps m in state 1 and v in state 2.
 */
export interface UpdateSections {
  params: Ptr;
  grads: Ptr;
  s1: Ptr;
  s2: Ptr;
  /** Floats of each section that are updated (the trainable prefix). */
  n: number;
  /** State sections the optimizer uses (stateSections of its type). */
  stateSections: number;
  /** Room for (1 + stateSections) * n floats, off the backend's memory: the copy an update is rolled back to. */
  backup: FloatArray;
}

export interface StepReport {
  /** false when the step was skipped (non-finite loss, gradient or update, onNonFinite 'skip'). */
  applied: boolean;
  /** ‖g‖₂ before clipping (NaN or Infinity when it was not finite). */
  gradNorm: number;
  /** The learning rate used (NaN when skipped). */
  learningRate: number;
}

/** Index of the first non-finite value of a view, or -1. */
function firstNonFinite(a: FloatArray): number {
  for (let k = 0; k < a.length; k++) if (!Number.isFinite(a[k])) return k;
  return -1;
}

/**
 * Checks, clips and applies one update; `t` is the number of updates applied so far. A transaction: it writes
 * nothing (not even the grads) unless the loss and the gradients are finite, and when the update leaves a parameter
 * or an optimizer state that is not finite (an overflow in float32 with finite settings), params and state are put
 * back exactly as they were. The caller increments its step count when `applied`.
 */
export function optimizerStep(be: Backend, sec: UpdateSections, cfg: TrainingConfig, t: number, loss: number, api: string, mode: NonFiniteMode): StepReport {
  const { params, grads, s1, s2, n } = sec;
  let ss = be.sumSquares(grads, n);
  const gradNorm = Math.sqrt(ss);
  const refuse = (what: string): StepReport => {
    if (mode === 'skip') return { applied: false, gradNorm, learningRate: NaN };
    throw new NonFiniteError(api, what);
  };
  if (!Number.isFinite(loss) || !Number.isFinite(ss)) {
    return refuse(Number.isFinite(loss) ? `the gradient (norm ${gradNorm})` : `the loss (${loss})`);
  }
  if (cfg.clipValue > 0) {
    be.clipByValue(grads, n, cfg.clipValue);
    if (cfg.clipNorm > 0) ss = be.sumSquares(grads, n);
  }
  if (cfg.clipNorm > 0) {
    const norm = Math.sqrt(ss);
    if (norm > cfg.clipNorm) be.scale(grads, n, cfg.clipNorm / norm);
  }
  const sections = [params, s1, s2].slice(0, 1 + sec.stateSections);
  sections.forEach((p, k) => sec.backup.set(be.floats(p, n), k * n));
  const lr = learningRateAt(cfg, t);
  update(be, sec, cfg, t, lr);
  for (let k = 0; k < sections.length; k++) {
    // a finite sum of squares (the SIMD kernel) proves every value finite; only otherwise is the section scanned
    if (Number.isFinite(be.sumSquares(sections[k], n))) continue;
    const bad = firstNonFinite(be.floats(sections[k], n));
    if (bad < 0) continue; // the squares overflowed, the values are finite
    const got = be.floats(sections[k], n)[bad];
    sections.forEach((p, j) => be.floats(p, n).set(sec.backup.subarray(j * n, (j + 1) * n)));
    return refuse(`the update (it would set ${k === 0 ? 'parameter' : `optimizer state ${k}`} float ${bad} to ${got})`);
  }
  return { applied: true, gradNorm, learningRate: lr };
}

function update(be: Backend, sec: UpdateSections, cfg: TrainingConfig, t: number, lr: number): void {
  const { params, grads, s1, s2, n } = sec;
  const o = cfg.optimizer;
  const wd = cfg.weightDecay;
  switch (o.type) {
    case 'sgd':
      if (wd > 0) be.addScaled(grads, params, n, wd);
      be.sgdUpdate(params, grads, n, lr);
      break;
    case 'momentum':
    case 'nesterov':
      be.momentumUpdate(params, s1, grads, n, lr, o.momentum, wd, o.type === 'nesterov' ? 1 : 0);
      break;
    case 'adam':
    case 'adamw': {
      const step = t + 1;
      const bc1 = 1 - Math.pow(o.beta1, step);
      const bc2 = 1 - Math.pow(o.beta2, step);
      be.adamUpdate(params, s1, s2, grads, n, lr, o.beta1, o.beta2, o.epsilon, wd, o.type === 'adamw' ? 1 : 0, bc1, bc2);
      break;
    }
    case 'rmsprop':
      be.rmspropUpdate(params, s1, grads, n, lr, o.rho, o.epsilon, wd);
      break;
    case 'adagrad':
      be.adagradUpdate(params, s1, grads, n, lr, o.epsilon, wd);
      break;
  }
}
