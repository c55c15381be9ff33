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

mod common;

use common::{median, objective, trial};

/// Epochs per measured trial.
const EPOCHS: u32 = 5;
/// Measured trials; the median and the best are reported.
const REPEATS: u32 = 5;

fn main() {
    let yaml = format!(
        "name: cnn-bench\nseed: 0\n\
         data: {{csv: data/digits.csv, target: digit, image: {{height: 8, width: 8}}}}\n\
         metric: {{name: val_accuracy}}\n\
         model: {{kind: cnn, channels: 16, conv_layers: 2, hidden: 64, dropout: 0.2}}\n\
         train: {{batch_size: 64, optimizer: adam, lr: 2.0e-3, epochs: {EPOCHS}}}\n"
    );
    let objective = objective("cnn-bench", &yaml);
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
    let rates: Vec<f64> = (1..=REPEATS)
        .map(|r| trial(&objective, r).samples_per_second(rows))
        .collect();
    let best = rates.iter().copied().fold(f64::NAN, f64::max);
    let median = median(rates);
    println!("samples/s over {REPEATS} runs:          median      best");
    println!("CNN, 1 trial, 1 thread          {median:>10.0} {best:>9.0}");
}
