/**
 * STS: GetCallerIdentity, answering with the local account for any credentials; for an Active access
 * key made through the local IAM, with its user (ARN and `AIDA…` id), as AWS does. Leaves out
 * AssumeRole and the other credential-vending calls (every credential is accepted anyway).
 */
import type { ServerResponse } from 'node:http';
import { AwsError } from '../../errors.js';
import { parseQueryParams, sendQueryError, sendQueryResult } from '../../protocols/query.js';
import type { ServiceRequest } from '../../request.js';
import type { LocalContext, LocalService } from '../../service.js';
import type { IamApi } from '../contracts.js';

const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export function stsService(ctx: LocalContext): LocalService {
  return {
    name: 'sts',
    async handle(req: ServiceRequest, res: ServerResponse) {
      const params = parseQueryParams((await req.body()).toString('utf8'), req.url);
      const action = params.get('Action') ?? '';
      ctx.faults.maybeFail('sts', action);
      if (action !== 'GetCallerIdentity') {
        throw new AwsError('InvalidAction', `tap local's STS supports GetCallerIdentity only, not ${action || '(no Action)'}.`);
      }
      const accessKey = /Credential=([^/]+)/.exec(req.header('authorization') ?? '')?.[1] ?? 'anonymous';
      const user = accessKey === 'anonymous' ? undefined : await ctx.service<IamApi>('iam').activeAccessKey(accessKey);
      if (user) {
        sendQueryResult(res, req.requestId, action, { Arn: user.userArn, UserId: user.userId, Account: ctx.accountId }, XMLNS);
        return;
      }
      sendQueryResult(res, req.requestId, action, {
        Arn: `arn:aws:iam::${ctx.accountId}:user/${accessKey === 'anonymous' ? 'local' : 'tap-local'}`,
        UserId: accessKey,
        Account: ctx.accountId,
      }, XMLNS);
    },
    sendError(req, res, error) {
      sendQueryError(res, req.requestId, error, XMLNS);
    },
  };
}
