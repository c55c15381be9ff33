//! `warm_start:`: a search that learns, from its first trial, from earlier trials: the finished
//! trials of another experiment in the same store, or the rows of a CSV file of results
//! (`sweep export`'s, Optuna's `trials_dataframe()`, MLflow's `search_runs()`, or any table
//! with a column per parameter
//! and one for the objective; `table`). Optuna's `add_trials`, Ray Tune's `evaluated_rewards`:
//! widen a range the best trial sat at the end of, move a sweep to a new name or another
//! machine, or bring the history of another tool, without throwing away what was learned.
//!
//! ```yaml
//! warm_start: {experiment: friedman1-mlp-bayes, trials: 30}
//! warm_start: {csv: results/friedman1.csv}
//! ```
//!
//! Only the samplers that learn from history take it (`tpe`, `bayes`), with one objective. A
//! trial (or row) is taken when it finished (completed, pruned or failed) and when every
//! parameter this search makes active in it is one it has, with a value its distribution here
//! admits; parameters it has and this search does not are dropped. The taken trials are
//! renumbered from 0 in their order and copied into the new experiment when it is created
//! (`store`), so that resuming it never reads the other experiment again, whatever became of
//! it, and needs the file no more: a file still there (wherever it lies now) is read again only
//! to compare it with what was taken: the same bytes go on (their digest is kept with the
//! trials, `store`), other bytes that give other trials are refused
//! (`WarmStarted::changed_file`); one gone since, or there but giving no trials, is not missed.

mod table;

use std::path::PathBuf;

pub use table::{ResultsRow, ResultsTable};

use crate::{Located, Params, SearchSpace, Trial, TrialId};

/// The earlier trials a search learns from, and how many of them.
#[derive(Debug, Clone, PartialEq)]
pub struct WarmStart {
    /// Where they are.
    pub source: WarmSource,
    /// Only the trials numbered below this (a file's rows: its `trial` or `number` column, else
    /// their place from 0); `None`: all that finished when this experiment was created.
    pub trials: Option<u32>,
}

/// Where a warm start's trials are.
#[derive(Debug, Clone, PartialEq)]
pub enum WarmSource {
    /// Another experiment of the same store, by name.
    Experiment(String),
    /// A CSV file of results, resolved against the spec's folder, with where the spec names it.
    Csv(Located<PathBuf>),
}

impl WarmSource {
    /// Returns how it is named to a person: the experiment's name, or the file as the spec
    /// resolves it.
    pub fn name(&self) -> String {
        match self {
            WarmSource::Experiment(name) => name.clone(),
            WarmSource::Csv(file) => file.value.display().to_string(),
        }
    }
}

/// What a warm start took from the earlier trials, kept with the experiment (`store`) so that
/// resuming it goes on from them, whatever became of their source.
#[derive(Debug, Clone, PartialEq)]
pub struct WarmStarted {
    /// Where they came from: the other experiment's name, or the file's.
    pub source: String,
    /// The trials taken, renumbered from 0, with this search's parameters.
    pub trials: Vec<Trial>,
    /// Why each of its other finished trials was left out: "trial 7: `lr` = 0.5 ..." (a
    /// file's: "line 8: ..."); then notes, each starting `note: ` (a constrained metric a file
    /// has no column for, a parameter given where this search does not set it), which leave
    /// no trial out.
    pub left_out: Vec<String>,
}

/// How an entry of `WarmStarted::left_out` that is a note on the whole file starts.
pub(crate) const NOTE: &str = "note: ";

impl WarmStarted {
    /// Describes it for a person: "28 trials of `old`, learned from before this experiment's
    /// own; 2 of its finished trials left out (trial 7: ...; trial 9: ...)", the first three
    /// reasons given, then any notes ("; note: the file has no column for ...").
    pub fn describe(&self) -> String {
        let taken = self.trials.len();
        let trials = if taken == 1 { "trial" } else { "trials" };
        let mut line = format!(
            "{taken} {trials} of `{}`, learned from before this experiment's own",
            self.source
        );
        let (notes, rows): (Vec<String>, Vec<String>) = self
            .left_out
            .iter()
            .cloned()
            .partition(|why| why.starts_with(NOTE));
        if !rows.is_empty() {
            line.push_str(&format!(
                "; {} of its finished trials left out ({})",
                rows.len(),
                first_reasons(&rows)
            ));
        }
        for note in notes {
            line.push_str(&format!("; {note}"));
        }
        line
    }
}

impl WarmStarted {
    /// Returns why experiment `name`, which took these trials when it was created (from the
    /// file `self.source`, as its spec named it then), does not go on now that the file of
    /// results its spec names gives other trials (`now`, from the file `now.source`): both
    /// files, each with what it gave, and the ways out, as for changed data. `digests` are the
    /// digests of the trials then and now (`store::warm_start_digest`), which no `sha256sum`
    /// of the file prints, so they are called what they are; `file_sha256`, the SHA-256 of the
    /// file's bytes then and now, where the experiment kept it when it was created (one stored
    /// before that digest was kept has none), is named as the digest `sha256sum FILE` prints.
    /// Where the files are one, "past.csv gave 4 trials, now 3 (the file's sha256, as
    /// `sha256sum` prints it, was .., now ..; the digest of the trials it gives was .., now ..)".
    pub fn changed_file(
        &self,
        name: &str,
        now: &WarmStarted,
        digests: [&str; 2],
        file_sha256: Option<[&str; 2]>,
    ) -> String {
        let [then_digest, now_digest] = digests.map(crate::short_hash);
        let (then_count, now_count) = (self.trials.len(), now.trials.len());
        let trials = if then_count == 1 { "trial" } else { "trials" };
        let changed = if self.source == now.source {
            format!(
                "{} gave {then_count} {trials}, now {now_count}",
                self.source
            )
        } else {
            format!(
                "it took {then_count} {trials} from {}; {} gives {now_count}",
                self.source, now.source
            )
        };
        let bytes = file_sha256.map_or_else(String::new, |sha256| {
            let [then_file, now_file] = sha256.map(crate::short_hash);
            format!(
                "the file's sha256, as `sha256sum` prints it, was {then_file}, now {now_file}; "
            )
        });
        format!(
            "the file of results experiment `{name}` warm-started from changed since it \
             started: {changed} ({bytes}the digest of the trials it gives was {then_digest}, now \
             {now_digest}); its trials so far learned from the trials as they were, so nothing \
             runs: restore the file, give the experiment a new `name:` to start over from the \
             new one, or remove it"
        )
    }
}

/// Returns the first three of `reasons` joined by "; ", and "and N more" after them.
pub(crate) fn first_reasons(reasons: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut why: Vec<String> = reasons.iter().take(SHOWN).cloned().collect();
    let more = reasons.len().saturating_sub(SHOWN);
    if more > 0 {
        why.push(format!("and {more} more"));
    }
    why.join("; ")
}

impl WarmStart {
    /// Returns the trials of `source` (the other experiment's) that a search over `space`
    /// learns from, and why the others were left out.
    pub fn import(&self, space: &SearchSpace, source: &[Trial]) -> WarmStarted {
        let mut candidates: Vec<&Trial> = source
            .iter()
            .filter(|t| t.state.is_finished() && self.trials.is_none_or(|n| t.id.0 < n))
            .collect();
        candidates.sort_by_key(|t| t.id);
        let mut trials = Vec::new();
        let mut left_out = Vec::new();
        let mut unused = Vec::new();
        for trial in candidates {
            match params_in(space, &trial.params, &Params::new()) {
                Ok(fitted) => {
                    let id = TrialId(u32::try_from(trials.len()).unwrap_or(u32::MAX));
                    let at = format!("trial {}", trial.id);
                    unused.extend(fitted.unused.into_iter().map(|p| (p, at.clone())));
                    trials.push(Trial {
                        id,
                        params: fitted.params,
                        ..trial.clone()
                    });
                }
                Err(why) => left_out.push(format!("trial {}: {why}", trial.id)),
            }
        }
        left_out.extend(unused_notes(space, &unused));
        WarmStarted {
            source: self.source.name(),
            trials,
            left_out,
        }
    }
}

/// `given` read as parameters of a space (`params_in`).
#[derive(Debug)]
pub(crate) struct Fitted {
    /// Each parameter active given the ones before it, with its value.
    pub(crate) params: Params,
    /// The parameters of the space given a value where their condition does not hold, which
    /// the trial is taken without (said in a note, not dropped without a word).
    pub(crate) unused: Vec<String>,
}

/// Returns `given` as parameters of `space`: each parameter active given the ones before it,
/// with the given value (or, for one not given, its value in `blank`: a table's empty cell
/// that may be the empty string), admitted by its distribution; or why not.
pub(crate) fn params_in(
    space: &SearchSpace,
    given: &Params,
    blank: &Params,
) -> Result<Fitted, String> {
    let mut params = Params::new();
    let mut unused = Vec::new();
    for p in space.in_dependency_order() {
        if !space.is_active(p, &params) {
            if given.contains_key(&p.name) {
                unused.push(p.name.clone());
            }
            continue;
        }
        let Some(value) = given.get(&p.name).or_else(|| blank.get(&p.name)) else {
            // A parameter of one value every trial had, which a table need not carry.
            if let crate::Distribution::Constant(v) = &p.distribution {
                params.insert(p.name.clone(), v.clone());
                continue;
            }
            return Err(format!("it has no `{}`", p.name));
        };
        let admitted = p
            .distribution
            .admit(value)
            .map_err(|why| match &p.distribution {
                // The values written so that an empty one, or one with spaces at its ends, shows:
                // `"x"`, `""`, `" sp"`.
                crate::Distribution::Categorical { values, .. } => {
                    let listed: Vec<String> = values.iter().map(shown).collect();
                    format!(
                        "`{}` = {}: must be one of {}",
                        p.name,
                        shown(value),
                        listed.join(", ")
                    )
                }
                _ => format!("`{}` = {value}: {why}", p.name),
            })?;
        params.insert(p.name.clone(), admitted);
    }
    Ok(Fitted { params, unused })
}

/// Returns a value as a message about a warm start shows it, as `Distribution::admit`'s do:
/// text in double quotes (`"x "`, `""`), anything else as it reads (`0.5`, `true`).
pub(crate) use crate::space::shown;

/// Returns a note for each parameter given a value where its condition does not hold, in
/// `unused` (its name, and where: "line 3", "trial 7"), that the trials were taken without it:
/// the search does not set it there, so the value is not what made their results.
pub(crate) fn unused_notes(space: &SearchSpace, unused: &[(String, String)]) -> Vec<String> {
    let mut by_param: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (param, at) in unused {
        by_param.entry(param).or_default().push(at);
    }
    by_param
        .into_iter()
        .map(|(param, at)| {
            let when = space
                .param(param)
                .and_then(|p| p.condition.as_ref())
                .map_or_else(String::new, |c| {
                    let tests: Vec<String> = c
                        .when
                        .iter()
                        .map(|(name, values)| {
                            let values: Vec<String> = values.iter().map(shown).collect();
                            format!("`{name}` is {}", values.join(" or "))
                        })
                        .collect();
                    format!(" (only where {})", tests.join(" and "))
                });
            format!(
                "{NOTE}`{param}` is given where this search does not set it{when}, so those \
                 trials are taken without it: {}",
                first_reasons(&at.iter().map(|a| a.to_string()).collect::<Vec<_>>())
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::trial_with;
    use crate::{Condition, Distribution, Param, ParamValue, TrialState};

    fn space() -> SearchSpace {
        let sgd = ParamValue::Str("sgd".into());
        let optimizer = Distribution::Categorical {
            values: vec![sgd.clone(), ParamValue::Str("adam".into())],
            probabilities: None,
        };
        let momentum = Param {
            condition: Some(Condition {
                when: [("optimizer".to_string(), vec![sgd])].into_iter().collect(),
            }),
            ..Param::new(
                "momentum",
                Distribution::Uniform {
                    min: 0.0,
                    max: 0.99,
                },
            )
        };
        SearchSpace::new(vec![
            Param::new(
                "lr",
                Distribution::LogUniformValues {
                    min: 1e-4,
                    max: 1.0,
                },
            ),
            Param::new("optimizer", optimizer),
            momentum,
        ])
    }

    /// The refusal of a warm start's file that gives other trials now names both files, each
    /// with what it gave, or the one file with what it gave then and now. Issue F10: the
    /// digest of the trials was called "sha256", matching no `sha256sum` of the file, and the
    /// file's own SHA-256, kept since the bytes were compared, was never shown: the trials'
    /// digest is called so, and the file's sha256, where kept, is named as `sha256sum` prints it.
    #[test]
    fn issue_f10_a_changed_file_is_named_with_what_it_gave_and_which_digest_is_which() {
        let taken = |source: &str, n: u32| WarmStarted {
            source: source.into(),
            trials: (0..n)
                .map(|i| trial_with(i, TrialState::Completed, "val_loss", Some(0.5)))
                .collect(),
            left_out: Vec::new(),
        };
        let hex = ["1a", "2b", "3c", "4d"].map(|h| h.repeat(32));
        let digests = [hex[0].as_str(), hex[1].as_str()];
        let files = Some([hex[2].as_str(), hex[3].as_str()]);
        let then = taken("/exp/runs/past.csv", 4);
        let moved = then.changed_file("q", &taken("/moved/runs/past.csv", 3), digests, files);
        assert_eq!(
            moved,
            "the file of results experiment `q` warm-started from changed since it started: it \
             took 4 trials from /exp/runs/past.csv; /moved/runs/past.csv gives 3 (the file's \
             sha256, as `sha256sum` prints it, was 3c3c3c3c3c3c, now 4d4d4d4d4d4d; the digest \
             of the trials it gives was 1a1a1a1a1a1a, now 2b2b2b2b2b2b); its trials so far \
             learned from the trials as they were, so nothing runs: restore the file, give the \
             experiment a new `name:` to start over from the new one, or remove it"
        );
        let here = then.changed_file("q", &taken("/exp/runs/past.csv", 1), digests, files);
        assert!(
            here.contains(
                "started: /exp/runs/past.csv gave 4 trials, now 1 (the file's sha256, as \
                 `sha256sum` prints it, was 3c3c3c3c3c3c, now 4d4d4d4d4d4d; the digest of the \
                 trials it gives was 1a1a1a1a1a1a, now 2b2b2b2b2b2b); its"
            ),
            "{here}"
        );
        // Stored before the file's digest was kept: the trials' digests alone.
        let earlier = then.changed_file("q", &taken("/exp/runs/past.csv", 1), digests, None);
        assert!(
            earlier.contains(
                "started: /exp/runs/past.csv gave 4 trials, now 1 (the digest of the trials it \
                 gives was 1a1a1a1a1a1a, now 2b2b2b2b2b2b); its"
            ),
            "{earlier}"
        );
        assert!(!earlier.contains("sha256"), "{earlier}");
    }

    #[test]
    fn finished_trials_that_fit_the_space_are_taken_renumbered_and_the_others_said() {
        let mk = |id: u32, state: TrialState, params: &[(&str, ParamValue)]| Trial {
            params: params
                .iter()
                .map(|(k, v)| ((*k).to_string(), v.clone()))
                .collect(),
            ..trial_with(id, state, "val_loss", Some(0.5))
        };
        let (f, s) = (ParamValue::Float, |x: &str| ParamValue::Str(x.into()));
        let source = vec![
            mk(
                4,
                TrialState::Completed,
                &[
                    ("lr", f(0.01)),
                    ("optimizer", s("adam")),
                    ("depth", ParamValue::Int(2)),
                ],
            ),
            mk(
                0,
                TrialState::Pruned,
                &[
                    ("lr", f(0.1)),
                    ("optimizer", s("sgd")),
                    ("momentum", f(0.9)),
                ],
            ),
            mk(
                1,
                TrialState::Running,
                &[("lr", f(0.1)), ("optimizer", s("adam"))],
            ),
            mk(
                2,
                TrialState::Completed,
                &[("lr", f(3.0)), ("optimizer", s("adam"))],
            ),
            mk(
                3,
                TrialState::Failed,
                &[("lr", f(0.2)), ("optimizer", s("sgd"))],
            ),
            mk(
                5,
                TrialState::Completed,
                &[("lr", f(0.02)), ("optimizer", s("rmsprop"))],
            ),
        ];
        let all = WarmStart {
            source: WarmSource::Experiment("old".into()),
            trials: None,
        }
        .import(&space(), &source);
        // In trial order, renumbered; `depth` dropped; the running trial is not finished.
        let taken: Vec<(u32, String)> = all
            .trials
            .iter()
            .map(|t| {
                let params: Vec<String> =
                    t.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
                (t.id.0, params.join(" "))
            })
            .collect();
        assert_eq!(
            taken,
            [
                (0, "lr=0.1 momentum=0.9 optimizer=sgd".to_string()),
                (1, "lr=0.01 optimizer=adam".to_string())
            ]
        );
        assert_eq!(all.trials[0].state, TrialState::Pruned);
        assert_eq!(all.left_out.len(), 3, "{:?}", all.left_out);
        assert!(
            all.left_out[0].starts_with("trial 2: `lr` = 3: "),
            "{:?}",
            all.left_out
        );
        assert_eq!(all.left_out[1], "trial 3: it has no `momentum`");
        assert!(
            all.left_out[2].starts_with("trial 5: `optimizer` = \"rmsprop\": "),
            "{:?}",
            all.left_out
        );
        // Only the trials numbered below `trials`.
        let first = WarmStart {
            source: WarmSource::Experiment("old".into()),
            trials: Some(4),
        }
        .import(&space(), &source);
        assert_eq!(first.trials.len(), 1);
        assert_eq!(first.left_out.len(), 2);
    }
}
