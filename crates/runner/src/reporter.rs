//! The `Reporter` handed to a running trial: it stores each report and tells the observer.

use experiment::{Control, MetricPoint, Reporter, Step, TrialId};
use store::Store;

use crate::Observer;

/// Stores the metrics of one trial as they are reported.
///
/// A store error cannot travel through `Reporter::report`, so it is kept here and the trial is
/// asked to stop; the study loop then returns the error.
pub(crate) struct StoreReporter<'a> {
    pub(crate) store: &'a Store,
    pub(crate) experiment: &'a str,
    pub(crate) trial: TrialId,
    pub(crate) observer: &'a dyn Observer,
    pub(crate) error: Option<store::Error>,
    pub(crate) last_step: Option<Step>,
}

impl Reporter for StoreReporter<'_> {
    fn report(&mut self, step: Step, metrics: &[MetricPoint]) -> Control {
        if self.error.is_some() {
            return Control::Prune;
        }
        if let Err(e) = self
            .store
            .append_metrics(self.experiment, self.trial, step, metrics)
        {
            self.error = Some(e);
            return Control::Prune;
        }
        self.last_step = Some(step);
        self.observer.trial_reported(self.trial, step, metrics);
        Control::Continue
    }
}
