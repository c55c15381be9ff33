//! Pruners: rules that stop weak trials early, decided at every reported step.
//!
//! A decision about trial `k` at step `s` is a pure function of the trial's own values up to
//! `s` and of the values that trials numbered below `k` reported up to `s`. The runner waits
//! until those earlier trials have reached step `s` (or ended) before asking, so the decision
//! never depends on timing: the same experiment file prunes the same trials at the same steps.
//!
//! Counting rules, chosen so they are deterministic: "startup trials" are trial numbers (trial
//! `k` has `k` earlier trials), not finished trials; a trial's value at a rung is its best value
//! up to that step.

use experiment::{metric_text, Direction, PrunerSpec, Step, TrialId};

/// The objective values one earlier trial reported, in step order.
#[derive(Debug, Clone, Copy)]
pub struct Curve<'a> {
    /// The trial's number.
    pub trial: TrialId,
    /// `(step, value)` pairs in increasing step order.
    pub values: &'a [(Step, f64)],
}

/// What a pruner is asked about: one trial at one step.
#[derive(Debug, Clone, Copy)]
pub struct PruneQuery<'a> {
    /// The trial.
    pub trial: TrialId,
    /// The step just reported.
    pub step: Step,
    /// The trial's own values up to and including `step`.
    pub own: &'a [(Step, f64)],
    /// Every trial numbered below `trial`, with values up to `step`.
    pub earlier: &'a [Curve<'a>],
    /// Whether larger or smaller values are better.
    pub direction: Direction,
}

/// Returns the reason to stop the trial now (naming the rule), or `None` to let it continue.
pub fn should_prune(spec: &PrunerSpec, query: &PruneQuery<'_>) -> Option<String> {
    match spec {
        PrunerSpec::None => None,
        PrunerSpec::Median {
            n_startup_trials,
            n_warmup_steps,
        } => median(query, *n_startup_trials, *n_warmup_steps),
        PrunerSpec::Percentile {
            percentile,
            n_startup_trials,
            n_warmup_steps,
        } => percentile_rule(query, *percentile, *n_startup_trials, *n_warmup_steps),
        PrunerSpec::Threshold {
            lower,
            upper,
            n_warmup_steps,
        } => threshold(query, *lower, *upper, *n_warmup_steps),
        PrunerSpec::Asha {
            min_resource,
            reduction_factor,
        } => {
            let rungs = Rungs::new(*min_resource, *reduction_factor, 0);
            successive_halving(query, &rungs, query.earlier, "asha")
        }
        PrunerSpec::Hyperband {
            min_resource,
            max_resource,
            reduction_factor,
            strict,
        } => hyperband(
            query,
            *min_resource,
            *max_resource,
            *reduction_factor,
            *strict,
        ),
        PrunerSpec::Patience {
            patience,
            min_delta,
            wrapped,
        } => {
            if !out_of_patience(query, *patience, *min_delta) {
                return None;
            }
            match wrapped.as_ref() {
                PrunerSpec::None => Some(format!(
                    "patience: no improvement for {}",
                    experiment::counted(*patience, "epoch", "epochs")
                )),
                inner => should_prune(inner, query).map(|r| format!("patience, then {r}")),
            }
        }
    }
}

/// Returns whether the decision about `query.trial` at `query.step` can depend on other trials.
///
/// It never can for the threshold rule; it cannot for the median and percentile rules' startup
/// trials and warm-up steps, at steps that are not one of the trial's rungs (ASHA, Hyperband),
/// or while the trial's patience lasts; `should_prune`
/// then does not read `query.earlier`, so the runner asks without waiting for earlier trials to
/// reach the step. This is what lets a pruned parallel study run ahead between rungs.
pub fn consults_others(spec: &PrunerSpec, query: &PruneQuery<'_>) -> bool {
    match spec {
        PrunerSpec::None | PrunerSpec::Threshold { .. } => false,
        PrunerSpec::Median {
            n_startup_trials,
            n_warmup_steps,
        }
        | PrunerSpec::Percentile {
            n_startup_trials,
            n_warmup_steps,
            ..
        } => query.trial.0 >= *n_startup_trials && query.step.0 > *n_warmup_steps,
        PrunerSpec::Asha {
            min_resource,
            reduction_factor,
        } => Rungs::new(*min_resource, *reduction_factor, 0)
            .rung_of(query.step)
            .is_some(),
        PrunerSpec::Hyperband {
            min_resource,
            max_resource,
            reduction_factor,
            ..
        } => Bracket::of(query.trial, *min_resource, *max_resource, *reduction_factor)
            .rungs
            .rung_of(query.step)
            .is_some(),
        PrunerSpec::Patience {
            patience,
            min_delta,
            wrapped,
        } => out_of_patience(query, *patience, *min_delta) && consults_others(wrapped, query),
    }
}

/// Returns true when the trial is kept at `query.step` whatever the `pending` trials report:
/// earlier trials that have neither reached the step nor ended, and so are missing from
/// `query.earlier`. Each may end before the step or reach it with any value; the runner need not
/// wait for them then. Only keeping is decided this way, since a pruned trial's reason quotes
/// figures (a median, a rank among so many) that need every value.
///
/// The rules are monotone: a competitor's value can only move a median or a rank one way, and
/// a missing one sits between the two extremes. So the trial is kept for every outcome when it
/// is kept with all pending trials absent, all at +infinity and all at -infinity. Values that
/// are already infinite break that argument, and then the answer is false.
pub fn kept_whatever_pending(
    spec: &PrunerSpec,
    query: &PruneQuery<'_>,
    pending: &[TrialId],
) -> bool {
    if should_prune(spec, query).is_some() {
        return false;
    }
    if pending.is_empty() {
        return true;
    }
    let finite = |values: &[(Step, f64)]| values.iter().all(|(_, v)| !v.is_infinite());
    if !finite(query.own) || !query.earlier.iter().all(|c| finite(c.values)) {
        return false;
    }
    [f64::INFINITY, f64::NEG_INFINITY].iter().all(|extreme| {
        let point = [(query.step, *extreme)];
        let mut curves = query.earlier.to_vec();
        curves.extend(pending.iter().map(|trial| Curve {
            trial: *trial,
            values: &point,
        }));
        let completed = PruneQuery {
            earlier: &curves,
            ..*query
        };
        should_prune(spec, &completed).is_none()
    })
}

/// Returns the best value of `values` up to and including `step`, ignoring NaN.
fn best_up_to(values: &[(Step, f64)], step: Step, direction: Direction) -> Option<f64> {
    values
        .iter()
        .take_while(|(s, _)| *s <= step)
        .map(|(_, v)| *v)
        .filter(|v| !v.is_nan())
        .reduce(|a, b| if direction.improves(b, a, 0.0) { b } else { a })
}

/// Returns the value reported exactly at `step`, if any.
fn value_at(values: &[(Step, f64)], step: Step) -> Option<f64> {
    values
        .iter()
        .find(|(s, _)| *s == step)
        .map(|(_, v)| *v)
        .filter(|v| !v.is_nan())
}

/// Returns, sorted, the values the earlier trials reported at the step, when the median and
/// percentile rules judge this trial there (past the startup trials and warm-up steps, with
/// at least one earlier value); `None` otherwise.
fn judged_against(
    query: &PruneQuery<'_>,
    n_startup_trials: u32,
    n_warmup_steps: u32,
) -> Option<Vec<f64>> {
    if query.trial.0 < n_startup_trials || query.step.0 <= n_warmup_steps {
        return None;
    }
    let mut others: Vec<f64> = query
        .earlier
        .iter()
        .filter_map(|c| value_at(c.values, query.step))
        .collect();
    if others.is_empty() {
        return None;
    }
    others.sort_by(f64::total_cmp);
    Some(others)
}

fn median(query: &PruneQuery<'_>, n_startup_trials: u32, n_warmup_steps: u32) -> Option<String> {
    let others = judged_against(query, n_startup_trials, n_warmup_steps)?;
    let n = others.len();
    let median = if n % 2 == 1 {
        others[n / 2]
    } else {
        (others[n / 2 - 1] + others[n / 2]) / 2.0
    };
    let own = best_up_to(query.own, query.step, query.direction);
    let worse = match own {
        None => true,
        Some(v) => query.direction.improves(median, v, 0.0),
    };
    worse.then(|| {
        let (own, median) = told_apart(own, median);
        format!(
            "median: best {own} worse than the median {median} of {} at epoch {}",
            experiment::counted(n as u64, "earlier trial", "earlier trials"),
            query.step
        )
    })
}

/// Writes a trial's value and the bar it fell short of as `experiment::metric_text` writes
/// metric values everywhere (`0.9130`, `2.42e-5`), or in full where those would read alike:
/// where both texts stand for the same number (`0.9130` against `0.9130`, but also `0.0010`
/// against `1.00e-3` on either side of the notation's switch at a thousandth), the two differ
/// further down.
fn told_apart(own: Option<f64>, bar: f64) -> (String, String) {
    let Some(own) = own else {
        return ("NaN".to_string(), metric_text(Some(bar)));
    };
    let (a, b) = (metric_text(Some(own)), metric_text(Some(bar)));
    let read_as = |text: &str| text.parse::<f64>().ok();
    if a == b || read_as(&a).is_some_and(|x| read_as(&b) == Some(x)) {
        (format!("{own:?}"), format!("{bar:?}"))
    } else {
        (a, b)
    }
}

/// Prunes a trial whose best value so far is not in the best `percentile` percent of the values
/// earlier trials reported at the step: Optuna's `PercentilePruner`, interpolating linearly
/// between values as it (numpy's percentile) does.
fn percentile_rule(
    query: &PruneQuery<'_>,
    percentile: f64,
    n_startup_trials: u32,
    n_warmup_steps: u32,
) -> Option<String> {
    let others = judged_against(query, n_startup_trials, n_warmup_steps)?;
    // The best `percentile` percent lie above the (100 - percentile)-th percentile when
    // maximizing, below the percentile-th when minimizing.
    let share = percentile.clamp(0.0, 100.0);
    let q = match query.direction {
        Direction::Maximize => 100.0 - share,
        Direction::Minimize => share,
    };
    let n = others.len();
    #[allow(clippy::cast_precision_loss)]
    let position = q / 100.0 * (n - 1) as f64;
    // `position` is in [0, n - 1].
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let (lo, hi) = (position.floor() as usize, position.ceil() as usize);
    #[allow(clippy::cast_precision_loss)]
    let fraction = position - lo as f64;
    // Between a value and an infinite one lies the infinite one (the arithmetic would give NaN
    // where the fraction is 0 or both ends are infinite).
    let bound = if fraction == 0.0 || others[lo].is_infinite() {
        others[lo]
    } else if others[hi].is_infinite() {
        others[hi]
    } else {
        others[lo] + (others[hi] - others[lo]) * fraction
    };
    let own = best_up_to(query.own, query.step, query.direction);
    let worse = match own {
        None => true,
        Some(v) => query.direction.improves(bound, v, 0.0),
    };
    worse.then(|| {
        let (own, bound) = told_apart(own, bound);
        format!(
            "percentile: best {own} not in the best {share}% of {} at epoch {} (bound {bound})",
            experiment::counted(n as u64, "earlier trial", "earlier trials"),
            query.step
        )
    })
}

/// Prunes a trial whose value at the step is below `lower`, above `upper`, or not a number:
/// Optuna's `ThresholdPruner`.
fn threshold(
    query: &PruneQuery<'_>,
    lower: Option<f64>,
    upper: Option<f64>,
    n_warmup_steps: u32,
) -> Option<String> {
    if query.step.0 <= n_warmup_steps {
        return None;
    }
    let value = query
        .own
        .iter()
        .rev()
        .find(|(s, _)| *s == query.step)
        .map(|(_, v)| *v)?;
    let epoch = query.step;
    if value.is_nan() {
        return Some(format!("threshold: not a number at epoch {epoch}"));
    }
    // The value and its bound read as metric values do elsewhere, in one notation, and both
    // in full where they would read alike.
    if let Some(low) = lower.filter(|low| value < *low) {
        let (value, low) = told_apart(Some(value), low);
        return Some(format!("threshold: {value} below {low} at epoch {epoch}"));
    }
    upper.filter(|high| value > *high).map(|high| {
        let (value, high) = told_apart(Some(value), high);
        format!("threshold: {value} above {high} at epoch {epoch}")
    })
}

/// The rung steps of one successive-halving bracket.
#[derive(Debug, Clone, Copy)]
struct Rungs {
    first: u64,
    factor: u64,
}

impl Rungs {
    fn new(min_resource: u32, reduction_factor: u32, bracket: u32) -> Rungs {
        let factor = u64::from(reduction_factor.max(2));
        let first = u64::from(min_resource.max(1)).saturating_mul(factor.saturating_pow(bracket));
        Rungs { first, factor }
    }

    /// Returns the rung index when `step` is a rung step.
    fn rung_of(&self, step: Step) -> Option<u32> {
        let step = u64::from(step.0);
        let mut rung_step = self.first;
        let mut index = 0;
        while rung_step <= step {
            if rung_step == step {
                return Some(index);
            }
            rung_step = rung_step.saturating_mul(self.factor);
            index += 1;
        }
        None
    }
}

/// Keeps the trial at a rung only if it is among the top `1 / factor` of the values that the
/// trial and the `competitors` reached at that rung; with fewer than `factor` values it must be
/// the best of them.
fn successive_halving(
    query: &PruneQuery<'_>,
    rungs: &Rungs,
    competitors: &[Curve<'_>],
    rule: &str,
) -> Option<String> {
    let rung = rungs.rung_of(query.step)?;
    let own = best_up_to(query.own, query.step, query.direction);
    let Some(own) = own else {
        return Some(format!(
            "{rule}: no finite value at rung {rung} (epoch {})",
            query.step
        ));
    };
    let mut values: Vec<f64> = competitors
        .iter()
        .filter(|c| c.values.iter().any(|(s, _)| *s >= query.step))
        .filter_map(|c| best_up_to(c.values, query.step, query.direction))
        .collect();
    values.push(own);
    // Best first.
    values.sort_by(|a, b| match query.direction {
        Direction::Maximize => b.total_cmp(a),
        Direction::Minimize => a.total_cmp(b),
    });
    let kept = (values.len() / usize::try_from(rungs.factor).unwrap_or(usize::MAX)).max(1);
    let threshold = values[kept - 1];
    let promoted = !query.direction.improves(threshold, own, 0.0);
    (!promoted).then(|| {
        format!(
            "{rule}: {} not in the top {kept} of {} at rung {rung} (epoch {})",
            metric_text(Some(own)),
            values.len(),
            query.step
        )
    })
}

fn hyperband(
    query: &PruneQuery<'_>,
    min_resource: u32,
    max_resource: u32,
    reduction_factor: u32,
    strict: bool,
) -> Option<String> {
    let own = Bracket::of(query.trial, min_resource, max_resource, reduction_factor);
    let same_bracket: Vec<Curve<'_>> = query
        .earlier
        .iter()
        .filter(|c| strict || c.trial.0 % own.count == own.index)
        .copied()
        .collect();
    successive_halving(
        query,
        &own.rungs,
        &same_bracket,
        &format!("hyperband bracket {}", own.index),
    )
}

/// A trial's Hyperband bracket: trial `k` is in bracket `k mod count`.
struct Bracket {
    index: u32,
    count: u32,
    rungs: Rungs,
}

impl Bracket {
    fn of(trial: TrialId, min_resource: u32, max_resource: u32, reduction_factor: u32) -> Bracket {
        let count = bracket_count(min_resource, max_resource, reduction_factor);
        let index = trial.0 % count;
        Bracket {
            index,
            count,
            rungs: Rungs::new(min_resource, reduction_factor, index),
        }
    }
}

/// Returns `floor(log_factor(max / min)) + 1`, at least 1.
fn bracket_count(min_resource: u32, max_resource: u32, reduction_factor: u32) -> u32 {
    let brackets = experiment::hyperband_first_rungs(min_resource, max_resource, reduction_factor);
    u32::try_from(brackets.len()).unwrap_or(u32::MAX).max(1)
}

/// Returns true when the last `patience` values improved on nothing before them.
fn out_of_patience(query: &PruneQuery<'_>, patience: u32, min_delta: f64) -> bool {
    let values: Vec<f64> = query
        .own
        .iter()
        .take_while(|(s, _)| *s <= query.step)
        .map(|(_, v)| *v)
        .collect();
    let patience = usize::try_from(patience).unwrap_or(usize::MAX);
    if values.len() <= patience {
        return false;
    }
    let (before, recent) = values.split_at(values.len() - patience);
    let best_before = before.iter().copied().reduce(|a, b| {
        if query.direction.improves(b, a, 0.0) {
            b
        } else {
            a
        }
    });
    match best_before {
        None => false,
        Some(best) => !recent
            .iter()
            .any(|v| query.direction.improves(*v, best, min_delta)),
    }
}

#[cfg(test)]
mod tests;
