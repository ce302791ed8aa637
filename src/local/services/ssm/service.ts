/**
 * SSM Parameter Store (awsJson1_1, `AmazonSSM.*`): String, StringList and SecureString parameters
 * with versions, by name and by path. SecureString values are stored as given (no KMS): this is a
 * local development store. Leaves out parameter policies, labels, history beyond the current version,
 * advanced tiers, and every other SSM feature (documents, sessions, …).
 */
import { join } from 'node:path';
import { fsName } from '../../names.js';
import { mergeTags } from '../../tags.js';
import { AwsError } from '../../errors.js';
import { jsonHandler, requireField, type JsonOperation } from '../../protocols/json-service.js';
import type { LocalContext, LocalService } from '../../service.js';
import { removeIfExists, serviceDir } from '../../storage.js';
import { RecordStore } from '../records.js';

export interface Parameter {
  Name: string;
  Type: 'String' | 'StringList' | 'SecureString';
  Value: string;
  Version: number;
  LastModifiedDate: number;
  ARN: string;
  DataType: string;
  Description?: string;
  Tags: Array<{ Key: string; Value: string }>;
}

export interface SsmService extends LocalService {
  putParameter(region: string, input: Record<string, any>): Promise<Parameter>;
  deleteParameter(region: string, name: string): Promise<void>;
  getParameter(region: string, name: string): Promise<Parameter>;
}

const notFound = (name: string) => new AwsError('ParameterNotFound', `Parameter ${name} not found.`);

export function ssmService(ctx: LocalContext): SsmService {
  const root = serviceDir(ctx.dataDir, 'ssm');
  const stores = new Map<string, RecordStore<Parameter>>();
  const store = (region: string) => {
    if (!stores.has(region)) stores.set(region, new RecordStore<Parameter>(join(root, fsName(region)), 'SSM parameter'));
    return stores.get(region)!;
  };

  async function putParameter(region: string, input: Record<string, any>): Promise<Parameter> {
    const name = requireField<string>(input, 'Name');
    const value = requireField<string>(input, 'Value');
    if (!/^[a-zA-Z0-9_.\-/]{1,2048}$/.test(name)) throw new AwsError('ValidationException', `Parameter name ${name} is not valid.`);
    const existing = await store(region).get(name);
    if (existing && !input.Overwrite) {
      throw new AwsError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.');
    }
    const type = input.Type ?? existing?.Type ?? 'String';
    if (!['String', 'StringList', 'SecureString'].includes(type)) throw new AwsError('ValidationException', `Invalid Type ${type}`);
    const parameter: Parameter = {
      Name: name,
      Type: type,
      Value: value,
      Version: (existing?.Version ?? 0) + 1,
      LastModifiedDate: Date.now() / 1000,
      ARN: `arn:aws:ssm:${region}:${ctx.accountId}:parameter${name.startsWith('/') ? '' : '/'}${name}`,
      DataType: input.DataType ?? 'text',
      ...(input.Description ? { Description: input.Description } : {}),
      Tags: input.Tags ?? existing?.Tags ?? [],
    };
    await store(region).put(name, parameter);
    return parameter;
  }

  async function getParameter(region: string, name: string): Promise<Parameter> {
    const parameter = await store(region).get(name);
    if (!parameter) throw notFound(name);
    return parameter;
  }

  const shown = ({ Tags: _t, Description: _d, ...p }: Parameter) => p;

  const operations: Record<string, JsonOperation> = {
    PutParameter: async (input, req) => {
      const p = await putParameter(req.region, input);
      return { Version: p.Version, Tier: 'Standard' };
    },
    GetParameter: async (input, req) => ({ Parameter: shown(await getParameter(req.region, requireField(input, 'Name'))) }),
    GetParameters: async (input, req) => {
      const names: string[] = requireField(input, 'Names');
      const found = await Promise.all(names.map((n) => store(req.region).get(n)));
      return {
        Parameters: found.filter((p): p is Parameter => !!p).map(shown),
        InvalidParameters: names.filter((_, i) => !found[i]),
      };
    },
    GetParametersByPath: async (input, req) => {
      const path: string = requireField(input, 'Path');
      const prefix = path.endsWith('/') ? path : `${path}/`;
      const all = await store(req.region).list();
      const matches = all.filter((p) => p.Name.startsWith(prefix) && (input.Recursive || !p.Name.slice(prefix.length).includes('/')));
      return { Parameters: matches.map(shown) };
    },
    DeleteParameter: async (input, req) => {
      const name = requireField<string>(input, 'Name');
      if (!(await store(req.region).delete(name))) throw notFound(name);
    },
    DeleteParameters: async (input, req) => {
      const names: string[] = requireField(input, 'Names');
      const deleted: string[] = [];
      for (const n of names) if (await store(req.region).delete(n)) deleted.push(n);
      return { DeletedParameters: deleted, InvalidParameters: names.filter((n) => !deleted.includes(n)) };
    },
    DescribeParameters: async (_input, req) => ({
      Parameters: (await store(req.region).list()).map(({ Value: _v, Tags: _t, ...p }) => p),
    }),
    AddTagsToResource: async (input, req) => {
      const p = await getParameter(req.region, requireField(input, 'ResourceId'));
      const added: Parameter['Tags'] = requireField(input, 'Tags');
      p.Tags = mergeTags(p.Tags, added);
      await store(req.region).put(p.Name, p);
    },
    ListTagsForResource: async (input, req) => ({ TagList: (await getParameter(req.region, requireField(input, 'ResourceId'))).Tags }),
  };

  return {
    name: 'ssm',
    targetPrefixes: ['AmazonSSM'],
    ...jsonHandler(ctx, 'ssm', operations, '1.1'),
    putParameter,
    getParameter,
    async deleteParameter(region, name) {
      await store(region).delete(name);
    },
    async reset() {
      stores.clear();
      await removeIfExists(root);
    },
  };
}
