/**
 * Stress mode (`npm run test:stress`): the loopback and interop tests run
 * while CPU-burning processes (two by default, STRESS_BURNERS) keep every core
 * busy, as a loaded CI machine would. A test that waits for time instead of a
 * condition shows up here. Extra arguments go to ava (e.g. a file to focus on).
 */
import { spawn, type ChildProcess } from 'node:child_process';

const BURN = 'for (;;) { let x = 0; for (let i = 0; i < 1e7; i++) x += i; if (x < 0) break; }';
const burnerCount = Number(process.env['STRESS_BURNERS'] ?? 2);
const files = process.argv.length > 2 ? process.argv.slice(2) : [
  'tests/integration/**/*.test.ts', 'tests/adapters/node/**/*.test.ts',
];

const burners: ChildProcess[] = Array.from(
  { length: burnerCount }, () => spawn(process.execPath, ['-e', BURN], { stdio: 'ignore' }),
);
const stopBurners = (): void => burners.forEach((b) => b.kill('SIGKILL'));
process.on('SIGINT', () => {
  stopBurners();
  process.exit(130);
});
console.log(`stress: ${burnerCount} CPU burners beside ava ${files.join(' ')}`);
const ava = spawn('npx', ['ava', ...files], { stdio: 'inherit', env: { ...process.env, SESSION_CORE_STRESS: '1' } });
ava.on('close', (code) => {
  stopBurners();
  process.exit(code ?? 1);
});
