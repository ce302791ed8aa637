import { describe, expect, it } from 'vitest';
import { isProtected, logRetentionDays, stackName, validateEnvName } from '../../../src/infra/environment.js';

describe('environment names', () => {
  it.each(['dev', 'prod', 'team-a', 'x', 'a1b2', 'abcdefghij0123456789'])('accepts %s', (name) => {
    expect(validateEnvName(name)).toBe(name);
  });

  it.each(['', 'Dev', 'has space', '-dev', 'dev-', 'a--b', 'under_score', 'abcdefghij0123456789x', 'dév'])(
    'rejects %j with a message that says what a valid name is',
    (name) => {
      expect(() => validateEnvName(name)).toThrow(/1-20 lowercase letters, digits or single hyphens/);
    },
  );

  it('derives the stack name, protection and log retention', () => {
    expect(stackName('dev')).toBe('TapStack-dev');
    expect([isProtected('prod'), isProtected('dev')]).toEqual([true, false]);
    expect([logRetentionDays('prod'), logRetentionDays('dev')]).toEqual([30, 7]);
  });
});
