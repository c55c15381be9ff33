//! What the training benchmarks share: an objective built from a spec written inline, a
//! reporter that sums the epochs' seconds, and one seeded trial run with it.

use std::path::PathBuf;

use experiment::{
    Control, ExperimentSpec, MetricPoint, Objective, Params, Reporter, Seed, Step, TrialContext,
    TrialId, TrialOutcome,
};
use trainer::MlpObjective;

/// Sums the `epoch_seconds` a trial reports, and keeps its best validation accuracy.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    pub(crate) seconds: f64,
    pub(crate) epochs: u32,
    pub(crate) best_accuracy: f64,
}

impl Reporter for Clock {
    fn report(&mut self, _step: Step, metrics: &[MetricPoint]) -> Control {
        for point in metrics {
            match point.name.as_str() {
                "epoch_seconds" => {
                    self.seconds += point.value;
                    self.epochs += 1;
                }
                "val_accuracy" => self.best_accuracy = self.best_accuracy.max(point.value),
                _ => {}
            }
        }
        Control::Continue
    }
}

impl Clock {
    /// Returns `rows` training rows times the epochs, divided by the epochs' seconds (which
    /// include each epoch's validation pass, so the figure is a little conservative).
    pub(crate) fn samples_per_second(&self, rows: usize) -> f64 {
        rows as f64 * f64::from(self.epochs) / self.seconds
    }
}

/// Returns the objective of the spec `yaml` (paths relative to `experiments/`), or exits with
/// the error.
pub(crate) fn objective(name: &str, yaml: &str) -> MlpObjective {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../experiments")
        .join(format!("{name}.yaml"));
    let objective = ExperimentSpec::from_yaml_str(yaml, &file)
        .map_err(|e| e.to_string())
        .and_then(|spec| MlpObjective::new(&spec).map_err(|e| e.to_string()));
    objective.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1);
    })
}

/// Runs one trial with seed `seed` and returns its clock, or exits if it fails.
pub(crate) fn trial(objective: &MlpObjective, seed: u32) -> Clock {
    let params = Params::new();
    let ctx = TrialContext {
        trial: TrialId(seed),
        seed: Seed(u64::from(seed)),
        params: &params,
    };
    let mut clock = Clock::default();
    if let TrialOutcome::Failed { reason } = objective.run(&ctx, &mut clock) {
        eprintln!("error: trial failed: {reason}");
        std::process::exit(1);
    }
    clock
}

/// Returns the median of `values` (the mean of the middle two for an even count; NaN if empty).
pub(crate) fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}
