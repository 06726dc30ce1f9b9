// Error messages name the API, the field, what was expected and what came:
//   SimpleRNN.fit: inputs[3][7] = 65 is not a token id; expected an integer in [0, vocabSize=65)
// TypeError for a wrong type, RangeError for a value out of range or a wrong size, Error for a wrong state.

/** Short, readable description of what a caller passed. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as { length: number }).length}`;
  return typeof v === 'object' ? `an object (${(v as object).constructor?.name ?? 'Object'})` : typeof v;
}

export function typeError(api: string, field: string, expected: string, got: unknown): TypeError {
  return new TypeError(`SimpleRNN.${api}: ${field} must be ${expected}; got ${describe(got)}`);
}

export function rangeError(api: string, field: string, message: string): RangeError {
  return new RangeError(`SimpleRNN.${api}: ${field} ${message}`);
}

export function stateError(api: string, message: string): Error {
  return new Error(`SimpleRNN.${api}: ${message}`);
}

/** Thrown by a training step whose loss or gradients are not finite; the weights are as they were. */
export class NonFiniteError extends Error {
  constructor(api: string, what: string) {
    super(`SimpleRNN.${api}: ${what} is not finite; the step was not applied and the weights are unchanged`);
    this.name = 'NonFiniteError';
  }
}
