//! A study's warm start as its experiment is opened: the trials taken from another experiment or
//! a file of results when it is created (a file's with the digest of its bytes), and on resume,
//! the ones taken then, read back and compared with what the file holds now.

use experiment::{ExperimentSpec, WarmSource, WarmStart, WarmStarted};
use store::Store;

use crate::study::{StudyOptions, WarmFile};
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
/// as they were. The file's bytes, where the experiment kept their digest when it was created
/// (`then_file`: `store::Store::warm_file_sha256`), are the same file whatever the CSV reader
/// makes of them now; other bytes, and every file of an experiment stored before that digest
/// was kept, are compared by the trials they give (`store::warm_start_digest`), not by the
/// file's path, so the same file from a folder moved since resumes. Without the file read now
/// (gone since, or a caller that read none) there is nothing to compare; a file there that
/// gives no trials (unreadable, or refused by the reader) is as one gone: returns the note that
/// says so, naming it. A warm start from another experiment is never read again.
pub(super) fn same_warm_start(
    spec: &ExperimentSpec,
    (then, then_file): (Option<&WarmStarted>, Option<&str>),
    now: Option<&WarmFile>,
) -> Result<Option<String>> {
    let from_file = spec
        .warm_start
        .as_ref()
        .is_some_and(|w| matches!(w.source, WarmSource::Csv(_)));
    let (true, Some(then), Some(now)) = (from_file, then, now) else {
        return Ok(None);
    };
    if then_file.is_some() && then_file == now.sha256() {
        return Ok(None);
    }
    let now_sha256 = now.sha256();
    let now = match now {
        WarmFile::Read { trials, .. } => trials,
        WarmFile::Unreadable { why, .. } => {
            let count = then.trials.len();
            let trials = if count == 1 { "trial" } else { "trials" };
            return Ok(Some(format!(
                "{why}; `{}` goes on from the {count} {trials} it took when it was created, as \
                 without the file",
                spec.name
            )));
        }
    };
    let (a, b) = (
        store::warm_start_digest(then),
        store::warm_start_digest(now),
    );
    if a == b {
        return Ok(None);
    }
    let file_sha256 = then_file.zip(now_sha256).map(|(t, n)| [t, n]);
    Err(Error::WarmStart(then.changed_file(
        &spec.name,
        now,
        [&a, &b],
        file_sha256,
    )))
}

/// Returns the SHA-256 of the bytes of the file of results a new experiment takes its warm
/// start from (`warm_start: {csv: ..}`, read by the caller), kept beside the trials it gives.
pub(super) fn warm_file_sha256<'a>(
    spec: &ExperimentSpec,
    options: &'a StudyOptions,
) -> Option<&'a str> {
    let from_file = spec
        .warm_start
        .as_ref()
        .is_some_and(|w| matches!(w.source, WarmSource::Csv(_)));
    match &options.warm_file {
        Some(WarmFile::Read { sha256, .. }) if from_file => Some(sha256),
        _ => None,
    }
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
            return match &options.warm_file {
                Some(WarmFile::Read { trials, .. }) => Ok(trials.clone()),
                Some(WarmFile::Unreadable { why, .. }) => Err(Error::WarmStart(why.clone())),
                None => Err(Error::WarmStart(format!(
                    "{} was not read before the study (the caller reads a warm start's file)",
                    path.value.display()
                ))),
            }
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicI64;
    use std::sync::Mutex;

    use experiment::{Method, TpeConfig, Trial};

    use super::*;
    use crate::testing::{options, quadratic, run, spec, warm_from_file, TickClock};
    use crate::{run_study, Observer, StudyPlan};

    /// Keeps what the study says of its warm start as it starts.
    #[derive(Default)]
    struct Said(Mutex<Option<String>>);

    impl Observer for Said {
        fn study_started(&self, plan: &StudyPlan) {
            *self.0.lock().unwrap() = plan.warm_start.clone();
        }
    }

    fn taken(trials: &[Trial]) -> WarmStarted {
        WarmStarted {
            source: "runs/past.csv".into(),
            trials: trials.to_vec(),
            left_out: Vec::new(),
        }
    }

    fn read(sha256: &str, trials: &[Trial]) -> WarmFile {
        WarmFile::Read {
            sha256: sha256.into(),
            trials: taken(trials),
        }
    }

    fn unreadable(sha256: Option<&str>) -> WarmFile {
        WarmFile::Unreadable {
            sha256: sha256.map(str::to_string),
            why: "warm_start.csv at toy.yaml:9:18: runs/past.csv: no column for `y`".into(),
        }
    }

    /// Issue: a resume compared a warm start's file only by the trials the CSV reader made of
    /// it, so a change to the reader refused the same bytes, and a file there that the reader
    /// refused (or that could not be read) stopped the resume where a file gone since goes on.
    /// The same bytes now go on whatever the reader makes of them; other bytes that give other
    /// trials are refused as before; a file that gives no trials goes on with a note naming it.
    /// An experiment stored before the bytes' digest was kept compares the trials, as before.
    #[test]
    fn issue_a_resume_knows_the_same_bytes_and_goes_on_past_a_file_it_cannot_read() {
        let mut warm = spec(3, "warm");
        warm.warm_start = Some(warm_from_file());
        let before = run(
            &Store::temporary().unwrap(),
            &spec(4, "before"),
            &quadratic(2.0),
            1,
        );
        let (then, fewer) = (taken(&before.trials), &before.trials[..2]);
        let check = |kept: Option<&str>, now: &WarmFile| {
            same_warm_start(&warm, (Some(&then), kept), Some(now)).map_err(|e| e.to_string())
        };
        let (sha, other_sha) = ("aa".repeat(32), "bb".repeat(32));
        // The same bytes, which the reader now reads otherwise (or not at all).
        assert_eq!(check(Some(&sha), &read(&sha, fewer)), Ok(None));
        assert_eq!(check(Some(&sha), &unreadable(Some(&sha))), Ok(None));
        // Other bytes: the trials they give decide.
        assert_eq!(
            check(Some(&sha), &read(&other_sha, &before.trials)),
            Ok(None)
        );
        // Issue F10: the trials' digest was called "sha256" (no `sha256sum` of the file prints
        // it) and the file's, kept, was not shown: each is named for what it is.
        let refused = check(Some(&sha), &read(&other_sha, fewer)).unwrap_err();
        let digest = |trials: &[Trial]| {
            experiment::short_hash(&store::warm_start_digest(&taken(trials))).to_string()
        };
        assert!(
            refused.contains(&format!(
                "runs/past.csv gave 4 trials, now 2 (the file's sha256, as `sha256sum` prints \
                 it, was aaaaaaaaaaaa, now bbbbbbbbbbbb; the digest of the trials it gives was \
                 {}, now {}); its",
                digest(&before.trials),
                digest(fewer)
            )),
            "{refused}"
        );
        // There but giving no trials: as gone, said.
        let note = "warm_start.csv at toy.yaml:9:18: runs/past.csv: no column for `y`; `toy` \
                    goes on from the 4 trials it took when it was created, as without the file";
        for now in [unreadable(Some(&other_sha)), unreadable(None)] {
            assert_eq!(check(Some(&sha), &now), Ok(Some(note.to_string())));
        }
        // Stored before the digest of the bytes was kept: the trials, as before.
        let previous = check(None, &read(&sha, fewer)).unwrap_err();
        assert!(
            previous.contains(&format!(
                "gave 4 trials, now 2 (the digest of the trials it gives was {}, now {}); its",
                digest(&before.trials),
                digest(fewer)
            )),
            "{previous}"
        );
        assert_eq!(check(None, &read(&sha, &before.trials)), Ok(None));
        assert_eq!(check(None, &unreadable(None)), Ok(Some(note.to_string())));
        // Gone since, or no file read: nothing to compare.
        assert_eq!(
            same_warm_start(&warm, (Some(&then), Some(&sha)), None).ok(),
            Some(None)
        );
    }

    /// A study warm-started from a file keeps the digest of the file's bytes with the trials it
    /// took, and a resume whose file gives no trials says why as it starts, with the trials it
    /// goes on from; one stored as the previous version stored it (no digest) refuses the
    /// same bytes read otherwise, as that version did.
    #[test]
    fn a_study_keeps_its_files_digest_and_says_why_it_goes_on_without_the_file() {
        let mut warm = spec(3, "warm");
        warm.method = Method::Tpe(TpeConfig::default());
        warm.warm_start = Some(warm_from_file());
        let before = run(
            &Store::temporary().unwrap(),
            &spec(4, "before"),
            &quadratic(2.0),
            1,
        );
        let store = Store::temporary().unwrap();
        let clock = TickClock(AtomicI64::new(100));
        let go = |file: WarmFile, extend: Option<u32>, said: &Said| {
            let options = StudyOptions {
                warm_file: Some(file),
                extend,
                ..options(1)
            };
            run_study(&store, &warm, &quadratic(2.0), said, &clock, &options)
                .map_err(|e| e.to_string())
        };
        let sha = "aa".repeat(32);
        let said = Said::default();
        go(read(&sha, &before.trials), None, &said).unwrap();
        assert_eq!(store.warm_file_sha256("toy").unwrap(), Some(sha.clone()));
        assert_eq!(
            store.warm_start("toy").unwrap(),
            Some(taken(&before.trials))
        );
        // The same bytes, which the reader now reads otherwise.
        go(read(&sha, &before.trials[..1]), Some(1), &said).unwrap();
        let unread = Said::default();
        go(unreadable(None), Some(1), &unread).unwrap();
        assert_eq!(
            unread.0.lock().unwrap().as_deref(),
            Some(
                "4 trials of `runs/past.csv`, learned from before this experiment's own; note: \
                 warm_start.csv at toy.yaml:9:18: runs/past.csv: no column for `y`; `toy` goes \
                 on from the 4 trials it took when it was created, as without the file"
            )
        );
        assert_eq!(store.experiment("toy").unwrap().unwrap().run_cap, 5);
        // As the previous version stored it: the trials alone, compared as then.
        store.put_warm_start("toy", &taken(&before.trials)).unwrap();
        assert_eq!(store.warm_file_sha256("toy").unwrap(), None);
        let refused = go(read(&sha, &before.trials[..1]), Some(1), &said).unwrap_err();
        assert!(
            refused.contains("now 1 (the digest of the trials it gives was "),
            "{refused}"
        );
        go(read(&sha, &before.trials), Some(1), &said).unwrap();
        assert_eq!(store.experiment("toy").unwrap().unwrap().run_cap, 6);
    }
}
