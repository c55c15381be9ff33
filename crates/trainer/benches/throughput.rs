//! Training throughput of the MLP engine on the digits data: samples per second for one trial on
//! one thread, and for two trials side by side on two threads.
//!
//! The model is 64-128-128-10 (depth 2, hidden 128) with dropout 0.2, trained by Adam in batches
//! of 64. A trial's samples per second is its training rows times its epochs divided by the sum
//! of its `epoch_seconds`, which also covers the per-epoch validation pass, so the figure is a
//! little conservative. Run with `cargo bench -p trainer --bench throughput`.

// A benchmark's output is its report.
#![allow(clippy::print_stdout)]

mod common;

use std::time::Instant;

use common::{median, objective, trial};

/// Epochs per measured trial.
const EPOCHS: i64 = 30;
/// Measurements per setting; the median and the best are reported.
const REPEATS: usize = 7;

fn main() {
    let yaml = format!(
        "name: throughput\nseed: 0\ndata: {{csv: data/digits.csv, target: digit}}\n\
         metric: {{name: val_accuracy}}\nmodel: {{depth: 2, hidden: 128, dropout: 0.2}}\n\
         train: {{batch_size: 64, optimizer: adam, lr: 1.0e-3, epochs: {EPOCHS}}}\n"
    );
    let objective = objective("throughput", &yaml);
    let rows = objective.data_summary().train_rows;
    println!(
        "digits: {rows} training rows; MLP 64-128-128-10, batch 64, adam, dropout 0.2; {EPOCHS} epochs per trial"
    );
    // Warm up caches and the allocator; the warm-up trial also shows that the model learns.
    let warm_up = trial(&objective, 0);
    println!(
        "warm-up trial: best val_accuracy {:.4} in {EPOCHS} epochs",
        warm_up.best_accuracy
    );

    // Single and paired runs alternate, so that a slow patch of the machine hits both.
    let mut singles = Vec::new();
    let mut pairs = Vec::new();
    for r in 0..REPEATS {
        let r = u32::try_from(r).unwrap_or(0);
        singles.push(trial(&objective, r).samples_per_second(rows));
        let start = Instant::now();
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| trial(&objective, 100 + 2 * r));
            let b = s.spawn(|| trial(&objective, 101 + 2 * r));
            (a.join(), b.join())
        });
        let wall = start.elapsed().as_secs_f64();
        let (Ok(a), Ok(b)) = (a, b) else {
            eprintln!("error: a trial thread panicked");
            std::process::exit(1);
        };
        let total = 2.0 * rows as f64 * EPOCHS as f64 / wall;
        pairs.push((
            total,
            a.samples_per_second(rows),
            b.samples_per_second(rows),
        ));
    }
    let one_best = singles.iter().copied().fold(0.0, f64::max);
    let one_median = median(singles.clone());
    let two_best = pairs.iter().map(|p| p.0).fold(0.0, f64::max);
    let two_median = median(pairs.iter().map(|p| p.0).collect());
    let each_median = median(pairs.iter().flat_map(|p| [p.1, p.2]).collect());
    println!("samples/s over {REPEATS} runs each:      median      best");
    println!("1 trial,  1 thread              {one_median:>10.0} {one_best:>9.0}");
    println!("2 trials, 2 threads, in all     {two_median:>10.0} {two_best:>9.0}");
    println!("2 trials, 2 threads, per trial  {each_median:>10.0}");
    println!(
        "2 side by side vs 1: {:.2}x (medians), {:.2}x (bests)",
        two_median / one_median,
        two_best / one_best
    );
    println!(
        "control: the machine's own 2-thread scaling on a pure-compute loop: {:.2}x",
        machine_scaling()
    );
}

/// Returns how much faster two threads finish two copies of a register-only integer loop than
/// one thread finishes one, times two: about 2 on two idle cores, less on shared ones.
fn machine_scaling() -> f64 {
    fn spin() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for i in 0..200_000_000u64 {
            x = std::hint::black_box(x ^ (x >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ i;
        }
        std::hint::black_box(x);
    }
    let start = Instant::now();
    spin();
    let one = start.elapsed().as_secs_f64();
    let start = Instant::now();
    std::thread::scope(|s| {
        s.spawn(spin);
        s.spawn(spin);
    });
    2.0 * one / start.elapsed().as_secs_f64()
}
