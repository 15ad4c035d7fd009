/**
 * Import cycles between the project's own files, found on the graph of every
 * relative import (type-only ones included: a cycle of types is still two
 * modules that cannot be understood one without the other).
 */
import * as path from 'node:path';
import ts from 'typescript';

export type ImportGraph = ReadonlyMap<string, ReadonlyArray<string>>;

/** Each file's relative imports, as project-relative `.ts` paths. */
export const importGraph = (files: ReadonlyArray<string>, read: (file: string) => string): ImportGraph =>
  new Map(files.map((file) => [file, ts.preProcessFile(read(file), true, true).importedFiles
    .map((ref) => ref.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .map(
      (specifier) => path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, '.ts'),
    )]));

/**
 * The strongly connected components with more than one file, or a file that
 * imports itself (Tarjan's algorithm): each is at least one cycle.
 */
export const findCycles = (graph: ImportGraph): string[][] => {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter);
    counter++;
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    for (;;) {
      const member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
      if (member === file) break;
    }
    if (component.length > 1 || (graph.get(file) ?? []).includes(file)) cycles.push(component.sort());
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file);
  return cycles;
};
