//! The test split: after a sweep, its best trial (by the objective, on validation) is measured
//! on the held-out test split; the result is stored apart from the trials and shown apart
//! from the leaderboard, and never used to choose a trial. The store keeps one result: a later
//! run that finds a better trial measures that one in its place, and says whose it replaces
//! (the record keeps no count of earlier measurements). With agents, the agent that ran the
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
    let stored = store.test_result(&spec.name)?;
    let replaced = replaced_note(stored.as_ref(), best.id);
    let result = match stored {
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
    print(&mut out, &result, Some(best))?;
    if let Some(note) = replaced {
        writeln!(out, "{note}")?;
    }
    Ok(())
}

/// Returns the note that the result measured now on trial `best` replaces the one `stored` for
/// another trial, the best when an earlier run ended: the store keeps one, so the test split
/// has been measured more than once. `None` where nothing is replaced.
fn replaced_note(stored: Option<&TestResult>, best: TrialId) -> Option<String> {
    let earlier = stored.filter(|s| s.trial != best)?;
    Some(format!(
        "  (in place of trial {}'s result, measured when an earlier run ended, the best then: \
         the test split has been measured more than once, and only this result is kept)",
        earlier.trial
    ))
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
        "\ntest split: trial {}{epoch} (measured when the run that found it ended; never used to \
         choose)",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_f7_a_result_measured_in_place_of_another_trials_says_so() {
        // A raised run cap measured a better trial on the test split and dropped the earlier
        // result without a word, the run still saying 'measured once'.
        let stored = TestResult {
            trial: TrialId(0),
            metrics: std::collections::BTreeMap::new(),
        };
        assert_eq!(
            replaced_note(Some(&stored), TrialId(1)).as_deref(),
            Some(
                "  (in place of trial 0's result, measured when an earlier run ended, the best \
                 then: the test split has been measured more than once, and only this result is \
                 kept)"
            )
        );
        assert_eq!(replaced_note(Some(&stored), TrialId(0)), None);
        assert_eq!(replaced_note(None, TrialId(1)), None);
        let mut header = Vec::new();
        print(&mut header, &stored, None).unwrap();
        assert_eq!(
            String::from_utf8(header).unwrap(),
            "\ntest split: trial 0 (measured when the run that found it ended; never used to \
             choose)\n"
        );
    }
}
