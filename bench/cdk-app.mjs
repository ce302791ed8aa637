// The same app as `tap synth`, as an entry point for the stock `cdk synth` CLI (bench/synth.ts only).
import { buildApp } from '../dist/infra/app.js';

const outDir = process.env.CDK_OUTDIR;
if (!outDir) throw new Error('run me through `cdk synth --app "node bench/cdk-app.mjs"`');
const { app } = await buildApp({ envName: process.env.TAP_ENV ?? 'dev', outDir });
app.synth();
