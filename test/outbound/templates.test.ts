import { describe, expect, it } from 'vitest';
import { TemplateMissing } from '../../src/errors.ts';
import { fill, renderTemplate } from '../../src/outbound/templates.ts';
import { templatesFile } from '../../src/settings/schema.ts';

const templates = templatesFile.parse({
  templates: {
    hi: 'Hi {name|there}',
    price: {
      text: 'A loaf costs £4 at {business}.',
      channels: { sms: 'Loaf: £4', email: { text: 'Dear {name|customer}, a loaf costs £4.', subject: 'Our prices' } },
      languages: { de: 'Ein Brot kostet 4 £.' },
    },
    hours: {
      text: 'We open at 8.',
      channels: { sms: 'Open 8-17' },
      languages: { de: { text: 'Wir öffnen um 8 Uhr.', channels: { sms: 'Geöffnet 8-17 Uhr' } } },
    },
  },
}).templates;

describe('templates', () => {
  it('fills variables with fallbacks and never leaves braces', () => {
    expect(fill('Hi {name|there}, {unknown}!', { name: null })).toBe('Hi there, !');
    expect(fill('Hi {name|there}', { name: 'Ada' })).toBe('Hi Ada');
  });

  it('picks language, then channel, then the default text', () => {
    const ctx = { vars: { business: 'Crumb', name: 'Ada' } };
    expect(renderTemplate(templates, 'price', { ...ctx, channel: 'webchat', language: null }).text).toBe(
      'A loaf costs £4 at Crumb.',
    );
    expect(renderTemplate(templates, 'price', { ...ctx, channel: 'sms', language: 'en' }).text).toBe('Loaf: £4');
    expect(renderTemplate(templates, 'price', { ...ctx, channel: 'email', language: null })).toEqual({
      text: 'Dear Ada, a loaf costs £4.',
      subject: 'Our prices',
    });
    expect(renderTemplate(templates, 'price', { ...ctx, channel: 'sms', language: 'de' }).text).toBe(
      'Ein Brot kostet 4 £.',
    );
  });

  it('a language variant has channel variants of its own (German on SMS)', () => {
    const on = (channel: string, language: string | null) =>
      renderTemplate(templates, 'hours', { channel, language, vars: {} }).text;
    expect(on('sms', 'de')).toBe('Geöffnet 8-17 Uhr');
    expect(on('email', 'de')).toBe('Wir öffnen um 8 Uhr.');
    expect(on('sms', 'fr')).toBe('Open 8-17');
    expect(on('webchat', null)).toBe('We open at 8.');
  });

  it('names a missing template', () => {
    expect(() => renderTemplate(templates, 'nope', { channel: 'sms', language: null, vars: {} })).toThrow(
      TemplateMissing,
    );
  });
});
