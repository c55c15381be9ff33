//! Tests of the plan the sampler is told: a `--run-cap` below the file's runs the first trials of
//! the file's sweep (in one process or under agents), raising the plan to the file's cap then
//! gives the file's sweep, and a `--run-cap` above the file's lengthens the plan.

use std::sync::atomic::AtomicI64;

use experiment::{Acquisition, BayesConfig, ExperimentSpec, Method};
use store::Store;

use crate::testing::{options, quadratic, spec, values, TickClock};
use crate::{run_study, SilentObserver, StudyOptions, StudySummary};

/// A `bayes` study of 6 trials with 2 startup trials and the default greedy tail (0.4): trial 5
/// is greedy under a plan of 6, trial 3 under a plan of 4.
fn bayes(run_cap: u32) -> ExperimentSpec {
    let mut spec = spec(run_cap, "bayes");
    spec.method = Method::Bayes(BayesConfig {
        n_startup_trials: 2,
        acquisition: Acquisition::LogEi { greedy_tail: 0.4 },
        ..BayesConfig::default()
    });
    spec
}

/// Runs `spec` in `store` on one thread with `run_cap` (`--run-cap`, if any).
fn run_capped(store: &Store, spec: &ExperimentSpec, run_cap: Option<u32>) -> StudySummary {
    run_as(
        store,
        spec,
        &StudyOptions {
            run_cap,
            ..options(1)
        },
    )
}

/// Runs `spec` in `store` as `options` say.
fn run_as(store: &Store, spec: &ExperimentSpec, options: &StudyOptions) -> StudySummary {
    let clock = TickClock(AtomicI64::new(0));
    run_study(
        store,
        spec,
        &quadratic(2.0),
        &SilentObserver,
        &clock,
        options,
    )
    .expect("the study runs")
}

/// Returns each trial's number and its `lr`'s bits.
fn params(summary: &StudySummary) -> Vec<(u32, Option<u64>)> {
    summary
        .trials
        .iter()
        .map(|t| (t.id.0, t.params["lr"].as_f64().map(f64::to_bits)))
        .collect()
}

#[test]
fn a_run_cap_below_the_files_runs_the_first_trials_of_the_files_sweep() {
    let file = bayes(6);
    let fresh = run_capped(&Store::temporary().expect("a store"), &file, None);
    assert_eq!(fresh.trials.len(), 6);
    let store = Store::temporary().expect("a store");
    let first = run_capped(&store, &file, Some(4));
    assert_eq!(params(&first), params(&fresh)[..4].to_vec());
    // The file's cap, asked for as the unchanged file run again asks for it.
    let raised = run_capped(&store, &file, Some(6));
    assert_eq!(params(&raised), params(&fresh));
    assert_eq!(values(&raised), values(&fresh));
}

#[test]
fn a_plan_lengthened_past_the_files_is_the_plan_the_sampler_is_told() {
    // Run with `--run-cap 8` over a file of 6, the sweep is that of a file of 8: the tail is
    // the longer plan's (trial 7 greedy), as with `--extend`, not the file's.
    let longer = run_capped(&Store::temporary().expect("a store"), &bayes(8), None);
    let store = Store::temporary().expect("a store");
    let above = run_capped(&store, &bayes(6), Some(8));
    assert_eq!(params(&above), params(&longer));
}

#[test]
fn agents_with_a_run_cap_below_the_files_run_the_first_trials_of_the_files_sweep() {
    // Two side by side: trial 4, greedy in a plan of 5, learns from trials 0 to 2.
    let file = bayes(6);
    let fresh = run_as(&Store::temporary().expect("a store"), &file, &options(2));
    let exchange = tempfile::tempdir().expect("a folder");
    let agent = |agent: u32| StudyOptions {
        run_cap: Some(5),
        agent: Some(crate::AgentOptions {
            agent,
            agents: 2,
            exchange: exchange.path().to_path_buf(),
            poll: std::time::Duration::from_millis(1),
            quiet_after: std::time::Duration::from_secs(3600),
        }),
        ..options(2)
    };
    let file = &file;
    let ran: Vec<StudySummary> = std::thread::scope(|scope| {
        let agents: Vec<_> = (0..2)
            .map(|a| {
                let options = agent(a);
                scope.spawn(move || run_as(&Store::temporary().expect("a store"), file, &options))
            })
            .collect();
        agents
            .into_iter()
            .map(|h| h.join().expect("the agent's thread ends"))
            .collect()
    });
    for (a, summary) in ran.iter().enumerate() {
        assert_eq!(params(summary), params(&fresh)[..5].to_vec(), "agent {a}");
    }
}
