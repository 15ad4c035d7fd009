import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** ../shared/testdata beside the checkout (CI has it; a user's clone may not). */
export const TESTDATA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/testdata');

export const hasTestdata = (folder: string): boolean => existsSync(path.join(TESTDATA_DIR, folder));

export const readTestdata = (relative: string): Buffer => readFileSync(path.join(TESTDATA_DIR, relative));

export const SKIP_MESSAGE = (folder: string): string =>
  `skipped: conformance data ${path.join(TESTDATA_DIR, folder)} is absent (it lives in ../shared/testdata beside the checkout)`;
