import { createKnowledgeSearch } from '../knowledge/search.ts';
import { helpOption, jsonOption, parseCommand, UsageError } from './args.ts';
import { type Command, configOptions } from './context.ts';
import { loadConfig } from './load-config.ts';
import { excerpt, table } from './output.ts';

const usage = `Usage: touchpoint knowledge search QUESTION… [--limit 5] [--json]

Searches the knowledge base (config/knowledge.yaml and its folder of Markdown articles) as the
router does: each match with its score, and whether a customer would be offered it (a keyword
or pattern matched, or the score reaches search.minScore). Use it to tune minScore.

Options:
  --limit N        matches shown at most (default 5)
  --config DIR     config folder (default config)
  --json           print JSON`;

export const knowledgeCommand: Command = {
  usage,
  async run(args, ctx) {
    const { values, positionals, help } = parseCommand(
      args,
      { ...helpOption, ...jsonOption, ...configOptions, limit: { type: 'string', default: '5' } },
      usage,
      { min: 2, max: Number.POSITIVE_INFINITY },
    );
    if (help) {
      ctx.out.help(usage);
      return 0;
    }
    const [sub, ...words] = positionals;
    if (sub !== 'search') throw new UsageError(`unknown subcommand "${sub}"`, usage);
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a whole number above 0', usage);
    const settings = loadConfig({
      configDir: values.config,
      flowsDir: values.flows,
      adapters: ctx.adapters,
      env: ctx.env,
    });
    const { knowledge, articles } = settings.policies;
    const kb = createKnowledgeSearch(knowledge, articles);
    const question = words.join(' ');
    const offered = new Set(kb.answer(question, limit).map((h) => h.id));
    const matches = kb.search(question, limit).map((h) => ({ ...h, offered: offered.has(h.id) }));
    ctx.out.result({ question, minScore: knowledge.search.minScore, matches }, () =>
      matches.length === 0
        ? [`nothing in the knowledge base matches (${kb.size} entries)`]
        : table(
            ['id', 'score', 'offered', 'title', 'answer'],
            matches.map((m) => [m.id, m.score.toFixed(2), m.offered ? 'yes' : 'no', m.title, excerpt(m.answer, 50)]),
          ),
    );
    return 0;
  },
};
