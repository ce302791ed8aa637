/**
 * Stage throttling as API Gateway applies it: a token bucket per stage and method, from the stage's
 * method settings (`*\/*` for all, or `{resourcePath}/{METHOD}` with `/` escaped as `~1`): rate per
 * second, burst as the bucket's size. Settings without limits leave the method unthrottled.
 */
import type { Stage } from './model.js';

interface Bucket {
  tokens: number;
  at: number;
}

export class Throttle {
  private readonly buckets = new Map<string, Bucket>();

  /** `routeKey` is `{resourcePath}/{METHOD}`, e.g. `/files/{key+}/GET`. */
  admit(apiId: string, stage: Stage, routeKey: string, now = Date.now()): boolean {
    const escaped = routeKey.replace(/^(.*)\/([A-Z]+)$/, (_m, path: string, verb: string) => `${path.replace(/\//g, '~1')}/${verb}`);
    const settings = (stage.methodSettings[escaped] ?? stage.methodSettings['*/*']) as { throttlingRateLimit?: number; throttlingBurstLimit?: number } | undefined;
    const rate = Number(settings?.throttlingRateLimit);
    const burst = Number(settings?.throttlingBurstLimit);
    if (!(rate > 0) && !(burst > 0)) return true;
    const size = burst > 0 ? burst : Math.max(1, Math.ceil(rate));
    const key = `${apiId}/${stage.stageName}/${escaped}`;
    const bucket = this.buckets.get(key) ?? { tokens: size, at: now };
    bucket.tokens = Math.min(size, bucket.tokens + ((now - bucket.at) / 1000) * (rate > 0 ? rate : size));
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
