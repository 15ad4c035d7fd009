import { pino, type DestinationStream, type Logger as Pino, type LoggerOptions } from 'pino';
import type { LogFields, Logger } from '../../ports/logger.js';

/** The Logger port over pino; `fields` become pino's merging object. */
export class PinoLogger implements Logger {
  private constructor(private readonly pinoLogger: Pino) {}

  static create(options: LoggerOptions = {}, destination?: DestinationStream): PinoLogger {
    return new PinoLogger(destination === undefined ? pino(options) : pino(options, destination));
  }

  trace(message: string, fields?: LogFields): void {
    this.pinoLogger.trace(fields ?? {}, message);
  }
  debug(message: string, fields?: LogFields): void {
    this.pinoLogger.debug(fields ?? {}, message);
  }
  info(message: string, fields?: LogFields): void {
    this.pinoLogger.info(fields ?? {}, message);
  }
  warn(message: string, fields?: LogFields): void {
    this.pinoLogger.warn(fields ?? {}, message);
  }
  error(message: string, fields?: LogFields): void {
    this.pinoLogger.error(fields ?? {}, message);
  }
  child(fields: LogFields): Logger {
    return new PinoLogger(this.pinoLogger.child(fields));
  }
}
