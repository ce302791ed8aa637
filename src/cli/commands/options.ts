import { Option } from 'commander';

/** `--env`, shared by every command that works on one environment. */
export function envOption(): Option {
  return new Option('-e, --env <name>', 'environment name (lowercase letters, digits, hyphens; max 20)')
    .env('TAP_ENV')
    .default('dev');
}
