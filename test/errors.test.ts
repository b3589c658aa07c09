import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ClientGone, ErrorCode, SendError, TemplateMissing, TouchpointError } from '../src/errors.ts';

const root = resolve(import.meta.dirname, '..');

let parsed: ts.SourceFile[] | undefined;

function sourceFiles(): ts.SourceFile[] {
  parsed ??= ['src', 'adapters'].flatMap((dir) =>
    readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => {
        const file = join(e.parentPath, e.name);
        return ts.createSourceFile(relative(root, file), readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      }),
  );
  return parsed;
}

/** Walks every node but the `ErrorCode` list itself, so a code counts as used only where it is raised or matched. */
function visit(file: ts.SourceFile, fn: (node: ts.Node) => void): void {
  const walk = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && node.name.getText(file) === 'ErrorCode') return;
    fn(node);
    ts.forEachChild(node, walk);
  };
  walk(file);
}

describe('the error code list', () => {
  const codes = Object.values(ErrorCode);

  it('gives every code once', () => {
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('has no code that nothing raises', () => {
    const used = new Set<string>();
    for (const file of sourceFiles()) {
      visit(file, (node) => {
        if (ts.isStringLiteral(node)) used.add(node.text);
        if (ts.isPropertyAccessExpression(node) && node.expression.getText(file) === 'ErrorCode') {
          used.add(ErrorCode[node.name.text as keyof typeof ErrorCode]);
        }
      });
    }
    expect(codes.filter((c) => !used.has(c))).toEqual([]);
  });

  it('leaves no error class outside the taxonomy', () => {
    const stray: string[] = [];
    for (const file of sourceFiles()) {
      visit(file, (node) => {
        if (!ts.isClassLike(node)) return;
        const base = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
        if (base?.expression.getText(file) === 'Error' && node.name?.text !== 'TouchpointError') {
          stray.push(`${file.fileName}: ${node.name?.text}`);
        }
      });
    }
    expect(stray).toEqual([]);
  });

  it('names each send failure and the errors that were once outside it', () => {
    expect(new SendError('transient', 'x').code).toBe('send_transient');
    expect(new SendError('permanent', 'x').code).toBe('send_permanent');
    expect(new SendError('rate_limited', 'x').code).toBe('send_rate_limited');
    for (const [err, code] of [
      [new ClientGone('x'), 'client_gone'],
      [new TemplateMissing('x'), 'template_missing'],
    ] as const) {
      expect(err).toBeInstanceOf(TouchpointError);
      expect(err.code).toBe(code);
      expect(err.name).toBe(err.constructor.name);
    }
  });
});
