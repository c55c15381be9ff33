//! The orders a list of trials can be sorted in, as the dashboard's leaderboard, its API and
//! `sweep trials --sort` name them: `rank`, `trial`, `state`, `epoch`, `duration`,
//! `param.NAME` or `metric.NAME` (a metric's value at the trial's result), or MLflow's
//! `params.NAME` and `metrics.NAME`, as its `order_by` and a filter take them.

use std::cmp::Ordering;

use crate::{ParamValue, SearchSpace, Trial};

/// What to sort trials by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortKey {
    /// Objective rank: best first.
    Rank,
    /// Trial number.
    Trial,
    /// Lifecycle state.
    State,
    /// Best epoch.
    Epoch,
    /// Run time.
    Duration,
    /// A parameter's value.
    Param(String),
    /// A metric's value at the trial's result (its best epoch).
    Metric(String),
}

/// An order of trials: a key, and which way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrialOrder {
    /// What to sort by.
    pub key: SortKey,
    /// Whether the largest come first.
    pub descending: bool,
}

/// The keys, as a message lists them.
pub(crate) const SORT_KEYS: &str = "rank, trial, state, epoch, duration, param.NAME or metric.NAME";

/// The keys that are not a parameter or metric, as written.
const PLAIN_KEYS: [&str; 5] = ["rank", "trial", "state", "epoch", "duration"];

impl SortKey {
    /// Reads a key as written: `rank`, ..., `param.NAME`, `metric.NAME` (or MLflow's
    /// `params.NAME`, `metrics.NAME`, as a filter takes them); the error says what is accepted,
    /// and the key meant where it can tell: `metric.val_accuracy` for `val_accuracy`, how a
    /// parameter is written for `lr`, `rank` for `rnak`.
    pub fn parse(text: &str) -> Result<SortKey, String> {
        Ok(match text {
            "rank" => SortKey::Rank,
            "trial" => SortKey::Trial,
            "state" => SortKey::State,
            "epoch" => SortKey::Epoch,
            "duration" => SortKey::Duration,
            other => match other.split_once('.') {
                Some(("param" | "params", name)) if !name.is_empty() => {
                    SortKey::Param(name.to_string())
                }
                Some(("metric" | "metrics", name)) if !name.is_empty() => {
                    SortKey::Metric(name.to_string())
                }
                _ if other.is_empty() => return Err(format!("no sort key given; use {SORT_KEYS}")),
                _ => {
                    let hint = crate::filter::bare_name(other, PLAIN_KEYS);
                    return Err(format!("unknown sort `{other}`; use {SORT_KEYS}{hint}"));
                }
            },
        })
    }

    /// Returns the key as written: `rank`, ..., `param.NAME`, `metric.NAME`.
    pub fn name(&self) -> String {
        match self {
            SortKey::Rank => "rank".to_string(),
            SortKey::Trial => "trial".into(),
            SortKey::State => "state".into(),
            SortKey::Epoch => "epoch".into(),
            SortKey::Duration => "duration".into(),
            SortKey::Param(name) => format!("param.{name}"),
            SortKey::Metric(name) => format!("metric.{name}"),
        }
    }

    /// Checks that a parameter or metric the key names exists in an experiment with `trials`
    /// and search `space`, as a filter's names are checked (`TrialFilter::check_names`): a
    /// misspelt column is an error rather than the table in rank order.
    pub fn check_names(&self, trials: &[Trial], space: Option<&SearchSpace>) -> Result<(), String> {
        // Mostly a name the first trial has: the names are gathered only to say what is wrong.
        let unknown = match self {
            SortKey::Param(name)
                if space.is_none_or(|s| s.param(name).is_none())
                    && !trials.iter().any(|t| t.params.contains_key(name)) =>
            {
                crate::filter::Names::of(trials, space).unknown_param(name)
            }
            SortKey::Metric(name)
                if !trials.iter().any(|t| {
                    t.result
                        .as_ref()
                        .is_some_and(|r| r.metrics.contains_key(name))
                }) =>
            {
                crate::filter::Names::of(trials, space).unknown_metric(name)
            }
            _ => None,
        };
        match unknown {
            Some(message) => Err(format!("sort {}: {message}", self.name())),
            None => Ok(()),
        }
    }

    /// Returns whether `trial` (of objective rank `rank`, run time `run_ms`) has a value to
    /// sort by.
    fn has_value(&self, trial: &Trial, rank: Option<usize>, run_ms: Option<i64>) -> bool {
        match self {
            SortKey::Rank => rank.is_some(),
            SortKey::Trial | SortKey::State => true,
            SortKey::Epoch => trial.result.is_some(),
            SortKey::Duration => run_ms.is_some(),
            SortKey::Param(name) => trial.params.contains_key(name),
            SortKey::Metric(name) => trial.value(name).is_some(),
        }
    }
}

impl TrialOrder {
    /// Sorts `rows`, given in rank order, by the key, the largest first when `descending`;
    /// `of` gives a row's trial and its rank (`None` without a value of every objective). Rows
    /// without a value of the key come last either way, in rank order; ties keep rank order.
    pub fn sort<R>(&self, rows: Vec<R>, of: impl Fn(&R) -> (&Trial, Option<usize>)) -> Vec<R> {
        self.sort_timed(rows, of, Trial::duration_ms)
    }

    /// Sorts `rows` as `sort` does, but by `duration` with each trial's run time in
    /// milliseconds as `run_ms` gives it, the one the caller's duration column shows: start to
    /// end (`Trial::duration_ms`), or for a trial a kill left running, start to its last report
    /// (which only its trace knows), so that the column and its sort agree. A trial `run_ms`
    /// gives none comes last either way; other keys ignore `run_ms`.
    pub fn sort_timed<R>(
        &self,
        rows: Vec<R>,
        of: impl Fn(&R) -> (&Trial, Option<usize>),
        run_ms: impl Fn(&Trial) -> Option<i64>,
    ) -> Vec<R> {
        let (mut rows, missing): (Vec<R>, Vec<R>) = rows.into_iter().partition(|r| {
            let (t, rank) = of(r);
            let ms = match self.key {
                SortKey::Duration => run_ms(t),
                _ => None,
            };
            self.key.has_value(t, rank, ms)
        });
        let of = &of;
        let cmp = |a: &R, b: &R| -> Ordering {
            let (x, y) = (trial(of, a), trial(of, b));
            match &self.key {
                SortKey::Rank => of(a).1.cmp(&of(b).1),
                SortKey::Trial => x.id.cmp(&y.id),
                SortKey::State => x.state.cmp(&y.state),
                SortKey::Epoch => {
                    let epoch = |t: &Trial| t.result.as_ref().map(|r| r.best_step);
                    epoch(x).cmp(&epoch(y))
                }
                SortKey::Duration => run_ms(x).cmp(&run_ms(y)),
                SortKey::Param(name) => cmp_param(x.params.get(name), y.params.get(name)),
                SortKey::Metric(name) => {
                    let value = |t: &Trial| t.value(name).unwrap_or(f64::NAN);
                    value(x).total_cmp(&value(y))
                }
            }
        };
        // Stable, and reversed by comparison rather than afterwards, so that ties keep rank
        // order either way.
        rows.sort_by(|a, b| match self.descending {
            true => cmp(b, a),
            false => cmp(a, b),
        });
        rows.extend(missing);
        rows
    }
}

/// Returns the trial of row `r`.
fn trial<'r, R>(of: &impl Fn(&R) -> (&Trial, Option<usize>), r: &'r R) -> &'r Trial {
    of(r).0
}

/// Orders parameter values: numbers by value, then names.
fn cmp_param(a: Option<&ParamValue>, b: Option<&ParamValue>) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(a), Some(b)) => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => a.to_string().cmp(&b.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(text: &str, expected: Result<SortKey, &str>) {
        assert_eq!(
            SortKey::parse(text),
            expected.map_err(str::to_string),
            "{text}"
        );
    }

    #[test]
    fn keys_are_read_with_mlflows_plurals_as_a_filter_reads_them() {
        check("rank", Ok(SortKey::Rank));
        check("duration", Ok(SortKey::Duration));
        check("param.lr", Ok(SortKey::Param("lr".into())));
        check("params.lr", Ok(SortKey::Param("lr".into())));
        check(
            "metric.val_accuracy",
            Ok(SortKey::Metric("val_accuracy".into())),
        );
        check(
            "metrics.val_accuracy",
            Ok(SortKey::Metric("val_accuracy".into())),
        );
        assert_eq!(
            SortKey::parse("metrics.val_loss").map(|k| k.name()),
            Ok("metric.val_loss".to_string())
        );
    }

    #[test]
    fn by_duration_the_run_time_the_caller_gives_is_sorted_on() {
        use crate::{Seed, Timestamp, TrialId, TrialState};
        let trial = |id: u32, started: Option<i64>, finished: Option<i64>| Trial {
            id: TrialId(id),
            seed: Seed(0),
            params: Default::default(),
            state: if finished.is_some() {
                TrialState::Completed
            } else {
                TrialState::Running
            },
            reason: None,
            started: started.map(Timestamp),
            finished: finished.map(Timestamp),
            result: None,
        };
        // Trial 1 ran 3 s; 2, killed, was last heard 2.5 s in; 3 never started; 4 ran 1 s.
        let trials = [
            trial(1, Some(0), Some(3000)),
            trial(2, Some(0), None),
            trial(3, None, None),
            trial(4, Some(0), Some(1000)),
        ];
        let heard = |t: &Trial| t.duration_ms().or((t.id == TrialId(2)).then_some(2500));
        let rows: Vec<&Trial> = trials.iter().collect();
        let ids = |rows: Vec<&Trial>| rows.iter().map(|t| t.id.0).collect::<Vec<u32>>();
        for (descending, expected) in [(false, [4, 2, 1, 3]), (true, [1, 2, 4, 3])] {
            let order = TrialOrder {
                key: SortKey::Duration,
                descending,
            };
            let sorted = order.sort_timed(rows.clone(), |t| (*t, None), heard);
            assert_eq!(ids(sorted), expected, "descending: {descending}");
        }
        // `sort` takes start to end alone: the killed trial has none and comes last.
        let order = TrialOrder {
            key: SortKey::Duration,
            descending: false,
        };
        assert_eq!(ids(order.sort(rows, |t| (*t, None))), [4, 1, 2, 3]);
    }

    #[test]
    fn an_unknown_key_is_refused_with_the_key_meant() {
        let use_ = "use rank, trial, state, epoch, duration, param.NAME or metric.NAME";
        check(
            "val_accuracy",
            Err(&format!(
                "unknown sort `val_accuracy`; {use_}; did you mean `metric.val_accuracy`?"
            )),
        );
        check(
            "lr",
            Err(&format!(
                "unknown sort `lr`; {use_}; a parameter is written `param.lr`"
            )),
        );
        check(
            "config.lr",
            Err(&format!(
                "unknown sort `config.lr`; {use_}; did you mean `param.lr`?"
            )),
        );
        check(
            "rnak",
            Err(&format!(
                "unknown sort `rnak`; {use_}; did you mean `rank`?"
            )),
        );
        check(
            "durations",
            Err(&format!(
                "unknown sort `durations`; {use_}; did you mean `duration`?"
            )),
        );
        check("metric.", Err(&format!("unknown sort `metric.`; {use_}")));
        check("", Err(&format!("no sort key given; {use_}")));
    }
}
