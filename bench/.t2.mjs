import { createRequire } from 'node:module';
const mods = ['@aws-sdk/client-dynamodb','@aws-sdk/lib-dynamodb','@aws-sdk/client-sqs','@aws-sdk/client-cloudformation','@aws-sdk/credential-providers'];
const t0 = performance.now(); const c0 = process.cpuUsage();
const r = createRequire(import.meta.url); for (const m of mods) r(m);
const c1 = process.cpuUsage(c0);
for (const m of mods) await import(m);
const c = process.cpuUsage(c0);
console.log('require then import', ((c1.user+c1.system)/1000).toFixed(0), ((c.user+c.system)/1000).toFixed(0), 'ms cpu');
