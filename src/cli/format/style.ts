/** Text styling handed to formatters, so they stay pure: chalk on a terminal, identity otherwise. */
export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
}

const identity = (s: string) => s;
export const plainStyle: Style = { bold: identity, dim: identity, green: identity, red: identity, yellow: identity };

export async function terminalStyle(stream: NodeJS.WriteStream): Promise<Style> {
  if (!stream.isTTY || process.env.NO_COLOR) return plainStyle;
  const { default: chalk } = await import('chalk');
  // One argument each: chalk joins extra arguments, and `.map(style.dim)` passes (value, index, array).
  return {
    bold: (s) => chalk.bold(s),
    dim: (s) => chalk.dim(s),
    green: (s) => chalk.green(s),
    red: (s) => chalk.red(s),
    yellow: (s) => chalk.yellow(s),
  };
}
