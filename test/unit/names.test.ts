import { describe, expect, it } from 'vitest';
import { decodeFsName, fsName } from '../../src/local/names.js';

const hostile = [
  '', '.', '..', '...', '../etc', 'a/b', 'a\\b', 'a\0b', '%2F', '%2f', 'a%2Fb', 'a/b'.normalize(), 'Orders', 'orders', 'ORDERS',
  'con', 'CON', 'nul.json', 'com1', 'lpt9.txt', 'trailing.', ' space ', '~', '^', 'a^b', 'été', 'e\u0301te', '日本語', '🚀',
  'x'.repeat(80), 'X'.repeat(512), 'é'.repeat(1024), '/'.repeat(2048), `${'a'.repeat(500)}1`, `${'a'.repeat(500)}2`,
];

describe('fsName: user-chosen names as file names', () => {
  it('gives one path component that cannot escape, hide or exceed a file system limit', () => {
    for (const name of hostile) {
      const out = fsName(name);
      expect(out).not.toMatch(/[/\\\0]/);
      expect(['.', '..']).not.toContain(out);
      expect(out.startsWith('.')).toBe(false);
      expect(out.endsWith('.')).toBe(false);
      expect(out).toBe(out.toLowerCase());
      expect(out).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/);
      expect(Buffer.byteLength(out)).toBeLessThanOrEqual(180);
    }
  });

  it('never maps two names to names a case-insensitive file system would confuse', () => {
    const seen = new Map<string, string>();
    for (const name of hostile) {
      const key = fsName(name).toLowerCase();
      expect(seen.get(key) ?? name, `${JSON.stringify(name)} collides`).toBe(name);
      seen.set(key, name);
    }
    expect(fsName('Orders')).toBe('^orders');
    expect(fsName('orders')).toBe('orders');
  });

  it('decodes what it encoded (short forms), and only that', () => {
    for (const name of hostile) {
      const out = fsName(name);
      if (out.includes('~') && name !== '') expect(decodeFsName(out)).toBeUndefined();
      else expect(decodeFsName(out)).toBe(name);
    }
    expect(decodeFsName('Orders')).toBeUndefined(); // not an output of fsName
    expect(decodeFsName('..')).toBeUndefined();
    expect(decodeFsName('%2F')).toBeUndefined();
  });
});
