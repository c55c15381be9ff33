//! What an experiment's trials trained: the epochs in all, against the most they could have
//! trained, and the epochs at which pruning stopped trials. `sweep show` and the dashboard's
//! experiment summary say it in the same words.
//!
//! The figure compares what the trials that ran trained with what they could have: a trial
//! still in the queue (never started, or put back by a stop to run again from scratch) is in
//! neither number, so a sweep stopped early reads as what its trials ran, not as savings that
//! pruning never made. The epochs of attempts cut off (`Effort::add_cut`) were trained and
//! thrown away: they are said apart, never in the ratio. A trial a killed sweep left
//! `running` is such an attempt before the next run records it as one
//! (`Effort::cut_left_running`), so a kill reads as a stop does, before a resume and after.

use std::collections::BTreeMap;

use crate::{ExperimentSpec, Hyperparams, Step, Trial, TrialId, TrialState};

/// The epochs an experiment's trials trained, trial by trial (`Effort::add`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effort {
    /// The epochs they would have trained had none stopped early (each trial's `epochs`, of
    /// those that started: ended or running), while the spec of every trial added is known.
    most: Option<u64>,
    /// The epochs trained by attempts cut off (a stop or a kill), whose trials ran again from
    /// scratch.
    cut: u64,
    /// How many trials pruning stopped at each epoch.
    pruned_at: BTreeMap<u32, usize>,
    /// How many of them the sweep stopped for breaking a constraint no epoch changes, not a
    /// pruner (`stopped_by_constraint`).
    by_constraint: usize,
    /// The epochs each trial added trained, for those that reported any.
    by_trial: BTreeMap<TrialId, u32>,
    /// The epochs every trial added trained, less those `cut_left_running` moved to `cut`.
    trained: u64,
    /// The trials added `running`, each with the most epochs it could have trained (`None`
    /// without the spec), until `cut_left_running` counts them as cut off.
    running: BTreeMap<TrialId, Option<u64>>,
}

impl Default for Effort {
    fn default() -> Effort {
        Effort {
            most: Some(0),
            cut: 0,
            pruned_at: BTreeMap::new(),
            by_constraint: 0,
            by_trial: BTreeMap::new(),
            trained: 0,
            running: BTreeMap::new(),
        }
    }
}

impl Effort {
    /// Adds a trial of an experiment with `spec` (when it still parses), given the `last` step
    /// it reported its objective at: it trained that many epochs (numbered from 1). A trial in
    /// the queue counts in neither number: it has not run (a stop that put it back cleared what
    /// its attempt reported; `add_cut` counts that attempt).
    pub fn add(&mut self, trial: &Trial, spec: Option<&ExperimentSpec>, last: Option<Step>) {
        if trial.state == TrialState::Queued {
            return;
        }
        let epochs = last.map_or(0, |s| s.0);
        if epochs > 0 {
            self.by_trial.insert(trial.id, epochs);
        }
        self.trained += u64::from(epochs);
        if trial.state == TrialState::Pruned && epochs > 0 {
            *self.pruned_at.entry(epochs).or_default() += 1;
            if stopped_by_constraint(trial) {
                self.by_constraint += 1;
            }
        }
        let most = spec.map(|s| most_epochs(s, trial, epochs));
        self.most = self.most.zip(most).map(|(sum, most)| sum + most);
        if trial.state == TrialState::Running {
            self.running.insert(trial.id, most);
        }
    }

    /// Counts the trials added `running` as attempts a kill cut off, as a process that runs no
    /// sweep on the experiment sees them (`sweep show`; the dashboard of an experiment no sweep
    /// runs): their epochs were trained, but the next run starts each again from scratch and
    /// records the attempt as cut off (`store::CutBy::Kill`), so they move from the trained
    /// epochs and the most to `cut`, as a stop's attempts are counted. Each trial's own epochs
    /// (`epochs_of`) stay. A caller that runs the sweep (its trials do run) does not call it.
    pub fn cut_left_running(&mut self) {
        for (id, most) in std::mem::take(&mut self.running) {
            let epochs = u64::from(self.epochs_of(id).unwrap_or(0));
            self.trained = self.trained.saturating_sub(epochs);
            self.cut += epochs;
            self.most = self.most.zip(most).map(|(sum, m)| sum.saturating_sub(m));
        }
    }

    /// Adds an attempt of a trial that was cut off (a stop or a kill) after training `epochs`
    /// epochs, then run again from scratch (`store::CutAttempt`): trained, though nothing of it
    /// is kept.
    pub fn add_cut(&mut self, epochs: u32) {
        self.cut += u64::from(epochs);
    }

    /// Returns the epochs trained by attempts cut off (`add_cut`).
    pub fn cut(&self) -> u64 {
        self.cut
    }

    /// Returns the epochs trained by every trial added (attempts cut off apart, those left
    /// running by a kill too once `cut_left_running` counted them so).
    pub fn trained(&self) -> u64 {
        self.trained
    }

    /// Returns the epochs the trials added would have trained had none stopped early; `None`
    /// when one was added without its experiment's spec (a stored spec that no longer parses).
    pub fn most(&self) -> Option<u64> {
        self.most
    }

    /// Returns the epochs trial `id` trained (its last reported epoch), once it reported one.
    pub fn epochs_of(&self, id: TrialId) -> Option<u32> {
        self.by_trial.get(&id).copied()
    }

    /// Returns how many trials pruning stopped at each epoch, in epoch order.
    pub fn pruned_at(&self) -> impl Iterator<Item = (u32, usize)> + '_ {
        self.pruned_at.iter().map(|(&epoch, &n)| (epoch, n))
    }

    /// Returns the epochs trained, as "527 trained of at most 2400 (0.22x)", the most counting
    /// the trials that started (ended or running), and ", 12 more in attempts cut off" after it
    /// where stops or kills cut some off; `None` before any.
    pub fn trained_text(&self) -> Option<String> {
        let trained = self.trained();
        if trained == 0 && self.cut == 0 {
            return None;
        }
        let cut = match self.cut {
            0 => String::new(),
            n => format!(", {n} more in attempts cut off"),
        };
        let ran = match self.most.filter(|&m| m > 0) {
            #[allow(clippy::cast_precision_loss)]
            Some(most) => format!(
                "{trained} trained of at most {most} ({:.2}x)",
                trained as f64 / most as f64
            ),
            None => format!("{trained} trained"),
        };
        Some(format!("{ran}{cut}"))
    }

    /// Returns where pruning stopped trials, as "26 trials at epoch 2, 1 at 6, 2 at 18"; `None`
    /// when it stopped none.
    pub fn pruned_text(&self) -> Option<String> {
        let stops: Vec<String> = self
            .pruned_at
            .iter()
            .enumerate()
            .map(|(i, (epoch, n))| match (i, n) {
                (0, 1) => format!("1 trial at epoch {epoch}"),
                (0, n) => format!("{n} trials at epoch {epoch}"),
                (_, n) => format!("{n} at {epoch}"),
            })
            .collect();
        (!stops.is_empty()).then(|| stops.join(", "))
    }

    /// Returns how many of the trials `pruned_text` counts the sweep stopped for breaking a
    /// constraint that no epoch changes rather than by its pruner, in the dashboard's words: "3
    /// of them stopped for breaking a constraint no epoch changes, not by a pruner"; `None` when
    /// none was.
    pub fn constraint_stops_text(&self) -> Option<String> {
        let pruned: usize = self.pruned_at.values().sum();
        let what = "stopped for breaking a constraint no epoch changes, not by a pruner";
        match self.by_constraint {
            0 => None,
            1 if pruned == 1 => Some(format!("that one {what}")),
            n if n == pruned => Some(format!("all {n} {what}")),
            n => Some(format!("{n} of them {what}")),
        }
    }
}

/// Returns whether the sweep stopped `trial` for breaking a constraint that no epoch changes
/// (`param_count`), not by its pruner: the runner prunes it at its first epoch with the reason
/// `breaks the constraint …, which no epoch changes`.
fn stopped_by_constraint(trial: &Trial) -> bool {
    trial.state == TrialState::Pruned
        && trial
            .reason
            .as_deref()
            .is_some_and(|r| r.starts_with("breaks the constraint"))
}

/// Returns the most epochs `trial` of an experiment with `spec` could have trained, having
/// trained `trained`: its `epochs` knob, drawn or fixed. A trial whose parameters do not
/// resolve (a `normal` draw of a negative `lr` fails before training) counts its `epochs`
/// alone, and where even that is not a valid number of epochs, the epochs it trained.
fn most_epochs(spec: &ExperimentSpec, trial: &Trial, trained: u32) -> u64 {
    let epochs_only = || {
        let drawn: crate::Params = trial
            .params
            .iter()
            .filter(|(name, _)| name.as_str() == "epochs")
            .map(|(name, v)| (name.clone(), v.clone()))
            .collect();
        Hyperparams::resolve(&spec.fixed, &drawn)
    };
    let epochs = Hyperparams::resolve(&spec.fixed, &trial.params)
        .or_else(|_| epochs_only())
        .map_or(trained, |h| h.epochs);
    u64::from(epochs)
}

/// Returns the epochs a trial trained, read from its metric `curves` (each in step order): the
/// last epoch any of them reported; `None` before any. `sweep show` and the dashboard's trial
/// and compare pages count it so.
pub fn epochs_reported(curves: &BTreeMap<String, Vec<(Step, f64)>>) -> Option<u32> {
    curves
        .values()
        .filter_map(|c| c.last())
        .map(|(s, _)| s.0)
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::trial_with;
    use crate::ParamValue;

    fn trial(id: u32, state: TrialState, epochs: Option<i64>) -> Trial {
        let mut t = trial_with(id, state, "val_accuracy", None);
        if let Some(e) = epochs {
            t.params.insert("epochs".into(), ParamValue::Int(e));
        }
        t
    }

    #[test]
    fn the_epochs_are_summed_against_each_trials_most_and_pruned_ones_counted_by_last_epoch() {
        let spec = ExperimentSpec::from_yaml_str(
            "name: e\nmetric: {name: val_accuracy}\ndata: {csv: d.csv, target: y}\n\
             train: {epochs: 10}\nparameters:\n  lr: {values: [0.1]}\n",
            std::path::Path::new("e.yaml"),
        )
        .unwrap();
        let mut effort = Effort::default();
        assert_eq!(effort.trained_text(), None);
        for (t, epochs) in [
            (trial(0, TrialState::Completed, None), 10),
            (trial(1, TrialState::Pruned, None), 2),
            (trial(2, TrialState::Pruned, Some(30)), 6),
            (trial(3, TrialState::Pruned, None), 2),
            (trial(4, TrialState::Completed, None), 7),
        ] {
            effort.add(&t, Some(&spec), Some(Step(epochs)));
        }
        assert_eq!(
            effort.trained_text().as_deref(),
            Some("27 trained of at most 70 (0.39x)")
        );
        assert_eq!(
            effort.pruned_text().as_deref(),
            Some("2 trials at epoch 2, 1 at 6")
        );
        // Each trial's own, for the trials' CSV and JSON.
        let each: Vec<_> = (0..6).map(|id| effort.epochs_of(TrialId(id))).collect();
        assert_eq!(each, [Some(10), Some(2), Some(6), Some(2), Some(7), None]);
        // Without the spec the most is unknown; one pruned trial is "1 trial".
        let mut effort = Effort::default();
        effort.add(&trial(0, TrialState::Pruned, None), None, Some(Step(3)));
        assert_eq!(effort.trained_text().as_deref(), Some("3 trained"));
        assert_eq!(effort.pruned_text().as_deref(), Some("1 trial at epoch 3"));
        // A trial still queued trained nothing.
        let mut effort = Effort::default();
        effort.add(&trial(0, TrialState::Queued, None), Some(&spec), None);
        assert_eq!(effort.trained_text(), None);
        assert_eq!(effort.most(), Some(0));
        assert_eq!(effort.pruned_text(), None);
        assert_eq!(effort.epochs_of(TrialId(0)), None);
    }

    #[test]
    fn issue_a_sweep_stopped_early_counts_the_trials_that_ran_not_the_queue_and_its_cut_attempts() {
        let spec = ExperimentSpec::from_yaml_str(
            "name: e\nmetric: {name: val_accuracy}\ndata: {csv: d.csv, target: y}\n\
             train: {epochs: 12}\nparameters:\n  lr: {values: [0.1]}\n",
            std::path::Path::new("e.yaml"),
        )
        .unwrap();
        // Ctrl-C after trial 0 completed: trials 1 and 2 were stopped after 5 and 3 epochs and
        // put back in the queue (their reports cleared), and none is pruned.
        let mut effort = Effort::default();
        effort.add(
            &trial(0, TrialState::Completed, None),
            Some(&spec),
            Some(Step(12)),
        );
        effort.add(&trial(1, TrialState::Queued, None), Some(&spec), None);
        effort.add(&trial(2, TrialState::Queued, None), Some(&spec), None);
        effort.add_cut(5);
        effort.add_cut(3);
        assert_eq!(effort.most(), Some(12));
        assert_eq!(effort.cut(), 8);
        assert_eq!(
            effort.trained_text().as_deref(),
            Some("12 trained of at most 12 (1.00x), 8 more in attempts cut off")
        );
        // Trial 1 running after 4 epochs: to the sweep that runs it, its epochs are trained.
        let mut effort = Effort::default();
        effort.add(
            &trial(0, TrialState::Completed, None),
            Some(&spec),
            Some(Step(12)),
        );
        effort.add(
            &trial(1, TrialState::Running, None),
            Some(&spec),
            Some(Step(4)),
        );
        assert_eq!(
            effort.trained_text().as_deref(),
            Some("16 trained of at most 24 (0.67x)")
        );
        // Seen where no sweep runs it, its 4 epochs are an attempt cut off, as after a stop:
        // the next run starts it again from scratch. Its own epochs stay for the trials' CSV.
        effort.cut_left_running();
        assert_eq!(
            effort.trained_text().as_deref(),
            Some("12 trained of at most 12 (1.00x), 4 more in attempts cut off")
        );
        assert_eq!((effort.trained(), effort.cut()), (12, 4));
        assert_eq!(effort.epochs_of(TrialId(1)), Some(4));
        // Counted once, however often it is asked.
        effort.cut_left_running();
        assert_eq!(effort.cut(), 4);
        // Only attempts cut off: said all the same.
        let mut effort = Effort::default();
        effort.add(&trial(0, TrialState::Queued, None), Some(&spec), None);
        effort.add_cut(2);
        assert_eq!(
            effort.trained_text().as_deref(),
            Some("0 trained, 2 more in attempts cut off")
        );
    }

    #[test]
    fn issue_a_trial_whose_drawn_values_do_not_resolve_counts_its_epochs_not_null() {
        let spec = ExperimentSpec::from_yaml_str(
            "name: e\nmetric: {name: val_accuracy}\ndata: {csv: d.csv, target: y}\n\
             parameters:\n  \
             lr: {distribution: normal, mu: 0.003, sigma: 0.004}\n  \
             epochs: {values: [4, 10]}\n",
            std::path::Path::new("e.yaml"),
        )
        .unwrap();
        let with = |id: u32, lr: f64, epochs: Option<i64>| {
            let mut t = trial(id, TrialState::Failed, epochs);
            t.params.insert("lr".into(), ParamValue::Float(lr));
            t
        };
        let mut effort = Effort::default();
        effort.add(&with(0, 0.003, Some(10)), Some(&spec), Some(Step(10)));
        // A negative `lr` fails before training: it could have trained its 4 epochs.
        effort.add(&with(1, -0.001, Some(4)), Some(&spec), None);
        // Without a valid `epochs` either, it counts what it trained.
        effort.add(&with(2, -0.001, Some(-3)), Some(&spec), None);
        assert_eq!(effort.most(), Some(14));
        assert_eq!(
            effort.trained_text().as_deref(),
            Some("10 trained of at most 14 (0.71x)")
        );
    }
}
