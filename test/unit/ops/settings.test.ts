import { describe, expect, it } from 'vitest';
import { describeReused, isGuarded, rememberedSettings, resolveSettings, settingsTags } from '../../../src/ops/settings.js';

describe('deploy settings remembered as stack tags', () => {
  it('round-trips through tags; unknown and malformed tags are ignored', () => {
    const tags = settingsTags({ alarmEmail: 'ops@example.com', protected: true });
    expect(tags).toEqual({ 'tap:alarm-email': 'ops@example.com', 'tap:protected': 'true' });
    expect(rememberedSettings({ ...tags, Project: 'tap' })).toEqual({ alarmEmail: 'ops@example.com', protected: true });
    expect(rememberedSettings({ 'tap:protected': 'yes', 'tap:alarm-email': '' })).toEqual({});
    expect(settingsTags({})).toEqual({});
  });

  it('not given: reused; given: changed; null: cleared', () => {
    const remembered = { alarmEmail: 'a@example.com', protected: true } as const;
    expect(resolveSettings(remembered, {})).toEqual({ settings: remembered, reused: ['alarmEmail', 'protected'], changed: [] });
    expect(resolveSettings(remembered, { alarmEmail: 'b@example.com' })).toEqual({ settings: { alarmEmail: 'b@example.com', protected: true }, reused: ['protected'], changed: ['alarmEmail'] });
    expect(resolveSettings(remembered, { alarmEmail: null, protected: null })).toEqual({ settings: {}, reused: [], changed: ['alarmEmail', 'protected'] });
    // giving the remembered value again is not a change
    expect(resolveSettings(remembered, { alarmEmail: 'a@example.com' }).changed).toEqual([]);
    expect(resolveSettings({}, { alarmEmail: null })).toEqual({ settings: {}, reused: [], changed: [] });
  });

  it('says what it reused and how to change or clear it', () => {
    const { settings, reused } = resolveSettings({ alarmEmail: 'a@example.com' }, {});
    expect(describeReused(settings, reused)).toBe("Using the settings remembered on the stack: alarm e-mail a@example.com (change: --alarm-email ADDRESS; clear: --alarm-email '')");
    expect(describeReused({}, [])).toBeUndefined();
  });

  it('guards prod, production and prd by name, and any environment marked protected', () => {
    expect(['prod', 'production', 'prd', 'staging', 'dev'].map((env) => isGuarded(env, {}))).toEqual([true, true, true, false, false]);
    expect(isGuarded('staging', { protected: true })).toBe(true);
  });
});
