import { InvalidEnvironmentError, validateEnvName } from '../infra/environment.js';
import { UserError } from './errors.js';

/** Validates an environment name for the CLI: a UserError with what a valid name looks like. */
export function parseEnvName(name: string): string {
  try {
    return validateEnvName(name);
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) throw new UserError(error.message);
    throw error;
  }
}

/** A plausible e-mail address for the alarm subscription (SNS itself sends the confirmation). */
export function parseAlarmEmail(address: string): string {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) {
    throw new UserError(`"${address}" is not an e-mail address. Pass --alarm-email someone@example.com, or leave it out.`);
  }
  return address;
}
