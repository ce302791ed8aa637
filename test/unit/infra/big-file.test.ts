/** The big-file state machine and the processor's side of it, as synthesized (settings applied). */
import { beforeAll, describe, expect, it } from 'vitest';
import { processorTimeout } from '../../../src/infra/big-file.js';
import { buildStack, type BuiltStack } from '../../helpers/stack.js';

let tuned: BuiltStack;

beforeAll(async () => {
  tuned = await buildStack('tuned', { bigFileThresholdBytes: 100 * 1024 * 1024, bigFileConcurrency: 20, bigFileTolerance: 5 });
});

/** The big-file state machine's definition, with CloudFormation's joins flattened to text. */
function definition(stack: BuiltStack): Record<string, any> {
  const machines = Object.values(stack.template.findResources('AWS::StepFunctions::StateMachine')).filter((r) => JSON.stringify(r.Properties).includes('big-file'));
  expect(machines).toHaveLength(1);
  const parts = machines[0]!.Properties.DefinitionString['Fn::Join'][1] as unknown[];
  return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'REF')).join(''));
}

describe('the big-file state machine', () => {
  it('Prepare → Records to write? → WriteEvents (distributed map over the processed output) → Finish', () => {
    const asl = definition(tuned);
    expect(asl.StartAt).toBe('Prepare');
    const map = asl.States.WriteEvents;
    expect(map.ItemProcessor.ProcessorConfig.Mode).toBe('DISTRIBUTED');
    expect(map.ItemReader).toEqual({
      Resource: 'arn:REF:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSONL' },
      Parameters: { 'Bucket.$': '$.prepared.processed.bucket', 'Key.$': '$.prepared.processed.key', 'VersionId.$': '$.prepared.processed.versionId' },
    });
    expect(map.ItemBatcher).toEqual({ MaxItemsPerBatch: 1000, MaxInputBytesPerBatch: 253952, BatchInput: { 'source.$': '$.prepared.source' } });
    expect(map.MaxConcurrency).toBe(20);
    expect(map.ToleratedFailurePercentage).toBe(5);
    expect(map.ResultWriter.Parameters.Prefix).toBe('map-results/');
    expect(map.Catch[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'Finish', ResultPath: '$.error' });
    expect(asl.States.Prepare.Catch[0]).toMatchObject({ Next: 'Finish', ResultPath: '$.error' });
    // A recorded outcome, SUCCESS or FAILED, ends the run successfully: only a run that could not
    // record one fails, and that is what the big-file-runs-failed alarm counts.
    expect(asl.States.Finish.Next).toBe('Outcome recorded');
    expect(asl.States['Outcome recorded'].Type).toBe('Succeed');
    expect(Object.values(asl.States).filter((s: any) => s.Type === 'Fail')).toEqual([]);
    expect(asl.States.Finish.Parameters).toEqual({ 'state.$': '$', 'startedAt.$': '$$.Execution.StartTime', 'executionArn.$': '$$.Execution.Id' });
  });

  it('gives the processor the threshold and a time-out that follows it', () => {
    const processor = Object.values(tuned.template.findResources('AWS::Lambda::Function')).find((f) => f.Properties.FunctionName === 'tap-tuned-processor')!;
    expect(processor.Properties.Environment.Variables.BIG_FILE_THRESHOLD_BYTES).toBe(String(100 * 1024 * 1024));
    expect(processor.Properties.Timeout).toBe(processorTimeout(100 * 1024 * 1024).toSeconds());
    expect(processorTimeout(100 * 1024 * 1024).toSeconds()).toBeGreaterThan(120);
    expect(processorTimeout(0).toSeconds()).toBe(120);
    expect(processorTimeout(10 * 1024 ** 3).toSeconds()).toBe(900);
  });

  it('three functions with their own log groups and the handlers of one bundle', () => {
    const fns = Object.values(tuned.template.findResources('AWS::Lambda::Function')).filter((f) => String(f.Properties.FunctionName).includes('big-file'));
    expect(fns.map((f) => [f.Properties.FunctionName, f.Properties.Handler, f.Properties.Architectures]).sort()).toEqual([
      ['tap-tuned-big-file-batch', 'index.batch', ['arm64']],
      ['tap-tuned-big-file-finish', 'index.finish', ['arm64']],
      ['tap-tuned-big-file-prepare', 'index.prepare', ['arm64']],
    ]);
    for (const f of fns) expect(f.Properties.LoggingConfig.LogGroup).toBeDefined();
  });
});
