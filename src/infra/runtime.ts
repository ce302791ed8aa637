import { Runtime, RuntimeFamily } from 'aws-cdk-lib/aws-lambda';

/**
 * The newest Node.js runtime this aws-cdk-lib knows. `Runtime.NODEJS_LATEST` lags behind on purpose
 * (it tracks what every region has), so pick the highest `nodejsNN.x` from the full list instead.
 */
export function newestNodeRuntime(): Runtime {
  let best: { runtime: Runtime; major: number } | undefined;
  for (const runtime of Runtime.ALL) {
    const match = /^nodejs(\d+)\.x$/.exec(runtime.name);
    if (runtime.family !== RuntimeFamily.NODEJS || !match || runtime.isVariable) continue;
    const major = Number(match[1]);
    if (!best || major > best.major) best = { runtime, major };
  }
  if (!best) throw new Error('aws-cdk-lib lists no Node.js runtime');
  return best.runtime;
}
