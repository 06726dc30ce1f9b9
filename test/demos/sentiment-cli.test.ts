// `simple-rnn demo sentiment` wired up, run in-process from src/ (test/cli/ runs the built dist/cli.js): the options
// of the two data sources, one-line refusals, a quick real-data run and a short grammar run.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { helpText, parseCommand, UsageError } from '../../src/cli/args.js';
import { runSentimentCommand, sentimentCommand } from '../../src/cli/demo-sentiment.js';

async function run(argv: string[]): Promise<{ code: number; stdout: string }> {
  const parsed = parseCommand(sentimentCommand, argv);
  let stdout = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  try {
    const code = await runSentimentCommand(parsed.values);
    return { code, stdout };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('demo sentiment (CLI, in-process)', () => {
  it('--help names both data sources and the test flags', () => {
    const h = helpText(sentimentCommand);
    for (const flag of ['--data', '--data-dir', '--folds', '--quick', '--members', '--word-dropout', '--bow-l2', '--train', '--words']) expect(h).toContain(flag);
    expect(h).toMatch(/uci \| grammar/);
  });

  it.each([
    [['--train', '100'], /--train does not apply to --data uci/],
    [['--words', 'good'], /--words does not apply to --data uci/],
    [['--data', 'grammar', '--folds', '2'], /--folds does not apply to --data grammar/],
    [['--data', 'grammar', '--quick'], /--quick does not apply to --data grammar/],
    [['--quick', '--folds', '2'], /--quick runs one fold/],
    [['--data-dir', '/nonexistent/dir'], /cannot read --data-dir \/nonexistent\/dir\/amazon_cells_labelled\.txt: no such file/],
  ])('refuses %j in one line', async (argv, message) => {
    const p = run(argv as string[]);
    await expect(p).rejects.toThrow(UsageError);
    await expect(p).rejects.toThrow(message as RegExp);
  });

  it('--quick --directions forward: fold 1 of 5, the RNN beside the baseline, and sentences to look at', async () => {
    const r = await run(['--quick', '--directions', 'forward', '--epochs', '3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Sentiment of 3000 real review sentences');
    expect(r.stdout).toContain('running fold 1 of 5');
    const row = /^\s+1\s+2400\s+600\s+([\d.]+)%\s+([\d.]+)%/m.exec(r.stdout);
    expect(row).not.toBeNull();
    expect(Number(row![1])).toBeGreaterThan(65);
    expect(Number(row![2])).toBeGreaterThan(78);
    expect(r.stdout).toMatch(/On the 600 test sentences: both right \d+/);
    expect(r.stdout).toMatch(/^\s+negated\s+\d+\s+[\d.]+%\s+[\d.]+%/m);
    expect(r.stdout).toContain('Sentences to look at');
  });

  it('--data grammar keeps the generated-sentence demo', async () => {
    const r = await run(['--data', 'grammar', '--epochs', '2', '--train', '400', '--test', '100', '--words', 'good']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Sentiment of generated sentences: 400 for training, 100 held out');
    expect(r.stdout).toMatch(/^\s+all\s+\d+\/100/m);
    expect(r.stdout).toMatch(/^\s+good\s+\w+ -?\d\.\d\d/m);
  });
});
