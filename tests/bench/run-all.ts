/**
 * `npm run bench`: runs every tests/bench/*.bench.ts and prints figures.
 * Nothing here asserts speed; targets are read by people, not by CI.
 * `npm run bench -- sip` runs only the files whose name contains "sip".
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts') && f.includes(filter)).sort();
console.log(`session-core benchmarks — node ${process.version}, ${files.length} file(s)`);
for (const file of files) {
  console.log(`\n## ${file}`);
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { run: () => void | Promise<void> };
  await mod.run();
}
