/**
 * A failure of the command line itself (bad usage, nothing to confirm, an unreadable state file), printed like the
 * service's errors: a stable code, then a message. Exit status 2 is for usage errors, 1 for everything else.
 */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}
