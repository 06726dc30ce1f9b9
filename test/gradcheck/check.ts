// Central finite differences of a model's loss, element by element, against its analytic gradients.
// Run on the f64 JS reference: round-off in the loss is ~1e-16, so with h = 1e-5 a correct gradient agrees to ~1e-10
// relative and a wrong term gives ~1. Pass: |a - n| / max(1e-8, |a| + |n|) < 1e-6.
import type { Inputs, Targets } from '../../src/batch.js';
import { PARAM_NAMES, type Params, type ParamName, type SimpleRNN } from '../../src/model.js';
import type { FloatArray } from '../../src/backend.js';

const h = 1e-5;

export interface GradCheck {
  failures: string[];
  checked: number;
  grads: Params<FloatArray>;
}

export function gradCheck(model: SimpleRNN, inputs: Inputs, targets: Targets, skip: ParamName[] = []): GradCheck {
  const { grads } = model.computeGradients(inputs, targets);
  const base = model.getParams();
  const failures: string[] = [];
  let checked = 0;
  for (const name of PARAM_NAMES) {
    if (skip.includes(name)) continue;
    const p = base[name].slice();
    for (let k = 0; k < p.length; k++) {
      const orig = p[k];
      p[k] = orig + h;
      model.setParams({ [name]: p });
      const lp = model.computeGradients(inputs, targets).loss;
      p[k] = orig - h;
      model.setParams({ [name]: p });
      const lm = model.computeGradients(inputs, targets).loss;
      p[k] = orig;
      const n = (lp - lm) / (2 * h);
      const a = grads[name][k];
      const rel = Math.abs(a - n) / Math.max(1e-8, Math.abs(a) + Math.abs(n));
      if (!(rel < 1e-6)) failures.push(`${name}[${k}]: analytic ${a}, numeric ${n}, rel ${rel.toExponential(2)}`);
      checked++;
    }
    model.setParams({ [name]: p });
  }
  return { failures, checked, grads };
}
