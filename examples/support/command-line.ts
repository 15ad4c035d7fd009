/**
 * The examples' command lines: `--help` prints the usage and exits 0; an
 * unknown flag, a missing value or a malformed one prints what was wrong and
 * the usage on stderr and exits 2 — never a stack trace.
 */
import { parseArgs } from 'node:util';

type Config = NonNullable<Parameters<typeof parseArgs>[0]>;

export const usageError = (name: string, usage: string, message: string): never => {
  console.error(`${name}: ${message}\n\n${usage}`);
  process.exit(2);
};

export const commandLine = <T extends Config>(
  name: string, usage: string, config: T,
): ReturnType<typeof parseArgs<T>> => {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    return usageError(name, usage, error instanceof Error ? error.message : String(error));
  }
  if ((parsed.values as { help?: boolean }).help === true) {
    console.log(usage);
    process.exit(0);
  }
  return parsed;
};

/** A whole number within bounds from a flag, or a usage error naming the flag. */
export const integerFlag = (name: string, usage: string, flag: string, value: string | undefined, min = 0): number => {
  const n = Number(value);
  return Number.isInteger(n) && n >= min ? n : usageError(
    name, usage, `--${flag} takes a whole number ≥ ${min}, not ${JSON.stringify(value)}`,
  );
};

/** A host as SIP text and "host:port" want it: an IPv6 address in brackets (`--host ::1` → `[::1]`). */
export const sipHost = (host: string): string => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);
