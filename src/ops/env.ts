import { InvalidEnvironmentError, validateEnvName } from '../infra/environment.js';
import { UserError } from './errors.js';

/** Validates an environment name for the CLI: a UserError with what a valid name looks like. */
export function parseEnvName(name: string): string {
  try {
    return validateEnvName(name);
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) throw new UserError(`${error.message}${suggestion(name)}`);
    throw error;
  }
}

/** ` Did you mean "dev-team"?` for "Dev Team", when a lower-cased, hyphenated form is valid. */
function suggestion(name: string): string {
  const candidate = name.trim().toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '');
  if (!candidate || candidate === name) return '';
  try {
    return ` Did you mean "${validateEnvName(candidate)}"?`;
  } catch {
    return '';
  }
}

/**
 * A plausible e-mail address for the alarm subscription (SNS itself sends the confirmation). It is
 * remembered as a stack tag, so it must also be a valid tag value (letters, digits, `_.:/=+-@`, ≤ 256).
 */
export function parseAlarmEmail(address: string): string {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) {
    throw new UserError(`"${address}" is not an e-mail address. Pass --alarm-email someone@example.com, or leave it out.`);
  }
  if (address.length > 256 || !/^[\p{L}\p{N}_.:/=+\-@]+$/u.test(address)) {
    throw new UserError(`"${address}" cannot be remembered as a stack tag: use at most 256 letters, digits and _ . : / = + - @.`);
  }
  return address;
}
