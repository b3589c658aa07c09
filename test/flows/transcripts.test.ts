import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTranscripts, readTranscript, runTranscriptFiles } from '../../src/testkit/transcript-files.ts';
import { runTranscript } from '../../src/testkit/transcript-run.ts';
import { exampleSettings } from '../flow-language/example.ts';

const settings = exampleSettings();
const files = findTranscripts(join(import.meta.dirname));

describe('flow transcripts (test/flows/*.yaml) against the example business', () => {
  it('finds transcripts', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  for (const file of files) {
    it(file.slice(file.lastIndexOf('/') + 1), async () => {
      const { transcript, problems, where } = readTranscript(file, {});
      expect(problems).toEqual([]);
      if (!transcript) throw new Error(`${file} is not a transcript`);
      const run = await runTranscript(settings, transcript, where);
      expect(run.failures).toEqual([]);
    });
  }

  it('run every shipped flow', async () => {
    const report = await runTranscriptFiles(settings, files, {});
    expect(report.problems).toEqual([]);
    expect(report.untested).toEqual([]);
  });
});
