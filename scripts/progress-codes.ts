/** Writes docs/progress-codes.md from src/ops/codes.ts (npm run docs:codes). */
import { writeFileSync } from 'node:fs';
import { progressCodesMarkdown } from '../src/ops/codes.js';

writeFileSync(new URL('../docs/progress-codes.md', import.meta.url), progressCodesMarkdown());
