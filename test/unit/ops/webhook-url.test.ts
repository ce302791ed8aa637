import { describe, expect, it } from 'vitest';
import { rememberedSettings, settingsTags } from '../../../src/ops/settings.js';
import { decodeTagValue, encodeTagValue, parseWebhookUrl } from '../../../src/ops/webhook-url.js';

// CloudFormation's rule for tag values.
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

describe('the webhook URL as a deploy setting', () => {
  it('is remembered through a tag value that CloudFormation accepts, and read back exactly', () => {
    for (const url of ['https://h.example/hook', 'https://h.example/a?x=1&y=%20z~', 'http://127.0.0.1:9000/', 'https://h.example/ü/=?a=b#frag']) {
      const tags = settingsTags({ webhookUrl: url });
      expect(tags['tap:webhook-url']).toMatch(TAG_VALUE);
      expect(rememberedSettings(tags).webhookUrl).toBe(url);
    }
  });

  it('keeps the readable characters of a URL as they are', () => {
    expect(encodeTagValue('https://h.example/path-1_a.b')).toBe('https://h.example/path-1_a.b');
    expect(encodeTagValue('a?b&c=d')).toBe('a=3Fb=26c=3Dd');
    expect(decodeTagValue('a=3Fb=26c=3Dd')).toBe('a?b&c=d');
  });

  it('refuses what is not an http(s) URL, credentials in it, and one too long to remember, saying what to do', () => {
    expect(() => parseWebhookUrl('not a url')).toThrow(/absolute http:\/\/ or https:\/\/ URL.*--webhook-url ''/);
    expect(() => parseWebhookUrl('ftp://h.example/x')).toThrow(/https:\/\//);
    expect(() => parseWebhookUrl('https://user:pw@h.example/x')).toThrow(/user name or password/);
    expect(() => parseWebhookUrl(`https://h.example/?${'%'.repeat(100)}`)).toThrow(/too long.*at most 256/);
    expect(parseWebhookUrl('https://h.example/x?a=1')).toBe('https://h.example/x?a=1');
  });

  it('attempts and interval are remembered as numbers; a damaged tag is ignored', () => {
    expect(rememberedSettings(settingsTags({ deliveryAttempts: 4, deliveryInterval: 2 }))).toEqual({ deliveryAttempts: 4, deliveryInterval: 2 });
    expect(rememberedSettings({ 'tap:delivery-attempts': 'x' })).toEqual({});
  });
});
