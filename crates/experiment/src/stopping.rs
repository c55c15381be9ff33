//! What stops trials early (the pruner, and in-trial early stopping), and the settings under
//! which it never can: a first rung at a trial's last epoch, a warm-up as long as training, a
//! patience no trial can run out of. Such a file runs every trial to its end while it reads as
//! if it saved epochs, so `sweep validate` and `sweep run` say so in a note.

use crate::{
    Distribution, ExperimentSpec, Knob, KnobDefault, ParamValue, PrunerSpec, WandbHyperband,
};

/// How the most epochs of a searched `epochs` are read: by this version's rule, or by that of
/// the versions before it, which Hyperband's default `max_resource` in their stored specs was
/// resolved with (`ExperimentSpec::as_it_ran`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EpochsRule {
    /// The largest value the range gives: for a `q_` range, the last multiple of q a draw
    /// rounds to (`crate::reached_multiples`), which may lie past `max` (`q_uniform` from 3 to
    /// 8 with q 3: 9).
    Reached,
    /// As versions before `Reached` read it: `max` floored for `q_uniform` and
    /// `q_log_uniform_values` (3 to 8 with q 3: 8), the knob's default for `q_log_uniform`.
    Earlier,
}

/// Returns the most epochs a trial can train: the largest value a `searched` `epochs` can take,
/// else the `fixed` one, else the knob's default. Hyperband's `max_resource` defaults to it.
///
/// A `q_` range's largest value is the last multiple of q its draws round to
/// (`crate::reached_multiples`): `q_uniform` from 3 to 8 with q 3 trains up to 9 epochs (draws
/// past 7.5 round to 9), from 4 to 10 with q 4 up to 8 (no draw below 10 rounds to 12). `rule`
/// `Earlier` reads it as versions before did (`EpochsRule`).
pub(crate) fn most_epochs(
    searched: Option<&Distribution>,
    fixed: Option<&ParamValue>,
    rule: EpochsRule,
) -> u32 {
    let reached = |min: f64, max: f64, q: f64| {
        let (_, last) = crate::reached_multiples(min, max, q);
        crate::quantized(last * q, q).as_f64()
    };
    let searched = searched.map(|distribution| match (distribution, rule) {
        (
            Distribution::QUniform { min, max, q }
            | Distribution::QLogUniformValues { min, max, q },
            EpochsRule::Reached,
        ) => reached(*min, *max, *q),
        // `min` and `max` of `q_log_uniform` are the logs of its bounds.
        (Distribution::QLogUniform { min, max, q }, EpochsRule::Reached) => {
            reached(min.exp(), max.exp(), *q)
        }
        (
            Distribution::Uniform { max, .. }
            | Distribution::QUniform { max, .. }
            | Distribution::LogUniformValues { max, .. }
            | Distribution::QLogUniformValues { max, .. },
            _,
        ) => Some(max.floor()),
        (other, _) => other.grid_values().and_then(|values| {
            values
                .iter()
                .filter_map(ParamValue::as_f64)
                .reduce(f64::max)
        }),
    });
    let written = match searched {
        Some(most) => most,
        None => fixed.and_then(ParamValue::as_f64),
    };
    let default = Knob::find("epochs").and_then(|k| match k.default {
        KnobDefault::Int(n) => u32::try_from(n).ok(),
        _ => None,
    });
    // Epochs are whole numbers from 1 to the knob's maximum, checked where they are read.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let written = written
        .filter(|x| (1.0..=f64::from(u32::MAX)).contains(x))
        .map(|x| x as u32);
    written.or(default).unwrap_or(1)
}

impl ExperimentSpec {
    /// Returns the most epochs a trial of this experiment can train.
    pub fn most_epochs(&self) -> u32 {
        most_epochs(
            self.space.param("epochs").map(|p| &p.distribution),
            self.fixed.get("epochs"),
            EpochsRule::Reached,
        )
    }

    /// Returns a note for each rule meant to stop trials early that, with these settings and a
    /// study of `trials` trials, never stops one before its last epoch; empty when each can.
    pub(crate) fn idle_stopping(&self, trials: u32) -> Vec<String> {
        let epochs = self.most_epochs();
        let mut notes: Vec<String> = self
            .pruner
            .idle_note(epochs, trials)
            .map(|note| match &self.wandb_hyperband {
                Some(written) => self.wandb_derived(&wandb_names(&note), written),
                None => note,
            })
            .into_iter()
            .collect();
        if let Some(stop) = &self.early_stopping {
            // Stopping at epoch `patience + 1` at the soonest, which saves something only
            // before the last epoch.
            if stop.patience.saturating_add(1) >= epochs {
                // The least patience is 1, which stops at epoch 2 at the soonest.
                let advice = if epochs > 2 {
                    "lower `early_stopping.patience`"
                } else {
                    "give trials more `epochs` (early stopping waits at least 1)"
                };
                notes.push(format!(
                    "early stopping never ends a trial early: it waits {} without an \
                     improvement of `{}`, and a trial trains at most {epochs}; {advice}",
                    crate::counted(stop.patience, "epoch", "epochs"),
                    stop.metric
                ));
            }
        }
        // A plateau counts `patience` trials that do not improve: a sweep of no more trials
        // than that never gets there before its end.
        if let Some(plateau) = self.plateau {
            if plateau.patience >= trials {
                // The least patience is 1.
                let advice = if trials > 1 {
                    "lower `plateau.patience`"
                } else {
                    "give the sweep more trials (`run_cap`)"
                };
                notes.push(format!(
                    "the plateau never ends the sweep early: it waits {} without \
                     improving, and the sweep has {trials}; {advice}",
                    crate::counted(plateau.patience, "trial", "trials")
                ));
            }
        }
        // The learning rate rises to `lr` over the warm-up: a warm-up as long as the training
        // reaches it at the last batch at best.
        if let Some(ParamValue::Int(warmup)) = self.fixed.get("warmup_epochs") {
            if *warmup >= i64::from(epochs) {
                notes.push(format!(
                    "the learning rate rises to `lr` for the whole of training: over \
                     `warmup_epochs: {warmup}` epochs, and a trial trains at most {epochs}; lower \
                     `warmup_epochs`"
                ));
            }
        }
        notes
    }
}

impl ExperimentSpec {
    /// Returns `note` (on a pruner written as W&B's `early_terminate:`, as `written` says) with
    /// the `max_iter` it quotes said as derived where the file does not write it: W&B's
    /// `min_iter * eta^s`, with `s` as the file writes it, or Sweep's default of 3 where `s` is
    /// not written either (W&B has none: it takes `s` with `max_iter` only), and held at `u32::MAX` where it would pass it (`s: 1000`).
    /// Where the file writes `max_iter` with `s`, the `min_iter` it quotes is said as derived,
    /// `max_iter / eta^s`, and its advice in those keys: the file may not add `min_iter`.
    fn wandb_derived(&self, note: &str, written: &WandbHyperband) -> String {
        let PrunerSpec::Hyperband {
            min_resource,
            max_resource,
            reduction_factor,
            ..
        } = &self.pruner
        else {
            return note.to_string();
        };
        if written.max_iter_written {
            let Some(s) = written.s else {
                return note.to_string();
            };
            // `min_iter` is `max_iter / eta^s`, floored (at least 1), where `max_iter` and `s`
            // are written: all three are refused.
            let exact = reduction_factor
                .checked_pow(s)
                .is_some_and(|spread| spread.saturating_mul(*min_resource) == *max_resource);
            let rounded = if exact { "" } else { ", rounded down" };
            return note
                .replace(
                    "(`min_iter`)",
                    &format!(
                        "(`max_iter` {max_resource} divided by `eta` {reduction_factor} to the \
                         power `s` {s}{rounded})"
                    ),
                )
                .replace("lower `min_iter`", "raise `s` or lower `max_iter`");
        }
        // `max_iter` is `min_iter * eta^s` here, held at the largest count it can be.
        let s_said = match written.s {
            Some(s) => format!("`s: {s}`"),
            None => "`s: 3`, Sweep's default where the file gives none (W&B has no default: it \
                     takes `s` with `max_iter` only)"
                .to_string(),
        };
        let capped = if *max_resource == u32::MAX {
            format!(", past {max_resource}, the most it can be, so it is held there")
        } else {
            String::new()
        };
        note.replace(
            &format!("`max_iter: {max_resource}`"),
            &format!(
                "`max_iter` ({max_resource}: not written, so `min_iter` {min_resource} times \
                 `eta` {reduction_factor} to the power s, with {s_said}{capped})"
            ),
        )
    }
}

/// Returns a note on a Hyperband pruner with W&B's names for its settings, for a file that
/// wrote it as `early_terminate:` (whose keys are `min_iter`, `max_iter` and `eta`).
fn wandb_names(note: &str) -> String {
    note.replace("min_resource", "min_iter")
        .replace("max_resource", "max_iter")
        .replace("reduction_factor", "eta")
}

impl PrunerSpec {
    /// Returns a note when this rule stops no trial before its last epoch, or (Hyperband) only
    /// some, when trials train at most `epochs` epochs in a study of `trials` trials; `None`
    /// when it can stop any.
    pub(crate) fn idle_note(&self, epochs: u32, trials: u32) -> Option<String> {
        let none = |why: String| format!("the pruner stops no trial early: {why}");
        self.never_stops(epochs, trials).map(none).or_else(|| {
            self.stops_some(epochs)
                .map(|why| format!("the pruner stops only some trials early: {why}"))
        })
    }

    /// Returns why this rule stops no trial before its last epoch; `None` when it can.
    fn never_stops(&self, epochs: u32, trials: u32) -> Option<String> {
        // A decision at the last epoch saves nothing.
        let last = epochs;
        // With one epoch there is no earlier one for any setting to reach: the advice below
        // (a lower setting) could not help, and the least `min_resource` is 1.
        if last <= 1 && *self != PrunerSpec::None {
            return Some(
                "a trial trains 1 epoch, so no epoch comes before its last to stop it at; give \
                 trials more `epochs`"
                    .to_string(),
            );
        }
        let warmed_up = |n_warmup_steps: u32| {
            (n_warmup_steps.saturating_add(1) >= last).then(|| {
                format!(
                    "`n_warmup_steps: {n_warmup_steps}` keeps it from every epoch before the \
                     last ({last})"
                )
            })
        };
        let started = |n_startup_trials: u32| {
            (n_startup_trials >= trials).then(|| {
                format!(
                    "`n_startup_trials: {n_startup_trials}` keeps it from every trial of the \
                     {trials} the study has"
                )
            })
        };
        match self {
            PrunerSpec::None => None,
            PrunerSpec::Median {
                n_startup_trials,
                n_warmup_steps,
            }
            | PrunerSpec::Percentile {
                n_startup_trials,
                n_warmup_steps,
                ..
            } => warmed_up(*n_warmup_steps).or_else(|| started(*n_startup_trials)),
            PrunerSpec::Threshold { n_warmup_steps, .. } => warmed_up(*n_warmup_steps),
            PrunerSpec::Asha { min_resource, .. } | PrunerSpec::Hyperband { min_resource, .. }
                if *min_resource >= last =>
            {
                Some(format!(
                    "its first rung is at epoch {min_resource} (`min_resource`), and a trial \
                     trains at most {last}; lower `min_resource`"
                ))
            }
            PrunerSpec::Asha { .. } | PrunerSpec::Hyperband { .. } => None,
            PrunerSpec::Patience {
                patience, wrapped, ..
            } => {
                if patience.saturating_add(1) >= last {
                    // The least patience is 1, which stops at epoch 2 at the soonest.
                    let advice = if last > 2 {
                        "lower `patience`"
                    } else {
                        "give trials more `epochs` (`patience` is at least 1)"
                    };
                    Some(format!(
                        "`patience: {patience}` is never run out before the last epoch \
                         ({last}); {advice}"
                    ))
                } else {
                    wrapped.never_stops(epochs, trials)
                }
            }
        }
    }

    /// Returns why a Hyperband whose first bracket can prune has others that never reach their
    /// first rung: its `max_resource` lies past the last epoch. (A bracket whose first rung is
    /// the last epoch is Hyperband's own: the one that runs its trials to the end.) `None` for
    /// every other rule.
    fn stops_some(&self, epochs: u32) -> Option<String> {
        let last = epochs;
        match self {
            PrunerSpec::Hyperband {
                min_resource,
                max_resource,
                reduction_factor,
                ..
            } => {
                let firsts =
                    crate::hyperband_first_rungs(*min_resource, *max_resource, *reduction_factor);
                // Noted when some bracket starts past the last epoch; counted, as the rungs
                // line shows them (`PrunerSpec::rungs_text`), are the brackets with no rung
                // before the last epoch, the one that starts at it included.
                let past = firsts.iter().any(|s| *s > u64::from(last));
                let idle = firsts.iter().filter(|s| **s >= u64::from(last)).count();
                past.then(|| {
                    format!(
                        "`max_resource: {max_resource}` lies past the {last} epochs a trial \
                         trains, so {idle} of its {} brackets {} no rung before the last epoch \
                         and {} nothing, and every trial numbered k goes to bracket k mod {}; \
                         set `max_resource` to {last}",
                        firsts.len(),
                        if idle == 1 { "has" } else { "have" },
                        if idle == 1 { "prunes" } else { "prune" },
                        firsts.len()
                    )
                })
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
