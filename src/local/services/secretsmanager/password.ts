/**
 * GetRandomPassword's generator, also used by CloudFormation's GenerateSecretString. Character
 * classes as AWS defines them; punctuation is the 32 printable ASCII symbols. Uses crypto's
 * uniform randomInt (no modulo bias).
 */
import { randomInt } from 'node:crypto';
import { AwsError } from '../../errors.js';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

export interface PasswordOptions {
  PasswordLength?: number;
  ExcludeCharacters?: string;
  ExcludeNumbers?: boolean;
  ExcludePunctuation?: boolean;
  ExcludeUppercase?: boolean;
  ExcludeLowercase?: boolean;
  IncludeSpace?: boolean;
  RequireEachIncludedType?: boolean;
}

const invalid = (message: string) => new AwsError('InvalidParameterException', message);

export function randomPassword(options: PasswordOptions): string {
  const length = options.PasswordLength ?? 32;
  if (!Number.isInteger(length) || length < 1 || length > 4096) {
    throw invalid('Password length must be between 1 and 4096.');
  }
  const excluded = new Set([...(options.ExcludeCharacters ?? '')]);
  if ((options.ExcludeCharacters ?? '').length > 4096) throw invalid('ExcludeCharacters must be at most 4096 characters.');
  const classes = [
    options.ExcludeLowercase ? '' : LOWER,
    options.ExcludeUppercase ? '' : UPPER,
    options.ExcludeNumbers ? '' : DIGITS,
    options.ExcludePunctuation ? '' : PUNCTUATION,
    options.IncludeSpace ? ' ' : '',
  ]
    .map((chars) => [...chars].filter((c) => !excluded.has(c)).join(''))
    .filter((chars) => chars.length > 0);
  if (classes.length === 0) throw invalid('The password must include at least one character type; every character is excluded.');
  const requireEach = options.RequireEachIncludedType ?? true;
  if (requireEach && length < classes.length) {
    throw invalid(`The password length ${length} is too short to include each of the ${classes.length} included character types.`);
  }
  const all = classes.join('');
  const chars = Array.from({ length }, () => all[randomInt(all.length)]!);
  if (requireEach) {
    // One character of each class at distinct random positions, so every type is present.
    const positions = shuffle([...Array(length).keys()]).slice(0, classes.length);
    classes.forEach((cls, i) => (chars[positions[i]!] = cls[randomInt(cls.length)]!));
  }
  return chars.join('');
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
