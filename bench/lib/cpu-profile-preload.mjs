// Loaded with --import into an app under `npm run bench -- --profile`: samples the CPU from start-up
// and, on SIGUSR2, writes the profile to $BENCH_CPU_PROFILE and exits. (--cpu-prof is not allowed in
// NODE_OPTIONS, and would write nothing anyway when the app dies of its own SIGTERM handling.)
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.start');
process.on('SIGUSR2', () => {
  session.post('Profiler.stop', (error, result) => {
    if (error) console.error(`cpu profile: ${error.message}`);
    else writeFileSync(process.env.BENCH_CPU_PROFILE, JSON.stringify(result.profile));
    process.exit(error ? 1 : 0);
  });
});
