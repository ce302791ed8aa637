import { createRequire } from 'node:module';
const mods = ['@aws-sdk/client-dynamodb','@aws-sdk/lib-dynamodb','@aws-sdk/client-sqs','@aws-sdk/client-cloudformation','@aws-sdk/credential-providers'];
const t0 = performance.now(); const c0 = process.cpuUsage();
if (process.argv[2] === 'require') { const r = createRequire(import.meta.url); for (const m of mods) r(m); }
else for (const m of mods) await import(m);
const c = process.cpuUsage(c0);
console.log(process.argv[2], (performance.now()-t0).toFixed(0), 'ms wall', ((c.user+c.system)/1000).toFixed(0), 'ms cpu');
