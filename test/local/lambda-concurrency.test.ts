/** More concurrent invocations than warm workers: they queue for a worker, none is lost or timed out. */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createFunction, text } from '../helpers/lambda.js';
import { startLocal, type LocalHarness } from '../helpers/local.js';

let local: LocalHarness;
beforeAll(async () => {
  local = await startLocal();
}, 60_000);
afterAll(() => local.stop());

it('8 callers × 40 invocations on a 3-worker pool: every one answers with its own payload', async () => {
  const lambda = new LambdaClient({ ...local.clientConfig, maxAttempts: 1 });
  await createFunction(lambda, 'echo-id', { 'index.mjs': 'export const handler = async (e) => ({ id: e.id });' }, { Timeout: 20 });
  let next = 0;
  const wrong: string[] = [];
  const lane = async () => {
    while (next < 320) {
      const id = next++;
      const out = await lambda.send(new InvokeCommand({ FunctionName: 'echo-id', Payload: Buffer.from(JSON.stringify({ id })) }));
      if (out.FunctionError || JSON.parse(text(out.Payload)).id !== id) wrong.push(`${id}: ${text(out.Payload).slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  // A worker handed two invocations at once answered only one; the other ended in Sandbox.Timedout.
  expect(wrong).toEqual([]);
}, 120_000);
