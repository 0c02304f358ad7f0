// Exit codes and the two kinds of error the commands throw: bad usage (2) and bad input or failures (1).
// Messages go to stderr as they are, so they must be complete sentences and never contain secrets.

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;

/** Wrong flags, wrong numbers, missing arguments or files: exit 2. */
export class UsageError extends Error {
  readonly exitCode = EXIT_USAGE;
  constructor(
    message: string,
    /** The command whose `--help` the message should point to. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Input that exists but cannot be used (unparseable, empty, unreachable server): exit 1. */
export class InputError extends Error {
  readonly exitCode = EXIT_FINDINGS;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
