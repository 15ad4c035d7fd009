/**
 * Lines stay readable: no source line over 120 characters (STYLE.md), in the
 * code and in the examples users copy from.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MAX_LINE = 120;

const files = (dir: string): string[] => readdirSync(path.join(root, dir)).flatMap((name) => {
  const relative = `${dir}/${name}`;
  if (statSync(path.join(root, relative)).isDirectory()) return files(relative);
  return /\.(ts|mjs)$/.test(name) ? [relative] : [];
});

/** Every line longer than the limit, as "file:line (length)"; characters counted, not bytes. */
export const longLines = (dirs: ReadonlyArray<string>): string[] => dirs.flatMap(files).flatMap((file) =>
  readFileSync(path.join(root, file), 'utf8').split('\n').flatMap((line, i) =>
    ([...line].length > MAX_LINE ? [`${file}:${i + 1} (${[...line].length})`] : [])));

test(`no line in domain/, application/, ports/, adapters/ or examples/ is longer than ${MAX_LINE} characters`, (t) => {
  t.deepEqual(longLines(['domain', 'application', 'ports', 'adapters', 'examples']), []);
});
