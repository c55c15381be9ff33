//! A study's warm start as its experiment is opened: the trials taken from another experiment or
//! a file of results when it is created, and on resume, the ones taken then, read back and
//! compared with what the file gives now.

use experiment::{ExperimentSpec, WarmSource, WarmStart, WarmStarted};
use store::Store;

use crate::study::StudyOptions;
use crate::{Error, Result};

/// Returns the trials a stored experiment took from another when it was created; refused for
/// one whose file has a `warm_start:` but whose creation was cut short before it took them.
pub(super) fn stored_warm_start(
    store: &Store,
    spec: &ExperimentSpec,
) -> Result<Option<WarmStarted>> {
    match (&spec.warm_start, store.warm_start(&spec.name)?) {
        (Some(w), None) => Err(Error::WarmStart(format!(
            "`{}` holds no trials taken from `{}` (its creation was cut short): remove \
             it (`sweep rm {}{}`) and run again",
            spec.name,
            w.source.name(),
            experiment::shell_quote(&spec.name),
            store_arg(store)
        ))),
        (_, warm) => Ok(warm),
    }
}

/// Refuses to go on with an experiment that took the trials `then` from a file of results
/// (`warm_start: {csv: ..}`) when the file its spec names now gives other trials (`now`, read
/// again by the caller: `StudyOptions::warm_file`): its trials so far learned from the trials
/// as they were. The trials are compared by their digest (`store::warm_start_digest`), not the
/// file by its path, so the same file from a folder moved since resumes. Without the file read
/// now (gone since, or a caller that read none) there is nothing to compare; a warm start from
/// another experiment is never read again.
pub(super) fn same_warm_start(
    spec: &ExperimentSpec,
    then: Option<&WarmStarted>,
    now: Option<&WarmStarted>,
) -> Result<()> {
    let from_file = spec
        .warm_start
        .as_ref()
        .is_some_and(|w| matches!(w.source, WarmSource::Csv(_)));
    let (true, Some(then), Some(now)) = (from_file, then, now) else {
        return Ok(());
    };
    let (a, b) = (
        store::warm_start_digest(then),
        store::warm_start_digest(now),
    );
    if a == b {
        return Ok(());
    }
    Err(Error::WarmStart(then.changed_file(
        &spec.name,
        now,
        [&a, &b],
    )))
}

/// Takes the trials of `w`'s experiment that `spec` learns from: refused when the store holds
/// no such experiment or it had another objective. A file's were taken by the caller
/// (`options.warm_file`).
pub(super) fn warm_start(
    store: &Store,
    spec: &ExperimentSpec,
    w: &WarmStart,
    options: &StudyOptions,
) -> Result<WarmStarted> {
    let experiment = match &w.source {
        WarmSource::Experiment(name) => name,
        WarmSource::Csv(path) => {
            return options.warm_file.clone().ok_or_else(|| {
                Error::WarmStart(format!(
                    "{} was not read before the study (the caller reads a warm start's file)",
                    path.value.display()
                ))
            })
        }
    };
    let Some(source) = store.experiment(experiment)? else {
        let names: Vec<String> = store.experiments()?.into_iter().map(|e| e.name).collect();
        let held = if names.is_empty() {
            "it holds none".to_string()
        } else {
            format!("it holds {}", names.join(", "))
        };
        let whose = match &options.agent {
            Some(a) => format!(
                "agent {}'s store ({held}; each agent reads its own, so each needs a copy of a \
                 store that holds it)",
                a.agent
            ),
            None => format!("the store ({held})"),
        };
        return Err(Error::WarmStart(format!(
            "no experiment `{experiment}` in {whose}; a warm start learns from an experiment \
             of the same store, or from a file of results (`warm_start: {{csv: FILE}}`, as \
             `sweep export {} --format csv --store DIR` writes it from the store that holds \
             it)",
            experiment::shell_quote(experiment),
        )));
    };
    if source.objective != spec.metric.name || source.goal != spec.metric.goal {
        return Err(Error::WarmStart(format!(
            "`{experiment}` {}s {}, this file {}s {}: its trials would teach the wrong thing",
            source.goal, source.objective, spec.metric.goal, spec.metric.name
        )));
    }
    Ok(w.import(&spec.space, &store.trials(experiment)?))
}

/// Returns the `--store DIR` argument that names `store` in a suggested command (quoted for
/// a shell as needed), empty for a temporary store, which no command can name.
fn store_arg(store: &Store) -> String {
    store.path().map_or_else(String::new, |path| {
        format!(
            " --store {}",
            experiment::shell_quote(&path.display().to_string())
        )
    })
}
