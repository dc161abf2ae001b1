import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';

// Jest runs from the repository root (where jest.config.mjs is).
const ROOT = process.cwd();
const SDK = resolve(ROOT, 'libs/sdk/src');

/** The files that ship: everything but specs and the test fakes. */
function sdkSources(): string[] {
  return readdirSync(SDK)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'))
    .map((name) => join(SDK, name));
}

/** The SDK runs in browsers: these guard against a Node or Nest dependency creeping in. */
describe('SDK portability', () => {
  it('imports only @app/contract, socket.io-client and its own files', () => {
    const imports = sdkSources().flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map((match) => match[1]),
    );
    expect(imports.length).toBeGreaterThan(10);
    expect(imports.filter((specifier) => !/^(\.\/|@app\/contract$|socket\.io-client$)/.test(specifier))).toEqual([]);
  });

  it('type-checks with the browser library and without Node types', () => {
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: [],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      paths: { '@app/contract': [join(ROOT, 'libs/contract/src')] },
    };
    const program = ts.createProgram(sdkSources(), options);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map((diagnostic) => `${diagnostic.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
    expect(problems).toEqual([]);
  });
});
