import type { ServiceFactory } from '../service.js';
import { apigatewayService, executeApiService } from './apigateway/service.js';
import { cloudformationService } from './cloudformation/service.js';
import { cloudwatchService } from './cloudwatch/service.js';
import { dynamodbService } from './dynamodb/service.js';
import { iamService } from './iam/service.js';
import { lambdaService } from './lambda/service.js';
import { logsService } from './logs/service.js';
import { s3Service } from './s3/service.js';
import { secretsManagerService } from './secretsmanager/service.js';
import { snsService } from './sns/service.js';
import { sqsService } from './sqs/service.js';
import { stepFunctionsService } from './stepfunctions/service.js';
import { ssmService } from './ssm/service.js';
import { stsService } from './sts/service.js';

/** Every service the local AWS runs, by factory. */
export const ALL_SERVICES: readonly ServiceFactory[] = [
  dynamodbService, stsService, iamService, logsService, snsService, cloudwatchService, ssmService, sqsService, lambdaService,
  s3Service, apigatewayService, executeApiService, secretsManagerService, stepFunctionsService, cloudformationService,
];
