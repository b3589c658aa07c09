import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/registry.ts';
import { loadConfig } from '../../src/cli/load-config.ts';
import { main } from '../../src/cli/main.ts';

/** `touchpoint flows graph --html`: the owner's page of every flow, opened in real Chromium. */
describe('flows graph --html', () => {
  it('writes one page with every flow, showing the words customers read', async () => {
    mkdirSync('.tmp', { recursive: true });
    const file = resolve(join('.tmp', 'flows-page.html'));
    let output = '';
    const write = (s: string) => {
      output += s;
    };
    const code = await main(['flows', 'graph', '--html', file], {
      adapters,
      env: {},
      io: { stdout: write, stderr: write },
    });
    expect(code, output).toBe(0);
    const settings = loadConfig({ configDir: 'config', flowsDir: 'flows', adapters, env: {} });

    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(file).href);
      expect(await page.locator('section h2').allTextContents()).toEqual(settings.flows.map((f) => f.id));
      // the product flow's question, in its own words rather than the template id `product_topics`
      const product = page.locator('section#product svg');
      await expect(product.textContent()).resolves.toContain('“Happy to help.');
      await expect(product.textContent()).resolves.not.toContain('product_topics');
      expect(await page.locator('section svg').count()).toBe(settings.flows.length);
      await page.screenshot({ path: '.tmp/flows-page.png', fullPage: false });
      await page.locator('section#product').screenshot({ path: '.tmp/flows-page-product.png' });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
