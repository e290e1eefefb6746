// Checks the host-facing docs against the code: every option of the module is in docs/configuration.md
// (and nothing there that is not an option), and the README's example is the example app's root module,
// which `npm run test:host-app` compiles and runs from the packed library.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const root = join(process.cwd());
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Option paths of a type: every property path (`redis`, `redis.url`, …), and which of them are leaves. */
function optionPaths(checker: ts.TypeChecker, type: ts.Type, prefix = '', paths = new Map<string, boolean>()): Map<string, boolean> {
  for (const property of checker.getPropertiesOfType(type)) {
    const path = prefix ? `${prefix}.${property.name}` : property.name;
    const propertyType = checker.getNonNullableType(checker.getTypeOfSymbol(property));
    const objectParts = (propertyType.isUnion() ? propertyType.types : [propertyType]).filter((part) => isOptionObject(checker, part));
    paths.set(path, objectParts.length === 0);
    for (const part of objectParts) optionPaths(checker, part, path, paths);
  }
  return paths;
}

/** Whether a type is a group of options to document one by one (not a value, an array, a map or an interface with methods). */
function isOptionObject(checker: ts.TypeChecker, type: ts.Type): boolean {
  // `RedisConnection & { prefix? }` is an intersection: its properties are options like an object's.
  if (!(type.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection)) || checker.isArrayType(type) || type.getCallSignatures().length > 0) return false;
  if (checker.getIndexInfosOfType(type).length > 0) return false;
  const properties = checker.getPropertiesOfType(type);
  if (properties.length === 0) return false;
  // An interface the host implements (AuthUsersProvider, RateLimitStorage) is one option, documented as a whole.
  return !properties.some((property) => {
    const declaration = property.valueDeclaration ?? property.declarations?.[0];
    return declaration !== undefined && (ts.isMethodSignature(declaration) || ts.isMethodDeclaration(declaration));
  });
}

/** `a.{b,c}.d` → `a.b.d`, `a.c.d`. */
function expandBraces(name: string): string[] {
  const match = /\{([^{}]+)\}/.exec(name);
  if (!match) return [name];
  return match[1].split(',').flatMap((choice) => expandBraces(name.slice(0, match.index) + choice.trim() + name.slice(match.index + match[0].length)));
}

describe('docs/configuration.md', () => {
  const configFile = ts.readConfigFile(join(root, 'libs/auth-sessions/tsconfig.lib.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, join(root, 'libs/auth-sessions'));
  const entry = join(root, 'libs/auth-sessions/src/index.ts');
  const program = ts.createProgram([entry], { ...parsed.options, noEmit: true });
  const checker = program.getTypeChecker();
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!);
  const typeOf = (name: string) => {
    const symbol = exports.find((candidate) => candidate.name === name);
    if (!symbol) throw new Error(`${name} is not exported from src/index.ts`);
    return checker.getDeclaredTypeOfSymbol(symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);
  };
  const paths = new Map([...optionPaths(checker, typeOf('AuthSessionsOptions')), ...optionPaths(checker, typeOf('AuthSessionsModuleExtras'))]);
  const documented = [...read('docs/configuration.md').matchAll(/^\| `([^`]+)` \|/gm)].flatMap((match) => expandBraces(match[1]));

  it('should find the options in the types (the check itself works)', () => {
    expect([...paths.keys()]).toEqual(expect.arrayContaining(['users', 'redis.url', 'credentialChanges.password.keepCurrent', 'routes.prefix', 'isGlobal']));
    expect(paths.get('users')).toBe(true);
    expect(paths.get('rateLimit')).toBe(false);
  });

  it('should document every option', () => {
    const leaves = [...paths].filter(([, isLeaf]) => isLeaf).map(([path]) => path);
    expect(leaves.filter((path) => !documented.includes(path))).toEqual([]);
  });

  it('should document nothing that is not an option', () => {
    expect(documented.filter((name) => !paths.has(name))).toEqual([]);
  });

  it('should document each option once', () => {
    expect(documented.filter((name, index) => documented.indexOf(name) !== index)).toEqual([]);
  });
});

describe('README.md "Use it in your own Nest app"', () => {
  const section = read('README.md').split('## Use it in your own Nest app')[1]?.split('\n## ')[0] ?? '';
  const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);

  it.each([
    ['app-module', 'examples/host-app/src/app.module.ts'],
    ['account-controller', 'examples/host-app/src/account/account.controller.ts'],
  ])('should show the region %s of %s exactly, as npm run test:host-app builds and runs it from the packed library', (name, file) => {
    const region = new RegExp(`// #region ${name}[^\\n]*\\n([\\s\\S]*?)// #endregion ${name}`).exec(read(file))?.[1];
    expect(region).toEqual(expect.stringContaining('@signoff/auth-sessions'));
    expect(blocks).toContain(region);
  });
});

describe.each(['README.md', 'libs/auth-sessions/README.md'])('the install lines of %s', (file) => {
  const manifest = JSON.parse(read('libs/auth-sessions/package.json')) as {
    peerDependencies: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  };
  const installed = new Set(
    [...read(file).matchAll(/^npm install ((?:[^\n\\#]|\\\n)*)/gm)].flatMap((match) =>
      match[1]
        .replace(/\\\n/g, ' ')
        .split(/\s+/)
        .filter(Boolean)
        .map((name) => name.replace(/(.)@[^@/]*$/, '$1')),
    ),
  );

  it('should name every peer dependency a host must install (the Nest core aside), and every optional one with what it is for', () => {
    const peers = Object.keys(manifest.peerDependencies).filter((name) => !['@nestjs/common', '@nestjs/core', '@types/node'].includes(name));
    expect(peers.filter((name) => !installed.has(name))).toEqual([]);
    expect(installed.has('@signoff/auth-sessions')).toBe(true);
  });
});
