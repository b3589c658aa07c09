import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKnowledgeSearch } from '../../src/knowledge/search.ts';
import { readArticle, readArticles } from '../../src/settings/knowledge-articles.ts';
import { knowledgeFile } from '../../src/settings/policy-schema.ts';

describe('knowledge articles', () => {
  it('takes the title from the first heading, the answer from the first paragraph and the link from baseUrl', () => {
    const read = readArticle(
      '/kb/gift-cards.md',
      '# Gift *cards*\n\nSold at the [counter](https://x.test/c) and online.\nValid 12 months.\n\n## Spending\n\nOver several visits.\n',
      'https://help.example/kb/',
    );
    expect(read).toEqual({
      article: {
        id: 'gift-cards',
        file: '/kb/gift-cards.md',
        title: 'Gift cards',
        keywords: [],
        answer: 'Sold at the counter and online. Valid 12 months.',
        text: 'Sold at the counter and online. Valid 12 months.\nSpending\nOver several visits.',
        url: 'https://help.example/kb/gift-cards',
      },
    });
  });

  it('reads front matter: title, keywords, answer and url win over what the text says', () => {
    const read = readArticle(
      '/kb/dogs.md',
      '---\ntitle: Pets\nkeywords: [dog, puppy]\nanswer: Dogs on a lead are welcome.\nurl: https://x.test/pets\n---\n# Dogs\n\nLong text.\n',
      undefined,
    );
    expect(read).toMatchObject({
      article: {
        title: 'Pets',
        keywords: ['dog', 'puppy'],
        answer: 'Dogs on a lead are welcome.',
        url: 'https://x.test/pets',
      },
    });
  });

  it('reports a broken article with its file, line and the fix, and keeps reading the others', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tp-kb-'));
    await writeFile(join(dir, 'good.md'), '# Good\n\nText.\n');
    await writeFile(join(dir, 'open.md'), '---\ntitle: never closed\n# Heading\n');
    await writeFile(join(dir, 'typo.md'), '---\nkeyword: [x]\n---\nText.\n');
    await writeFile(join(dir, 'notes.txt'), 'not an article');
    const { articles, problems } = readArticles(dir, undefined);
    expect(articles.map((a) => a.id)).toEqual(['good']);
    expect(problems).toEqual([
      expect.objectContaining({ file: join(dir, 'open.md'), line: 1, message: expect.stringMatching(/closing `---`/) }),
      expect.objectContaining({ file: join(dir, 'typo.md'), line: 2, fix: expect.stringMatching(/keywords/) }),
    ]);
    expect(readArticles(join(dir, 'absent'), undefined)).toEqual({ articles: [], problems: [] });
  });

  it('lets a configured keyword pin an answer even when the search alone scores it low', () => {
    const settings = knowledgeFile.parse({
      answers: { hours: { keywords: ['open'], answer: 'We open at 8.' } },
      search: { minScore: 1000 },
    });
    const kb = createKnowledgeSearch(settings, []);
    expect(kb.answer('are you open?', 2).map((h) => h.id)).toEqual(['hours']);
    expect(kb.answer('are you there?', 2)).toEqual([]);
  });
});
