import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Consumer {
  /** A fresh project folder with the packed session-core installed in its node_modules. */
  readonly dir: string;
  /** The tarball's file list. */
  readonly listing: string;
  readonly remove: () => void;
}

let packed: Promise<Consumer> | undefined;

/**
 * The package as a user gets it: `npm pack` (whose prepack builds dist/),
 * unpacked into a fresh project's node_modules, with its dependencies (and
 * @types/node and tsx, for TypeScript consumers) linked from this checkout —
 * no network. Made once per test process and shared.
 */
export const packedConsumer = (): Promise<Consumer> => {
  packed ??= Promise.resolve().then(() => {
    const dir = mkdtempSync(path.join(tmpdir(), 'session-core-consumer-'));
    execFileSync(
      'npm', ['pack', '--silent', '--pack-destination', dir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
    if (tarball === undefined) throw new Error('npm pack made no tarball');
    const modules = path.join(dir, 'node_modules');
    const installed = path.join(modules, 'session-core');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(dir, tarball), '-C', installed, '--strip-components=1']);
    const listing = execFileSync('tar', ['-tzf', path.join(dir, tarball)], { encoding: 'utf8' });
    const own = createRequire(path.join(root, 'package.json'));
    const manifest = own('./package.json') as { dependencies: Record<string, string> };
    for (const dependency of [...Object.keys(manifest.dependencies), '@types/node', 'tsx']) {
      mkdirSync(path.dirname(path.join(modules, dependency)), { recursive: true });
      symlinkSync(path.join(root, 'node_modules', dependency), path.join(modules, dependency));
    }
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
    return { dir, listing, remove: () => rmSync(dir, { recursive: true, force: true }) };
  });
  return packed;
};

/** Typechecks `file` in the consumer against the shipped declarations only (module nodenext, strict). */
export const typecheckIn = (consumer: Consumer, file: string): { status: number | null; output: string } => {
  const config = path.join(consumer.dir, `tsconfig.${path.basename(file, '.ts')}.json`);
  writeFileSync(config, JSON.stringify({
    compilerOptions: {
      module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'],
    },
    files: [file],
  }));
  try {
    const output = execFileSync(
      process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', config],
      { cwd: consumer.dir, encoding: 'utf8' },
    );
    return { status: 0, output };
  } catch (error) {
    const e = error as { status: number | null; stdout?: string; stderr?: string };
    return { status: e.status, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
};
