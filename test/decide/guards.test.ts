import { describe, expect, it } from 'vitest';
import { consentStep } from '../../src/decide/consent.ts';
import type { RouteContext, RouteStep } from '../../src/decide/context.ts';
import { agentOwnsGuard, autoReplyGuard, loopGuard, optOutGuard, recordAutoReplies } from '../../src/decide/guards.ts';
import { templatesFile } from '../../src/settings/schema.ts';
import { testSettings } from '../support/settings.ts';
import { context, T0 } from './context.ts';

/** Runs one step; true when it went on to the next. */
async function goesOn(step: RouteStep, ctx: RouteContext): Promise<boolean> {
  let went = false;
  await step(ctx, async () => {
    went = true;
  });
  return went;
}

describe('carrier keywords (consent)', () => {
  it('STOP records the opt-out of this channel once, keeps the others, and answers nothing', async () => {
    const ctx = context({ flags: { optOut: 'stop' } }, { optOuts: ['sms'] });
    expect(await goesOn(consentStep, ctx)).toBe(false);
    expect(ctx.contactPatch.optOuts).toEqual(['sms', 'webchat']);
    expect(ctx.silence).toBe('opted out of webchat');
    expect(ctx.replies).toEqual([]);

    const again = context({ flags: { optOut: 'stop' } }, { optOuts: ['webchat'] });
    expect(await goesOn(consentStep, again)).toBe(false);
    expect(again.contactPatch.optOuts).toBeUndefined();
    expect(again.silence).toBe('opted out of webchat');
  });

  it('START removes the opt-out of this channel only, and answers nothing', async () => {
    const ctx = context({ flags: { optOut: 'start' } }, { optOuts: ['sms', 'webchat'] });
    expect(await goesOn(consentStep, ctx)).toBe(false);
    expect(ctx.contactPatch.optOuts).toEqual(['sms']);
    expect(ctx.silence).toBe('opted back in to webchat');
    expect(ctx.replies).toEqual([]);
  });

  it('HELP answers with the built-in help naming the business when there is no help template', async () => {
    const ctx = context({ flags: { optOut: 'help' } });
    expect(await goesOn(consentStep, ctx)).toBe(false);
    expect(ctx.replies).toEqual([
      {
        text: 'Reply STOP to stop messages from Test Shop, START to receive them again. Write your question and we will answer.',
        templateId: 'help',
        author: 'system',
      },
    ]);
    expect(ctx.silence).toBe('help keyword answered');
    expect(ctx.contactPatch.optOuts).toBeUndefined();
  });

  it('HELP answers from the help template, in the contact’s language', async () => {
    const settings = testSettings();
    settings.templates = templatesFile.parse({
      templates: { help: { text: 'Help from {business}, {name|friend}', languages: { fr: 'Aide de {business}' } } },
    }).templates;
    const ctx = context({ flags: { optOut: 'help' } }, { name: 'Ann' }, { settings });
    await consentStep(ctx, async () => {});
    expect(ctx.replies.map((r) => r.text)).toEqual(['Help from Test Shop, Ann']);
    const fr = context({ flags: { optOut: 'help' } }, { language: 'fr' }, { settings });
    await consentStep(fr, async () => {});
    expect(fr.replies.map((r) => r.text)).toEqual(['Aide de Test Shop']);
  });

  it('a message without a carrier keyword goes on untouched', async () => {
    const ctx = context({ text: 'stop by tomorrow?' }, { optOuts: [] });
    expect(await goesOn(consentStep, ctx)).toBe(true);
    expect(ctx.silence).toBeNull();
    expect(ctx.contactPatch).toEqual({});
  });
});

describe('guards that keep the bot quiet', () => {
  it('never answers an auto-reply or a bounce, and says which', async () => {
    const auto = context({ flags: { autoReply: true } });
    expect(await goesOn(autoReplyGuard, auto)).toBe(false);
    expect(auto.silence).toBe('auto-reply');
    const bounce = context({ flags: { bounce: true } });
    expect(await goesOn(autoReplyGuard, bounce)).toBe(false);
    expect(bounce.silence).toBe('bounce');
    const person = context({ flags: {} });
    expect(await goesOn(autoReplyGuard, person)).toBe(true);
    expect(person.silence).toBeNull();
  });

  it('keeps quiet for a contact opted out of this channel, not one opted out of another', async () => {
    const out = context({}, { optOuts: ['webchat'] });
    expect(await goesOn(optOutGuard, out)).toBe(false);
    expect(out.silence).toBe('opted out');
    const elsewhere = context({}, { optOuts: ['sms'] });
    expect(await goesOn(optOutGuard, elsewhere)).toBe(true);
  });

  it('keeps quiet once a person has the conversation, or a handoff is under way', async () => {
    const assigned = context({}, {}, { conversation: { assignee: 'U1' } });
    expect(await goesOn(agentOwnsGuard, assigned)).toBe(false);
    expect(assigned.silence).toBe('agent handles');
    const handingOff = context({}, {}, { conversation: { flowState: { handoff: true } } });
    expect(await goesOn(agentOwnsGuard, handingOff)).toBe(false);
    expect(await goesOn(agentOwnsGuard, context())).toBe(true);
  });

  it('silences the bot after max automatic replies inside the window, forgetting older ones', async () => {
    const guard = loopGuard(3, 60_000);
    const recent = [T0 - 59_999, T0 - 30_000, T0 - 1];
    const looping = context({}, {}, { conversation: { flowState: { autoReplies: recent } } });
    expect(await goesOn(guard, looping)).toBe(false);
    expect(looping.silence).toBe('loop guard');

    // One of the three is exactly a window old: it no longer counts, and is dropped from the state.
    const older = [T0 - 60_000, T0 - 30_000, T0 - 1];
    const calm = context({}, {}, { conversation: { flowState: { autoReplies: older, step: 2 } } });
    expect(await goesOn(guard, calm)).toBe(true);
    expect(calm.patch.flowState).toEqual({ autoReplies: [T0 - 30_000, T0 - 1], step: 2 });
    expect(calm.silence).toBeNull();
  });

  it('by default allows 20 automatic replies in 10 minutes', async () => {
    const twenty = Array.from({ length: 20 }, (_, i) => T0 - 599_000 + i);
    const ctx = context({}, {}, { conversation: { flowState: { autoReplies: twenty } } });
    expect(await goesOn(loopGuard(), ctx)).toBe(false);
    const nineteen = context({}, {}, { conversation: { flowState: { autoReplies: twenty.slice(1) } } });
    expect(await goesOn(loopGuard(), nineteen)).toBe(true);
  });

  it('counts each automatic reply of a decision at its time, and nothing when there is none', () => {
    const ctx = context({}, {}, { conversation: { flowState: { autoReplies: [T0 - 5], step: 1 } } });
    recordAutoReplies(ctx);
    expect(ctx.patch.flowState).toBeUndefined();
    ctx.replies.push({ text: 'a', author: 'bot' }, { text: 'b', author: 'bot' });
    recordAutoReplies(ctx);
    expect(ctx.patch.flowState).toEqual({ autoReplies: [T0 - 5, T0, T0], step: 1 });
  });
});
