//! Scheduling: independent tests in parallel, suites in order, `--fail-fast`.

use crate::test::{TestOutcome, not_run, run_test};
use crate::{PlannedFile, Settings, Source};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tbt_engine::Carried;
use tbt_engine::Verdict;
use tokio::sync::Semaphore;

/// What runs as one: a test outside a suite, or the selected tests of a suite, in order.
#[derive(Clone, Debug)]
pub struct Unit {
    /// The file.
    pub file: Arc<PlannedFile>,
    /// Indexes into the file plan's tests, in the order they run.
    pub tests: Vec<usize>,
}

/// Runs the units, at most `settings.jobs` at a time, and returns every test's outcome in
/// the units' order. `on_done` is called as each test finishes (for progress output).
pub async fn run(
    units: Vec<Unit>,
    settings: Arc<Settings>,
    source: Source,
    on_done: Arc<dyn Fn(&TestOutcome) + Send + Sync>,
) -> Vec<TestOutcome> {
    let permits = Arc::new(Semaphore::new(settings.jobs.max(1)));
    let stop = Arc::new(AtomicBool::new(false));
    let mut handles = Vec::with_capacity(units.len());
    for unit in units {
        // Taking the permit here, before the task starts, runs units in their order: with
        // `-j 1` the tests run in file order, and `--fail-fast` stops at the first failure.
        let permit = permits.clone().acquire_owned().await.ok();
        let settings = settings.clone();
        let source = source.clone();
        let on_done = on_done.clone();
        let kept = unit.clone();
        let stop = stop.clone();
        let handle = tokio::spawn(async move {
            let _permit = permit;
            let mut outcomes = Vec::with_capacity(unit.tests.len());
            let mut carried = Carried::default();
            for &index in &unit.tests {
                let outcome = if stop.load(Ordering::Relaxed) {
                    not_run(
                        &unit.file,
                        index,
                        "not run: --fail-fast stopped the run after a failure",
                    )
                } else {
                    let (outcome, next) =
                        run_test(&unit.file, index, carried, &settings, &source).await;
                    carried = next;
                    outcome
                };
                if outcome.verdict == Verdict::Fail && settings.fail_fast {
                    stop.store(true, Ordering::Relaxed);
                }
                on_done(&outcome);
                outcomes.push(outcome);
            }
            outcomes
        });
        handles.push((kept, handle));
    }
    let mut all = Vec::new();
    for (unit, h) in handles {
        match h.await {
            Ok(outcomes) => all.extend(outcomes),
            Err(e) => {
                // A panic in a test task is a bug; it must not take the other tests with it,
                // and its tests must not vanish from the report.
                let why = format!(
                    "internal error: the test stopped unexpectedly ({e}); please report it"
                );
                for &index in &unit.tests {
                    let mut outcome = not_run(&unit.file, index, &why);
                    outcome.verdict = Verdict::Fail;
                    outcome.report.verdict = Verdict::Fail;
                    on_done(&outcome);
                    all.push(outcome);
                }
            }
        }
    }
    all
}
