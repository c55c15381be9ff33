//! The `Reporter` handed to a running trial: it stores each report, tells the observer, and
//! asks the pruner whether the trial may go on.
//!
//! A trial whose report breaks a constraint on a metric that no epoch changes (`param_count`)
//! stops there, whatever the pruner: it can never meet the constraint, so its further epochs
//! would be spent on a trial that cannot be the best. Its objective goes on the board as NaN,
//! which the pruners pass over: other trials are not judged against one that can never be the
//! best (a large model's first epoch would raise the bar for the small ones).
//!
//! A stop (`Stop::request`) cuts a trial at its next report, but for the report of its last
//! epoch (`Reporter::report_last`): a trial whose training is over is kept, stored as an
//! uninterrupted run stores it, rather than run again from scratch on resume. One that ended
//! before its last epoch, by its own early stopping or a pruning decision, reports no more and
//! is kept the same way. A stop seen at an earlier report cuts the trial even where its own
//! early stopping would have ended it there: the trainer applies that rule after the report,
//! and a report cannot tell.

use experiment::{
    Constraint, Control, ExperimentSpec, MetricPoint, Reporter, Step, TrialId, CONSTANT_METRICS,
};
use search::{consults_others, kept_whatever_pending, should_prune, Curve, PruneQuery};
use store::{JournalEvent, Store};

use crate::agents::Peers;
use crate::board::Board;
use crate::{Clock, Error, Observer, Result, Stop};

/// Stores the metrics of one trial as they are reported, and applies the spec's pruner.
///
/// A store error cannot travel through `Reporter::report`, so it is kept here and the trial is
/// asked to stop; the study loop then returns the error.
pub(crate) struct StoreReporter<'a> {
    store: &'a Store,
    spec: &'a ExperimentSpec,
    trial: TrialId,
    observer: &'a dyn Observer,
    clock: &'a dyn Clock,
    board: &'a Board,
    stop: &'a Stop,
    peers: Option<&'a Peers<'a>>,
    own: Vec<(Step, f64)>,
    error: Option<Error>,
    pruned_by: Option<String>,
}

impl<'a> StoreReporter<'a> {
    /// Returns a reporter for trial `trial` of `spec`'s experiment, which stops the trial at
    /// its next report once `stop` is requested, unless that report is of its last epoch;
    /// each report is stored as heard at `clock`'s time (`Store::append_report`).
    pub(crate) fn new(
        store: &'a Store,
        spec: &'a ExperimentSpec,
        trial: TrialId,
        (observer, clock): (&'a dyn Observer, &'a dyn Clock),
        board: &'a Board,
        stop: &'a Stop,
        peers: Option<&'a Peers<'a>>,
    ) -> StoreReporter<'a> {
        StoreReporter {
            store,
            spec,
            trial,
            observer,
            clock,
            board,
            stop,
            peers,
            own: Vec::new(),
            error: None,
            pruned_by: None,
        }
    }

    /// Returns the last step reported, if any.
    pub(crate) fn last_step(&self) -> Option<Step> {
        self.own.last().map(|(step, _)| *step)
    }

    /// Returns the error met while reporting, or else the pruner's reason if it stopped the
    /// trial.
    pub(crate) fn into_result(self) -> Result<Option<String>> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.pruned_by),
        }
    }

    fn decide(&mut self, step: Step) -> std::result::Result<Control, Error> {
        let pruner = &self.spec.pruner;
        if !pruner.is_active() {
            return Ok(Control::Continue);
        }
        let alone = PruneQuery {
            trial: self.trial,
            step,
            own: &self.own,
            earlier: &[],
            direction: self.spec.metric.goal,
        };
        // Earlier trials are waited for only when the decision can depend on them, and only
        // until the trial is kept whatever those still short of the step report.
        if !consults_others(pruner, &alone) {
            return Ok(self.apply(should_prune(pruner, &alone), step));
        }
        let earlier = self
            .board
            .curves_before(self.trial, step, |reached, pending| {
                let curves = as_curves(reached);
                let query = PruneQuery {
                    earlier: &curves,
                    ..alone
                };
                kept_whatever_pending(pruner, &query, pending)
            })
            .map_err(|_| Error::Aborted)?;
        if !earlier.pending.is_empty() {
            return Ok(Control::Continue);
        }
        let curves = as_curves(&earlier.reached);
        let query = PruneQuery {
            earlier: &curves,
            ..alone
        };
        Ok(self.apply(should_prune(pruner, &query), step))
    }

    /// Turns the pruner's answer into the trial's next move, keeping the reason if it stops.
    fn apply(&mut self, reason: Option<String>, step: Step) -> Control {
        match reason {
            Some(reason) => {
                tracing::info!(trial = self.trial.0, step = step.0, %reason, "pruned");
                self.pruned_by = Some(reason);
                Control::Prune
            }
            None => Control::Continue,
        }
    }
}

/// Returns the objective's value in a report (NaN when missing).
fn objective(spec: &ExperimentSpec, metrics: &[MetricPoint]) -> f64 {
    metrics
        .iter()
        .find(|m| m.name == spec.metric.name)
        .map_or(f64::NAN, |m| m.value)
}

/// Returns the value a report puts on the board, and why the trial can never meet the
/// constraints when it cannot: then the value is NaN, which the pruners pass over.
pub(crate) fn board_value(spec: &ExperimentSpec, metrics: &[MetricPoint]) -> (f64, Option<String>) {
    match never_feasible(&spec.constraints, metrics) {
        Some(reason) => (f64::NAN, Some(reason)),
        None => (objective(spec, metrics), None),
    }
}

/// Returns why a trial reporting `metrics` can never meet `constraints`: the first constraint
/// on a metric that no epoch changes that the report breaks.
fn never_feasible(constraints: &[Constraint], metrics: &[MetricPoint]) -> Option<String> {
    never_meets(constraints, |name| {
        metrics.iter().find(|m| m.name == name).map(|m| m.value)
    })
}

/// Returns why a trial whose metrics `value` reads can never meet `constraints`: the first
/// constraint on a metric that no epoch changes that it breaks.
pub(crate) fn never_meets(
    constraints: &[Constraint],
    value: impl Fn(&str) -> Option<f64>,
) -> Option<String> {
    constraints
        .iter()
        .filter(|c| CONSTANT_METRICS.contains(&c.metric.as_str()))
        .find(|c| value(&c.metric).is_some_and(|v| c.excess(v) > 0.0))
        .map(|c| format!("breaks the constraint {c}, which no epoch changes"))
}

/// Borrows the board's curves (owned or borrowed) as the pruner's.
fn as_curves<V: AsRef<[(Step, f64)]>>(earlier: &[(TrialId, V)]) -> Vec<Curve<'_>> {
    earlier
        .iter()
        .map(|(trial, values)| Curve {
            trial: *trial,
            values: values.as_ref(),
        })
        .collect()
}

impl Reporter for StoreReporter<'_> {
    fn report(&mut self, step: Step, metrics: &[MetricPoint]) -> Control {
        self.record(step, metrics, true)
    }

    fn report_last(&mut self, step: Step, metrics: &[MetricPoint]) -> Control {
        self.record(step, metrics, false)
    }
}

impl StoreReporter<'_> {
    /// Records a step's metrics everywhere they go, then, when `judge` (any report but the
    /// last epoch's), stops the trial if the study is being stopped, and otherwise asks the
    /// pruner.
    fn record(&mut self, step: Step, metrics: &[MetricPoint], judge: bool) -> Control {
        if self.error.is_some() {
            return Control::Prune;
        }
        let heard = self.clock.now();
        if let Err(e) = self
            .store
            .append_report(&self.spec.name, self.trial, step, metrics, heard)
        {
            self.error = Some(e.into());
            return Control::Prune;
        }
        let value = objective(self.spec, metrics);
        self.own.push((step, value));
        let (shown, never) = board_value(self.spec, metrics);
        self.board.report(self.trial, step, shown);
        if let Some(peers) = self.peers {
            let event = JournalEvent::Report {
                trial: self.trial,
                step,
                metrics: metrics.to_vec(),
            };
            if let Err(e) = peers.publish(&event) {
                self.error = Some(e);
                return Control::Prune;
            }
        }
        self.observer.trial_reported(self.trial, step, metrics);
        if !judge {
            // Its last epoch: its training is over, so a stop does not cut it. The stop waits
            // for what follows (the trainer's write of its best epoch's checkpoint, short beside
            // an epoch): cutting that would lose the whole trained trial, or keep it without
            // the checkpoint an uninterrupted run keeps. A second Ctrl-C ends the process at
            // once.
            return Control::Continue;
        }
        if self.stop.requested() {
            self.error = Some(Error::Stopped);
            return Control::Prune;
        }
        if let Some(reason) = never {
            return self.apply(Some(reason), step);
        }
        match self.decide(step) {
            Ok(control) => control,
            Err(e) => {
                // A trial stopped from outside aborts the waits of the others (it will never
                // report again); a waiting trial is then stopped too, not failed.
                self.error = Some(match e {
                    Error::Aborted if self.stop.requested() => Error::Stopped,
                    e => e,
                });
                Control::Prune
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_broken_constraint_on_a_constant_metric_stops_a_trial() {
        let at_most = |metric: &str, max: f64| Constraint {
            metric: metric.into(),
            min: None,
            max: Some(max),
        };
        let point = |name: &str, value: f64| MetricPoint {
            name: name.into(),
            value,
        };
        let report = [point("val_loss", 0.9), point("param_count", 4810.0)];
        let constraints = [at_most("val_loss", 0.5), at_most("param_count", 2000.0)];
        assert_eq!(
            never_feasible(&constraints, &report).as_deref(),
            Some("breaks the constraint param_count ≤ 2000, which no epoch changes")
        );
        // val_loss may still come down; param_count within its bound.
        assert_eq!(never_feasible(&constraints[..1], &report), None);
        assert_eq!(
            never_feasible(&[at_most("param_count", 5000.0)], &report),
            None
        );
    }
}
