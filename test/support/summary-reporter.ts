import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints one plain closing line, "tests: N passed, N failed, N skipped", after vitest's own summary, so
 * CI can read the result of a run whatever reporter it knows. A test that never finished (its worker
 * died under it: vitest then says only "Worker exited unexpectedly") counts as failed and is named, with
 * its file, since nothing else in the output says which one it was.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const unfinished: string[] = [];
    for (const testModule of testModules) {
      if (testModule.state() === 'failed' && !testModule.children.size) failed += 1;
      for (const test of testModule.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else if (state === 'skipped') skipped += 1;
        else unfinished.push(`${relative(process.cwd(), testModule.moduleId)} > ${test.fullName}`);
      }
    }
    // Unhandled errors fail the run even when every test passed (a dead worker is one of them too).
    failed += unfinished.length + unhandledErrors.length;
    for (const name of unfinished) process.stdout.write(`\nnot finished: ${name}`);
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
