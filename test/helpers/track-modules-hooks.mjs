// The hooks half of track-modules.mjs: appends each resolved module's path to the file.
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let file;
export function initialize(data) {
  file = data.file;
}

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (result.url.startsWith('file:')) appendFileSync(file, `${fileURLToPath(result.url)}\n`);
  return result;
}
