import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { terminalStyle } from '../../../src/cli/format/style.js';

describe('terminal style', () => {
  it('colours one string per call, even when used as a map callback (value, index, array)', async () => {
    const style = await terminalStyle({ isTTY: true } as NodeJS.WriteStream);
    const cells = ['KEY', 'SIZE'].map(style.dim);
    expect(cells.map((c) => stripVTControlCharacters(c))).toEqual(['KEY', 'SIZE']);
  });

  it('is plain without a terminal', async () => {
    const style = await terminalStyle({ isTTY: false } as NodeJS.WriteStream);
    expect(style.bold('x')).toBe('x');
  });
});
