// The walls between the rooms, read from the code: every import of every file in assembly/ and src/ (static
// `import … from`, `import '…'`, `export … from`, dynamic `import()`, and `import('…')` types; type-only imports count
// too), parsed with the TypeScript compiler. A failure names the file, the import and the wall it crosses.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

/** Repository paths (posix) of the .ts files under a folder. */
function tsFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(relative(ROOT, p).split('\\').join('/'));
    }
  };
  walk(resolve(ROOT, dir));
  return out.sort();
}

interface Import {
  /** The specifier as written. */
  spec: string;
  /** A relative specifier resolved to a repository path (`.js` read as the `.ts` source; none: `.ts`), else null. */
  target: string | null;
  /** 'static' (import/export from), 'dynamic' (import()), or 'type' (import('…') in a type). */
  kind: 'static' | 'dynamic' | 'type';
  line: number;
}

function importsOf(file: string, text = readFileSync(resolve(ROOT, file), 'utf8')): Import[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: Import[] = [];
  const add = (lit: ts.Node, kind: Import['kind']) => {
    if (!ts.isStringLiteralLike(lit)) return;
    const spec = lit.text;
    let target: string | null = null;
    if (spec.startsWith('.')) {
      target = posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts');
      if (!/\.[a-z]+$/.test(target)) target += '.ts'; // AssemblyScript imports name no extension
    }
    out.push({ spec, target, kind, line: sf.getLineAndCharacterOfPosition(lit.getStart()).line + 1 });
  };
  const visit = (n: ts.Node) => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier) add(n.moduleSpecifier, 'static');
    else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference)) add(n.moduleReference.expression, 'static');
    else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0]) add(n.arguments[0], 'dynamic');
    else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument)) add(n.argument.literal, 'type');
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

const FILES = [...tsFiles('assembly'), ...tsFiles('src')];
const IMPORTS = new Map(FILES.map((f) => [f, importsOf(f)]));

const under = (dir: string) => (p: string | null) => p !== null && (p === dir || p.startsWith(dir.endsWith('/') ? dir : `${dir}/`));
const isNodeBuiltin = (spec: string) => spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]);

/** Every import of `files` that `bad` flags, as "file:line imports 'spec'" lines (empty when the wall holds). */
function crossings(files: string[], bad: (i: Import, file: string) => boolean): string[] {
  return files.flatMap((f) => IMPORTS.get(f)!.filter((i) => bad(i, f)).map((i) => `${f}:${i.line} imports '${i.spec}'${i.kind === 'static' ? '' : ` (${i.kind})`}`));
}

describe('walls between the rooms (imports read from the code)', () => {
  test('the parser sees every kind of import (static, export from, dynamic, import types)', () => {
    expect(FILES).toContain('src/model.ts');
    expect(IMPORTS.get('src/index.ts')!.some((i) => i.target === 'src/model.ts')).toBe(true);
    expect(IMPORTS.get('src/backends/wasm.ts')!.map((i) => `${i.kind} ${i.spec}`)).toContain('dynamic ../../build/simple-rnn-relaxed.wasm');
    const probe = importsOf('src/x/probe.ts', [
      "import type { A } from './a.js';",
      "import './b.js';",
      "export * from '../c.js';",
      "export { d } from 'node:fs';",
      "type E = import('./e.js').E;",
      "const f = async () => (await import('../../build/f.wasm')).default;",
      "// import { g } from './g.js' (a comment)",
      "const h = \"import('./h.js')\"; // a string",
    ].join('\n'));
    expect(probe.map((i) => [i.kind, i.target ?? i.spec])).toEqual([
      ['static', 'src/x/a.ts'], ['static', 'src/x/b.ts'], ['static', 'src/c.ts'], ['static', 'node:fs'], ['type', 'src/x/e.ts'], ['dynamic', 'build/f.wasm'],
    ]);
  });

  test('assembly/ imports nothing from src/', () => {
    expect(crossings(tsFiles('assembly'), (i) => under('src')(i.target))).toEqual([]);
  });

  test('src/backends/* import only src/backend.ts (the kernel ABI), never each other; wasm.ts also its .wasm builds', () => {
    const backends = FILES.filter(under('src/backends'));
    expect(backends).toEqual(expect.arrayContaining(['src/backends/js.ts', 'src/backends/wasm.ts']));
    expect(crossings(backends, (i, f) => {
      if (i.target === 'src/backend.ts') return false;
      if (f === 'src/backends/wasm.ts' && i.target !== null && /^build\/[^/]+\.wasm$/.test(i.target)) return false;
      return true;
    })).toEqual([]);
  });

  const ENGINE = FILES.filter((f) =>
    ['src/pass.ts', 'src/batch.ts', 'src/optim.ts', 'src/generate.ts', 'src/checkpoint.ts', 'src/config.ts', 'src/layout.ts'].includes(f) ||
    under('src/parallel')(f));
  const ABOVE_ENGINE = ['src/model.ts', 'src/text', 'src/interop', 'src/demos', 'src/trainer', 'src/cli', 'src/browser'];

  test('the engine never imports the rooms above it (type-only imports count)', () => {
    expect(ENGINE.length).toBeGreaterThanOrEqual(8);
    expect(crossings(ENGINE, (i) => ABOVE_ENGINE.some((room) => under(room)(i.target)))).toEqual([]);
  });

  /** The files that may import Node built-ins: the CLI and the Node-only entries. */
  const NODE_ONLY = (f: string) => under('src/cli')(f) || under('src/node')(f) || f === 'src/trainer/node.ts';

  test('only src/cli/**, src/node/** (simple-rnn/node) and src/trainer/node.ts import Node built-ins', () => {
    expect(crossings(FILES.filter((f) => !NODE_ONLY(f)), (i) => isNodeBuiltin(i.spec))).toEqual([]);
  });

  test('the browser-safe package entries reach no Node built-in and no Node-only file, through any import', () => {
    const entries = ['src/index.ts', 'src/demos/trainer.ts', 'src/demos/trainer-web.ts', 'src/browser/index.ts', 'src/keras.ts'];
    const paths: string[] = [];
    for (const entry of entries) {
      const seen = new Set<string>();
      const visit = (f: string, path: string[]) => {
        if (seen.has(f) || !IMPORTS.has(f)) return;
        seen.add(f);
        for (const i of IMPORTS.get(f)!) {
          if (isNodeBuiltin(i.spec) || (i.target && NODE_ONLY(i.target))) paths.push([...path, f, i.spec].join(' -> '));
          else if (i.target) visit(i.target, [...path, f]);
        }
      };
      visit(entry, []);
    }
    expect(paths).toEqual([]);
  });

  test('src/trainer never imports src/demos or src/cli', () => {
    expect(crossings(FILES.filter(under('src/trainer')), (i) => under('src/demos')(i.target) || under('src/cli')(i.target))).toEqual([]);
  });

  test('a public name means one source file: package.json exports, tsup entries, tsconfig paths and the vitest alias agree', async () => {
    const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, string | { import?: string }> };
    const tsup = (await import('../tsup.config.js')).default as unknown as { entry: Record<string, string> }[];
    const entries: Record<string, string> = Object.assign({}, ...tsup.map((c) => c.entry));
    const tsconfig = JSON.parse(readFileSync(resolve(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } };
    const { PUBLIC_ENTRIES } = await import('../vitest.config.js');
    const rows = Object.entries(pkg.exports).flatMap(([sub, t]) => {
      const js = typeof t === 'string' ? t : t.import;
      if (!js?.endsWith('.js')) return [];
      const name = sub === '.' ? 'simple-rnn' : `simple-rnn/${sub.slice(2)}`;
      const source = entries[posix.basename(js, '.js')];
      return [{ name, source, paths: tsconfig.compilerOptions.paths[name]?.[0]?.replace(/^\.\//, ''), alias: PUBLIC_ENTRIES[name]?.replace(/^\.\//, '') }];
    });
    expect(rows.map((r) => r.name)).toEqual(['simple-rnn', 'simple-rnn/worker', 'simple-rnn/worker/web', 'simple-rnn/worker/node', 'simple-rnn/browser', 'simple-rnn/node', 'simple-rnn/keras']);
    for (const r of rows) expect({ paths: r.paths, alias: r.alias }, r.name).toEqual({ paths: r.source, alias: r.source });
  });

  test('every relative import names a file that exists', () => {
    const exists = (p: string) => {
      try {
        return statSync(resolve(ROOT, p)).isFile();
      } catch {
        return false;
      }
    };
    expect(crossings(FILES, (i) => i.target !== null && !exists(i.target))).toEqual([]);
  });
});
