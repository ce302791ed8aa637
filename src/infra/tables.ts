import { RemovalPolicy } from 'aws-cdk-lib/core';
import { AttributeType, BillingMode, ProjectionType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { STATUS_INDEX } from '../handlers/contract.js';

export interface TablesProps {
  readonly envName: string;
  readonly removalPolicy: RemovalPolicy;
  readonly deletionProtection: boolean;
}

/** The metadata table (one item per processing of a file version) and the shipment events table. */
export class Tables extends Construct {
  readonly metadata: Table;
  readonly events: Table;

  constructor(scope: Construct, id: string, props: TablesProps) {
    super(scope, id);
    const common = {
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
    };

    this.metadata = new Table(this, 'Metadata', {
      ...common,
      tableName: `tap-${props.envName}-metadata`,
      partitionKey: { name: 'filename', type: AttributeType.STRING },
      // The S3 event's eventTime: the same event delivered twice maps to the same item.
      sortKey: { name: 'upload_timestamp', type: AttributeType.STRING },
    });
    this.metadata.addGlobalSecondaryIndex({
      indexName: STATUS_INDEX,
      partitionKey: { name: 'processing_status', type: AttributeType.STRING },
      sortKey: { name: 'upload_timestamp', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });

    this.events = new Table(this, 'Events', {
      ...common,
      tableName: `tap-${props.envName}-shipment-events`,
      partitionKey: { name: 'shipment_id', type: AttributeType.STRING },
      // `<timestamp>#<hash of bucket/key#version#record>`: time-ordered, and the same record of the
      // same file version always lands on the same item.
      sortKey: { name: 'event_key', type: AttributeType.STRING },
    });
  }
}
