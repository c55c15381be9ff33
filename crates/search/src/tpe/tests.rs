//! TPE: a golden sequence, the constant liar, and a search that beats random.

use experiment::{ParamValue, Seed, TpeConfig, TrialId};

use super::*;
use crate::testing::{
    median_best_on_quadratic, objective, quadratic, quadratic_space, study, trial, xy,
};
use crate::RandomSampler;

fn tpe(seed: u64) -> TpeSampler {
    TpeSampler::new(Seed(seed), TpeConfig::default(), objective())
}

#[test]
fn golden_sequence_for_seed_7() {
    // A golden sequence: a change here changes every TPE experiment's trials.
    let trials = study(&tpe(7), &quadratic_space(), 14, quadratic);
    let drawn = xy(&trials[10..]);
    assert_eq!(
        drawn,
        [
            "x=1.206302 y=-1.017580",
            "x=1.223514 y=-0.623547",
            "x=0.675211 y=-1.309807",
            "x=0.167600 y=-1.531882",
        ]
    );
}

#[test]
fn a_running_trial_pushes_the_next_proposal_away() {
    let space = quadratic_space();
    let trials = study(&tpe(3), &space, 12, quadratic);
    let ctx = |running: &[Params]| {
        tpe(3)
            .suggest_in(&SuggestContext {
                space: &space,
                finished: &trials,
                running,
                pinned: &Params::new(),
                trial: TrialId(12),
                planned: None,
            })
            .unwrap()
    };
    let alone = ctx(&[]);
    let beside = ctx(std::slice::from_ref(&alone));
    assert_ne!(alone, beside);
    let without_liar = TpeSampler::new(
        Seed(3),
        TpeConfig {
            constant_liar: false,
            ..TpeConfig::default()
        },
        objective(),
    );
    let ignored = without_liar
        .suggest_in(&SuggestContext {
            space: &space,
            finished: &trials,
            running: std::slice::from_ref(&alone),
            pinned: &Params::new(),
            trial: TrialId(12),
            planned: None,
        })
        .unwrap();
    assert_eq!(ignored, alone);
}

#[test]
fn beats_random_search_on_a_quadratic() {
    let runs = |sampler: &dyn Fn(u64) -> Box<dyn Sampler>| median_best_on_quadratic(sampler, 5, 40);
    let tpe = runs(&|s| Box::new(tpe(s)));
    let random = runs(&|s| Box::new(RandomSampler::new(Seed(s))));
    assert!(tpe < random / 3.0, "tpe {tpe}, random {random}");
}

#[test]
fn failed_and_pruned_trials_rank_after_completed_ones() {
    let space = quadratic_space();
    let mut trials = study(&tpe(1), &space, 10, quadratic);
    trials[0].state = experiment::TrialState::Failed;
    trials[0].result = None;
    trials[1].state = experiment::TrialState::Pruned;
    let observations =
        history::observations(&trials, &[objective()], &[], history::Combine::Fronts);
    let ranked = history::ranking(&observations);
    assert_eq!(ranked.len(), 9);
    assert_eq!(ranked.last(), Some(&1));
    // A categorical value the space no longer has is skipped, not a panic.
    trials.push(trial(
        10,
        Params::from([("x".into(), ParamValue::Str("gone".into()))]),
        0.0,
    ));
    assert!(tpe(1).suggest(&space, &trials, TrialId(11)).is_ok());
}
