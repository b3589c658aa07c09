import { describe, expect, it } from 'vitest';
import { newId, randomToken } from '../src/ids.ts';

describe('newId', () => {
  it('is unique and sorts in creation order', () => {
    const ids = Array.from({ length: 5000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]).toMatch(/^[0-9a-v]{14}[0-9a-f]{8}$/);
  });
});

describe('randomToken', () => {
  it('gives distinct base64url tokens of the asked size, across pool refills', () => {
    const tokens = Array.from({ length: 2000 }, () => randomToken(6));
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const t of tokens) expect(t).toMatch(/^[A-Za-z0-9_-]{8}$/);
  });
});
