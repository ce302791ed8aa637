/**
 * Which API, stage and resource an execute-api request is for. Two URL forms, as other local
 * emulators use: path style `/_aws/execute-api/{apiId}/{stage}/{path}` and host style
 * `{apiId}.execute-api.localhost[:port]/{stage}/{path}`. Resources match as API Gateway matches them:
 * a literal part before a `{variable}`, a greedy `{name+}` taking one or more remaining parts, and a
 * method by its verb before `ANY`.
 */
import type { Method, Resource } from './model.js';

export const PATH_PREFIX = '/_aws/execute-api/';
const HOST = /^([a-z0-9]{1,32})\.execute-api\.localhost(?::\d+)?$/i;

export interface InvokeTarget {
  readonly apiId: string;
  readonly stage: string;
  /** The path after the stage, still percent-encoded, starting with `/`. */
  readonly rawPath: string;
  readonly style: 'path' | 'host';
}

/** Whether a request is for execute-api (and not for the control plane or S3). */
export function isExecuteApi(host: string | undefined, pathname: string): boolean {
  return pathname.startsWith(PATH_PREFIX) || HOST.test(host ?? '');
}

export function invokeTarget(host: string | undefined, rawPath: string): InvokeTarget | undefined {
  const byHost = HOST.exec(host ?? '');
  const style = byHost ? 'host' : 'path';
  let rest: string;
  let apiId: string;
  if (byHost) {
    apiId = byHost[1]!.toLowerCase();
    rest = rawPath.replace(/^\/+/, '');
  } else {
    if (!rawPath.startsWith(PATH_PREFIX)) return undefined;
    const after = rawPath.slice(PATH_PREFIX.length);
    const slash = after.indexOf('/');
    apiId = slash < 0 ? after : after.slice(0, slash);
    rest = slash < 0 ? '' : after.slice(slash + 1);
  }
  const slash = rest.indexOf('/');
  const stage = slash < 0 ? rest : rest.slice(0, slash);
  return { apiId, stage, rawPath: slash < 0 ? '/' : rest.slice(slash), style };
}

export interface Match {
  readonly resource: Resource;
  readonly method: Method;
  /** Decoded, `null` as AWS sends it when the resource has no variables. */
  readonly pathParameters: Record<string, string> | null;
}

/** The resource and method for a decoded path, or undefined (AWS: 403 Missing Authentication Token). */
export function matchRoute(resources: Record<string, Resource>, segments: readonly string[], verb: string): Match | undefined {
  const children = new Map<string, Resource[]>();
  let root: Resource | undefined;
  for (const r of Object.values(resources)) {
    if (!r.parentId) root = r;
    else children.set(r.parentId, [...(children.get(r.parentId) ?? []), r]);
  }
  if (!root) return undefined;
  const found = walk(root, 0, {});
  return found;

  function walk(resource: Resource, index: number, params: Record<string, string>): Match | undefined {
    if (index === segments.length) {
      const method = resource.resourceMethods?.[verb] ?? resource.resourceMethods?.ANY;
      return method ? { resource, method, pathParameters: Object.keys(params).length > 0 ? params : null } : undefined;
    }
    const kids = children.get(resource.id) ?? [];
    const segment = segments[index]!;
    // Literal parts win over variables; a greedy variable is the last resort.
    const literal = kids.find((k) => k.pathPart === segment);
    const variable = kids.find((k) => /^\{[^+]+\}$/.test(k.pathPart ?? ''));
    const greedy = kids.find((k) => /^\{.+\+\}$/.test(k.pathPart ?? ''));
    if (literal) {
      const m = walk(literal, index + 1, params);
      if (m) return m;
    }
    if (variable && segment !== '') {
      const m = walk(variable, index + 1, { ...params, [variable.pathPart!.slice(1, -1)]: segment });
      if (m) return m;
    }
    if (greedy) {
      const method = greedy.resourceMethods?.[verb] ?? greedy.resourceMethods?.ANY;
      const rest = segments.slice(index).join('/');
      if (method && rest !== '') return { resource: greedy, method, pathParameters: { ...params, [greedy.pathPart!.slice(1, -2)]: rest } };
    }
    return undefined;
  }
}
