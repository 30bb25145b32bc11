// Lists every skipped test by name at the end of a run, so a `*.live.spec.ts` without its vendor key is visibly
// skipped (the default reporter only counts skips unless --verbose).
class SkippedReporter {
  onRunComplete(_contexts, results) {
    const lines = [];
    for (const file of results.testResults) {
      for (const t of file.testResults) {
        if (t.status === 'pending' || t.status === 'skipped' || t.status === 'todo') {
          lines.push(`  skipped: ${[...t.ancestorTitles, t.title].join(' › ')}`);
        }
      }
    }
    if (lines.length > 0) process.stdout.write(`\nSkipped tests (${lines.length}):\n${lines.join('\n')}\n`);
  }
}
module.exports = SkippedReporter;
