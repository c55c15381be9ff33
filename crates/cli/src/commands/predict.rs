//! `sweep predict`: predictions with a trial's saved checkpoint.
//!
//! Checkpoints are files beside the store (`store::checkpoint_dir`, named as
//! `experiment::CheckpointFile` names them), so predicting does not open the store and works
//! while a sweep runs on it.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use experiment::{CheckpointFile, TrialId};

use crate::args::PredictArgs;
use crate::Outcome;

pub(crate) fn predict(args: &PredictArgs) -> anyhow::Result<Outcome> {
    // Predictions written over the store's files or its checkpoints would lose them.
    let output = crate::whole_file::output_file(
        args.output.as_deref(),
        &args.store.store,
        "the predictions",
    )?;
    let sidecar = find_checkpoint(args)?;
    // `--input -` is standard input, as `-o -` is standard output.
    let from_stdin = args.input == std::path::Path::new("-");
    if !from_stdin && args.input.is_dir() {
        bail!(
            "--input {}: it is a folder; name the CSV file of rows to predict",
            args.input.display()
        );
    }
    // How the rows are named in messages: `-` is no file's name.
    let input_name = if from_stdin {
        PathBuf::from("standard input")
    } else {
        args.input.clone()
    };
    let input: Box<dyn std::io::Read> = if from_stdin {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(
            File::open(&args.input)
                .with_context(|| format!("cannot read --input {}", args.input.display()))?,
        )
    };
    let summary = match output {
        Some(path) => {
            let same = std::fs::canonicalize(path)
                .ok()
                .zip(std::fs::canonicalize(&args.input).ok())
                .is_some_and(|(a, b)| a == b);
            if same {
                bail!(
                    "--output {} is the --input file: write the predictions to another file",
                    path.display()
                );
            }
            // Made first, then written whole: a refused input leaves the file as it was.
            let what = format!("--output {}", path.display());
            let summary = crate::whole_file::write_whole(path, &what, |out| {
                Ok(trainer::predict(&sidecar, input, &input_name, out)?)
            })?;
            say!(
                "wrote {} predictions to {}",
                summary.rows,
                crate::output::visible_path(path)
            );
            summary
        }
        None => {
            let mut out = crate::standard_output::lock();
            // A write that failed is standard output's, bare, as every command's is: `main`
            // names what could not be written there and where.
            let summary = match trainer::predict(&sidecar, input, &input_name, &mut out) {
                Err(trainer::Error::Write(e)) => return Err(e.into()),
                made => made?,
            };
            out.flush()?;
            summary
        }
    };
    if summary.unseen_categories > 0 {
        let cells = if summary.unseen_categories == 1 {
            "1 cell holds a category".to_string()
        } else {
            format!("{} cells hold categories", summary.unseen_categories)
        };
        say!(
            "note: {cells} the model did not see in training; such a cell sets none of its \
             column's indicators"
        );
    }
    tracing::debug!(rows = summary.rows, columns = ?summary.columns, "predicted");
    Ok(Outcome::Success)
}

/// Which trials keep a checkpoint, for the error naming one without.
const KEPT: &str = "only the best `checkpoints.keep` trials of a sweep keep theirs (with several \
                    objectives, also those on the Pareto front), and under agents, each agent \
                    keeps its own trials' in its own store (`sweep show EXPERIMENT/NUMBER` says \
                    which agent ran a trial), the study's best trial's also in every other's";

/// Returns the sidecar of the checkpoint `args` name: `EXPERIMENT/TRIAL`, `TRIAL` with
/// `--experiment`, or `TRIAL` alone when one experiment in the store has that trial's checkpoint.
fn find_checkpoint(args: &PredictArgs) -> anyhow::Result<PathBuf> {
    let (named, trial) = match args.trial.rsplit_once('/') {
        Some((experiment, trial)) => {
            if let Some(other) = args.experiment.as_ref().filter(|e| *e != experiment) {
                bail!(
                    "`{}` names experiment `{experiment}`, --experiment `{other}`: give one, \
                     or the same twice",
                    args.trial
                );
            }
            (Some(experiment.to_string()), trial)
        }
        None => (args.experiment.clone(), args.trial.as_str()),
    };
    let Ok(trial) = trial.parse::<u32>() else {
        bail!(
            "TRIAL must be a trial number or EXPERIMENT/NUMBER, found `{}`",
            args.trial
        );
    };
    let store = &args.store.store;
    super::require_store(store)?;
    let file = CheckpointFile::Sidecar.file_name(TrialId(trial));
    if let Some(experiment) = named {
        let folder = store::checkpoint_dir(store, &experiment);
        let sidecar = folder.join(&file);
        if sidecar.is_file() {
            return Ok(sidecar);
        }
        // The store, when it can be read, says why the trial has none.
        if let Some(why) = no_checkpoint(store, &experiment, trial, folder.is_dir()) {
            bail!("{why}");
        }
        if !folder.is_dir() {
            let kept: Vec<String> = checkpoint_folders(store)
                .into_iter()
                .map(|(name, _)| name)
                .collect();
            let close = experiment::suggest(&experiment, kept.iter().map(String::as_str))
                .map(|c| format!("did you mean `{c}`? "))
                .unwrap_or_default();
            let listed = if kept.is_empty() {
                "none".to_string()
            } else {
                kept.join(", ")
            };
            bail!(
                "no checkpoints of an experiment `{experiment}` in {}; {close}experiments with \
                 checkpoints: {listed}",
                store.display()
            );
        }
        bail!(
            "no checkpoint of trial {trial} of `{experiment}` in {}: {KEPT}",
            store.display()
        );
    }
    let mut found: Vec<(String, PathBuf)> = checkpoint_folders(store)
        .into_iter()
        .map(|(name, folder)| (name, folder.join(&file)))
        .filter(|(_, sidecar)| sidecar.is_file())
        .collect();
    match found.len() {
        0 => bail!(
            "no checkpoint of trial {trial} in {}: {KEPT}",
            store.display()
        ),
        1 => Ok(found.remove(0).1),
        _ => bail!(
            "several experiments have a checkpoint of trial {trial}: {}; name one with \
             --experiment or EXPERIMENT/{trial}",
            found
                .iter()
                .map(|(e, _)| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Returns the experiments that have a folder of checkpoints beside the store in `store`, by
/// name, with their folders.
fn checkpoint_folders(store: &std::path::Path) -> Vec<(String, PathBuf)> {
    let mut folders: Vec<(String, PathBuf)> = std::fs::read_dir(store::checkpoint_dir(store, ""))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    folders.sort();
    folders
}

/// Says why trial `trial` of `experiment` in the store `dir` has no checkpoint, when the store
/// can say (a store a sweep holds says nothing, as predicting needs only the checkpoint files,
/// and an experiment it does not hold is left to the caller): no such trial, a trial that did
/// not finish, or the experiment's checkpoints gone (`folder`: whether its folder is there) with
/// a `sweep rm` stopped part way, which removes them before the experiment.
fn no_checkpoint(
    dir: &std::path::Path,
    experiment: &str,
    trial: u32,
    folder: bool,
) -> Option<String> {
    let store = super::open_store(dir, super::StoreMode::Existing).ok()?;
    let info = store.experiment(experiment).ok()??;
    if info.spec().is_ok_and(|spec| spec.checkpoints.keep == 0) {
        return Some(format!(
            "`{experiment}` keeps no checkpoints (`checkpoints.keep: 0`)"
        ));
    }
    let trials = store.trials(experiment).ok()?;
    let quoted = super::quoted(dir);
    let agent = matches!(store.run_record(experiment), Ok(Some(r)) if r.agent.is_some());
    let Some(found) = trials.iter().find(|t| t.id.0 == trial) else {
        return Some(format!(
            "`{experiment}` has no trial {trial}: {}",
            match trials.len() {
                0 => "it has no trials yet".to_string(),
                1 => "its 1 trial is numbered 0".to_string(),
                n => format!("its {n} trials are numbered from 0"),
            }
        ));
    };
    use experiment::TrialState as S;
    match found.state {
        // An agent's store holds the checkpoints of its own trials and the study's best:
        // left to the message of a trial that kept none.
        S::Completed | S::Pruned if !folder && agent => None,
        S::Completed | S::Pruned if !folder => Some(format!(
            "the checkpoints of `{experiment}` are gone from {}: removed by hand, or by a `sweep \
             rm` stopped part way, which removes them before the experiment (if so, running it \
             again finishes the removal); `sweep reproduce {}/{trial} --store {quoted}` trains \
             trial {trial} again and writes its checkpoint",
            dir.display(),
            experiment::shell_quote(experiment),
        )),
        S::Completed | S::Pruned => None,
        S::Failed => Some(format!(
            "trial {trial} of `{experiment}` failed, so it has no checkpoint"
        )),
        S::Queued | S::Running => Some(format!(
            "trial {trial} of `{experiment}` did not finish (its sweep stopped first), so it has \
             no checkpoint; running the sweep again finishes it"
        )),
    }
}
