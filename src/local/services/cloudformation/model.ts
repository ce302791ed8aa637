/** The persisted shapes of the CloudFormation service: stacks, their resources, events and change sets. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Template = {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Metadata?: Record<string, unknown>;
  Parameters?: Record<string, ParameterDeclaration>;
  Rules?: Record<string, { RuleCondition?: unknown; Assertions: Array<{ Assert: unknown; AssertDescription?: string }> }>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Conditions?: Record<string, unknown>;
  Transform?: unknown;
  Resources: Record<string, ResourceDeclaration>;
  Outputs?: Record<string, { Value: unknown; Description?: unknown; Export?: { Name: unknown }; Condition?: string }>;
};

export interface ParameterDeclaration {
  Type: string;
  Default?: unknown;
  NoEcho?: boolean | string;
  AllowedValues?: unknown[];
  AllowedPattern?: string;
  MinLength?: number | string;
  MaxLength?: number | string;
  MinValue?: number | string;
  MaxValue?: number | string;
  Description?: string;
  ConstraintDescription?: string;
}

export interface ResourceDeclaration {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: Record<string, unknown>;
  CreationPolicy?: unknown;
  UpdatePolicy?: unknown;
}

export type ResourceStatus =
  | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'CREATE_FAILED'
  | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE' | 'UPDATE_FAILED'
  | 'DELETE_IN_PROGRESS' | 'DELETE_COMPLETE' | 'DELETE_FAILED' | 'DELETE_SKIPPED'
  | 'UPDATE_ROLLBACK_IN_PROGRESS' | 'UPDATE_ROLLBACK_COMPLETE' | 'UPDATE_ROLLBACK_FAILED'
  | 'ROLLBACK_IN_PROGRESS' | 'ROLLBACK_COMPLETE' | 'ROLLBACK_FAILED';

/** One provisioned (or being provisioned) resource of a stack. */
export interface ResourceState {
  logicalId: string;
  type: string;
  physicalId?: string;
  /** What Ref returns, when it is not the physical id (e.g. an SQS queue's URL… is both). */
  ref?: string;
  status: ResourceStatus;
  statusReason?: string;
  /** The properties as last provisioned, intrinsics resolved. */
  properties: Record<string, unknown>;
  /** Fn::GetAtt values, by attribute name. */
  attributes: Record<string, unknown>;
  /** The logical ids this resource depends on (for delete order). */
  dependsOn: string[];
  deletionPolicy?: string;
  updateReplacePolicy?: string;
  metadata?: Record<string, unknown>;
  lastUpdated: string;
}

export interface StackEvent {
  EventId: string;
  StackId: string;
  StackName: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceType: string;
  Timestamp: string;
  ResourceStatus: string;
  ResourceStatusReason?: string;
  ResourceProperties?: string;
  ClientRequestToken?: string;
}

export interface Output {
  OutputKey: string;
  OutputValue: string;
  Description?: string;
  ExportName?: string;
}

export interface Change {
  Action: 'Add' | 'Modify' | 'Remove';
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceType: string;
  Replacement?: 'True' | 'False' | 'Conditional';
  Scope: string[];
  Details: ChangeDetail[];
}

export interface ChangeDetail {
  Target: { Attribute: string; Name?: string; RequiresRecreation?: 'Never' | 'Conditionally' | 'Always' };
  Evaluation: 'Static' | 'Dynamic';
  ChangeSource: 'ResourceReference' | 'ParameterReference' | 'ResourceAttribute' | 'DirectModification' | 'Automatic';
  CausingEntity?: string;
}

/** What a deploy operation targets: a template and its inputs. */
export interface Desired {
  templateBody: string;
  parameters: Record<string, string>;
  /** Values of `AWS::SSM::Parameter::Value<…>` parameters, read from the local SSM at deploy time. */
  resolved?: Record<string, string>;
  tags: Array<{ Key: string; Value: string }>;
  capabilities: string[];
  notificationARNs: string[];
  description?: string;
}

export interface ChangeSetRecord {
  ChangeSetId: string;
  ChangeSetName: string;
  ChangeSetType: 'CREATE' | 'UPDATE' | 'IMPORT';
  Description?: string;
  Status: 'CREATE_PENDING' | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'DELETE_PENDING' | 'DELETE_IN_PROGRESS' | 'DELETE_COMPLETE' | 'DELETE_FAILED' | 'FAILED';
  StatusReason?: string;
  ExecutionStatus: 'UNAVAILABLE' | 'AVAILABLE' | 'EXECUTE_IN_PROGRESS' | 'EXECUTE_COMPLETE' | 'EXECUTE_FAILED' | 'OBSOLETE';
  CreationTime: string;
  desired: Desired;
  changes: Change[];
}

/** An operation under way, persisted so that a restart can finish or roll it back. */
export interface Operation {
  kind: 'CREATE' | 'UPDATE' | 'DELETE';
  /** For UPDATE: what to roll back to. */
  previous?: { desired: Desired; resources: Record<string, ResourceState>; outputs: Output[] };
  /** Resources this operation changed, in order: rollback undoes them in reverse. */
  touched: Array<{ logicalId: string; action: 'create' | 'update' | 'replace' }>;
  /**
   * Physical resources the cleanup phase deletes: after an update, the replaced ones; after an
   * update rollback, the ones the update had created.
   */
  cleanup: ResourceState[];
  /** DeleteStack's RetainResources. */
  retain?: string[];
  /**
   * DeleteStack called while the stack was being created: AWS accepts it and deletes the stack once
   * the create has ended (its token goes with the delete).
   */
  deleteRequested?: { clientRequestToken?: string };
  changeSetId?: string;
  clientRequestToken?: string;
}

export interface StackRecord {
  StackId: string;
  StackName: string;
  region: string;
  StackStatus: string;
  StackStatusReason?: string;
  CreationTime: string;
  LastUpdatedTime?: string;
  DeletionTime?: string;
  DisableRollback: boolean;
  /** CreateStack's OnFailure=DELETE: a failed create is deleted after its rollback. */
  deleteOnFailure?: boolean;
  EnableTerminationProtection: boolean;
  RoleARN?: string;
  TimeoutInMinutes?: number;
  desired: Desired;
  resources: Record<string, ResourceState>;
  outputs: Output[];
  events: StackEvent[];
  changeSets: ChangeSetRecord[];
  /** Export names this stack imports (Fn::ImportValue): the exporting stack cannot remove them. */
  imports: string[];
  operation?: Operation;
}
