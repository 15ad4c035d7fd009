import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, { types: string; default: string }>;
  files: string[];
  engines: { node: string };
  type: string;
};

test('package.json: every export maps to a source file that the build compiles', (t) => {
  t.deepEqual(Object.keys(pkg.exports).sort(), ['.', './internals', './media', './sdp', './sip', './testing'].sort());
  for (const [entry, target] of Object.entries(pkg.exports)) {
    t.true(target.default.startsWith('./dist/') && target.types.endsWith('.d.ts'), entry);
    const source = path.join(root, target.default.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts'));
    t.true(existsSync(source), `${entry} → ${source}`);
  }
  t.deepEqual(pkg.files, ['dist']);
  t.is(pkg.type, 'module');
  t.is(pkg.engines.node, '>=20');
});

test('README.md opens with the two set-up commands, and .ci/run runs its test command', (t) => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const firstBlock = readme.split('```')[1] ?? '';
  t.regex(firstBlock, /npm ci && npm start/);
  t.regex(firstBlock, /npm ci && npm test/);
  const ci = readFileSync(path.join(root, '.ci/run'), 'utf8');
  t.regex(ci, /^npm test$/m);
  t.regex(ci, /npm ci/);
  t.regex(ci, /sip-tester/);
});
