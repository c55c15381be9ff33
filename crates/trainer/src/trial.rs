//! The rules that end a trial: every epoch is reported, the best epoch by the experiment's
//! metric is kept, and a trial ends when its epochs run out, the reporter prunes it, early
//! stopping fires, or a loss diverges.
//!
//! `drive` does not train: it takes a closure that runs one epoch, so the rules are tested here
//! with scripted epochs, in microseconds.

use std::collections::BTreeMap;

use experiment::{
    Control, Direction, EarlyStopping, MetricSpec, Reporter, Step, TrialOutcome, TrialResult,
};

use crate::train::{EpochEnd, EpochMetrics};
use crate::Result;

/// What a trial is scored and stopped by.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Goals<'a> {
    pub(crate) metric: &'a MetricSpec,
    pub(crate) early_stopping: Option<&'a EarlyStopping>,
}

/// Returns the span `epoch{n}` that everything of epoch `n` (from 1) runs in, in training and
/// in training again (`objective.rs`).
pub(crate) fn epoch_span(n: u32) -> tracing::Span {
    tracing::info_span!("epoch", n)
}

/// Runs a trial to its end: reports every epoch, and applies pruning, early stopping and the
/// divergence check. `epoch` runs one epoch (on whatever thread the caller chooses);
/// `on_best` is called after each epoch that becomes the best so far, before it is reported,
/// so that the caller can keep that epoch's weights. Each epoch runs in a span `epoch{n}`.
pub(crate) fn drive(
    epochs: u32,
    goals: Goals<'_>,
    reporter: &mut dyn Reporter,
    mut epoch: impl FnMut() -> Result<EpochEnd>,
    mut on_best: impl FnMut(Step) -> Result<()>,
) -> Result<TrialOutcome> {
    if Direction::of_metric(&goals.metric.name).is_none() {
        return Ok(failed(format!("unknown metric `{}`", goals.metric.name)));
    }
    let objective = goals.metric.goal;
    let mut patience = match goals.early_stopping {
        Some(es) => match Direction::of_metric(&es.metric) {
            Some(direction) => Some(Patience::new(es, direction)),
            None => {
                return Ok(failed(format!(
                    "unknown early-stopping metric `{}`",
                    es.metric
                )))
            }
        },
        None => None,
    };
    let mut best: Option<(Step, f64, EpochMetrics)> = None;
    let mut stopped_early = None;
    for n in 1..=epochs {
        // Everything of one epoch, its training and its report, is inside `epoch{n}` within
        // the caller's `trial{id}` span.
        let _epoch = epoch_span(n).entered();
        let step = Step(n);
        let metrics = match epoch()? {
            EpochEnd::Finished(metrics) => metrics,
            EpochEnd::Diverged => {
                tracing::debug!(epoch = n, "diverged");
                return Ok(failed(format!("diverged at epoch {n}")));
            }
        };
        let value = metrics.get(&goals.metric.name).unwrap_or(f64::NAN);
        tracing::debug!(
            epoch = n,
            train_loss = metrics.train_loss,
            objective = value,
            epoch_seconds = metrics.epoch_seconds,
            "epoch finished"
        );
        if best
            .as_ref()
            .is_none_or(|(_, incumbent, _)| objective.improves(value, *incumbent, 0.0))
        {
            on_best(step)?;
            best = Some((step, value, metrics.clone()));
        }
        let control = if n == epochs {
            reporter.report_last(step, &metrics.points())
        } else {
            reporter.report(step, &metrics.points())
        };
        if control == Control::Prune {
            tracing::debug!(epoch = n, "pruned");
            return Ok(TrialOutcome::Pruned {
                at: step,
                result: best.map(to_result),
            });
        }
        // At the last epoch nothing is stopped: the trial ends as it would anyway.
        if n < epochs && patience.as_mut().is_some_and(|p| p.should_stop(&metrics)) {
            tracing::debug!(epoch = n, "stopped early");
            stopped_early = Some(step);
            break;
        }
    }
    match best {
        Some(best) => Ok(TrialOutcome::Completed {
            result: to_result(best),
            stopped_early,
        }),
        None => Ok(failed("no epoch was run".to_string())),
    }
}

/// Early stopping: counts epochs without improvement of one metric.
#[derive(Debug)]
struct Patience<'a> {
    spec: &'a EarlyStopping,
    direction: Direction,
    best: f64,
    waited: u32,
}

impl<'a> Patience<'a> {
    fn new(spec: &'a EarlyStopping, direction: Direction) -> Self {
        Patience {
            spec,
            direction,
            best: f64::NAN,
            waited: 0,
        }
    }

    /// Records an epoch; returns true when `patience` epochs in a row brought no improvement.
    fn should_stop(&mut self, metrics: &EpochMetrics) -> bool {
        let value = metrics.get(&self.spec.metric).unwrap_or(f64::NAN);
        if self
            .direction
            .improves(value, self.best, self.spec.min_delta)
        {
            self.best = value;
            self.waited = 0;
            false
        } else {
            self.waited += 1;
            self.waited >= self.spec.patience
        }
    }
}

fn to_result((step, _, metrics): (Step, f64, EpochMetrics)) -> TrialResult {
    let metrics: BTreeMap<String, f64> = metrics
        .named()
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect();
    TrialResult {
        best_step: step,
        metrics,
    }
}

fn failed(reason: String) -> TrialOutcome {
    TrialOutcome::Failed { reason }
}

#[cfg(test)]
mod tests {
    use experiment::MetricPoint;

    use super::*;

    /// Records the steps reported; prunes at `prune_at`, but at the last step, which it marks
    /// in `last` and judges not, as the runner's reporter does.
    struct Steps {
        seen: Vec<u32>,
        prune_at: Option<u32>,
        last: Option<u32>,
    }

    impl Reporter for Steps {
        fn report(&mut self, step: Step, metrics: &[MetricPoint]) -> Control {
            assert_eq!(metrics.len(), 5);
            self.seen.push(step.0);
            if self.prune_at == Some(step.0) {
                Control::Prune
            } else {
                Control::Continue
            }
        }

        fn report_last(&mut self, step: Step, metrics: &[MetricPoint]) -> Control {
            assert_eq!(metrics.len(), 5);
            self.seen.push(step.0);
            self.last = Some(step.0);
            Control::Continue
        }
    }

    fn epoch(val_loss: f64, val_accuracy: f64) -> EpochEnd {
        EpochEnd::Finished(EpochMetrics {
            train_loss: 1.0,
            validation: vec![("val_loss", val_loss), ("val_accuracy", val_accuracy)],
            param_count: 100.0,
            epoch_seconds: 0.5,
        })
    }

    /// Drives a scripted trial; returns the outcome and the steps reported.
    fn script(
        epochs: &[EpochEnd],
        metric: (&str, Direction),
        early_stopping: Option<(u32, f64)>,
        prune_at: Option<u32>,
    ) -> (TrialOutcome, Vec<u32>) {
        let metric = MetricSpec {
            name: metric.0.to_string(),
            goal: metric.1,
        };
        let es = early_stopping.map(|(patience, min_delta)| EarlyStopping {
            metric: "val_loss".to_string(),
            patience,
            min_delta,
        });
        let goals = Goals {
            metric: &metric,
            early_stopping: es.as_ref(),
        };
        let mut reporter = Steps {
            seen: Vec::new(),
            prune_at,
            last: None,
        };
        let mut next = epochs.iter().cloned();
        let n = u32::try_from(epochs.len()).unwrap();
        let mut bests = Vec::new();
        let outcome = drive(
            n,
            goals,
            &mut reporter,
            || Ok(next.next().unwrap()),
            |step| {
                bests.push(step.0);
                Ok(())
            },
        )
        .unwrap();
        if reporter.seen.len() == epochs.len() {
            assert_eq!(
                reporter.last,
                Some(n),
                "the last epoch is reported as the last"
            );
        }
        if let TrialOutcome::Completed { result, .. }
        | TrialOutcome::Pruned {
            result: Some(result),
            ..
        } = &outcome
        {
            assert_eq!(
                bests.last(),
                Some(&result.best_step.0),
                "on_best saw the best epoch"
            );
        }
        (outcome, reporter.seen)
    }

    #[test]
    fn each_epoch_runs_in_a_span_with_its_number() {
        let recorder = crate::spans::Recorder::default();
        let epochs = [epoch(0.9, 0.5), epoch(0.4, 0.7), epoch(0.6, 0.8)];
        tracing::subscriber::with_default(recorder.clone(), || {
            let _trial = tracing::info_span!("trial", id = 2).entered();
            script(&epochs, ("val_loss", Direction::Minimize), None, Some(2));
        });
        let seen: Vec<_> = recorder
            .events()
            .into_iter()
            .map(|(message, spans)| (message, spans.join(":")))
            .collect();
        assert_eq!(
            seen,
            [
                ("epoch finished", "trial{id=2}:epoch{n=1}"),
                ("epoch finished", "trial{id=2}:epoch{n=2}"),
                ("pruned", "trial{id=2}:epoch{n=2}"),
            ]
            .map(|(m, s)| (m.to_string(), s.to_string()))
        );
    }

    #[test]
    fn the_best_epoch_follows_the_metric_and_its_goal() {
        let epochs = [epoch(0.9, 0.5), epoch(0.4, 0.7), epoch(0.6, 0.8)];
        let (by_accuracy, seen) =
            script(&epochs, ("val_accuracy", Direction::Maximize), None, None);
        assert_eq!(seen, [1, 2, 3]);
        let TrialOutcome::Completed {
            result,
            stopped_early: None,
        } = by_accuracy
        else {
            panic!("{by_accuracy:?}");
        };
        assert_eq!(result.best_step, Step(3));
        assert_eq!(result.metrics["val_loss"], 0.6);
        let (by_loss, _) = script(&epochs, ("val_loss", Direction::Minimize), None, None);
        let TrialOutcome::Completed { result, .. } = by_loss else {
            panic!("{by_loss:?}");
        };
        assert_eq!(result.best_step, Step(2));
    }

    #[test]
    fn patience_counts_epochs_without_enough_improvement() {
        let epochs = [
            epoch(1.0, 0.1),
            epoch(0.5, 0.2),
            epoch(0.49, 0.3),
            epoch(0.48, 0.4),
            epoch(0.1, 0.5),
        ];
        let (outcome, seen) = script(
            &epochs,
            ("val_accuracy", Direction::Maximize),
            Some((2, 0.05)),
            None,
        );
        assert_eq!(seen, [1, 2, 3, 4]);
        let TrialOutcome::Completed {
            result,
            stopped_early,
        } = outcome
        else {
            panic!("{outcome:?}");
        };
        assert_eq!(stopped_early, Some(Step(4)));
        assert_eq!(result.best_step, Step(4));
    }

    #[test]
    fn at_the_last_epoch_nothing_is_stopped_early_or_pruned() {
        let epochs = [epoch(1.0, 0.1), epoch(0.5, 0.2), epoch(0.49, 0.3)];
        // Patience runs out at the last epoch: the trial trained every epoch anyway.
        let (outcome, seen) = script(
            &epochs,
            ("val_accuracy", Direction::Maximize),
            Some((1, 0.05)),
            None,
        );
        assert_eq!(seen, [1, 2, 3]);
        assert!(
            matches!(
                outcome,
                TrialOutcome::Completed {
                    stopped_early: None,
                    ..
                }
            ),
            "{outcome:?}"
        );
        // A pruner would stop it at the last epoch: it is not asked, and the trial completes.
        let (outcome, _) = script(
            &epochs,
            ("val_accuracy", Direction::Maximize),
            None,
            Some(3),
        );
        assert!(
            matches!(outcome, TrialOutcome::Completed { .. }),
            "{outcome:?}"
        );
    }

    #[test]
    fn pruning_keeps_the_best_so_far_and_divergence_names_the_epoch() {
        let epochs = [epoch(1.0, 0.6), epoch(0.5, 0.4), epoch(0.4, 0.9)];
        let (pruned, seen) = script(
            &epochs,
            ("val_accuracy", Direction::Maximize),
            None,
            Some(2),
        );
        assert_eq!(seen, [1, 2]);
        let TrialOutcome::Pruned {
            at,
            result: Some(result),
        } = pruned
        else {
            panic!("{pruned:?}");
        };
        assert_eq!((at, result.best_step), (Step(2), Step(1)));

        let epochs = [epoch(1.0, 0.6), EpochEnd::Diverged, epoch(0.4, 0.9)];
        let (failed, seen) = script(&epochs, ("val_loss", Direction::Minimize), None, None);
        assert_eq!(seen, [1]);
        assert_eq!(
            failed,
            TrialOutcome::Failed {
                reason: "diverged at epoch 2".to_string()
            }
        );
    }
}
