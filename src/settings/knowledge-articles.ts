import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import type { ConfigProblem } from '../errors.ts';
import type { KnowledgeArticle } from './policy-schema.ts';

/**
 * The knowledge folder: one Markdown article per `.md` file. Optional front
 * matter (between `---` lines) gives `title`, `keywords`, `answer` (what a
 * customer is sent; else the first paragraph) and `url`; without a title the
 * first `# heading` is used, else the file name.
 */

const frontMatter = z
  .object({
    title: z.string().min(1).optional(),
    keywords: z.array(z.string().min(1)).default([]),
    answer: z.string().min(1).optional(),
    url: z.string().url().optional(),
  })
  .strict();

const MAX_ANSWER = 600;
const FENCE = '---';

export function readArticles(
  folder: string,
  baseUrl: string | undefined,
): { articles: KnowledgeArticle[]; problems: ConfigProblem[] } {
  if (!existsSync(folder)) return { articles: [], problems: [] };
  const articles: KnowledgeArticle[] = [];
  const problems: ConfigProblem[] = [];
  const files = readdirSync(folder)
    .filter((f) => f.endsWith('.md'))
    .sort();
  for (const name of files) {
    const file = join(folder, name);
    const read = readArticle(file, readFileSync(file, 'utf8'), baseUrl);
    if ('problem' in read) problems.push(read.problem);
    else articles.push(read.article);
  }
  return { articles, problems };
}

export function readArticle(
  file: string,
  source: string,
  baseUrl: string | undefined,
): { article: KnowledgeArticle } | { problem: ConfigProblem } {
  const lines = source.replaceAll('\r\n', '\n').split('\n');
  let meta: unknown = {};
  let body = lines;
  if (lines[0]?.trim() === FENCE) {
    const end = lines.indexOf(FENCE, 1);
    if (end < 0)
      return { problem: problem(file, 1, 'the front matter has no closing `---`', 'end it with a `---` line') };
    try {
      meta = parse(lines.slice(1, end).join('\n')) ?? {};
    } catch (err) {
      return { problem: problem(file, 2, `the front matter is not YAML: ${(err as Error).message}`, 'fix the YAML') };
    }
    body = lines.slice(end + 1);
  }
  const checked = frontMatter.safeParse(meta);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const where = issue?.path.join('.') || 'front matter';
    return {
      problem: problem(file, 2, `${where}: ${issue?.message}`, 'use title, keywords (a list), answer and url'),
    };
  }
  const m = checked.data;
  const heading = body.find((l) => l.startsWith('# '));
  const paragraphs = splitParagraphs(body.filter((l) => l !== heading));
  const id = basename(file, '.md');
  const title = m.title ?? (heading ? plain(heading.slice(2)) : id.replaceAll('-', ' '));
  const answer = m.answer ?? paragraphs[0] ?? title;
  if (paragraphs.length === 0 && !m.answer)
    return { problem: problem(file, 1, 'the article has no text', 'write at least one paragraph under the title') };
  return {
    article: {
      id,
      file,
      title,
      keywords: m.keywords,
      answer: answer.length > MAX_ANSWER ? `${answer.slice(0, MAX_ANSWER - 1).trimEnd()}…` : answer,
      text: paragraphs.join('\n'),
      url: m.url ?? (baseUrl ? `${baseUrl.replace(/\/$/, '')}/${id}` : null),
    },
  };
}

const problem = (file: string, line: number, message: string, fix: string): ConfigProblem => ({
  file,
  line,
  message,
  fix,
});

/** Paragraphs (runs of non-blank lines) as plain text; headings become their own paragraph. */
function splitParagraphs(lines: string[]): string[] {
  const out: string[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length > 0) out.push(plain(run.join(' ')));
    run = [];
  };
  for (const line of lines) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) {
      flush();
      if (t.startsWith('#')) out.push(plain(t.replace(/^#+\s*/, '')));
      continue;
    }
    run.push(t.replace(/^([-*+]|\d+\.)\s+/, ''));
  }
  flush();
  return out.filter((p) => p.length > 0);
}

/** Markdown emphasis and links as the words a reader sees. */
function plain(md: string): string {
  return md
    .replace(/!?\[([^\]]*)\]\([^)\s]*\)/g, '$1')
    .replace(/[*_`]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
