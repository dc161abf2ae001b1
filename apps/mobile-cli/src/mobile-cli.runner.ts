import { QrClientError } from '@app/sdk';
import { CliError } from './cli.error';
import { USAGE, parseCliArguments } from './mobile-cli.arguments';
import { MobileCliCommands, type CliContext } from './mobile-cli.commands';
import { MobileStateStore, statePath } from './mobile-state.store';
import { escapeTerminalText as safe } from './terminal-text';

export interface CliIo extends Omit<CliContext, 'print'> {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * Runs one command and answers its exit status: 0, 1 when the service (or the network) refused, 2 for bad usage.
 * Failures go to stderr as `error: <code>: <message>`, with the contract's code when the service answered.
 */
export async function runMobileCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const { command, args, options } = parseCliArguments(argv);
    if (command === 'help') {
      io.stdout.write(USAGE);
      return 0;
    }
    const store = new MobileStateStore(statePath(options.state, io.env));
    const commands = new MobileCliCommands(store, options, { ...io, print: (line) => io.stdout.write(`${line}\n`) });
    switch (command) {
      case 'login':
        await commands.login(args[0], args[1]);
        break;
      case 'scan':
        await commands.scan(args[0]);
        break;
      case 'code':
        await commands.code(args[0]);
        break;
      case 'confirm':
      case 'reject':
        await commands.decide(command, args[0]);
        break;
      case 'devices':
        await commands.devices();
        break;
      case 'logout':
        await commands.logout();
        break;
    }
    return 0;
  } catch (error) {
    if (error instanceof QrClientError || error instanceof CliError) {
      // The service's message may quote what others sent: escaped like every outside text (see terminal-text.ts).
      io.stderr.write(`error: ${safe(error.code)}: ${safe(error.message)}\n`);
      if (error instanceof CliError && error.exitCode === 2) io.stderr.write(`\n${USAGE}`);
      if (error.code === 'network_error') {
        io.stderr.write('Is the service running at that address? Name another one with --server <url> or QR_SERVER_URL.\n');
      }
      return error instanceof CliError ? error.exitCode : 1;
    }
    io.stderr.write(`error: internal_error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
