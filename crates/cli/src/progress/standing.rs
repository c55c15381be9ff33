//! The best trial so far (with several objectives, the Pareto front), as every table ranks
//! them, which the overall bar shows beside its count.

use experiment::{Trial, TrialState};

use super::ProgressObserver;

impl ProgressObserver {
    /// Returns the best of `candidates` (with several objectives, their Pareto front), ranked
    /// as every table ranks them. The best of all completed trials is the best of the last
    /// leaders and the newly completed trial (a trial another beat, or dominated, stays so), so
    /// each completion weighs the leaders alone, not every trial so far.
    pub(super) fn leaders(&self, candidates: &[Trial]) -> Vec<Trial> {
        if self.objectives.len() > 1 {
            experiment::pareto_front(candidates, &self.objectives, &self.constraints)
                .into_iter()
                .cloned()
                .collect()
        } else {
            experiment::best_trial(candidates, &self.objectives, &self.constraints)
                .into_iter()
                .cloned()
                .collect()
        }
    }

    /// Says the best trial so far (or the size of the Pareto front, with several objectives)
    /// from the `leaders`; `None` while no completed trial meets the constraints.
    pub(super) fn standing(&self, leaders: &[Trial]) -> Option<String> {
        if self.objectives.len() > 1 {
            (!leaders.is_empty()).then(|| {
                format!(
                    "Pareto front {}",
                    experiment::counted(
                        u64::try_from(leaders.len()).unwrap_or(u64::MAX),
                        "trial",
                        "trials"
                    )
                )
            })
        } else {
            let best = leaders.first()?;
            Some(format!(
                "best {} {} (trial {})",
                self.metric,
                crate::output::named_metric(&self.metric, best.value(&self.metric)),
                best.id
            ))
        }
    }

    /// Returns the observer counting the trials an earlier run finished in the best so far (or
    /// the front) and in the trials finished, so that a resumed or extended sweep's line starts
    /// from them.
    pub(crate) fn with_earlier(self, earlier: &[Trial]) -> ProgressObserver {
        let finished = earlier.iter().filter(|t| t.state.is_finished()).count();
        self.overall
            .set_position(u64::try_from(finished).unwrap_or(u64::MAX));
        let completed: Vec<Trial> = earlier
            .iter()
            .filter(|t| t.state == TrialState::Completed)
            .cloned()
            .collect();
        let leaders = self.leaders(&completed);
        if let Some(message) = self.standing(&leaders) {
            self.overall.set_message(message);
        }
        if let Ok(mut held) = self.leaders.lock() {
            *held = leaders;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use experiment::{ExperimentSpec, TrialId, TrialState};
    use runner::Observer;

    use super::super::fixtures::{completed, plan};
    use super::*;

    #[test]
    fn the_best_so_far_is_the_best_that_meets_the_constraints() {
        let spec = ExperimentSpec::from_yaml_str(
            "name: e\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
             constraints:\n  param_count: {max: 2000}\n",
            std::path::Path::new("e.yaml"),
        )
        .expect("a valid spec");
        let progress = ProgressObserver::new(&spec);
        // The lowest loss breaks the constraint: the line names the feasible one, as the
        // final table does, and nothing while no completed trial is feasible.
        let mut leaders = Vec::new();
        let mut said = Vec::new();
        for trial in [
            completed(0, 0.1, 2500.0),
            completed(1, 0.3, 1500.0),
            completed(2, 0.2, 1900.0),
            completed(3, 0.25, 1000.0),
        ] {
            leaders.push(trial);
            leaders = progress.leaders(&leaders);
            said.push(progress.standing(&leaders));
        }
        assert_eq!(
            said,
            [
                None,
                Some("best val_loss 0.3000 (trial 1)".to_string()),
                Some("best val_loss 0.2000 (trial 2)".to_string()),
                Some("best val_loss 0.2000 (trial 2)".to_string()),
            ]
        );
        assert_eq!(leaders.len(), 1);
    }

    #[test]
    fn the_front_kept_from_completion_to_completion_is_the_front_of_every_trial() {
        let spec = ExperimentSpec::from_yaml_str(
            "name: e\nmetric:\n  - {name: val_loss, goal: minimize}\n  \
             - {name: param_count, goal: minimize}\ndata: {csv: d.csv, target: y}\n\
             constraints:\n  param_count: {max: 9000}\n",
            std::path::Path::new("e.yaml"),
        )
        .expect("a valid spec");
        let progress = ProgressObserver::new(&spec);
        let (mut all, mut leaders) = (Vec::new(), Vec::new());
        // A fixed scatter of losses and sizes, ties and infeasible sizes among them.
        let mut x: u64 = 7;
        for id in 0..60 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let loss = f64::from(u32::try_from(x >> 59).unwrap_or(0)) / 8.0;
            let count = f64::from(u32::try_from((x >> 40) % 11).unwrap_or(0)) * 1000.0;
            let trial = completed(id, loss, count);
            all.push(trial.clone());
            leaders.push(trial);
            leaders = progress.leaders(&leaders);
            let front: Vec<TrialId> =
                experiment::pareto_front(&all, &spec.objectives(), &spec.constraints)
                    .iter()
                    .map(|t| t.id)
                    .collect();
            assert_eq!(leaders.iter().map(|t| t.id).collect::<Vec<_>>(), front);
        }
        assert!(leaders.len() > 1, "a front of several trials is tested");
    }

    #[test]
    fn issue_a_count_objectives_best_so_far_is_written_as_a_count() {
        let spec = ExperimentSpec::from_yaml_str(
            "name: e\nmetric: {name: param_count, goal: minimize}\ndata: {csv: d.csv, target: y}\n",
            std::path::Path::new("e.yaml"),
        )
        .expect("a valid spec");
        let progress = ProgressObserver::new(&spec);
        let leaders = progress.leaders(&[completed(0, 0.1, 49.0)]);
        assert_eq!(
            progress.standing(&leaders).as_deref(),
            Some("best param_count 49 (trial 0)")
        );
    }

    #[test]
    fn a_resumed_sweeps_best_so_far_counts_the_trials_finished_before() {
        let spec = ExperimentSpec::from_yaml_str(
            "name: e\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n",
            std::path::Path::new("e.yaml"),
        )
        .expect("a valid spec");
        let mut pruned = completed(1, 0.05, 1000.0);
        pruned.state = TrialState::Pruned;
        let progress =
            ProgressObserver::new(&spec).with_earlier(&[completed(0, 0.1, 1000.0), pruned]);
        let mut leaders = progress.leaders.lock().expect("not poisoned").clone();
        assert_eq!(
            progress.standing(&leaders).as_deref(),
            Some("best val_loss 0.1000 (trial 0)")
        );
        // A worse trial of this run leaves the earlier best standing.
        leaders.push(completed(2, 0.3, 1000.0));
        assert_eq!(
            progress.standing(&progress.leaders(&leaders)).as_deref(),
            Some("best val_loss 0.1000 (trial 0)")
        );
        // The bar starts from the 2 trials finished before, not from 0 (nor `0/0` before the
        // plan is known: its count is not drawn until then).
        assert_eq!(
            progress.overall_line(),
            "2/0 best val_loss 0.1000 (trial 0)"
        );
        progress.study_started(&plan(4, 2, 2, None));
        assert_eq!(
            progress.overall_line(),
            "2/4 best val_loss 0.1000 (trial 0)"
        );
    }
}
