import { runMobileCli } from './mobile-cli.runner';

/** Reads the password from stdin: one line, so that it stays out of the shell history and the process list. */
async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password: ');
  let input = '';
  for await (const chunk of process.stdin) {
    input += String(chunk);
    if (input.includes('\n')) break;
  }
  return input.split(/\r?\n/)[0];
}

// Output piped into a reader that stops early (`| head -1`): what is left unread is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

runMobileCli(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  now: () => Date.now(),
  readPassword,
}).then((code) => {
  process.exitCode = code;
});
