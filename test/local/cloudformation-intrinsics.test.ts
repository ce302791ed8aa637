/** The template evaluator on its own: intrinsics, conditions and pseudo parameters, table-tested. */
import { describe, expect, it } from 'vitest';
import { Evaluator, NO_VALUE, Unknown } from '../../src/local/services/cloudformation/engine/intrinsics.js';
import { parseTemplate, resolveParameters } from '../../src/local/services/cloudformation/engine/template.js';
import { references } from '../../src/local/services/cloudformation/engine/graph.js';
import type { Template } from '../../src/local/services/cloudformation/model.js';

const template: Template = {
  Parameters: {
    Env: { Type: 'String', Default: 'dev' },
    Names: { Type: 'CommaDelimitedList', Default: 'a,b,c' },
    Size: { Type: 'Number', Default: 3 },
  },
  Mappings: { Regions: { 'eu-west-1': { Ami: 'ami-1' }, 'us-east-1': { Ami: 'ami-2' } } },
  Conditions: {
    IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
    IsDev: { 'Fn::Not': [{ Condition: 'IsProd' }] },
    Both: { 'Fn::And': [{ Condition: 'IsDev' }, { 'Fn::Equals': ['x', 'x'] }] },
    Either: { 'Fn::Or': [{ Condition: 'IsProd' }, { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] }] },
  },
  Resources: { Queue: { Type: 'AWS::SQS::Queue' }, Later: { Type: 'AWS::SQS::Queue' } },
};

function evaluator(parameters: Record<string, string> = {}): Evaluator {
  return new Evaluator({
    template,
    parameters: resolveParameters(template, Object.entries(parameters).map(([key, value]) => ({ key, value }))),
    pseudo: { accountId: '000000000000', region: 'eu-west-1', stackName: 'demo', stackId: 'arn:aws:cloudformation:eu-west-1:000000000000:stack/demo/1', notificationARNs: [] },
    ref: (id) => (id === 'Later' ? new Unknown(id) : `https://sqs/${id}`),
    getAtt: (id, attr) => (id === 'Later' ? new Unknown(id) : `${id}.${attr}`),
    importValue: (name) => `imported:${name}`,
  });
}

const cases: Array<[string, unknown, unknown]> = [
  ['Ref parameter (default)', { Ref: 'Env' }, 'dev'],
  ['Ref list parameter', { Ref: 'Names' }, ['a', 'b', 'c']],
  ['Ref resource', { Ref: 'Queue' }, 'https://sqs/Queue'],
  ['Ref pseudo parameters', ['AWS::AccountId', 'AWS::Region', 'AWS::Partition', 'AWS::URLSuffix', 'AWS::StackName'].map((Ref) => ({ Ref })), ['000000000000', 'eu-west-1', 'aws', 'amazonaws.com', 'demo']],
  ['AWS::NoValue drops a key', { A: 1, B: { Ref: 'AWS::NoValue' } }, { A: 1 }],
  ['AWS::NoValue drops a list item', [1, { 'Fn::If': ['IsProd', 2, { Ref: 'AWS::NoValue' }] }], [1]],
  ['Fn::GetAtt (list form)', { 'Fn::GetAtt': ['Queue', 'Arn'] }, 'Queue.Arn'],
  ['Fn::GetAtt (string form)', { 'Fn::GetAtt': 'Queue.QueueName' }, 'Queue.QueueName'],
  ['Fn::Join', { 'Fn::Join': ['-', ['a', { Ref: 'Env' }, 'z']] }, 'a-dev-z'],
  ['Fn::Join of a list parameter', { 'Fn::Join': ['+', { Ref: 'Names' }] }, 'a+b+c'],
  ['Fn::Sub (string form)', { 'Fn::Sub': '${AWS::StackName}-${Env}-${Queue}-${Queue.Arn}-${!Literal}' }, 'demo-dev-https://sqs/Queue-Queue.Arn-${Literal}'],
  ['Fn::Sub (list form)', { 'Fn::Sub': ['${X}/${Env}', { X: { Ref: 'AWS::Region' } }] }, 'eu-west-1/dev'],
  ['Fn::Select', { 'Fn::Select': ['1', { Ref: 'Names' }] }, 'b'],
  ['Fn::Split', { 'Fn::Split': [',', 'x,y'] }, ['x', 'y']],
  ['Fn::Select of Fn::Split', { 'Fn::Select': [2, { 'Fn::Split': ['/', 'a/b/c'] }] }, 'c'],
  ['Fn::If', { 'Fn::If': ['IsDev', 'yes', 'no'] }, 'yes'],
  ['Fn::FindInMap', { 'Fn::FindInMap': ['Regions', { Ref: 'AWS::Region' }, 'Ami'] }, 'ami-1'],
  ['Fn::Base64', { 'Fn::Base64': 'hello' }, 'aGVsbG8='],
  ['Fn::GetAZs', { 'Fn::GetAZs': '' }, ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']],
  ['Fn::ImportValue', { 'Fn::ImportValue': { 'Fn::Sub': '${Env}-table' } }, 'imported:dev-table'],
  ['Fn::ToJsonString', { 'Fn::ToJsonString': { a: [1, { Ref: 'Env' }] } }, '{"a":[1,"dev"]}'],
  ['Fn::Length', { 'Fn::Length': { Ref: 'Names' } }, 3],
  ['Fn::Equals compares as strings', { 'Fn::Equals': [{ Ref: 'Size' }, 3] }, true],
];

describe('intrinsic functions', () => {
  it.each(cases)('%s', (_name, input, expected) => {
    expect(evaluator().resolve(input)).toEqual(expected);
  });

  it('leaves values depending on unknown resources unknown (change sets)', () => {
    const e = evaluator();
    expect(e.resolve({ Ref: 'Later' })).toBeInstanceOf(Unknown);
    expect(e.resolve({ 'Fn::Join': ['', ['a', { 'Fn::GetAtt': ['Later', 'Arn'] }]] })).toBeInstanceOf(Unknown);
    expect(e.resolve({ 'Fn::Sub': 'x-${Later}' })).toBeInstanceOf(Unknown);
  });

  it.each([
    [{ 'Fn::Select': [5, ['a']] }, 'Fn::Select cannot select nonexistent value at index 5'],
    [{ 'Fn::FindInMap': ['Regions', 'mars', 'Ami'] }, 'Unable to get mapping for Regions::mars::Ami'],
    [{ Ref: 'Missing' }, 'Unresolved resource dependencies [Missing]'],
    [{ 'Fn::Cidr': ['10.0.0.0/16', 2, 8] }, 'Unrecognized function Fn::Cidr'],
    [{ 'Fn::Join': ['', [{ A: 1 }]] }, 'requires string parameters'],
  ])('rejects %j', (input, message) => {
    expect(() => evaluator().resolve(input)).toThrow(message);
  });
});

describe('conditions', () => {
  it.each([
    [{}, { IsProd: false, IsDev: true, Both: true, Either: true }],
    [{ Env: 'prod' }, { IsProd: true, IsDev: false, Both: false, Either: true }],
  ])('with %j', (params, expected) => {
    const e = evaluator(params);
    expect(Object.fromEntries(Object.keys(expected).map((c) => [c, e.condition(c)]))).toEqual(expected);
  });

  it('rejects a condition that refers to itself', () => {
    const looping: Template = { ...template, Conditions: { A: { 'Fn::Not': [{ Condition: 'A' }] } } };
    const e = new Evaluator({ template: looping, parameters: {}, pseudo: { accountId: '', region: '', stackName: '', stackId: '', notificationARNs: [] }, ref: () => '', getAtt: () => '', importValue: () => '' });
    expect(() => e.condition('A')).toThrow('circular condition');
  });
});

describe('templates', () => {
  it('parses YAML with the short-form tags', () => {
    const parsed = parseTemplate(`
Parameters:
  Env: { Type: String }
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub '\${Env}-queue'
      Tags:
        - Key: arn
          Value: !GetAtt Other.Arn
        - Key: joined
          Value: !Join [ '-', [ !Ref Env, !Select [ 0, !GetAZs '' ] ] ]
  Other:
    Type: AWS::SQS::Queue
    Condition: IsDev
Conditions:
  IsDev: !Equals [ !Ref Env, dev ]
`);
    expect(parsed.Resources.Queue!.Properties).toEqual({
      QueueName: { 'Fn::Sub': '${Env}-queue' },
      Tags: [
        { Key: 'arn', Value: { 'Fn::GetAtt': ['Other', 'Arn'] } },
        { Key: 'joined', Value: { 'Fn::Join': ['-', [{ Ref: 'Env' }, { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }]] } },
      ],
    });
    expect(parsed.Conditions).toEqual({ IsDev: { 'Fn::Equals': [{ Ref: 'Env' }, 'dev'] } });
  });

  it('finds references in Ref, Fn::GetAtt and Fn::Sub (not in Fn::Sub variables or ${!literals})', () => {
    const refs = references({ a: { Ref: 'A' }, b: { 'Fn::GetAtt': ['B', 'Arn'] }, c: { 'Fn::Sub': ['${C.Arn}-${v}-${!D}', { v: { Ref: 'E' } }] } });
    expect([...refs].sort()).toEqual(['A', 'B', 'C', 'E']);
  });

  it('checks parameter constraints as AWS does', () => {
    const t = parseTemplate(JSON.stringify({ Parameters: { P: { Type: 'String', AllowedValues: ['a', 'b'] }, N: { Type: 'Number', MinValue: 1, Default: 5 } }, Resources: { Q: { Type: 'AWS::SQS::Queue' } } }));
    expect(() => resolveParameters(t, [{ key: 'P', value: 'c' }])).toThrow("Parameter 'P' must be one of AllowedValues");
    expect(() => resolveParameters(t, [{ key: 'P', value: 'a' }, { key: 'N', value: '0' }])).toThrow("Parameter 'N' must be a number not less than 1");
    expect(() => resolveParameters(t, [{ key: 'P', value: 'a' }, { key: 'X', value: '1' }])).toThrow('Parameters: [X] do not exist in the template');
    expect(resolveParameters(t, [{ key: 'P', value: 'b' }])).toEqual({ P: 'b', N: '5' });
  });
});
