import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/ops/errors.js';
import { closestKeys, incomingKey, normalizePrefix, uploadKey } from '../../../src/ops/keys.js';

describe('incomingKey', () => {
  it.each([
    ['shipments.json', 'incoming/shipments.json'],
    ['incoming/shipments.json', 'incoming/shipments.json'],
    ['/incoming/a/b.csv', 'incoming/a/b.csv'],
    ['s3://tap-dev-uploads/incoming/a b.json', 'incoming/a b.json'],
    ['2026/01/feed.csv', 'incoming/2026/01/feed.csv'],
  ])('%s → %s', (input, key) => expect(incomingKey(input)).toBe(key));

  it.each(['', '  ', 'incoming/', 'folder/'])('rejects %j: not a file key', (input) => {
    expect(() => incomingKey(input)).toThrow(UserError);
  });
});

describe('upload keys', () => {
  it('puts files under incoming/, with the prefix as folders', () => {
    expect(uploadKey('', 'a.json')).toBe('incoming/a.json');
    expect(uploadKey('2026/01', 'a.json')).toBe('incoming/2026/01/a.json');
    expect(uploadKey('/2026/01/', 'a.json')).toBe('incoming/2026/01/a.json');
    expect(uploadKey('incoming/x', 'a.json')).toBe('incoming/x/a.json');
    expect(uploadKey('incoming', 'a.json')).toBe('incoming/a.json');
  });

  it.each(['a//b', '../etc', 'a/./b'])('rejects the prefix %j', (prefix) => {
    expect(() => normalizePrefix(prefix)).toThrow(/--prefix/);
  });
});

describe('closest keys', () => {
  it('suggests by edit distance (fastest-levenshtein), within half the typed length', () => {
    // kitten → sitting is 3 edits: within half of 14 characters, so suggested; "zzz" is too far.
    expect(closestKeys('incoming/kitten.json', ['incoming/sitting.json', 'incoming/zzz.csv'])).toEqual(['incoming/sitting.json']);
  });

  const existing = ['incoming/shipments.json', 'incoming/shipments-2.json', 'incoming/returns.csv', 'incoming/2026/01/shipments.json', 'incoming/zzz.log'];

  it('suggests typos first, nearest first', () => {
    expect(closestKeys('incoming/shipmnts.json', existing)[0]).toBe('incoming/shipments.json');
  });

  it('finds the file in another folder by its name', () => {
    expect(closestKeys('incoming/01/shipments.json', existing)).toContain('incoming/2026/01/shipments.json');
  });

  it('is case-insensitive and never suggests the key itself', () => {
    expect(closestKeys('incoming/RETURNS.csv', existing)).toEqual(['incoming/returns.csv']);
    expect(closestKeys('incoming/returns.csv', existing)).not.toContain('incoming/returns.csv');
  });

  it('suggests nothing far away, and at most `count`', () => {
    expect(closestKeys('incoming/completely-different-name.xml', existing)).toEqual([]);
    expect(closestKeys('incoming/shipments.json', existing, 2)).toHaveLength(2);
  });
});
