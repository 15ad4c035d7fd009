import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { checkFile, formatViolation } from './check-dependencies.js';
import { findCycles, importGraph } from './import-cycles.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'tests/architecture/fixtures');

const sourceFiles = (dir: string): string[] =>
  readdirSync(path.join(root, dir)).flatMap((name) => {
    const relative = `${dir}/${name}`;
    if (statSync(path.join(root, relative)).isDirectory()) return sourceFiles(relative);
    return relative.endsWith('.ts') ? [relative] : [];
  });

test('every source file keeps the dependency rule (ARCHITECTURE.md)', (t) => {
  const files = ['domain', 'ports', 'application', 'adapters', 'examples'].flatMap(sourceFiles);
  t.true(files.length > 0);
  const violations = files.flatMap((file) => checkFile(file, readFileSync(path.join(root, file), 'utf8')));
  t.deepEqual(violations.map(formatViolation), []);
});

// Each fixture breaks exactly one rule; it is checked as if it lived at `as`.
const brokenFixtures: ReadonlyArray<{ fixture: string; as: string; expect: RegExp }> = [
  {
    fixture: 'domain-imports-dgram.ts', as: 'domain/sip/bad.ts',
    expect: /domain\/sip\/bad\.ts:1: domain\/ must not import the Node builtin 'node:dgram'/,
  },
  {
    fixture: 'domain-imports-application.ts', as: 'domain/sip/bad.ts',
    expect: /domain\/ may import only domain\/ and fp-ts/,
  },
  {
    fixture: 'domain-imports-pino.ts', as: 'domain/sip/bad.ts',
    expect: /domain\/ may import only domain\/ and fp-ts, not 'pino'/,
  },
  { fixture: 'domain-uses-date.ts', as: 'domain/sip/bad.ts', expect: /:3: domain\/ must not use 'Date'/ },
  { fixture: 'domain-uses-math-random.ts', as: 'domain/sip/bad.ts', expect: /must not use 'Math\.random'/ },
  {
    fixture: 'application-uses-set-timeout.ts', as: 'application/bad.ts',
    expect: /application\/ must not use 'setTimeout'/,
  },
  { fixture: 'application-uses-process.ts', as: 'application/bad.ts', expect: /application\/ must not use 'process'/ },
  {
    fixture: 'application-uses-performance.ts', as: 'application/bad.ts',
    expect: /application\/ must not use 'performance'/,
  },
  { fixture: 'application-uses-crypto.ts', as: 'application/bad.ts', expect: /application\/ must not use 'crypto'/ },
  {
    fixture: 'application-imports-adapters.ts', as: 'application/bad.ts',
    expect: /application\/ must not import '\.\.\/adapters\/node\/system-clock\.js'/,
  },
  {
    fixture: 'application-imports-fs.ts', as: 'application/bad.ts',
    expect: /application\/ must not import the Node builtin 'fs'/,
  },
  {
    fixture: 'ports-imports-application.ts', as: 'ports/bad.ts',
    expect: /ports\/ may import only domain\/, ports\/ and fp-ts/,
  },
  {
    fixture: 'domain-imports-barrel.ts', as: 'domain/sip/bad.ts', expect: /domain\/ must import from the defining file/,
  },
  {
    fixture: 'sim-imports-node.ts', as: 'adapters/sim/bad.ts',
    expect: /adapters\/sim\/ must not import another adapter's folder/,
  },
];

for (const { fixture, as, expect } of brokenFixtures) {
  test(`dependency check: ${fixture} → reported with file and line`, (t) => {
    const violations = checkFile(as, readFileSync(path.join(fixtures, fixture), 'utf8'));
    t.true(violations.length >= 1, `no violation found in ${fixture}`);
    t.regex(violations.map(formatViolation).join('\n'), expect);
  });
}

test('dependency check: comments, strings and property names do not trip the scanner', (t) => {
  const text = "// Date and setTimeout in a comment\nconst s = 'process';\nconst o = { process: 1 };\nexport const v = o.process + s.length;\n";
  t.deepEqual(checkFile('domain/ok.ts', text), []);
  // Text after a template's `${…}` is still the template's, and a comment after it still a comment.
  const template = 'const x = 1;\nexport const t = `crypto:${x} and ${`Date ${x}`} process`;\n/** `crypto` here */\n';
  t.deepEqual(checkFile('domain/ok.ts', template), []);
  t.regex(checkFile('domain/bad.ts', `${template}export const d = Date.now();\n`).map((v) => v.rule).join(), /Date/);
});

test('no import cycle among the source files (type-only imports included)', (t) => {
  const files = ['domain', 'ports', 'application', 'adapters', 'examples'].flatMap(sourceFiles);
  const cycles = findCycles(importGraph(files, (file) => readFileSync(path.join(root, file), 'utf8')));
  t.deepEqual(cycles.map((c) => c.join(' ↔ ')), []);
});

test('cycle check: a cycle of three files and a self-import are found; a diamond is not a cycle', (t) => {
  const graph = new Map([
    ['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']],
    ['self.ts', ['self.ts']],
    ['top.ts', ['left.ts', 'right.ts']], ['left.ts', ['bottom.ts']], ['right.ts', ['bottom.ts']], ['bottom.ts', []],
  ]);
  t.deepEqual(findCycles(graph), [['a.ts', 'b.ts', 'c.ts'], ['self.ts']]);
});
