import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ImplementationFn } from 'ava';

/**
 * The conformance corpora: ../shared/testdata beside the checkout (CI has it; a
 * user's clone may not). SESSION_CORE_TESTDATA overrides the place; the value
 * `none` hides them, which is how CI proves the corpus tests skip cleanly.
 */
const override = process.env['SESSION_CORE_TESTDATA'];
const HIDDEN = override === 'none';
export const TESTDATA_DIR = override !== undefined && !HIDDEN
  ? path.resolve(override)
  : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/testdata');

export const hasTestdata = (folder: string): boolean => !HIDDEN && existsSync(path.join(TESTDATA_DIR, folder));

export const readTestdata = (relative: string): Buffer => readFileSync(path.join(TESTDATA_DIR, relative));

export const SKIP_MESSAGE = (folder: string): string => (HIDDEN
  ? `skipped: conformance data hidden by SESSION_CORE_TESTDATA=none`
  : `skipped: conformance data ${path.join(TESTDATA_DIR, folder)} is absent (it lives in ../shared/testdata beside the checkout)`);

type CorpusTest = (title: string, implementation: ImplementationFn<[]>) => void;

/**
 * `test` when the corpus folder is there; otherwise each test is registered as
 * skipped, its title carrying the reason, so a clone without the corpora shows
 * what did not run and why instead of passing silently or failing.
 */
export const corpusTest = (folder: string): CorpusTest => {
  if (hasTestdata(folder)) return (title, implementation) => test(title, implementation);
  const reason = SKIP_MESSAGE(folder);
  return (title, implementation) => test.skip(`${title} (${reason})`, implementation);
};

/** For corpora whose tests are generated from the folder's listing: one skipped entry stands for them all. */
export const reportAbsentCorpus = (folder: string, what: string): void => {
  if (!hasTestdata(folder)) test.skip(`${what} (${SKIP_MESSAGE(folder)})`, (t) => t.pass());
};
