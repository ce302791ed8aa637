import { describe, expect, it } from 'vitest';
import { extensionOf, INPUT_EXTENSIONS, INPUT_FORMATS, inputFormatOf, listInputExtensions } from '../../../src/handlers/contract.js';
import { FileFormatError } from '../../../src/handlers/errors.js';
import { formatOf } from '../../../src/handlers/parse/index.js';
import { contentType } from '../../../src/ops/upload-file.js';
import { isReadableFormat } from '../../../src/ops/upload-inputs.js';

// One list (the contract's INPUT_FORMATS); the parser, the upload checks and the content types follow it.
describe('the supported input formats', () => {
  const names = ['a.json', 'b.NDJSON', 'dir/c.jsonl', 'd.csv', 'e.log', 'f.Txt', 'g.xml', 'h', '.csv', 'dir.csv/i', 'j.csv.gz', 'k..json'];

  it('the parser and the upload check agree on every name', () => {
    for (const name of names) {
      const parsed = (() => {
        try {
          return formatOf(name);
        } catch (error) {
          expect(error).toBeInstanceOf(FileFormatError);
          return undefined;
        }
      })();
      expect(isReadableFormat(name), name).toBe(parsed !== undefined);
      expect(parsed, name).toBe(inputFormatOf(name)?.format);
    }
  });

  it('maps each extension to its format and content type, case-insensitively', () => {
    expect(formatOf('x.JSONL')).toBe('ndjson');
    expect(formatOf('x.txt')).toBe('log');
    expect(contentType('incoming/x.CSV')).toBe('text/csv');
    expect(contentType('x.xml')).toBe('application/octet-stream');
    for (const extension of INPUT_EXTENSIONS) expect(contentType(`f${extension}`)).toBe(INPUT_FORMATS[extension].contentType);
  });

  it('names every extension in its messages', () => {
    expect(listInputExtensions()).toBe('.json, .ndjson, .jsonl, .csv, .log or .txt');
    expect(listInputExtensions('and')).toMatch(/, \.log and \.txt$/);
    expect(() => formatOf('a.xml')).toThrow(`unsupported file type .xml; use ${listInputExtensions()}`);
    expect(() => formatOf('noext')).toThrow('(no extension)');
  });

  it('reads the extension of the last segment only, not a leading dot', () => {
    expect(extensionOf('a.b/c')).toBeUndefined();
    expect(extensionOf('.csv')).toBeUndefined();
    expect(extensionOf('x/y.CSV')).toBe('.CSV');
  });
});
