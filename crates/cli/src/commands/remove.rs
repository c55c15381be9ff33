//! `sweep rm`: removes experiments from a store, with their trials, metric points, records
//! and checkpoints.
//!
//! Unless `--yes` is given it lists what would go and asks on standard error, reading the answer
//! from standard input; no answer at all (standard input closed, as in a script) removes nothing
//! and says to pass `--yes`. Every name is checked before anything is removed. An experiment's
//! checkpoints go before its records: an interrupted removal may leave records without
//! checkpoints (running `sweep rm` again finishes it), never checkpoints that a later experiment
//! of the same name would take for its own.

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::{bail, Context};
use experiment::Trial;
use store::{CheckpointsRemoved, ExperimentInfo, Store};

use super::{find_experiment, open_store, StoreMode};
use crate::args::RmArgs;
use crate::output;
use crate::Outcome;

pub(crate) fn remove(args: &RmArgs) -> anyhow::Result<Outcome> {
    let path = &args.store.store;
    let store = open_store(path, StoreMode::Existing)?;
    let mut rows: Vec<(ExperimentInfo, Vec<Trial>)> = Vec::new();
    for name in &args.experiments {
        if rows.iter().all(|(info, _)| &info.name != name) {
            let info = find_experiment(&store, name)?;
            let trials = store.trials(&info.name)?;
            rows.push((info, trials));
        }
    }
    if !args.yes && !confirmed(path, &rows)? {
        say!("nothing removed");
        return Ok(Outcome::Declined);
    }
    let mut out = crate::standard_output::lock();
    // Counts as `usize` or `u64`, each with its noun.
    let counted = |n: usize, one: &str, many: &str| {
        experiment::counted(u64::try_from(n).unwrap_or(u64::MAX), one, many)
    };
    for (info, trials) in &rows {
        // A large experiment takes a while (about 30 s for a million metric points).
        say!(
            "removing {} ({})...",
            info.name,
            counted(trials.len(), "trial", "trials")
        );
        let checkpoints = remove_checkpoints(&store, &info.name)?;
        let removed = store.remove_experiment(&info.name)?;
        writeln!(
            out,
            "removed {}: {}, {}, {}",
            info.name,
            counted(removed.trials, "trial", "trials"),
            counted(removed.metric_points, "metric point", "metric points"),
            counted(checkpoints, "checkpoint", "checkpoints")
        )?;
    }
    say!(
        "the database reuses their room but keeps its size on disk; `sweep compact{}` gives it \
         back",
        super::store_flag(path)
    );
    Ok(Outcome::Success)
}

/// Lists the experiments on standard error and asks; returns whether the answer was yes.
fn confirmed(path: &Path, rows: &[(ExperimentInfo, Vec<Trial>)]) -> anyhow::Result<bool> {
    let mut err = std::io::stderr().lock();
    let specs: Vec<_> = rows
        .iter()
        .map(|(info, _)| super::inspect::stored_spec(info, super::inspect::LEFT_OUT_BELOW))
        .collect();
    let (what, its) = match rows.len() {
        1 => ("this experiment".to_string(), "its"),
        n => (format!("these {n} experiments"), "their"),
    };
    // Named: a bare I/O error reaching `main` is standard output's (`standard_output`).
    let asked = (|| -> std::io::Result<()> {
        output::experiments_with(&mut err, rows, &specs)?;
        write!(
            err,
            "remove {what} from {}, with {its} trials, metrics and checkpoints? this cannot be \
             undone [y/N] ",
            output::visible_path(path)
        )?;
        err.flush()
    })();
    asked.context("cannot ask on standard error whether to remove")?;
    let mut answer = String::new();
    let read = std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .context("cannot read the answer from standard input")?;
    if read == 0 {
        // Only ends the question's line: the error below says what happened.
        let _ = writeln!(err);
        bail!("nothing removed: no answer on standard input; pass --yes to remove without asking");
    }
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// Deletes an experiment's checkpoint folder (`Store::remove_checkpoints`); returns how many
/// checkpoints it held (0 when there is none, or when its name is no plain folder name, said).
fn remove_checkpoints(store: &Store, experiment: &str) -> anyhow::Result<usize> {
    match store.remove_checkpoints(experiment)? {
        CheckpointsRemoved::Deleted(count) => Ok(count),
        CheckpointsRemoved::NotPlainName => {
            say!(
                "warning: the checkpoints of {experiment:?} are left alone: its name is not a \
                 plain folder name (names are checked now; this store is older)"
            );
            Ok(0)
        }
    }
}
