// Command-line arguments: node:util parseArgs does the parsing; this file declares each command's options once
// (name, type, default, help line), converts and range-checks the values, and renders --help from the same table.
// Every problem becomes a UsageError: one line on stderr and exit code 2, never a stack trace.
import { parseArgs } from 'node:util';

/** A mistake of the caller (bad option, missing file). main() prints its message alone and exits with `code`. */
export class UsageError extends Error {
  constructor(message: string, readonly code = 2) {
    super(message);
    this.name = 'UsageError';
  }
}

type Kind = 'int' | 'ints' | 'float' | 'string' | 'boolean' | 'seconds';

export interface OptionSpec {
  kind: Kind;
  /** One line of --help. */
  help: string;
  short?: string;
  default?: number | string | boolean;
  /** Bounds of int, float and seconds values (of each integer of an ints list); inclusive unless maxOpen. */
  min?: number;
  max?: number;
  /** The value must be below max, not equal to it (a rate in [0, 1)). */
  maxOpen?: boolean;
  /** Allowed values of a string option. */
  choices?: readonly string[];
  /** Placeholder in --help, e.g. FILE. */
  value?: string;
}

export type OptionTable = Record<string, OptionSpec>;

type ValueOf<S extends OptionSpec> =
  S['kind'] extends 'boolean' ? boolean : S['kind'] extends 'string' ? string : S['kind'] extends 'ints' ? number[] : number;

/** The parsed values: camelCase keys; options without a default may be undefined. */
export type Values<T extends OptionTable> = {
  [K in keyof T]: T[K] extends { default: unknown } ? ValueOf<T[K]> : ValueOf<T[K]> | undefined;
};

export interface Command<T extends OptionTable> {
  /** e.g. 'train' */
  name: string;
  /** e.g. 'train --text FILE [options]' */
  usage: string;
  summary: string;
  options: T;
  /** Extra lines after the option list (examples). */
  epilog?: string;
  /** Number of positional arguments allowed (default 0). */
  positionals?: number;
}

/** camelCase -> kebab-case: hiddenSize -> hidden-size. */
export const flag = (key: string): string => key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/** Parses `45`, `45s`, `2m`, `1.5h` into seconds. */
export function parseSeconds(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
}

/** The range of a numeric option as text: `>= 1`, `<= 9`, `in [1, 4096]`, `in [0, 1)`. */
function rangeText(spec: OptionSpec): string {
  if (spec.max === undefined) return `>= ${spec.min}`;
  if (spec.min === undefined) return spec.maxOpen ? `< ${spec.max}` : `<= ${spec.max}`;
  return `in [${spec.min}, ${spec.max}${spec.maxOpen ? ')' : ']'}`;
}

const outOfRange = (spec: OptionSpec, v: number): boolean =>
  (spec.min !== undefined && v < spec.min) || (spec.max !== undefined && (spec.maxOpen ? v >= spec.max : v > spec.max));

function convert(cmd: string, key: string, spec: OptionSpec, raw: string): number | number[] | string {
  const name = `--${flag(key)}`;
  const see = `(see simple-rnn ${cmd} --help)`;
  if (spec.kind === 'string') {
    if (spec.choices && !spec.choices.includes(raw)) {
      throw new UsageError(`${cmd}: ${name} must be one of ${spec.choices.join(', ')}; got "${raw}"`);
    }
    return raw;
  }
  if (spec.kind === 'ints') {
    // one integer, or a comma list of them (e.g. one per layer: --hidden-size 128,64)
    const parts = raw.split(',').map((p) => p.trim());
    const vs = parts.map((p) => (/^[+-]?\d+$/.test(p) ? Number(p) : NaN));
    const what = `an integer ${rangeText(spec)} or a comma list of them, such as 128,64`;
    if (vs.some((v) => !Number.isSafeInteger(v))) throw new UsageError(`${cmd}: ${name} must be ${what}; got "${raw}" ${see}`);
    if (vs.some((v) => outOfRange(spec, v))) throw new UsageError(`${cmd}: ${name} must be ${what}; got ${raw.trim()}`);
    return vs;
  }
  const v = spec.kind === 'seconds' ? parseSeconds(raw) : raw.trim() === '' ? NaN : Number(raw);
  const what = spec.kind === 'int' ? 'an integer' : spec.kind === 'seconds' ? 'a duration such as 90, 45s, 2m or 1h' : 'a number';
  if (!Number.isFinite(v) || (spec.kind === 'int' && !Number.isInteger(v))) {
    throw new UsageError(`${cmd}: ${name} must be ${what}; got "${raw}" ${see}`);
  }
  if (outOfRange(spec, v)) {
    const kind = spec.kind === 'int' ? 'an integer' : spec.kind === 'seconds' ? 'a number of seconds' : 'a number';
    throw new UsageError(`${cmd}: ${name} must be ${kind} ${rangeText(spec)}; got ${raw.trim()}`);
  }
  return v;
}

/** What reads as a negative number: -5, -0.5, -.5, -1e3 (not -h, not --steps). */
const NEGATIVE = /^-(\d|\.\d)/;

/**
 * parseArgs takes "-5" after an option for another option ("argument is ambiguous"). After a numeric option, a
 * negative number is that option's value: `--steps -5` is passed on as `--steps=-5`, so that convert() range-checks
 * it like any other value ("--steps must be an integer >= 1; got -5").
 */
export function joinNegativeValues(options: OptionTable, argv: string[]): string[] {
  const numeric = new Set<string>();
  for (const [key, spec] of Object.entries(options)) {
    if (spec.kind === 'boolean' || spec.kind === 'string') continue;
    numeric.add(`--${flag(key)}`);
    if (spec.short) numeric.add(`-${spec.short}`);
  }
  const out: string[] = [];
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === '--') {
      out.push(...argv.slice(k)); // the rest are positionals
      break;
    }
    const next = argv[k + 1];
    if (numeric.has(a) && next !== undefined && NEGATIVE.test(next)) {
      out.push(a.startsWith('--') ? `${a}=${next}` : `${a}${next}`);
      k++;
    } else {
      out.push(a);
    }
  }
  return out;
}

/** Parses argv (without the command name) against a command's table; `help` is true when --help was given. */
export function parseCommand<T extends OptionTable>(
  cmd: Command<T>, argv: string[],
): { values: Values<T>; positionals: string[]; help: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [key, spec] of Object.entries(cmd.options)) {
    options[flag(key)] = { type: spec.kind === 'boolean' ? 'boolean' : 'string', ...(spec.short ? { short: spec.short } : {}) };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: joinNegativeValues(cmd.options, argv), options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${cmd.name}: ${describeParseError(e)} (see simple-rnn ${cmd.name} --help)`);
  }
  const raw = parsed.values as Record<string, string | boolean | undefined>;
  if (raw.help) return { values: {} as Values<T>, positionals: [], help: true };
  const max = cmd.positionals ?? 0;
  if (parsed.positionals.length > max) {
    throw new UsageError(`${cmd.name}: unexpected argument "${parsed.positionals[max]}" (see simple-rnn ${cmd.name} --help)`);
  }
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(cmd.options)) {
    const r = raw[flag(key)];
    if (r === undefined) values[key] = spec.default;
    else if (typeof r === 'boolean') values[key] = r;
    else values[key] = convert(cmd.name, key, spec, r);
  }
  return { values: values as Values<T>, positionals: parsed.positionals, help: false };
}

/** parseArgs' messages are long and suggest '--' tricks; keep the fact, in one short line. */
function describeParseError(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const msg = String(err.message ?? e).split('\n')[0];
  const opt = /'(-[^' ]*)/.exec(msg)?.[1];
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${opt ?? msg}`;
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/argument missing/.test(msg)) return `option ${opt ?? ''} needs a value`.replace('  ', ' ');
    if (/does not take an argument/.test(msg)) return `option ${opt ?? ''} takes no value`;
  }
  return msg.replace(/\.$/, '');
}

/** --help text: usage, summary, then one aligned line per option with its default. */
export function helpText<T extends OptionTable>(cmd: Command<T>): string {
  const rows: [string, string][] = [];
  for (const [key, spec] of Object.entries(cmd.options)) {
    const placeholder = spec.kind === 'boolean' ? '' : ` ${spec.value ?? (spec.kind === 'string' ? 'TEXT' : spec.kind === 'seconds' ? 'TIME' : spec.kind === 'ints' ? 'N[,N...]' : 'N')}`;
    const left = `${spec.short ? `-${spec.short}, ` : '    '}--${flag(key)}${placeholder}`;
    let right = spec.help;
    if (spec.choices) right += ` (${spec.choices.join(' | ')})`;
    if (spec.default !== undefined && spec.default !== false) right += ` [default: ${spec.default}]`;
    rows.push([left, right]);
  }
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  const lines = [`Usage: simple-rnn ${cmd.usage}`, '', cmd.summary, '', 'Options:'];
  for (const [l, r] of rows) lines.push(`  ${l.padEnd(width)}${r}`);
  if (cmd.epilog) lines.push('', cmd.epilog);
  return lines.join('\n') + '\n';
}
