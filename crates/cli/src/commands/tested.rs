//! The test split: after a sweep, its best trial (by the objective, on validation) is measured
//! once on the held-out test split; the result is stored apart from the trials and shown apart
//! from the leaderboard, and never used to choose a trial. With agents, the agent that ran the
//! best trial measured it and the others stored its result (`runner`'s agents), so it is found
//! stored here.

use std::io::Write;

use anyhow::Context;
use experiment::Objective;
use experiment::{ExperimentSpec, Trial, TrialId};
use store::{Store, TestResult};
use trainer::MlpObjective;

use crate::output;

/// Measures `best` on the test split unless the store already holds its result, stores it, and
/// prints it.
pub(crate) fn after_run(
    store: &Store,
    spec: &ExperimentSpec,
    objective: &MlpObjective,
    best: Option<&Trial>,
) -> anyhow::Result<()> {
    let Some(best) = best else {
        return Ok(());
    };
    let mut out = crate::standard_output::lock();
    let result = match store.test_result(&spec.name)? {
        Some(stored) if stored.trial == best.id => stored,
        _ => {
            let Some(measured) = objective.test(best) else {
                let share = spec.data.split.test;
                let why = if share > 0.0 {
                    format!(
                        "data.split.test is {}, a share of the rows that rounds to none",
                        experiment::number_text(share)
                    )
                } else {
                    "data.split.test is 0".to_string()
                };
                writeln!(out, "no test split ({why}): nothing measured on test")?;
                return Ok(());
            };
            let metrics = measured
                .map_err(anyhow::Error::msg)
                .with_context(|| format!("cannot measure trial {} on the test split", best.id))?;
            let result = TestResult {
                trial: best.id,
                metrics,
            };
            store.put_test_result(&spec.name, &result)?;
            store.flush()?;
            result
        }
    };
    print(&mut out, &result, Some(best))
}

/// Prints `experiment`'s test result as the store holds it (`stored`), if there is one, and
/// where a later run found a better trial than the one measured (`best`), that it awaits that
/// run's end.
pub(crate) fn show(
    out: &mut impl Write,
    store: &Store,
    experiment: &str,
    stored: Option<TestResult>,
    best: Option<TrialId>,
) -> anyhow::Result<()> {
    if let Some(result) = stored {
        let trial = store.trial(experiment, result.trial)?;
        print(out, &result, trial.as_ref())?;
        if let Some(best) = best.filter(|b| *b != result.trial) {
            writeln!(
                out,
                "  (the best then; the best is now trial {best}, found by a later run, which \
                 measures it when it runs to its end)"
            )?;
        }
    }
    Ok(())
}

fn print(out: &mut impl Write, result: &TestResult, trial: Option<&Trial>) -> anyhow::Result<()> {
    let epoch = trial
        .and_then(|t| t.result.as_ref())
        .map_or(String::new(), |r| format!(", epoch {}", r.best_step));
    writeln!(
        out,
        "\ntest split: trial {}{epoch} (measured once, after the sweep; never used to choose)",
        result.trial
    )?;
    let width = result.metrics.keys().map(String::len).max().unwrap_or(0);
    for (name, value) in &result.metrics {
        writeln!(
            out,
            "  {name:<width$}  {}",
            output::named_metric(name, Some(*value))
        )?;
    }
    Ok(())
}
