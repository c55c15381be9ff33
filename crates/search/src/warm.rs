//! A sampler warm-started with another experiment's trials (`warm_start:`).
//!
//! The inner sampler sees the taken trials before the experiment's own, as if they had run
//! first: trial numbers order a history (and break its ties), so in the history it is given the
//! taken trials keep their numbers from 0 and the experiment's own are shifted past them. The
//! trial being proposed keeps its own number, which seeds its draws and places it in the plan
//! (`bayes`'s greedy tail).

use std::sync::{Mutex, PoisonError};

use experiment::{Params, Trial, TrialId};

use crate::{Result, Sampler, SuggestContext};

/// `inner`, learning from `prior` before the trials of its own experiment.
#[derive(Debug)]
pub struct WarmSampler {
    inner: Box<dyn Sampler>,
    prior: Vec<Trial>,
    /// A history that begins with `prior`, kept between suggestions so that the prior (possibly
    /// thousands of trials) is not copied for each; a suggestion made while another holds it
    /// copies the prior afresh.
    spare: Mutex<Option<Vec<Trial>>>,
}

impl WarmSampler {
    /// Returns `inner` warm-started with `prior`, trials numbered from 0.
    pub fn new(inner: Box<dyn Sampler>, prior: Vec<Trial>) -> WarmSampler {
        WarmSampler {
            inner,
            spare: Mutex::new(Some(prior.clone())),
            prior,
        }
    }
}

impl Sampler for WarmSampler {
    fn suggest_in(&self, ctx: &SuggestContext<'_>) -> Result<Params> {
        let shift = u32::try_from(self.prior.len()).unwrap_or(u32::MAX);
        let kept = self
            .spare
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let mut finished = kept.unwrap_or_else(|| self.prior.clone());
        finished.truncate(self.prior.len());
        finished.extend(ctx.finished.iter().map(|t| Trial {
            id: TrialId(t.id.0.saturating_add(shift)),
            ..t.clone()
        }));
        let proposed = self.inner.suggest_in(&SuggestContext {
            finished: &finished,
            ..*ctx
        });
        *self.spare.lock().unwrap_or_else(PoisonError::into_inner) = Some(finished);
        proposed
    }

    fn learns_from(&self, visible: usize) -> bool {
        self.inner
            .learns_from(visible.saturating_add(self.prior.len()))
    }
}

#[cfg(test)]
mod tests {
    use experiment::{Method, Seed, TpeConfig};

    use super::*;
    use crate::testing::{objective, quadratic, quadratic_space, trial};
    use crate::{sampler_for, SuggestContext};

    /// Trial `k` of the quadratic, measured.
    fn measured(k: u32, params: Params) -> Trial {
        let value = quadratic(&params);
        trial(k, params, value)
    }

    #[test]
    fn a_warm_started_search_models_from_its_first_trial_and_leaves_its_startup_behind() {
        let space = quadratic_space();
        let tpe = || {
            sampler_for(
                Method::Tpe(TpeConfig::default()),
                Seed(3),
                &objective(),
                &[],
                &[],
            )
        };
        // Another experiment's 30 trials of the same function.
        let mut prior = Vec::new();
        let source = tpe();
        for k in 0..30 {
            let params = source.suggest(&space, &prior, TrialId(k)).unwrap();
            prior.push(measured(k, params));
        }
        let best = |trials: &[Trial]| {
            trials
                .iter()
                .filter_map(|t| t.result.as_ref().map(|r| r.metrics["loss"]))
                .fold(f64::INFINITY, f64::min)
        };
        let warm = WarmSampler::new(tpe(), prior.clone());
        let cold = tpe();
        // A cold TPE draws its startup trials without history; the warm one models at once.
        assert!(!cold.learns_from(0));
        assert!(warm.learns_from(0));
        let first = |sampler: &dyn Sampler| {
            sampler
                .suggest_in(&SuggestContext {
                    space: &space,
                    finished: &[],
                    running: &[],
                    pinned: &Params::new(),
                    trial: TrialId(0),
                    planned: Some(10),
                })
                .unwrap()
        };
        assert_ne!(first(&warm), first(cold.as_ref()));
        // Ten trials each: the warm search starts where the prior left off (the quadratic's
        // least value is 0).
        let run = |sampler: &dyn Sampler| {
            let mut own: Vec<Trial> = Vec::new();
            for k in 0..10 {
                let params = sampler.suggest(&space, &own, TrialId(k)).unwrap();
                own.push(measured(k, params));
            }
            own
        };
        let (warm_best, cold_best) = (best(&run(&warm)), best(&run(cold.as_ref())));
        assert!(warm_best < cold_best, "{warm_best} {cold_best}");
        assert!(
            warm_best < 0.05 && cold_best > 0.05,
            "{warm_best} {cold_best}"
        );
        // The prior's ids and the own trials' are not mixed: the same own history gives the
        // same proposal whichever order it is given in.
        let own = run(&warm);
        let reversed: Vec<Trial> = own.iter().rev().cloned().collect();
        assert_eq!(
            warm.suggest(&space, &own, TrialId(10)).unwrap(),
            warm.suggest(&space, &reversed, TrialId(10)).unwrap()
        );
    }
}
