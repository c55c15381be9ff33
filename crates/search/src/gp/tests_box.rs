//! The Gaussian process's candidate box: a golden sequence on a space of bounded parameters
//! only, which the box leaves as it was, and proposals for prior-shaped parameters kept within
//! the prior's central range (`plausible`).

use experiment::{Params, Seed};

use super::*;
use crate::testing::{
    bounded_loss, bounded_space, central, exactly, objective, prior_space, study, unit_position,
};

fn bayes(seed: u64) -> GpSampler {
    GpSampler::new(Seed(seed), BayesConfig::default(), objective())
}

#[test]
fn golden_sequence_on_a_bounded_space_for_seed_7() {
    // A golden sequence recorded before the box kept prior-shaped parameters off its faces: a
    // space without them is searched on the closed unit cube, bit for bit as before.
    let trials = study(&bayes(7), &bounded_space(), 14, bounded_loss);
    let drawn: Vec<String> = trials[10..].iter().map(|t| exactly(&t.params)).collect();
    assert_eq!(
        drawn,
        [
            "act=tanh drop=0.020638087154454282 lr=0.003579195975328003 width=51",
            "act=tanh drop=0.11862942924196644 lr=0.0038987772779630393 width=57",
            "act=tanh drop=0.0 lr=0.003205546675348499 width=40",
            "act=tanh drop=0.0 lr=0.0030276398006916683 width=35",
        ]
    );
}

#[test]
fn issue_f1_bayes_proposes_prior_shaped_parameters_within_the_priors_central_range() {
    // A regression test: the candidate box was the closed unit cube, whose faces are the
    // prior's 1e-12 quantiles; where the model is flat along a coordinate (here the loss
    // barely moves with `clip_norm` and `step_factor`), the acquisition is highest on a face,
    // and 12-50% of the model's trials put `clip_norm` at 5 ± 7.03 (a clip norm of -2.03
    // fails its trial) and `step_factor` at exactly 0 or 1 (where Beta(2, 5) has no mass).
    let space = prior_space();
    let loss = |p: &Params| {
        let f = |name: &str| p[name].as_f64().unwrap_or(f64::NAN);
        (f("lr").ln() - 1e-2f64.ln()).powi(2)
            + 0.01 * (f("clip_norm") - 5.0)
            + 0.01 * f("step_factor")
    };
    let trials = study(&bayes(11), &space, 40, loss);
    // The startup trials are Sobol points, draws from the prior; the model's follow.
    for t in &trials[10..] {
        for name in ["clip_norm", "step_factor"] {
            let u = unit_position(&space, &t.params, name);
            assert!(
                central(u),
                "trial {}: {name} at {u} ({})",
                t.id.0,
                exactly(&t.params)
            );
        }
    }
    // The box for `lr`, bounded, is still the closed interval: its best is inside, and the
    // trials find it.
    let best = crate::testing::best(&trials);
    assert!(best < 0.0, "{best}");
}
