import { UserError } from './errors.js';

/** How a command asks the user; the CLI refuses (saying to pass --yes) when there is no terminal. */
export type Confirm = (question: string) => Promise<boolean>;

/**
 * The one check every mutating command of a protected environment passes: unless `yes`, the user is
 * asked; a refusal (or no terminal to ask) changes nothing.
 */
export async function guardProtected(options: { env: string; guarded: boolean; yes: boolean; doing: string; confirm: Confirm }): Promise<void> {
  if (!options.guarded || options.yes) return;
  const question = `${options.env} is a protected environment: ${options.doing}. Continue?`;
  if (!(await options.confirm(question))) throw new UserError('Cancelled: nothing was changed.', 1);
}
