// Preloaded (node --require) by bench/startup.ts: prints the process's CPU time (user + system, µs)
// on stderr when it exits, a figure that load on the machine disturbs less than wall time.
process.on('exit', () => {
  const { userCPUTime, systemCPUTime } = process.resourceUsage();
  process.stderr.write(`\ntap-bench-cpu-us ${userCPUTime + systemCPUTime}\n`);
});
