//! The Gaussian-process sampler: a golden sequence, and a search that beats random.

use experiment::{Seed, TrialId};

use super::*;
use crate::testing::{median_best_on_quadratic, objective, quadratic, quadratic_space, study, xy};
use crate::RandomSampler;

fn bayes(seed: u64) -> GpSampler {
    GpSampler::new(Seed(seed), BayesConfig::default(), objective())
}

#[test]
fn golden_sequence_for_seed_7() {
    // A golden sequence: a change here changes every bayes experiment's trials.
    let trials = study(&bayes(7), &quadratic_space(), 13, quadratic);
    let drawn = xy(&trials[10..]);
    assert_eq!(
        drawn,
        [
            "x=1.016892 y=-1.519286",
            "x=1.325320 y=-0.897117",
            "x=0.593372 y=-2.032848",
        ]
    );
}

#[test]
fn beats_random_search_on_a_quadratic() {
    let runs = |sampler: &dyn Fn(u64) -> Box<dyn Sampler>| median_best_on_quadratic(sampler, 3, 25);
    let gp = runs(&|s| Box::new(bayes(s)));
    let random = runs(&|s| Box::new(RandomSampler::new(Seed(s))));
    assert!(gp < random / 100.0, "bayes {gp}, random {random}");
}

#[test]
fn a_running_trial_pushes_the_next_proposal_away() {
    let space = quadratic_space();
    let trials = study(&bayes(3), &space, 12, quadratic);
    let suggest = |running: &[Params]| {
        bayes(3)
            .suggest_in(&SuggestContext {
                space: &space,
                finished: &trials,
                running,
                trial: TrialId(12),
            })
            .unwrap()
    };
    let alone = suggest(&[]);
    let beside = suggest(std::slice::from_ref(&alone));
    let distance = (quadratic(&alone) - quadratic(&beside)).abs()
        + (alone["x"].as_f64().unwrap_or(0.0) - beside["x"].as_f64().unwrap_or(0.0)).abs();
    assert!(distance > 1e-3, "{alone:?} {beside:?}");
}
