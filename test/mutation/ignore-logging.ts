import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';

/**
 * A Stryker ignorer: mutants inside a call to the logger (`log.warn(…)`,
 * `d.log.error(…)`) are reported as Ignored, with this reason, instead of
 * being run. What such a mutant changes is the wording or the fields of a log
 * line: nothing stored, sent or answered. That a failure is logged at all is
 * still under test: removing the call (an emptied block, a dropped catch) is
 * a mutant of the code around it, which this does not ignore.
 */
const levels = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

interface Node {
  type: string;
  name?: string;
  callee?: Node;
  object?: Node;
  property?: Node;
}

const isLogger = (n: Node | undefined): boolean =>
  (n?.type === 'Identifier' && n.name === 'log') ||
  (n?.type === 'MemberExpression' && n.property?.type === 'Identifier' && n.property.name === 'log');

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'logging', {
    shouldIgnore(path: { node: Node }) {
      const { node } = path;
      if (node.type !== 'CallExpression' || node.callee?.type !== 'MemberExpression') return undefined;
      const { object, property } = node.callee;
      if (property?.type !== 'Identifier' || !levels.has(property.name ?? '') || !isLogger(object)) return undefined;
      return 'log line wording and fields: nothing stored, sent or answered changes (see test/mutation/REVIEW.md)';
    },
  }),
];
