/**
 * The dependency rule of ARCHITECTURE.md as code. Reads each file's imports with
 * `ts.preProcessFile` and scans identifiers with the TypeScript scanner, so
 * comments and strings never trigger a false alarm.
 */
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import ts from 'typescript';

export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly rule: string;
}

export type Layer = 'domain' | 'ports' | 'application' | 'adapters' | 'examples' | 'other';

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const BANNED_GLOBALS = new Set([
  'Date', 'performance', 'crypto', 'setTimeout', 'setInterval', 'setImmediate', 'process', 'Buffer', 'require',
]);
const PUBLIC_ENTRIES = [
  'adapters/composition/index.ts', 'adapters/composition/internals.ts', 'adapters/sim/index.ts', 'domain/sip/index.ts',
  'domain/sdp/index.ts', 'domain/media/index.ts',
];

export const layerOf = (relativeFile: string): Layer => {
  const top = relativeFile.split('/')[0];
  switch (top) {
    case 'domain': case 'ports': case 'application': case 'adapters': case 'examples': return top;
    default: return 'other';
  }
};

/** Resolves an import specifier to a project-relative path ('' for packages). */
const resolveRelative = (relativeFile: string, specifier: string): string =>
  specifier.startsWith('.')
    ? path.posix.normalize(path.posix.join(path.posix.dirname(relativeFile), specifier)).replace(/\.js$/, '.ts')
    : '';

const packageName = (specifier: string): string => {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
};

const importRule = (file: string, specifier: string): string | undefined => {
  const layer = layerOf(file);
  const target = resolveRelative(file, specifier);
  const targetLayer = target === '' ? undefined : layerOf(target);
  const pkg = target === '' ? packageName(specifier) : undefined;
  if (pkg !== undefined && BUILTINS.has(specifier) && (
    layer === 'domain' || layer === 'application' || layer === 'ports'
  )) {
    return `${layer}/ must not import the Node builtin '${specifier}'`;
  }
  switch (layer) {
    case 'domain':
      // Barrels hide cycles: inside domain/, import from the defining file (domain/*/index.ts are public entries only).
      if (target.endsWith('/index.ts')) return `domain/ must import from the defining file, not the public entry '${specifier}'`;
      if (pkg !== undefined && pkg !== 'fp-ts') return `domain/ may import only domain/ and fp-ts, not '${specifier}'`;
      if (targetLayer !== undefined && targetLayer !== 'domain') return `domain/ may import only domain/ and fp-ts, not '${specifier}'`;
      return undefined;
    case 'ports':
      if (pkg !== undefined && pkg !== 'fp-ts') return `ports/ may import only domain/, ports/ and fp-ts, not '${specifier}'`;
      if (targetLayer !== undefined && targetLayer !== 'domain' && targetLayer !== 'ports') return `ports/ may import only domain/, ports/ and fp-ts, not '${specifier}'`;
      return undefined;
    case 'application':
      if (pkg !== undefined && pkg !== 'fp-ts' && pkg !== 'io-ts') return `application/ may import only domain/, ports/, fp-ts and io-ts, not '${specifier}'`;
      if (targetLayer === 'adapters' || targetLayer === 'examples') return `application/ must not import '${specifier}'`;
      return undefined;
    case 'adapters': {
      const own = file.split('/')[1];
      const other = target.split('/')[1];
      if (targetLayer === 'adapters' && own !== 'composition' && other !== own && other !== 'memory' && other !== 'shared') {
        return `adapters/${own}/ must not import another adapter's folder ('${specifier}')`;
      }
      return undefined;
    }
    case 'examples': {
      // Besides the public entries, examples share their own command-line helpers (examples/support/), and an
      // example made of several files (examples/cluster/) uses its own.
      const folder = file.split('/').slice(0, -1).join('/');
      const ownFolder = folder !== 'examples' && target.startsWith(`${folder}/`);
      if (targetLayer !== undefined && !PUBLIC_ENTRIES.includes(target) && !target.startsWith('examples/support/')
        && !ownFolder) {
        return `examples/ may import only the public entries, not '${specifier}'`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
};

const lineOf = (text: string, position: number): number => text.slice(0, position).split('\n').length;

interface Token {
  readonly kind: ts.SyntaxKind;
  readonly text: string;
  readonly start: number;
}

const tokenize = (text: string): Token[] => {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const tokens: Token[] = [];
  // Brace depth at each open `${`: the `}` that closes one resumes the template's text, which the
  // scanner only reads as such when asked to (otherwise its rest would be scanned as code).
  const templates: number[] = [];
  let depth = 0;
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind === ts.SyntaxKind.CloseBraceToken && templates[templates.length - 1] === depth) {
      kind = scanner.reScanTemplateToken(false);
      if (kind === ts.SyntaxKind.TemplateTail) templates.pop();
    } else if (kind === ts.SyntaxKind.OpenBraceToken) depth++;
    else if (kind === ts.SyntaxKind.CloseBraceToken) depth--;
    if (kind === ts.SyntaxKind.TemplateHead) templates.push(depth);
    tokens.push({ kind, text: scanner.getTokenText(), start: scanner.getTokenStart() });
  }
  return tokens;
};

/** Identifiers banned in the pure layers; property names (`x.process`, `{ process: 1 }`) are not uses. */
const globalUseViolations = (file: string, text: string): Violation[] => {
  const tokens = tokenize(text);
  const violations: Violation[] = [];
  const layer = layerOf(file);
  tokens.forEach((token, i) => {
    if (token.kind !== ts.SyntaxKind.Identifier) return;
    const previous = tokens[i - 1];
    const next = tokens[i + 1];
    const afterDot = previous?.kind === ts.SyntaxKind.DotToken || previous?.kind === ts.SyntaxKind.QuestionDotToken;
    const isKey = next?.kind === ts.SyntaxKind.ColonToken &&
      (previous?.kind === ts.SyntaxKind.OpenBraceToken || previous?.kind === ts.SyntaxKind.CommaToken);
    const line = lineOf(text, token.start);
    if (!afterDot && !isKey && BANNED_GLOBALS.has(token.text)) {
      violations.push({
        file, line, rule: `${layer}/ must not use '${token.text}' (time, randomness and I/O come through ports)`,
      });
    }
    if (afterDot && token.text === 'random' && tokens[i - 2]?.text === 'Math') {
      violations.push({ file, line, rule: `${layer}/ must not use 'Math.random' (use the Random port)` });
    }
  });
  return violations;
};

/** All violations of one file, given its path relative to the project root. */
export const checkFile = (file: string, text: string): Violation[] => {
  const info = ts.preProcessFile(text, true, true);
  const violations: Violation[] = [];
  for (const ref of info.importedFiles) {
    const rule = importRule(file, ref.fileName);
    if (rule !== undefined) violations.push({ file, line: lineOf(text, ref.pos), rule });
  }
  const layer = layerOf(file);
  if (layer === 'domain' || layer === 'application') violations.push(...globalUseViolations(file, text));
  return violations;
};

export const formatViolation = (v: Violation): string => `${v.file}:${v.line}: ${v.rule}`;
