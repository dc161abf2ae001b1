import { parseCliArguments } from './mobile-cli.arguments';

describe('parseCliArguments', () => {
  it('reads a command, its arguments and the options wherever they stand', () => {
    expect(parseCliArguments(['login', 'alice', 'pw', '--device-name', ' My phone ', '--device-type', 'ios', '--server', 'http://x:1'])).toEqual({
      command: 'login',
      args: ['alice', 'pw'],
      options: { server: 'http://x:1', state: undefined, deviceName: 'My phone', deviceType: 'ios' },
    });
    expect(parseCliArguments(['--state', '/tmp/s.json', 'confirm'])).toMatchObject({
      command: 'confirm',
      args: [],
      options: { state: '/tmp/s.json' },
    });
    expect(parseCliArguments(['scan', '--help'])).toEqual({ command: 'help', args: [], options: {} });
  });

  it('reads the code command with its user code', () => {
    expect(parseCliArguments(['code', 'WDJB-MJHT'])).toEqual({ command: 'code', args: ['WDJB-MJHT'], options: {} });
  });

  it('keeps arguments that start with "-" as arguments: session ids and passwords can', () => {
    expect(parseCliArguments(['scan', '-AbCdEfGhIjKlMnOpQrStU', '--server', 'http://x:1'])).toMatchObject({
      command: 'scan',
      args: ['-AbCdEfGhIjKlMnOpQrStU'],
      options: { server: 'http://x:1' },
    });
    expect(parseCliArguments(['confirm', '-x_y-z'])).toMatchObject({ command: 'confirm', args: ['-x_y-z'] });
    expect(parseCliArguments(['login', 'alice', '--', '--password-with-dashes'])).toMatchObject({ args: ['alice', '--password-with-dashes'] });
  });

  it.each([
    [[], 'a command is needed'],
    [['fly'], 'unknown command "fly"'],
    [['scan'], 'scan takes 1 argument(s), got 0'],
    [['code'], 'code takes 1 argument(s), got 0'],
    [['code', 'WDJB-MJHT', 'extra'], 'code takes 1 argument(s), got 2'],
    [['devices', 'extra'], 'devices takes 0 argument(s), got 1'],
    [['login', 'a', 'b', 'c'], 'login takes 1 to 2 argument(s), got 3'],
    [['login', 'a', '--device-type', 'pc'], '--device-type must be android or ios, got "pc"'],
    [['login', 'a', '--device-name', '   '], '--device-name must be 1 to 100 characters'],
    [['devices', '--verbose'], "Unknown option '--verbose'"],
  ])('refuses %p as a usage error (exit 2)', (argv, message) => {
    expect(() => parseCliArguments(argv)).toThrow(expect.objectContaining({ code: 'usage', exitCode: 2, message: expect.stringContaining(message) }));
  });
});
