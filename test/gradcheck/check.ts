// Central finite differences of a model's loss, element by element, against its analytic gradients.
// Run on the f64 JS reference: round-off in the loss is ~1e-16, so with h = 1e-5 a correct gradient agrees to ~1e-10
// relative and a wrong term gives ~1. Pass: |a - n| / max(1e-8, |a| + |n|) < 1e-6.
import type { Inputs, Targets } from 'simple-rnn';
import type { SimpleRNN } from 'simple-rnn';
import type { FloatArray } from '../../src/backend.js';

const h = 1e-5;

export interface GradCheck {
  failures: string[];
  checked: number;
  grads: Record<string, FloatArray>;
}

/** computeGradients' options for every call of a check: initial states, and dropout with a fixed mask (a seed). */
export interface CheckOptions {
  initialStates?: number[][];
  dropoutSeed?: number;
}

/**
 * Every element of every parameter (but `skip`'s), and with initialStates every element of every initial state,
 * against central differences of the loss.
 */
export function gradCheck(model: SimpleRNN, inputs: Inputs, targets: Targets, skip: string[] = [], o: CheckOptions = {}): GradCheck {
  const opts = (states = o.initialStates) => ({
    ...(states ? { initialStates: states } : {}),
    ...(o.dropoutSeed !== undefined ? { dropout: true, dropoutSeed: o.dropoutSeed } : {}),
  });
  const g = model.computeGradients(inputs, targets, opts());
  const base = model.getParams();
  const failures: string[] = [];
  let checked = 0;
  const compare = (what: string, a: number, lp: number, lm: number) => {
    const n = (lp - lm) / (2 * h);
    const rel = Math.abs(a - n) / Math.max(1e-8, Math.abs(a) + Math.abs(n));
    if (!(rel < 1e-6)) failures.push(`${what}: analytic ${a}, numeric ${n}, rel ${rel.toExponential(2)}`);
    checked++;
  };
  for (const name of model.paramNames) {
    if (skip.some((s) => (s.endsWith('*') ? name.startsWith(s.slice(0, -1)) : name === s))) continue;
    const p = base[name].slice();
    for (let k = 0; k < p.length; k++) {
      const orig = p[k];
      p[k] = orig + h;
      model.setParams({ [name]: p });
      const lp = model.computeGradients(inputs, targets, opts()).loss;
      p[k] = orig - h;
      model.setParams({ [name]: p });
      const lm = model.computeGradients(inputs, targets, opts()).loss;
      p[k] = orig;
      compare(`${name}[${k}]`, g.grads[name][k], lp, lm);
    }
    model.setParams({ [name]: p });
  }
  if (o.initialStates) {
    const states = o.initialStates.map((s) => s.slice());
    for (let b = 0; b < states.length; b++) {
      for (let k = 0; k < states[b].length; k++) {
        const orig = states[b][k];
        states[b][k] = orig + h;
        const lp = model.computeGradients(inputs, targets, opts(states)).loss;
        states[b][k] = orig - h;
        const lm = model.computeGradients(inputs, targets, opts(states)).loss;
        states[b][k] = orig;
        compare(`initialStates[${b}][${k}]`, g.initialStateGrads![b][k], lp, lm);
      }
    }
  }
  return { failures, checked, grads: g.grads };
}
