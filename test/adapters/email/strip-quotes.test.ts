import { describe, expect, it } from 'vitest';
import { stripQuoted } from '../../../adapters/email/inbound/strip-quotes.ts';

describe('stripQuoted', () => {
  it('cuts at an "On … wrote:" line, also when the client wrapped it', () => {
    expect(
      stripQuoted('Yes please.\n\nOn Mon, 5 Jan 2026 at 09:00, Shop <s@shop.test> wrote:\n> Do you want it?'),
    ).toBe('Yes please.');
    expect(stripQuoted('Yes.\n\nOn Mon, 5 Jan 2026 at 09:00, Shop Support <\nsupport@shop.test> wrote:\n\n> Hi')).toBe(
      'Yes.',
    );
  });

  it('knows reply headers in other languages', () => {
    expect(stripQuoted('Danke!\n\nAm 05.01.2026 um 09:00 schrieb Shop <s@shop.test>:\n> Hallo')).toBe('Danke!');
    expect(stripQuoted('Merci\n\nLe lun. 5 janv. 2026 à 09:00, Shop <s@shop.test> a écrit :\n> Bonjour')).toBe('Merci');
    expect(stripQuoted('Gracias\n\nEl lun, 5 ene 2026 a las 9:00, Shop escribió:\n> Hola')).toBe('Gracias');
  });

  it('cuts Outlook’s quoted header block and original-message separators', () => {
    const outlook =
      'Fine by me.\n\n________________________________\nFrom: Shop Support <support@shop.test>\nSent: Monday, January 5, 2026 9:00 AM\nTo: Carla\nSubject: Your order\n\nHello';
    expect(stripQuoted(outlook)).toBe('Fine by me.');
    const bare = 'Ok.\n\nFrom: Shop Support <support@shop.test>\nSent: Monday\nTo: Carla\nSubject: Re: order\n\nHello';
    expect(stripQuoted(bare)).toBe('Ok.');
    expect(stripQuoted('Ok.\n-----Original Message-----\nFrom: x\nold')).toBe('Ok.');
  });

  it('drops quoted lines of an inline reply but keeps the answers between them', () => {
    expect(stripQuoted('> Which size?\nLarge.\n> Which colour?\nBlue.')).toBe('Large.\nBlue.');
  });

  it('removes a signature after "-- " and mobile tag lines', () => {
    expect(stripQuoted('See you.\n\n-- \nCarla Customer\n+44 20 7946 0000')).toBe('See you.');
    expect(stripQuoted('On my way.\n\nSent from my iPhone')).toBe('On my way.');
  });

  it('keeps a "--" line followed by a long text: that is content, not a signature', () => {
    const long = `Intro\n--\n${Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n')}`;
    expect(stripQuoted(long)).toBe(long);
  });

  it('keeps forwarded messages and sentences that merely mention writing', () => {
    const fwd = 'Please look at this:\n\n---------- Forwarded message ---------\nFrom: Bank\nYour card expires.';
    expect(stripQuoted(fwd)).toBe(fwd);
    expect(stripQuoted('On Monday I wrote to you about my order.')).toBe('On Monday I wrote to you about my order.');
  });

  it('returns an empty string when everything was quoted', () => {
    expect(stripQuoted('> only a quote\n> nothing else')).toBe('');
  });
});
