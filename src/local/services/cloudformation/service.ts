/**
 * CloudFormation (awsQuery): stacks and change sets, deployed by an engine that provisions every
 * resource through the other local services' in-process stores (see engine/ and providers/). Work runs
 * in the background with AWS's status names and events, so the SDK waiters work unchanged. State is
 * persisted per stack under `<data-dir>/cloudformation`.
 *
 * An operation ends in one step: its final status, final event, outputs, the executed change set's
 * result and the stack's readiness for the next call change together, and are shown only once on
 * disk (engine/events.ts `finish`, StackStore.published). While an operation runs, calls are refused
 * as AWS refuses them; DeleteStack during a create is accepted and runs once the create has ended.
 *
 * On restart, an operation that was running is finished the way AWS finishes a failed one: a create
 * or update fails with "tap local stopped…" and rolls back (ROLLBACK_COMPLETE / UPDATE_ROLLBACK_COMPLETE);
 * rollbacks, cleanups and deletes run again to their end; a change set being worked out is redone.
 *
 * Leaves out: nested stacks (AWS::CloudFormation::Stack), StackSets, transforms and macros other than
 * AWS::LanguageExtensions, resource import (IMPORT change sets), drift detection, stack policies,
 * CancelUpdateStack / ContinueUpdateRollback / RollbackStack, notifications to NotificationARNs (stored
 * only), RoleARN (stored, not assumed), TimeoutInMinutes (stored), hooks, type registry calls, and
 * Fn::Cidr. Rules using Fn::ValueOf/Fn::RefAll are skipped with a stack event.
 */
import type { ServerResponse } from 'node:http';
import { notImplemented } from '../../errors.js';
import { parseQueryParams, sendQueryError, sendQueryResult } from '../../protocols/query.js';
import type { ServiceRequest } from '../../request.js';
import type { LocalContext, LocalService } from '../../service.js';
import { serviceDir } from '../../storage.js';
import * as changeSets from './api/changesets.js';
import type { Params } from './api/inputs.js';
import * as stacks from './api/stacks.js';
import * as templates from './api/templates.js';
import { Engine } from './engine/engine.js';
import type { EngineEnv } from './engine/plan.js';
import { providerFor } from './providers/index.js';
import { StackStore } from './store.js';

const XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
type Operation = (p: Params, region: string) => Promise<Record<string, unknown> | undefined> | Record<string, unknown> | undefined;

export interface CloudFormationService extends LocalService {
  /** Waits until no stack operation is running (tests). */
  idle(): Promise<void>;
}

export function cloudformationService(ctx: LocalContext): CloudFormationService {
  const store = new StackStore(serviceDir(ctx.dataDir, 'cloudformation'));
  const env: EngineEnv = {
    local: ctx,
    store,
    provider: (type) => providerFor(type),
  };
  const engine = new Engine(env);
  const api: stacks.Api = { ctx, env, engine };

  const operations: Record<string, Operation> = {
    CreateStack: (p, r) => stacks.createStack(api, r, p),
    UpdateStack: (p, r) => stacks.updateStack(api, r, p),
    DeleteStack: (p, r) => stacks.deleteStack(api, r, p),
    DescribeStacks: (p, r) => stacks.describeStacks(api, r, p),
    DescribeStackEvents: (p, r) => stacks.describeStackEvents(api, r, p),
    DescribeStackResource: (p, r) => stacks.describeStackResource(api, r, p),
    DescribeStackResources: (p, r) => stacks.describeStackResources(api, r, p),
    ListStackResources: (p, r) => stacks.listStackResources(api, r, p),
    ListStacks: (p, r) => stacks.listStacks(api, r, p),
    ListExports: (p, r) => stacks.listExports(api, r, p),
    ListImports: (p, r) => stacks.listImports(api, r, p),
    UpdateTerminationProtection: (p, r) => stacks.updateTerminationProtection(api, r, p),
    GetTemplate: (p, r) => templates.getTemplate(store, r, p),
    GetTemplateSummary: (p, r) => templates.getTemplateSummary(ctx, store, r, p),
    ValidateTemplate: (p) => templates.validateTemplate(ctx, p),
    CreateChangeSet: (p, r) => changeSets.createChangeSet(api, r, p),
    DescribeChangeSet: (p, r) => changeSets.describeChangeSet(api, r, p),
    ExecuteChangeSet: (p, r) => changeSets.executeChangeSet(api, r, p),
    DeleteChangeSet: (p, r) => changeSets.deleteChangeSet(api, r, p),
    ListChangeSets: (p, r) => changeSets.listChangeSets(api, r, p),
  };

  return {
    name: 'cloudformation',
    async start() {
      for (const stack of await store.load()) {
        engine.resume(stack);
        for (const c of stack.changeSets) {
          if (c.Status === 'CREATE_PENDING' || c.Status === 'CREATE_IN_PROGRESS') void changeSets.workOut(api, stack, c);
        }
      }
    },
    async handle(req: ServiceRequest, res: ServerResponse) {
      const params = parseQueryParams((await req.body()).toString('utf8'), req.url);
      const action = params.get('Action') ?? '';
      ctx.faults.maybeFail('cloudformation', action);
      const operation = operations[action];
      if (!operation) throw notImplemented('cloudformation', action || '(no Action)');
      // Every answer (and every check a call makes) sees only final statuses that are on disk.
      await store.published();
      sendQueryResult(res, req.requestId, action, (await operation(params, req.region)) ?? {}, XMLNS);
    },
    sendError(req, res, error) {
      sendQueryError(res, req.requestId, error, XMLNS);
    },
    idle: () => engine.idle(),
    async stop() {
      // A running operation stops at its next step (its state on disk is the last one it reached);
      // start() finishes it as described above, as after a kill. Not awaited: a step may be a custom
      // resource waiting minutes for its handler's answer.
      await store.close();
    },
    async reset() {
      await engine.idle();
      await store.reset();
    },
  };
}
