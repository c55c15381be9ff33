//! Other tools' top-level keys (W&B's sweep files, Optuna's and Ray Tune's words) that have
//! no place in an experiment file, each with what to remove or rename, so that a file brought
//! over is told what to do rather than that a key is unknown.

use super::decoder::scalar;
use super::tree::{Kind, Node, Scalar};

/// Top-level keys of W&B sweep files (and Optuna's and Ray Tune's words) that have no place
/// here, and why: a file brought over is told what to remove or rename rather than that a key
/// is unknown. Optuna's `direction` and `directions` are said with the file's own metrics
/// (`objectives::direction`, `objectives::directions`).
pub(super) const WANDB_ONLY: &[(&str, &str)] = &[
    ("program", STARTS_A_SCRIPT),
    ("command", STARTS_A_SCRIPT),
    ("project", NAMES_A_PROJECT),
    ("entity", NAMES_AN_ENTITY),
    ("count", COUNTS_TRIALS),
    ("n_trials", COUNTS_TRIALS),
    (
        "num_samples",
        "is how Ray Tune counts trials; here the number of trials is `run_cap:`",
    ),
    (
        "n_jobs",
        "is Optuna's count of trials run at once; here that is `parallel:`",
    ),
    (
        "study_name",
        "is Optuna's; here the experiment is named by `name:`",
    ),
    (
        "timeout",
        "is Optuna's `timeout`; here a time limit is the `--timeout` flag of `sweep run` \
         (`--timeout 1h`), not part of the file",
    ),
    (
        "controller",
        "is where W&B runs a sweep's controller (`type: local`); Sweep runs its search itself, \
         on this machine, so remove it",
    ),
    ("apiVersion", HEADS_A_MANIFEST),
    ("kind", HEADS_A_MANIFEST),
    (
        "storage",
        "is Optuna's database of a study's trials; Sweep keeps trials in its store (the \
         `--store` folder of `sweep run`, `.sweep` by default), not named in the file, so remove \
         it",
    ),
    (
        "metrics",
        "is not a key here: the objective is `metric:` (`metric: {name: val_loss, goal: \
         minimize}`), and a list under `metric:` (`- {name: val_accuracy, goal: maximize}` per \
         line) searches several objectives at once",
    ),
    (
        "time_budget_s",
        "is Ray Tune's time limit; here a time limit is the `--timeout` flag of `sweep run` \
         (`--timeout 1h`), not part of the file",
    ),
];
const COUNTS_TRIALS: &str = "is how W&B's agent (`--count`) or Optuna (`n_trials`) counts \
    trials; here the number of trials is `run_cap:`";
const STARTS_A_SCRIPT: &str = "is how W&B starts a training script for each trial; Sweep \
    trains the model itself from `data:`, `model:` and `train:`, so remove it";
const NAMES_A_PROJECT: &str = "names a W&B account's project; a Sweep experiment is named by \
    `name:` and kept in the store, so remove it";
const HEADS_A_MANIFEST: &str = "heads a manifest for a cluster (Kubernetes' `apiVersion` and \
    `kind`, as W&B Launch writes them); a Sweep experiment file is the spec alone, with no \
    version or kind, so remove it";
const NAMES_AN_ENTITY: &str = "names the W&B user or team a run is sent to; a Sweep experiment \
    is kept in the store, on this machine, so remove it";

/// Returns why the counts other tools write at the top of the spec `root` have no place here,
/// with the value written where Sweep's key takes it (`n_jobs: 2` is `parallel: 2`,
/// `num_samples: 20` is `run_cap: 20`), and Optuna's `n_jobs: -1` (a trial per core) said as
/// `parallel:` left out, which runs one trial per core; as `WANDB_ONLY` says them for other
/// values, which these come before.
pub(super) fn counts_written(root: &Node) -> Vec<(&str, String)> {
    let Kind::Map(entries) = &root.kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries {
        let Some(Scalar::Int(n)) = scalar(&entry.value) else {
            continue;
        };
        let why = match (entry.key.as_str(), *n) {
            ("n_jobs", -1) => "is Optuna's count of trials run at once, -1 for one per core; \
                               here leave `parallel:` out, and a run takes one trial per core"
                .to_string(),
            ("n_jobs", n) if (1..=i64::from(crate::MAX_PARALLEL)).contains(&n) => {
                format!("is Optuna's count of trials run at once; here that is `parallel: {n}`")
            }
            ("num_samples", n) if (1..=i64::from(u32::MAX)).contains(&n) => format!(
                "is how Ray Tune counts trials; here the number of trials is `run_cap: {n}`"
            ),
            ("count" | "n_trials", n) if (1..=i64::from(u32::MAX)).contains(&n) => format!(
                "is how W&B's agent (`--count`) or Optuna (`n_trials`) counts trials; here the \
                 number of trials is `run_cap: {n}`"
            ),
            _ => continue,
        };
        out.push((entry.key.as_str(), why));
    }
    out
}
