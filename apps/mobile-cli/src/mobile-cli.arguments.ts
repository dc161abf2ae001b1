import { parseArgs } from 'node:util';
import type { MobileDeviceType } from '@app/sdk';
import { CliError } from './cli.error';

export const COMMANDS = ['login', 'scan', 'code', 'confirm', 'reject', 'devices', 'logout', 'help'] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliOptions {
  server?: string;
  state?: string;
  deviceName?: string;
  deviceType?: MobileDeviceType;
}

export interface CliInvocation {
  command: Command;
  args: string[];
  options: CliOptions;
}

export const USAGE = `Usage: npm run mobile -- <command> [options]

Commands:
  login <username> [password]   sign this device in (the password is read from stdin when left out)
  scan <qr>                     scan a desktop's QR: its content (http://.../q/<id>) or the session id;
                                also a CLI or TV's sign-in link (http://.../device?user_code=WDJB-MJHT)
  code <user-code>              type the code a CLI or TV shows (e.g. WDJB-MJHT), then confirm or reject
  confirm [id]                  sign the desktop in (default: the last scanned session)
  reject [id]                   refuse the sign-in (default: the last scanned session)
  devices                       the devices signed in to this account
  logout                        revoke this device's token and forget it

Options:
  --server <url>          the service (default: $QR_SERVER_URL, then the one used at login, then http://localhost:3000);
                          the saved token only goes to the service that issued it (else: server_mismatch)
  --state <file>          where device id, token and scan tickets are kept
                          (default: $QR_MOBILE_STATE, then ./.mobile-client.json)
  --device-name <name>    login: the name the desktop-facing lists show for this device
  --device-type <type>    login: android (default) or ios
  -h, --help              this help
`;

const ARITY: Record<Command, [min: number, max: number]> = {
  login: [1, 2],
  scan: [1, 1],
  code: [1, 1],
  confirm: [0, 1],
  reject: [0, 1],
  devices: [0, 0],
  logout: [0, 0],
  help: [0, 0],
};

function isCommand(value: string): value is Command {
  return (COMMANDS as readonly string[]).includes(value);
}

/** Reads argv (without `node main.js`); anything malformed is a usage error (exit 2). */
export function parseCliArguments(argv: string[]): CliInvocation {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new CliError('usage', (error as Error).message, 2);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help', args: [], options: {} };
  const [name, ...args] = positionals;
  if (name === undefined) throw new CliError('usage', 'a command is needed', 2);
  if (!isCommand(name)) throw new CliError('usage', `unknown command "${name}"`, 2);
  const [min, max] = ARITY[name];
  if (args.length < min || args.length > max) {
    throw new CliError('usage', `${name} takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length}`, 2);
  }
  const deviceType = values['device-type'];
  if (deviceType !== undefined && deviceType !== 'android' && deviceType !== 'ios') {
    throw new CliError('usage', `--device-type must be android or ios, got "${deviceType}"`, 2);
  }
  const deviceName = values['device-name'];
  if (deviceName !== undefined && (deviceName.trim().length === 0 || deviceName.length > 100)) {
    throw new CliError('usage', '--device-name must be 1 to 100 characters', 2);
  }
  return {
    command: name,
    args,
    options: { server: values.server, state: values.state, deviceName: deviceName?.trim(), deviceType },
  };
}

const VALUE_OPTIONS = ['--server', '--state', '--device-name', '--device-type'];
const FLAG_OPTIONS = ['-h', '--help'];

/**
 * Moves every argument that is not one of our options behind `--`, so that it stays a positional even when it starts
 * with "-": a session id is 22 characters of A-Z a-z 0-9 _ -, and one in 64 begins with "-" (so can a password).
 * An unknown `--option` is still refused.
 */
function withPositionalsLast(argv: string[]): string[] {
  const options: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    const name = argument.split('=')[0];
    if (VALUE_OPTIONS.includes(name)) {
      options.push(argument);
      if (!argument.includes('=') && i + 1 < argv.length) options.push(argv[++i]);
    } else if (FLAG_OPTIONS.includes(argument) || (argument.startsWith('--') && argument !== '--')) {
      options.push(argument);
    } else if (argument === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    } else {
      positionals.push(argument);
    }
  }
  return [...options, '--', ...positionals];
}

function parse(argv: string[]) {
  return parseArgs({
    args: withPositionalsLast(argv),
    allowPositionals: true,
    strict: true,
    options: {
      server: { type: 'string' },
      state: { type: 'string' },
      'device-name': { type: 'string' },
      'device-type': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
