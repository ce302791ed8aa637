import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/** XML in and out (S3's restXml and the awsQuery responses), through fast-xml-parser. */
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false });

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false, // keep "007" and "true" as the strings they were sent as
  trimValues: false,
  removeNSPrefix: true,
});

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** `{ Root: {...} }` → `<?xml…?><Root>…</Root>`. Arrays repeat their element; undefined is left out. */
export function toXml(document: Record<string, unknown>): string {
  return XML_DECLARATION + builder.build(document);
}

export function parseXml<T = Record<string, unknown>>(text: string): T {
  return parser.parse(text) as T;
}

/** An element that may appear once or many times, as an array. */
export function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}
