//! Whether the trials run side by side (`parallel:`) change what a study finds, answered from
//! the spec's own sampler (`search::Sampler::learns_from`), for the notes of `sweep validate`,
//! `sweep run` and the gate, which reach the samplers through the runner alone.

use experiment::ExperimentSpec;

/// Returns whether the trials side by side change what a study of `spec` with `planned` trials
/// finds: they do when a target or plateau ends the sweep (the trials beside the last one run
/// too), or when some trial would learn from the trials before it (trial `k` sees at most the
/// `k` before it, those of a warm start besides); grid, random and sobol never learn, and
/// `tpe` or `bayes` not within their startup trials, where every trial is drawn the same with
/// any `parallel`. A warm start (`warm_start:`), whose trials are not counted here, is taken as
/// visible to every trial: the conservative answer. Pruning never depends on it.
///
/// (It replaces `ExperimentSpec::results_depend_on_parallel`, which took every learning method
/// as dependent, `tpe` within its startup trials too: the spec alone does not know when its
/// sampler starts to learn.)
pub fn results_depend_on_parallel(spec: &ExperimentSpec, planned: u32) -> bool {
    if spec.target.is_some() || spec.plateau.is_some() {
        return true;
    }
    let sampler = search::sampler_of(spec);
    // `learns_from(n)` holds where a proposal can depend on at most `n` trials given, so it
    // holds for the last trial whenever it holds for any before it.
    let most_seen = match spec.warm_start {
        Some(_) => usize::MAX,
        None => usize::try_from(planned.saturating_sub(1)).unwrap_or(usize::MAX),
    };
    planned > 0 && sampler.learns_from(most_seen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(method: &str, run_cap: u32, more: &str) -> ExperimentSpec {
        // A target is the metric's: `more` of `target: T` goes in its braces.
        let (target, more) = match more.strip_prefix("target: ") {
            Some(t) => (format!(", target: {}", t.trim()), ""),
            None => (String::new(), more),
        };
        let yaml = format!(
            "name: e\nmetric: {{name: val_accuracy{target}}}\ndata: {{csv: d.csv, target: y}}\n\
             method: {method}\nrun_cap: {run_cap}\n{more}parameters:\n  \
             lr: {{distribution: log_uniform_values, min: 0.0001, max: 0.1}}\n"
        );
        ExperimentSpec::from_yaml_str(&yaml, std::path::Path::new("e.yaml")).unwrap()
    }

    #[test]
    fn issue_tpe_within_its_startup_trials_does_not_depend_on_parallel() {
        // tpe's startup trials (5 by default) are drawn without learning: trials 0 to 4 alike
        // with any `parallel`, trial 5 learns from the 5 before it where it sees them.
        let within = spec("tpe", 2, "");
        assert!(!results_depend_on_parallel(&within, 2));
        assert!(!results_depend_on_parallel(&within, 5));
        assert!(results_depend_on_parallel(&within, 6));
        // More startup trials learn later.
        let long = spec("tpe", 4, "sampler: {n_startup_trials: 10}\n");
        assert!(!results_depend_on_parallel(&long, 10));
        assert!(results_depend_on_parallel(&long, 11));
        assert!(!results_depend_on_parallel(&spec("sobol", 4, ""), 4));
    }

    #[test]
    fn stopping_rules_and_warm_starts_make_any_method_depend_and_random_never_alone() {
        assert!(!results_depend_on_parallel(&spec("random", 50, ""), 50));
        assert!(results_depend_on_parallel(
            &spec("random", 50, "target: 0.9\n"),
            50
        ));
        assert!(results_depend_on_parallel(
            &spec("tpe", 2, "plateau: {patience: 5}\n"),
            2
        ));
        // The trials a warm start takes are seen by the first trial on.
        assert!(results_depend_on_parallel(
            &spec("tpe", 2, "warm_start: {experiment: old}\n"),
            2
        ));
    }
}
