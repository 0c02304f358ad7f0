// Flag parsing on Node's util.parseArgs (strict), turning its errors into usage errors, plus typed number
// and list parsing with messages that name the flag. Keys are refused before anything else looks at argv.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { redactSecrets } from '../core/log';
import { UsageError } from './errors';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

const KEY_FLAGS = /^--?(api[-_]?key|apikey|key|token|openai[-_]api[-_]key|password|secret|bearer)(=|$)/i;
// Looks like a credential: sk-…, Bearer …, or a long opaque token right after a key-ish flag.
const KEY_VALUE = /^(sk-[A-Za-z0-9_-]{16,}|Bearer\s.*)$/;

/**
 * Refuses API keys on the command line (they end up in shell history and process lists). The message never
 * repeats the value.
 */
export function refuseKeys(argv: string[]): void {
  for (const arg of argv) {
    if (KEY_FLAGS.test(arg) || KEY_VALUE.test(arg)) {
      throw new UsageError(
        'API keys are not accepted on the command line (they would land in shell history and process lists). ' +
          'Set the OPENAI_API_KEY environment variable instead.',
      );
    }
  }
}

export function parseFlags(command: string, argv: string[], options: OptionSpec, allowPositionals = true): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals,
    });
    return { values: values as Parsed['values'], positionals };
  } catch (error) {
    // Node's messages are clear ("Unknown option '--x'"); strip its trailing hint about `--` and any secret.
    const message = redactSecrets((error as Error).message).replace(/\. To specify a positional argument.*$/s, '.');
    throw new UsageError(message, command);
  }
}

export function str(parsed: Parsed, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function strs(parsed: Parsed, name: string): string[] | undefined {
  const value = parsed.values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : undefined;
}

export function flag(parsed: Parsed, name: string): boolean {
  return parsed.values[name] === true;
}

/** An integer within [min, max]; `--samples abc` or `--samples 0` is a usage error naming the flag. */
export function intFlag(command: string, name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\s*[+-]?\d+\s*$/.test(value)) throw new UsageError(`--${name} must be a whole number, got "${value}".`, command);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}.`, command);
  return n;
}

export function numberFlag(command: string, name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.trim());
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${value}".`, command);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${n}.`, command);
  return n;
}

export function choiceFlag<T extends string>(
  command: string,
  name: string,
  value: string | undefined,
  choices: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got "${value}".`, command);
  }
  return value as T;
}

/** Comma-separated list, possibly given several times (`--item Q1 --item Q2,Q3`); empty entries are dropped. */
export function listFlag(value: string | string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value.join(',') : value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
