// The documentation: the README is a short front door that links every manual page; every relative link and every
// repository path the pages mention resolves inside the repository; no page points outside it; the generated
// performance tables match their results files; the TypeDoc entry points exist. Pure file checks (no build needed).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '..');
const README = join(ROOT, 'README.md');
const DOCS = join(ROOT, 'docs');
const MAX_README_LINES = 260;

/** README.md and the hand-written pages of docs/ (docs/api/ is TypeDoc's output, not part of the manual). */
function manualPages(): string[] {
  return readdirSync(DOCS).filter((f) => f.endsWith('.md')).sort().map((f) => join(DOCS, f));
}
const FILES = [README, ...manualPages()];
const rel = (f: string) => relative(ROOT, f).split('\\').join('/');
const read = (f: string) => readFileSync(f, 'utf8');

/** The text outside fenced code blocks (``` or ~~~), line numbers kept. */
function prose(md: string): string[] {
  let fence: string | null = null;
  return md.split('\n').map((line) => {
    const m = /^\s*(```|~~~)/.exec(line);
    if (m) {
      if (fence === null) fence = m[1];
      else if (m[1] === fence) fence = null;
      return '';
    }
    return fence === null ? line : '';
  });
}

/** GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces to hyphens, duplicates numbered. */
function anchors(md: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of prose(md)) {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const text = h[1].replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text.toLowerCase().replace(/[^\p{L}\p{N}\p{M} _-]/gu, '').replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

interface Link {
  file: string;
  line: number;
  target: string;
}

/** Inline links and images, [text](target) and ![alt](target), outside code (fenced blocks and `code spans`). */
function links(file: string): Link[] {
  const out: Link[] = [];
  prose(read(file)).forEach((line, k) => {
    const text = line.replace(/`[^`]*`/g, '``');
    for (const m of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      out.push({ file, line: k + 1, target: m[1] });
    }
  });
  return out;
}

const isExternal = (t: string) => /^[a-z][a-z0-9+.-]*:/i.test(t); // http:, https:, mailto:

describe('README', () => {
  it(`is a front door of at most ${MAX_README_LINES} lines`, () => {
    const lines = read(README).split('\n').length;
    expect(lines, `README.md has ${lines} lines`).toBeLessThanOrEqual(MAX_README_LINES);
  });

  it('links every page of docs/', () => {
    const linked = new Set(
      links(README).filter((l) => !isExternal(l.target)).map((l) => rel(resolve(ROOT, l.target.split('#')[0]))),
    );
    const missing = manualPages().map(rel).filter((p) => !linked.has(p));
    expect(missing, 'docs pages the README does not link').toEqual([]);
  });

  it('shows the two commands and the equations of the model', () => {
    const md = read(README);
    expect(md).toContain('npm install && npm start');
    expect(md).toContain('npm test');
    expect(md).toMatch(/N passed, N failed/);
    expect(md).toContain('s^t = f_s([s^{t-1} i^t] W_s + b_s)');
  });
});

describe.each(FILES.map((f) => [rel(f), f]))('%s', (_name, file) => {
  it('has relative links that resolve to files in the repository, and anchors that name a heading', () => {
    const bad: string[] = [];
    for (const l of links(file)) {
      if (isExternal(l.target)) continue;
      const [path, anchor] = l.target.split('#') as [string, string | undefined];
      const target = path === '' ? file : resolve(dirname(file), decodeURI(path));
      const where = `${rel(file)}:${l.line} → ${l.target}`;
      if (!target.startsWith(ROOT + '/') && target !== ROOT) bad.push(`${where}: outside the repository`);
      else if (!existsSync(target)) bad.push(`${where}: no such file`);
      else if (anchor !== undefined) {
        if (!target.endsWith('.md') || statSync(target).isDirectory()) bad.push(`${where}: an anchor on a file that is not a page`);
        else if (!anchors(read(target)).has(anchor)) bad.push(`${where}: no heading with that anchor`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('mentions only repository paths that exist', () => {
    // paths in `code spans` that start at a top-level folder of the repository; generated folders are not checked
    const bad: string[] = [];
    prose(read(file)).forEach((line, k) => {
      for (const span of line.matchAll(/`([^`]+)`/g)) {
        for (const m of span[1].matchAll(/(?:^|[\s=(])((?:src|test|assembly|bench|scripts|web|docs)\/[\w./-]*)/g)) {
          const p = m[1].replace(/[.,:;]+$/, '');
          if (p.startsWith('docs/api')) continue;
          if (!existsSync(join(ROOT, p))) bad.push(`${rel(file)}:${k + 1}: ${p}`);
        }
      }
    });
    expect(bad, 'paths that do not exist').toEqual([]);
  });

  it('refers to nothing outside the repository and has no placeholders', () => {
    const md = read(file);
    const bad: string[] = [];
    const rules: [RegExp, string][] = [
      [/\bissue\s*#?\s*\d+|\bissue #/i, 'an issue reference'],
      [/DEVELOPERS\.md/, 'DEVELOPERS.md'],
      [/\.\.\/shared\//, 'a ../shared/ path'],
      [/\/work\//, 'a /work/ path'],
      [/\b(?:TODO|TBD|FIXME|XXX)\b|lorem ipsum/i, 'placeholder text'],
    ];
    md.split('\n').forEach((line, k) => {
      for (const [re, what] of rules) if (re.test(line)) bad.push(`${rel(file)}:${k + 1}: ${what}: ${line.trim()}`);
    });
    expect(bad).toEqual([]);
  });
});

describe('generated documentation', () => {
  it('docs/performance.md holds the tables that scripts/perf-tables.mjs renders from bench/results/', async () => {
    const script = pathToFileURL(join(ROOT, 'scripts', 'perf-tables.mjs')).href;
    const { regenerate, DOC } = (await import(/* @vite-ignore */ script)) as {
      regenerate: (text: string, docFile?: string) => { text: string; regions: { name: string; section: string }[] };
      DOC: string;
    };
    const text = read(DOC);
    const { text: next, regions } = regenerate(text);
    expect(regions.length, 'perf:NAME SECTION markers in docs/performance.md').toBeGreaterThan(0);
    expect(next === text, 'docs/performance.md is out of date: run node scripts/perf-tables.mjs').toBe(true);
  });

  it('typedoc.json names entry points that exist', () => {
    const config = JSON.parse(read(join(ROOT, 'typedoc.json'))) as { entryPoints: string[]; out: string };
    expect(config.entryPoints.length).toBeGreaterThan(0);
    expect(config.entryPoints.filter((p) => !existsSync(join(ROOT, p))), 'missing entry points').toEqual([]);
    expect(config.out).toBe('docs/api');
  });
});
