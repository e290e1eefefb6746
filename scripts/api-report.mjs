#!/usr/bin/env node
// The public surface of @signoff/auth-sessions, as a text report: every export of src/index.ts with its
// kind and declared shape (classes with their public members). `node scripts/api-report.mjs` rewrites
// libs/auth-sessions/etc/public-api.md; `--check` exits 1 with a diff when the surface changed, so a
// change to what hosts can import is visible in review (npm test runs the check).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'libs/auth-sessions/src/index.ts');
// The test kit's entry (`@signoff/auth-sessions/testing`) is public too: reported in its own section.
const testingEntry = join(root, 'libs/auth-sessions/src/testing/index.ts');
const reportPath = join(root, 'libs/auth-sessions/etc/public-api.md');

const configFile = ts.readConfigFile(join(root, 'libs/auth-sessions/tsconfig.lib.json'), ts.sys.readFile);
const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, join(root, 'libs/auth-sessions'));
const program = ts.createProgram([entry, testingEntry], { ...parsed.options, noEmit: true });
const checker = program.getTypeChecker();
const source = program.getSourceFile(entry);
const moduleSymbol = checker.getSymbolAtLocation(source);

const flags = ts.TypeFormatFlags.NoTruncation;
const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

function kindOf(symbol) {
  const f = symbol.flags;
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Interface) return 'interface';
  if (f & ts.SymbolFlags.TypeAlias) return 'type';
  if (f & ts.SymbolFlags.Enum) return 'enum';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.Variable) return 'const';
  return 'other';
}

function declarationText(declaration) {
  // The declaration as a .d.ts would show it: bodies and private members left out.
  const text = printer.printNode(ts.EmitHint.Unspecified, declaration, declaration.getSourceFile());
  return text.replace(/\{[^{}]*\}\s*$/s, (body) => (ts.isFunctionDeclaration(declaration) ? '' : body)).trim();
}

// Members tagged @internal are stripped from the published .d.ts (stripInternal): not part of the surface.
const isInternal = (declaration) => ts.getJSDocTags(declaration).some((tag) => tag.tagName.text === 'internal');
// Injectable classes are built by Nest's container: their constructors are not for hosts to call.
const isInjectable = (declaration) =>
  (ts.canHaveDecorators(declaration) ? (ts.getDecorators(declaration) ?? []) : []).some((decorator) => decorator.getText().startsWith('@Injectable'));

function describeClass(symbol) {
  const type = checker.getDeclaredTypeOfSymbol(symbol);
  const lines = [];
  const constructorType = checker.getTypeOfSymbolAtLocation(symbol, source);
  const classDeclaration = symbol.valueDeclaration;
  const signatures = classDeclaration && isInjectable(classDeclaration) ? [] : constructorType.getConstructSignatures();
  for (const signature of signatures) {
    lines.push(
      `  constructor(${signature.parameters.map((p) => `${p.name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(p, source), undefined, flags)}`).join(', ')})`,
    );
  }
  for (const member of checker.getPropertiesOfType(type)) {
    const declaration = member.valueDeclaration ?? member.declarations?.[0];
    // Inherited members belong to the base class's own API (Nest's HttpException, passport's AuthGuard).
    if (declaration?.parent !== classDeclaration) continue;
    const modifiers = declaration ? ts.getCombinedModifierFlags(declaration) : 0;
    if (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected) || member.name.startsWith('#')) continue;
    if (declaration && isInternal(declaration)) continue;
    lines.push(`  ${member.name}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(member, source), undefined, flags)}`);
  }
  const heritage = classDeclaration?.heritageClauses?.map((clause) => clause.getText()).join(' ') ?? '';
  return [`class ${symbol.name}${heritage ? ` ${heritage}` : ''}`, ...lines.sort()].join('\n');
}

function describe(exported) {
  const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const kind = kindOf(symbol);
  let shape;
  if (kind === 'class') shape = describeClass(symbol);
  else if (kind === 'interface' || kind === 'type') shape = (symbol.declarations ?? []).map(declarationText).join('\n');
  else shape = checker.typeToString(checker.getTypeOfSymbolAtLocation(symbol, source), undefined, flags);
  return `### ${exported.name} (${kind})\n\n\`\`\`ts\n${shape}\n\`\`\`\n`;
}

const exports = checker.getExportsOfModule(moduleSymbol).sort((a, b) => a.name.localeCompare(b.name));
const testingExports = checker
  .getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(testingEntry)))
  .sort((a, b) => a.name.localeCompare(b.name));
// Types from other files are printed as import("<absolute path>"): keep the report machine-independent.
const machineIndependent = (text) => text.replaceAll(`${root}/`, '').replace(/, \{ with: \{ "resolution-mode": "import" \} \}/g, '');
const report = machineIndependent(
  [
    '# Public API of @signoff/auth-sessions',
    '',
    'Generated by `node scripts/api-report.mjs` from `libs/auth-sessions/src/index.ts`; `npm test` fails when it is stale.',
    'Every entry is part of the contract with host apps: review a change here as an API change.',
    '',
    ...exports.map(describe),
    '## @signoff/auth-sessions/testing',
    '',
    'From `libs/auth-sessions/src/testing/index.ts`: the test kit for host apps.',
    '',
    ...testingExports.map(describe),
  ].join('\n'),
);

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(reportPath, 'utf8');
  } catch {
    // A missing report is a stale one.
  }
  if (current !== report) {
    const before = new Set(current.split('\n'));
    const after = new Set(report.split('\n'));
    const removed = [...before].filter((line) => !after.has(line)).slice(0, 40);
    const added = [...after].filter((line) => !before.has(line)).slice(0, 40);
    console.error(
      'The public API of @signoff/auth-sessions changed. Review it, then run `node scripts/api-report.mjs` and commit libs/auth-sessions/etc/public-api.md.',
    );
    for (const line of removed) console.error(`- ${line}`);
    for (const line of added) console.error(`+ ${line}`);
    process.exit(1);
  }
  console.log(`public API unchanged (${exports.length} exports, ${testingExports.length} in ./testing)`);
} else {
  writeFileSync(reportPath, report);
  console.log(`wrote ${reportPath} (${exports.length} exports, ${testingExports.length} in ./testing)`);
}
