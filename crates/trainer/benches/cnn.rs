//! Training throughput of the CNN on the 8x8 digits: samples per second for one trial on one
//! thread, the figure the im2col work is measured by.
//!
//! The model is two 3x3 convolutions (16 then 32 channels, each followed by 2x2 max-pooling),
//! then a dense layer of 64 units with dropout 0.2, trained by Adam in batches of 64. As in
//! `throughput.rs`, a trial's samples per second is its training rows times its epochs divided
//! by the sum of its `epoch_seconds`, which includes the validation pass. Run with
//! `cargo bench -p trainer --bench cnn`.

// A benchmark's output is its report.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;

use experiment::{
    Control, ExperimentSpec, MetricPoint, Objective, Params, Reporter, Seed, Step, TrialContext,
    TrialId, TrialOutcome,
};
use trainer::MlpObjective;

/// Epochs per measured trial.
const EPOCHS: u32 = 5;
/// Measured trials; the median and the best are reported.
const REPEATS: u32 = 5;

/// Sums the `epoch_seconds` a trial reports, and keeps its best validation accuracy.
#[derive(Debug, Default)]
struct Clock {
    seconds: f64,
    epochs: u32,
    best_accuracy: f64,
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

fn main() {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../experiments/cnn-bench.yaml");
    let yaml = format!(
        "name: cnn-bench\nseed: 0\n\
         data: {{csv: data/digits.csv, target: digit, image: {{height: 8, width: 8}}}}\n\
         metric: {{name: val_accuracy}}\n\
         model: {{kind: cnn, channels: 16, conv_layers: 2, hidden: 64, dropout: 0.2}}\n\
         train: {{batch_size: 64, optimizer: adam, lr: 2.0e-3, epochs: {EPOCHS}}}\n"
    );
    let objective = ExperimentSpec::from_yaml_str(&yaml, &file)
        .map_err(|e| e.to_string())
        .and_then(|spec| MlpObjective::new(&spec).map_err(|e| e.to_string()));
    let objective = match objective {
        Ok(objective) => objective,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let rows = objective.data_summary().train_rows;
    println!(
        "digits: {rows} training rows; CNN conv3x3(16)-pool-conv3x3(32)-pool-64-10, batch 64, \
         adam, dropout 0.2; {EPOCHS} epochs per trial"
    );
    let warm_up = trial(&objective, 0);
    println!(
        "warm-up trial: best val_accuracy {:.4} in {EPOCHS} epochs",
        warm_up.best_accuracy
    );
    let mut rates: Vec<f64> = (1..=REPEATS)
        .map(|r| {
            let clock = trial(&objective, r);
            rows as f64 * f64::from(clock.epochs) / clock.seconds
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    let median = rates[rates.len() / 2];
    let best = rates.last().copied().unwrap_or(f64::NAN);
    println!("samples/s over {REPEATS} runs:          median      best");
    println!("CNN, 1 trial, 1 thread          {median:>10.0} {best:>9.0}");
}

/// Runs one trial with seed `seed` and returns its clock.
fn trial(objective: &MlpObjective, seed: u32) -> Clock {
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
