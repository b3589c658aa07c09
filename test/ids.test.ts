import { describe, expect, it } from 'vitest';
import { newId } from '../src/ids.ts';

describe('newId', () => {
  it('is unique and sorts in creation order', () => {
    const ids = Array.from({ length: 5000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]).toMatch(/^[0-9a-v]{14}[0-9a-f]{8}$/);
  });
});
