import type { LogFields, Logger, LogLevel } from '../../ports/logger.js';

export interface LogLine {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: LogFields;
}

/** Keeps log lines in memory so tests can assert them; bounded to `capacity` lines. */
export class InMemoryLogger implements Logger {
  private readonly sink: LogLine[];

  constructor(
    private readonly capacity = 10_000,
    private readonly bound: LogFields = {},
    sink?: LogLine[],
  ) {
    this.sink = sink ?? [];
  }

  get lines(): ReadonlyArray<LogLine> {
    return this.sink;
  }

  linesAt(level: LogLevel): ReadonlyArray<LogLine> {
    return this.sink.filter((line) => line.level === level);
  }

  trace(message: string, fields?: LogFields): void {
    this.write('trace', message, fields);
  }
  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }
  child(fields: LogFields): Logger {
    return new InMemoryLogger(this.capacity, { ...this.bound, ...fields }, this.sink);
  }

  private write(level: LogLevel, message: string, fields: LogFields | undefined): void {
    // Oldest lines go first, so a long simulation cannot grow memory without bound.
    if (this.sink.length >= this.capacity) this.sink.shift();
    this.sink.push({ level, message, fields: { ...this.bound, ...fields } });
  }
}
