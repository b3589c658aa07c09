import { describe, expect, it } from 'vitest';
import { issueRefOf, sameIssueUrl } from '../../src/bugs/issue-ref.ts';

/** How agents name an existing bug in the "Log a bug" modal: a number, or the issue's address. */
describe('issueRefOf', () => {
  it('reads a number, with or without #', () => {
    expect(issueRefOf('42')).toEqual({ key: '42', url: null });
    expect(issueRefOf('  #42 ')).toEqual({ key: '42', url: null });
  });

  it('reads GitHub and Redmine issue addresses, dropping query, fragment and a trailing slash', () => {
    expect(issueRefOf('https://github.com/harbour/shop/issues/7#issuecomment-1')).toEqual({
      key: '7',
      url: 'https://github.com/harbour/shop/issues/7',
    });
    expect(issueRefOf('https://redmine.example.com/issues/105/?tab=history')).toEqual({
      key: '105',
      url: 'https://redmine.example.com/issues/105',
    });
    expect(issueRefOf('https://redmine.example.com/issues/105.json')?.key).toBe('105');
  });

  it('refuses anything else', () => {
    for (const bad of [
      '',
      '#',
      'abc',
      '4 2',
      '1234567890123',
      'https://github.com/harbour/shop/pull/7',
      'ftp://x/issues/1',
      'javascript:alert(1)',
    ])
      expect(issueRefOf(bad), bad).toBeNull();
  });

  it('compares addresses without scheme or case, so a number links only within the configured repository', () => {
    expect(sameIssueUrl('http://GitHub.com/Harbour/Shop/issues/7/', 'https://github.com/harbour/shop/issues/7')).toBe(
      true,
    );
    expect(sameIssueUrl('https://github.com/other/repo/issues/7', 'https://github.com/harbour/shop/issues/7')).toBe(
      false,
    );
  });
});
