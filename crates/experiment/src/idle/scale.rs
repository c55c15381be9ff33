//! Knob values past the scale of the training they set: a step schedule whose first decay
//! comes after the last epoch decays nothing (the schedule is `constant`), and a `batch_size`
//! above the training rows makes each epoch one step over them all, alike for every such size.
//! The sizes are noted as the idle knobs are, naming the trials where a searched value does it.

use crate::{Distribution, ExperimentSpec, ParamValue};

use super::listed;

/// The values a knob that is an integer takes past a limit: all, some (listed, or from a bound
/// up), or none.
enum Past {
    /// Every value the file gives it.
    All,
    /// The listed ones.
    Listed(Vec<ParamValue>),
    /// Those from this value up, of a range.
    From(f64),
}

impl ExperimentSpec {
    /// Returns a note when the step schedule, in trials that use it, decays nothing: its first
    /// decay comes after the warm-up and `step_epochs` epochs, at or past a trial's last epoch.
    /// `None` when the schedule is never `step` (`idle_knob_notes` says so of `step_epochs`)
    /// or every trial's schedule decays.
    pub(crate) fn step_past_training_note(&self) -> Option<String> {
        let step = ParamValue::Str("step".to_string());
        if !self.values_of("schedule")?.contains(&step) {
            return None;
        }
        let epochs = f64::from(self.most_epochs());
        // The least warm-up any trial has: the decay comes no sooner than after it.
        let warmup = self
            .values_of("warmup_epochs")
            .and_then(|values| {
                values
                    .iter()
                    .filter_map(ParamValue::as_f64)
                    .reduce(f64::min)
            })
            .unwrap_or(0.0);
        let past = self.past("step_epochs", epochs - warmup, true)?;
        let warm = if warmup > 0.0 {
            format!("the warm-up's {} and then ", crate::number_text(warmup))
        } else {
            String::new()
        };
        let (trials, decay) = match past {
            Past::All => {
                let written = match (
                    self.space.param("step_epochs"),
                    self.fixed.get("step_epochs"),
                ) {
                    (Some(_), _) => {
                        format!("`step_epochs` ({})", self.listed_values("step_epochs"))
                    }
                    (None, Some(v)) => format!("`step_epochs: {v}`"),
                    (None, None) => format!(
                        "`step_epochs` ({}, its default)",
                        self.listed_values("step_epochs")
                    ),
                };
                (String::new(), format!("{warm}{written}"))
            }
            Past::Listed(values) => {
                let values: Vec<&ParamValue> = values.iter().collect();
                (
                    format!(" in trials where `step_epochs` is {}", listed(&values)),
                    format!("{warm}`step_epochs`"),
                )
            }
            Past::From(least) => (
                format!(
                    " in trials where `step_epochs` is {} or more",
                    crate::number_text(least)
                ),
                format!("{warm}`step_epochs`"),
            ),
        };
        Some(format!(
            "the step schedule never decays the learning rate{trials}: its first decay comes \
             after {decay} epochs, and a trial trains at most {}; lower `step_epochs` (or the \
             schedule is `constant`, in effect)",
            crate::number_text(epochs)
        ))
    }

    /// Returns a note when a trial's `batch_size` is above `train_rows`, the rows of the
    /// training split: each epoch is then one step over them all, whatever the size past them,
    /// so the sampler learns from sizes that change nothing. `None` when no trial's is.
    #[must_use]
    pub fn batch_past_rows_note(&self, train_rows: usize) -> Option<String> {
        // Row counts are far below 2^52, so the conversion is exact.
        #[allow(clippy::cast_precision_loss)]
        let rows = train_rows as f64;
        let past = self.past("batch_size", rows, false)?;
        let (which, remedy) = match past {
            Past::All => match (self.space.param("batch_size"), self.fixed.get("batch_size")) {
                (Some(_), _) => (
                    format!("`batch_size` ({})", self.listed_values("batch_size")),
                    "lower `batch_size`",
                ),
                (None, Some(v)) => (format!("`batch_size: {v}`"), "lower `batch_size`"),
                (None, None) => (
                    format!(
                        "`batch_size` ({}, its default)",
                        self.listed_values("batch_size")
                    ),
                    "set a lower `batch_size`",
                ),
            },
            Past::Listed(values) => {
                let values: Vec<&ParamValue> = values.iter().collect();
                (
                    format!("`batch_size` in trials where it is {}", listed(&values)),
                    "keep `batch_size` to the rows at most",
                )
            }
            Past::From(least) => (
                format!(
                    "`batch_size` in trials where it is above {}",
                    crate::number_text(least)
                ),
                "keep `batch_size` to the rows at most",
            ),
        };
        Some(format!(
            "{which} is more than the {train_rows} training rows: each epoch is one step over \
             them all, as with any size from {train_rows} up, so the size changes nothing; \
             {remedy}"
        ))
    }

    /// Returns the values the integer knob `knob` takes past `limit` (from `limit` up where
    /// `at_limit`, above it otherwise); `None` when it takes none, or a range not looked at.
    fn past(&self, knob: &str, limit: f64, at_limit: bool) -> Option<Past> {
        let beyond = |x: f64| if at_limit { x >= limit } else { x > limit };
        let range = match self.space.param(knob).map(|p| &p.distribution) {
            Some(
                &(Distribution::Uniform { min, max }
                | Distribution::QUniform { min, max, .. }
                | Distribution::LogUniformValues { min, max }
                | Distribution::QLogUniformValues { min, max, .. }),
            ) => Some((min, max)),
            #[allow(clippy::cast_precision_loss)]
            Some(&Distribution::IntUniform { min, max }) => Some((min as f64, max as f64)),
            _ => None,
        };
        if let Some((min, max)) = range {
            return match (beyond(min), beyond(max)) {
                (true, _) => Some(Past::All),
                (false, true) => Some(Past::From(limit)),
                (false, false) => None,
            };
        }
        let values = self.values_of(knob)?;
        let past: Vec<ParamValue> = values
            .iter()
            .filter(|v| v.as_f64().is_some_and(beyond))
            .cloned()
            .collect();
        match past.len() {
            0 => None,
            n if n == values.len() => Some(Past::All),
            _ => Some(Past::Listed(past)),
        }
    }

    /// Returns the values the file gives `knob`, listed: "32, 64".
    fn listed_values(&self, knob: &str) -> String {
        let values = self.values_of(knob).unwrap_or_default();
        listed(&values.iter().collect::<Vec<_>>())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::ExperimentSpec;

    impl ExperimentSpec {
        /// Returns the note `sweep validate` prints on a step schedule that never decays.
        fn step_note(&self) -> Option<String> {
            self.notes(self.run_cap)
                .into_iter()
                .find(|n| n.starts_with("the step schedule"))
        }
    }

    fn spec(train: &str, parameters: &str) -> ExperimentSpec {
        let text = format!(
            "name: t\nmetric: {{name: val_loss}}\ndata: {{csv: d.csv, target: y}}\n\
             train: {train}\nparameters:\n{parameters}"
        );
        match ExperimentSpec::from_yaml_str(&text, Path::new("s.yaml")) {
            Ok(spec) => spec,
            Err(e) => panic!("{e}\n--- in:\n{text}"),
        }
    }

    #[test]
    fn issue_f6_a_step_schedule_that_never_decays_is_noted() {
        let lr = "  lr: {min: 0.001, max: 0.1}\n";
        let never = spec("{epochs: 10, schedule: step, step_epochs: 50}", lr);
        assert_eq!(
            never.step_note().as_deref(),
            Some(
                "the step schedule never decays the learning rate: its first decay comes after \
                 `step_epochs: 50` epochs, and a trial trains at most 10; lower `step_epochs` \
                 (or the schedule is `constant`, in effect)"
            )
        );
        // At the last epoch is past it (decays come at epoch boundaries, after the warm-up);
        // the default, 10, is said as such.
        let at = spec("{epochs: 10, schedule: step}", lr);
        assert!(
            at.step_note().as_deref().is_some_and(|n| n.contains(
                "comes after `step_epochs` (10, its default) epochs, and a trial trains at most 10"
            )),
            "{:?}",
            at.step_note()
        );
        let warm = spec(
            "{epochs: 10, schedule: step, step_epochs: 6, warmup_epochs: 4}",
            lr,
        );
        assert!(
            warm.step_note().as_deref().is_some_and(
                |n| n.contains("comes after the warm-up's 4 and then `step_epochs: 6` epochs")
            ),
            "{:?}",
            warm.step_note()
        );
        // Searched: the trials named; a schedule that decays, or is never step, says nothing.
        let some = spec(
            "{epochs: 10, schedule: step}",
            "  step_epochs: {values: [3, 10, 20]}\n",
        );
        assert!(
            some.step_note().as_deref().is_some_and(|n| n.starts_with(
                "the step schedule never decays the learning rate in trials where \
                 `step_epochs` is 10, 20: its first decay comes after `step_epochs` epochs"
            )),
            "{:?}",
            some.step_note()
        );
        assert_eq!(
            spec("{epochs: 150, schedule: step, step_epochs: 50}", lr).step_note(),
            None
        );
        assert_eq!(spec("{epochs: 10, step_epochs: 50}", lr).step_note(), None);
        let searched_schedule = spec(
            "{epochs: 10, step_epochs: 50}",
            "  schedule: {values: [constant, step]}\n",
        );
        assert!(searched_schedule.step_note().is_some());
    }

    #[test]
    fn issue_f6_a_batch_size_above_the_training_rows_is_noted() {
        let lr = "  lr: {min: 0.001, max: 0.1}\n";
        let fixed = spec("{batch_size: 5000}", lr);
        assert_eq!(
            fixed.batch_past_rows_note(1079).as_deref(),
            Some(
                "`batch_size: 5000` is more than the 1079 training rows: each epoch is one step \
                 over them all, as with any size from 1079 up, so the size changes nothing; \
                 lower `batch_size`"
            )
        );
        assert_eq!(fixed.batch_past_rows_note(5000), None);
        assert!(spec("{}", lr)
            .batch_past_rows_note(20)
            .is_some_and(|n| n.starts_with("`batch_size` (32, its default) is more than")));
        let listed = spec("{}", "  batch_size: {values: [16, 32, 64, 128]}\n");
        assert!(
            listed
                .batch_past_rows_note(50)
                .is_some_and(|n| n.starts_with(
                    "`batch_size` in trials where it is 64, 128 is more than the 50 training rows"
                )),
            "{:?}",
            listed.batch_past_rows_note(50)
        );
        let range = spec(
            "{}",
            "  batch_size: {distribution: q_log_uniform_values, min: 16, max: 64, q: 8}\n",
        );
        assert!(range
            .batch_past_rows_note(40)
            .is_some_and(|n| n.starts_with("`batch_size` in trials where it is above 40")));
        assert_eq!(range.batch_past_rows_note(64), None);
    }
}
