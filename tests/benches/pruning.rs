//! Pruning on real training: the shipped digits experiment (`experiments/digits-mlp-tpe-asha.yaml`:
//! TPE over MLPs with conditional regularization, 40 trials, two side by side) with every trial
//! capped at 30 epochs and no in-trial early stopping, run with each pruner (none, median, ASHA,
//! Hyperband) and three seeds through the release `sweep` binary.
//!
//! For each run it reports the epochs trained (metric points of all trials, read back from the
//! store), the wall time, and the best validation accuracy among completed trials, and compares
//! them with the unpruned run of the same seed (`none`, which each seed runs first whatever the
//! order `--pruners` lists it in; where it is not run, the comparison says `-` and the summary
//! is left out). Issue #3's target: ASHA within 0.5 points of the
//! unpruned best while training at most 0.4x its epochs.
//!
//! Run with `cargo build --release --bin sweep && cargo bench -p tests --bench pruning`
//! (`just bench` does); `-- --seeds 7,8 --pruners none,asha` narrows it down, and
//! `--pruner 'NAME={type: asha, min_resource: 3}'` adds a pruner block to compare.
//!
//! A pruner has two effects on a sweep, the trials it stops and the parameters the sampler
//! then proposes. Each run pruner's row is followed by a `(replayed)` row that parts them, and
//! `--replay` gives only those (the pruned sweeps are not run): the unpruned sweep of each
//! seed is run, and its trials' curves passed through each pruner's rule
//! (`search::should_prune`, trial by trial in number order, each judged against the earlier
//! trials as far as the rule let them train, as a sweep judges them). The trials are the
//! unpruned sweep's, so a replayed row shows what the rule alone costs (no wall time); a pruner
//! takes a fraction of a second once the unpruned sweeps have run.

// A benchmark's output is its report.
#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use experiment::{Direction, ExperimentSpec, PrunerSpec, Step, TrialId, TrialState};
use search::{should_prune, Curve, PruneQuery};
use store::Store;
use tests::{repo_root, TestEnv};

use against::{against, run_order, UNPRUNED};

#[path = "pruning/against.rs"]
mod against;

/// The pruners compared, as `pruner:` blocks.
const PRUNERS: &[(&str, &str)] = &[
    ("none", "{type: none}"),
    (
        "median",
        "{type: median, n_startup_trials: 5, n_warmup_steps: 0}",
    ),
    ("asha", "{type: asha, min_resource: 2, reduction_factor: 3}"),
    (
        "hyperband",
        "{type: hyperband, min_resource: 1, max_resource: 30, reduction_factor: 3}",
    ),
];

/// A pruner compared: its name in the report and its `pruner:` block.
type Pruner = (String, String);

/// What one sweep cost and found.
struct Outcome {
    epochs: usize,
    /// Wall time; none for a replay.
    seconds: Option<f64>,
    best: f64,
    pruned: usize,
    /// Each trial's `val_accuracy` curve, in trial order.
    curves: Vec<Vec<(Step, f64)>>,
}

/// What the command line asks for.
struct Options {
    seeds: Vec<u64>,
    pruners: Vec<Pruner>,
    /// Replay the unpruned sweeps' curves through the other pruners instead of running them.
    replay: bool,
}

/// The target's bounds: at most this share of the unpruned sweep's epochs...
const EPOCH_BOUND: f64 = 0.4;
/// ...and at most this many points below its best.
const POINT_BOUND: f64 = 0.5;

fn main() -> Result<()> {
    let Options {
        seeds,
        pruners,
        replay,
    } = options()?;
    let pruners = run_order(pruners);
    let shipped = std::fs::read_to_string(
        repo_root()
            .join("experiments")
            .join("digits-mlp-tpe-asha.yaml"),
    )?;
    println!(
        "digits, TPE, 40 trials of up to 30 epochs, 2 side by side; best = best val_accuracy \
         of a completed trial{}\n",
        if replay {
            "; the pruners replayed on the unpruned sweep's trials"
        } else {
            ""
        }
    );
    println!("| seed | pruner | epochs | vs none | pruned trials | wall s | best | vs none (pt) |");
    println!("|---|---|---|---|---|---|---|---|");
    let mut ratios: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for &seed in &seeds {
        // Replayed pruners need the unpruned sweep first; run ones take it from the `none` row,
        // which `run_order` puts first. Without it, a row has nothing to be compared with.
        let mut unpruned: Option<Outcome> = match replay {
            true => Some(run(&spec(&shipped, seed, "{type: none}")?)?),
            false => None,
        };
        for (name, block) in &pruners {
            let yaml = spec(&shipped, seed, block)?;
            let mut rows = Vec::new();
            if !replay {
                rows.push((name.clone(), run(&yaml)?));
            }
            // Once the unpruned sweep has run, each pruner is replayed on its trials, at no cost:
            // beside a run row, the two part what its rule stops from where the search went.
            if let Some(base) = &unpruned {
                let shown = match replay {
                    true => name.clone(),
                    false => format!("{name} (replayed)"),
                };
                rows.push((shown, replayed(&pruner_of(&yaml, name)?, &base.curves)));
            }
            for (shown, out) in rows {
                // The unpruned sweep is the run `none` row (replays keep no curves); it is
                // compared with itself.
                let unpruned_run = shown == UNPRUNED && out.seconds.is_some();
                let base = match unpruned_run {
                    true => Some(&out),
                    false => unpruned.as_ref(),
                };
                let compared = against(
                    out.epochs,
                    out.best,
                    base.map(|base| (base.epochs, base.best)),
                );
                let (ratio, delta) = match compared {
                    Some((ratio, delta)) => (format!("{ratio:.2}x"), format!("{delta:+.2}")),
                    None => ("-".to_string(), "-".to_string()),
                };
                let wall = out.seconds.map_or("-".to_string(), |s| format!("{s:.1}"));
                println!(
                    "| {seed} | {shown} | {} | {ratio} | {} | {wall} | {:.4} | {delta} |",
                    out.epochs, out.pruned, out.best
                );
                if let Some(compared) = compared {
                    ratios.entry(shown).or_default().push(compared);
                }
                if unpruned_run {
                    unpruned = Some(out);
                }
            }
        }
    }
    if !ratios.is_empty() {
        summary(&ratios);
    }
    Ok(())
}

/// Prints, for each pruner, its epochs and best against the unpruned sweep's over the seeds,
/// and how often it keeps each of the target's bounds.
fn summary(ratios: &BTreeMap<String, Vec<(f64, f64)>>) {
    println!(
        "\n| pruner | epochs vs none (median) | (most) | seeds over {EPOCH_BOUND}x | best vs \
         none, points (worst) | (mean) | seeds over {POINT_BOUND} points below | seeds within \
         both |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (name, rows) in ratios {
        let mut r: Vec<f64> = rows.iter().map(|p| p.0).collect();
        r.sort_by(f64::total_cmp);
        let worst = rows.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let mean = rows.iter().map(|p| p.1).sum::<f64>() / rows.len() as f64;
        let costly = rows.iter().filter(|p| p.0 > EPOCH_BOUND).count();
        let missed = rows.iter().filter(|p| p.1 < -POINT_BOUND).count();
        let within = rows
            .iter()
            .filter(|p| p.0 <= EPOCH_BOUND && p.1 >= -POINT_BOUND)
            .count();
        println!(
            "| {name} | {:.2}x | {:.2}x | {costly} | {worst:+.2} | {mean:+.2} | {missed} | \
             {within} of {} |",
            r[r.len() / 2],
            r[r.len() - 1],
            rows.len()
        );
    }
}

/// Returns the pruner of the experiment file `yaml` (the pruner `name`'s block in it).
fn pruner_of(yaml: &str, name: &str) -> Result<PrunerSpec> {
    let spec = ExperimentSpec::from_yaml_str(yaml, std::path::Path::new("pruning.yaml"))
        .with_context(|| format!("the pruner {name}"))?;
    Ok(spec.pruner)
}

/// Returns what `pruner` would have cost and found on the trials whose `val_accuracy` curves
/// are `curves` (in trial order, each as long as the trial could train): each trial is trained
/// epoch by epoch until the rule stops it, judged against the earlier trials as far as they
/// were trained. A trial that trains to its end is completed, with its best epoch's value.
fn replayed(pruner: &PrunerSpec, curves: &[Vec<(Step, f64)>]) -> Outcome {
    let mut trained: Vec<&[(Step, f64)]> = Vec::with_capacity(curves.len());
    for (k, curve) in curves.iter().enumerate() {
        let trial = TrialId(u32::try_from(k).unwrap_or(u32::MAX));
        let mut length = curve.len();
        for (i, &(step, _)) in curve.iter().enumerate() {
            let earlier: Vec<Curve<'_>> = trained
                .iter()
                .enumerate()
                .map(|(j, values)| Curve {
                    trial: TrialId(u32::try_from(j).unwrap_or(u32::MAX)),
                    values: &values[..values.partition_point(|(s, _)| *s <= step)],
                })
                .collect();
            let query = PruneQuery {
                trial,
                step,
                own: &curve[..=i],
                earlier: &earlier,
                direction: Direction::Maximize,
            };
            if should_prune(pruner, &query).is_some() {
                length = i + 1;
                break;
            }
        }
        trained.push(&curve[..length]);
    }
    let completed = trained
        .iter()
        .zip(curves)
        .filter(|(t, c)| t.len() == c.len());
    Outcome {
        epochs: trained.iter().map(|t| t.len()).sum(),
        seconds: None,
        best: completed
            .flat_map(|(t, _)| t.iter().map(|p| p.1))
            .fold(f64::NEG_INFINITY, f64::max),
        pruned: trained
            .iter()
            .zip(curves)
            .filter(|(t, c)| t.len() < c.len())
            .count(),
        curves: Vec::new(),
    }
}

/// Returns the shipped experiment with this seed and pruner, 30 epochs and no early stopping.
fn spec(shipped: &str, seed: u64, pruner: &str) -> Result<String> {
    let mut out = Vec::new();
    let mut replaced = 0;
    for line in shipped.lines() {
        let key = line.split(':').next().unwrap_or_default().trim();
        let new = match key {
            "seed" if !line.starts_with(' ') => Some(format!("seed: {seed}")),
            "pruner" => Some(format!("pruner: {pruner}")),
            "epochs" => Some("  epochs: 30".to_string()),
            "early_stopping" => Some(String::new()),
            "csv" => Some(line.replace("data/", "DATA/")),
            _ => None,
        };
        if let Some(new) = new {
            replaced += 1;
            out.push(new);
        } else {
            out.push(line.to_string());
        }
    }
    if replaced != 5 {
        bail!("digits-mlp-tpe-asha.yaml changed shape: expected to rewrite 5 lines, rewrote {replaced}");
    }
    Ok(out.join("\n"))
}

/// Runs one sweep in a fresh folder and reads its cost and best result back from the store.
fn run(yaml: &str) -> Result<Outcome> {
    let env = TestEnv::new();
    let file = env.write_spec("digits.yaml", yaml);
    let file = file.display().to_string();
    let started = Instant::now();
    let out = env.sweep(&["run", &file, "--no-serve"]);
    let seconds = started.elapsed().as_secs_f64();
    if out.code != 0 {
        bail!("sweep run failed ({}):\n{}", out.code, out.stderr);
    }
    let store = Store::open(&env.store())?;
    let name = "digits-mlp-tpe-asha";
    let mut trials = store.trials(name)?;
    trials.sort_by_key(|t| t.id);
    let mut epochs = 0;
    let mut best = f64::NEG_INFINITY;
    let mut pruned = 0;
    let mut curves = Vec::with_capacity(trials.len());
    for t in &trials {
        let curve = store.metric_series(name, t.id, "val_accuracy")?;
        epochs += curve.len();
        curves.push(curve);
        match t.state {
            TrialState::Completed => {
                best = best.max(
                    t.value("val_accuracy")
                        .context("a completed trial has a value")?,
                );
            }
            TrialState::Pruned => pruned += 1,
            _ => {}
        }
    }
    Ok(Outcome {
        epochs,
        seconds: Some(seconds),
        best,
        pruned,
        curves,
    })
}

/// Parses `--seeds 7,8,9`, `--pruners none,asha`, `--pruner NAME=BLOCK` and `--replay` (all
/// optional; `--pruner` adds a pruner block of one's own, for tuning: `--pruner 'asha3={type:
/// asha, ...}'`).
fn options() -> Result<Options> {
    let mut seeds = vec![7, 8, 9];
    let mut replay = false;
    let named = |p: &(&str, &str)| (p.0.to_string(), p.1.to_string());
    let mut pruners: Vec<Pruner> = PRUNERS.iter().map(named).collect();
    let mut custom = Vec::new();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seeds" => {
                let list = it.next().context("--seeds needs a list")?;
                seeds = list
                    .split(',')
                    .map(|s| s.parse().with_context(|| format!("bad seed {s:?}")))
                    .collect::<Result<_>>()?;
            }
            "--pruners" => {
                let list = it.next().context("--pruners needs a list")?;
                pruners = list
                    .split(',')
                    .map(|s| {
                        PRUNERS
                            .iter()
                            .find(|p| p.0 == s)
                            .map(named)
                            .with_context(|| format!("unknown pruner {s:?}"))
                    })
                    .collect::<Result<_>>()?;
            }
            "--pruner" => {
                let given = it.next().context("--pruner needs NAME=BLOCK")?;
                let (name, block) = given
                    .split_once('=')
                    .with_context(|| format!("--pruner {given:?}: expected NAME=BLOCK"))?;
                if name == UNPRUNED {
                    bail!(
                        "--pruner {given:?}: {UNPRUNED:?} is the unpruned sweep the others are \
                         compared with; name it otherwise"
                    );
                }
                custom.push((name.to_string(), block.to_string()));
            }
            "--replay" => replay = true,
            // cargo bench passes --bench to every bench binary.
            "--bench" => {}
            other => bail!("unknown argument {other:?}"),
        }
    }
    pruners.extend(custom);
    Ok(Options {
        seeds,
        pruners,
        replay,
    })
}
