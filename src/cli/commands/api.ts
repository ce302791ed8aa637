import type { Command } from 'commander';
import { UserError } from '../../ops/errors.js';
import { type OperateFlags, operate, operateOptions, print } from './operate.js';

interface PostFlags extends OperateFlags {
  data?: string;
}

/** `tap api url | get PATH | post PATH --data JSON`: the partner API, signed with your credentials. */
export function registerApi(program: Command): void {
  const api = program.command('api').description('The partner API (REST, IAM-signed): its URL, and signed requests to it');

  operateOptions(api.command('url').description('The invoke URL of the environment’s API (for the target: AWS, or the local AWS)'), [
    'tap api url',
    'curl --aws-sigv4 "aws:amz:us-east-1:execute-api" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" "$(tap api url)status"',
  ]).action(async (flags: OperateFlags) => {
    await operate(flags, async ({ clients, pipeline }) => {
      const { apiUrl } = await import('../../ops/api.js');
      const url = apiUrl(clients, pipeline);
      print(flags.json ? JSON.stringify({ url }) : url);
    });
  });

  operateOptions(api.command('get').argument('<path>', 'a path of the API: /status, /files, /files/<key>').description('GET a path of the API, signed with your credentials'), [
    'tap api get /status',
    'tap api get "/files?status=FAILED&since=1d&limit=10"',
    'tap api get /files/shipments.json --json | jq .runs[0]',
  ]).action(async (path: string, flags: OperateFlags) => {
    await request(flags, 'GET', path, undefined);
  });

  operateOptions(
    api.command('post').argument('<path>', 'a path of the API: /files').requiredOption('--data <json>', 'the JSON body').description('POST a JSON body to a path of the API, signed with your credentials'),
    [`tap api post /files --data '{"filename":"a.json","contentType":"application/json","size":1234}'`],
  ).action(async (path: string, flags: PostFlags) => {
    try {
      JSON.parse(flags.data ?? '');
    } catch (error) {
      throw new UserError(`--data is not valid JSON (${(error as Error).message}). Quote it for the shell, e.g. --data '{"filename":"a.json","contentType":"application/json","size":12}'.`);
    }
    await request(flags, 'POST', path, flags.data);
  });
}

async function request(flags: OperateFlags, method: 'GET' | 'POST', path: string, body: string | undefined): Promise<void> {
  await operate(flags, async ({ clients, pipeline, reporter, signal }) => {
    const { callApi } = await import('../../ops/api.js');
    const answer = await callApi(clients, pipeline, { method, path, ...(body !== undefined && { body }), signal });
    const pretty = !flags.json;
    print(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body, null, pretty ? 2 : undefined));
    if (answer.status >= 400) {
      reporter.emit({ type: 'warn', code: 'TAP_API_STATUS', message: `HTTP ${answer.status}${answer.requestId ? ` (request ${answer.requestId})` : ''}` });
      process.exitCode = 1;
    }
  });
}
