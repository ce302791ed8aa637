import { sameJson } from './stack-state.js';

export interface CodeChange {
  readonly logicalId: string;
  /** The function's physical name is looked up from the stack. */
  readonly s3Key: string;
}

type Template = { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> } & Record<string, unknown>;

/**
 * The Lambda code changes between two templates, if code is all that changed (same resources, same
 * everything else); otherwise undefined, and a full deploy is needed.
 */
export function codeOnlyChanges(deployed: unknown, next: unknown): CodeChange[] | undefined {
  const before = deployed as Template;
  const after = next as Template;
  const { Resources: r1 = {}, ...rest1 } = before;
  const { Resources: r2 = {}, ...rest2 } = after;
  if (!sameJson(rest1, rest2) || !sameJson(Object.keys(r1).sort(), Object.keys(r2).sort())) return undefined;
  const changes: CodeChange[] = [];
  for (const [id, resource] of Object.entries(r2)) {
    const old = r1[id]!;
    if (sameJson(old, resource)) continue;
    if (resource.Type !== 'AWS::Lambda::Function' || old.Type !== resource.Type) return undefined;
    const { Code: newCode, ...newProps } = resource.Properties ?? {};
    const { Code: oldCode, ...oldProps } = old.Properties ?? {};
    const { S3Key: newKey, ...newRest } = (newCode ?? {}) as Record<string, unknown>;
    const { S3Key: _oldKey, ...oldRest } = (oldCode ?? {}) as Record<string, unknown>;
    if (!sameJson(newProps, oldProps) || !sameJson(newRest, oldRest) || typeof newKey !== 'string') return undefined;
    changes.push({ logicalId: id, s3Key: newKey });
  }
  return changes.length ? changes : undefined;
}
