import { it } from 'vitest';
import { writeReport } from '../../src/report/metrics-report.ts';
import { syntheticRunReport } from './run-fixture.ts';
it('gen', async () => {
  const r = await syntheticRunReport();
  const t = performance.now();
  console.log(await writeReport('/tmp/rep', r, [5, 10]), performance.now() - t);
});
