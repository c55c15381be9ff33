//! Samplers by name, with their settings: the `method:` and `sampler:` keys of a spec.
//!
//! A sampler's settings live inside its `Method` variant rather than in a separate field of the
//! spec, so a spec cannot carry TPE settings for a random search: the type says which settings
//! go with which sampler. Every setting has a default (`Default`), chosen to match Optuna's where
//! Optuna has the same knob, so `method: tpe` alone is a good search.

/// How trials' parameters are chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// Every combination of the (finite) parameter values, in order.
    Grid,
    /// Independent random draws.
    Random,
    /// A scrambled Sobol sequence: quasi-random points that fill the space evenly.
    Sobol(SobolConfig),
    /// Tree-structured Parzen Estimator: models good and bad trials and samples where the ratio
    /// of the two densities is highest.
    Tpe(TpeConfig),
    /// Gaussian-process Bayesian optimization with (log) expected improvement, greedy at the end
    /// of the plan, or an upper confidence bound.
    Bayes(BayesConfig),
}

/// Settings of the `sobol` sampler.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolConfig {
    /// Whether the sequence is Owen-scrambled with the experiment's seed; unscrambled, trial 0 is
    /// the corner of the space and every seed gives the same points.
    pub scramble: bool,
}

/// Settings of the `tpe` sampler.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TpeConfig {
    /// Trials drawn quasi-randomly before the model is used.
    pub n_startup_trials: u32,
    /// Candidates drawn from the model of good trials; the one most likely good wins.
    pub n_ei_candidates: u32,
    /// Whether parameters are modelled jointly (true) or one at a time.
    pub multivariate: bool,
    /// Whether trials still running count as bad ones, so parallel trials spread out.
    pub constant_liar: bool,
    /// The fraction of finished trials modelled as good (at most 25 of them), in (0, 1].
    pub gamma: f64,
    /// The weight of the prior (the whole range) among the kernels, above 0.
    pub prior_weight: f64,
    /// Whether kernel widths are kept from shrinking below range / (kernels + 1), as in Optuna.
    pub magic_clip: bool,
}

/// Settings of the `bayes` sampler.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BayesConfig {
    /// Trials drawn quasi-randomly before the Gaussian process is used.
    pub n_startup_trials: u32,
    /// Quasi-random points at which the acquisition is evaluated before local search.
    pub n_candidates: u32,
    /// Local searches of the acquisition: half from the best quasi-random candidates, half from
    /// the best perturbations of the best trials.
    pub n_local_search: u32,
    /// Whether trials still running are added to the model at its predicted value ("kriging
    /// believer"), so parallel trials spread out.
    pub constant_liar: bool,
    /// What is maximized to choose the next trial.
    pub acquisition: Acquisition,
}

/// What the `bayes` sampler maximizes to choose the next trial.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Acquisition {
    /// The logarithm of the expected improvement over the best trial; towards the end of the
    /// planned trials, every second trial is chosen greedily instead.
    LogEi {
        /// The fraction of the planned trials, at their end, in which the last trial and every
        /// second one before it maximize the upper confidence bound with `GREEDY_KAPPA` (0.5)
        /// instead: with little budget left, refining the best region is worth more than
        /// exploring. In [0, 1]; 0 never does. Trials past the plan (a run without one) are
        /// never greedy.
        greedy_tail: f64,
    },
    /// The upper confidence bound: the model's predicted improvement plus `kappa` predicted
    /// standard deviations (in units of the objective's spread). Small `kappa` refines the best
    /// region sooner; large `kappa` explores more.
    Ucb {
        /// Standard deviations of optimism, above 0.
        kappa: f64,
    },
}

impl Acquisition {
    /// `kappa`'s default for `ucb`.
    pub const DEFAULT_KAPPA: f64 = 1.0;

    /// `greedy_tail`'s default for `log_ei`.
    pub const DEFAULT_GREEDY_TAIL: f64 = 0.4;

    /// The `kappa` of the greedy trials of `log_ei`'s tail.
    pub const GREEDY_KAPPA: f64 = 0.5;

    /// Returns the log expected improvement with its default greedy tail.
    pub fn log_ei() -> Acquisition {
        Acquisition::LogEi {
            greedy_tail: Acquisition::DEFAULT_GREEDY_TAIL,
        }
    }

    /// Returns what trial `trial` maximizes when the experiment plans `planned` trials (`None`
    /// when no plan is known): `self`, or in `log_ei`'s greedy tail the upper confidence bound
    /// with `GREEDY_KAPPA`.
    pub fn for_trial(self, trial: u32, planned: Option<u32>) -> Acquisition {
        let (Acquisition::LogEi { greedy_tail }, Some(planned)) = (self, planned) else {
            return self;
        };
        // The tail's length in trials, rounded down; `greedy_tail` is in [0, 1].
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let tail = (f64::from(planned) * greedy_tail.clamp(0.0, 1.0)) as u32;
        let greedy = trial < planned
            && trial >= planned - tail.min(planned)
            && (planned - 1 - trial) % 2 == 0;
        if greedy {
            Acquisition::Ucb {
                kappa: Acquisition::GREEDY_KAPPA,
            }
        } else {
            self
        }
    }
}

impl Method {
    /// Returns the name used in specs, e.g. `tpe`.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Grid => "grid",
            Method::Random => "random",
            Method::Sobol(_) => "sobol",
            Method::Tpe(_) => "tpe",
            Method::Bayes(_) => "bayes",
        }
    }
}

impl Default for SobolConfig {
    fn default() -> Self {
        SobolConfig { scramble: true }
    }
}

impl Default for TpeConfig {
    fn default() -> Self {
        TpeConfig {
            n_startup_trials: 5,
            n_ei_candidates: 32,
            multivariate: true,
            constant_liar: true,
            gamma: 0.1,
            prior_weight: 1.0,
            magic_clip: true,
        }
    }
}

impl Default for BayesConfig {
    fn default() -> Self {
        BayesConfig {
            n_startup_trials: 10,
            n_candidates: 1024,
            n_local_search: 16,
            constant_liar: true,
            acquisition: Acquisition::log_ei(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Acquisition;

    /// The trials of `0..planned` that `acquisition` makes greedy.
    fn greedy(acquisition: Acquisition, planned: Option<u32>, trials: u32) -> Vec<u32> {
        (0..trials)
            .filter(|&k| acquisition.for_trial(k, planned) != acquisition)
            .collect()
    }

    #[test]
    fn log_ei_is_greedy_on_the_last_trial_and_every_second_one_in_its_tail() {
        let odd_from_31: Vec<u32> = (31..50).step_by(2).collect();
        assert_eq!(greedy(Acquisition::log_ei(), Some(50), 60), odd_from_31);
        assert_eq!(
            Acquisition::log_ei().for_trial(49, Some(50)),
            Acquisition::Ucb {
                kappa: Acquisition::GREEDY_KAPPA
            }
        );
        let whole = Acquisition::LogEi { greedy_tail: 1.0 };
        assert_eq!(greedy(whole, Some(5), 5), [0, 2, 4]);
        let short = Acquisition::LogEi { greedy_tail: 0.1 };
        assert_eq!(greedy(short, Some(19), 19), [18]);
    }

    #[test]
    fn nothing_is_greedy_without_a_plan_a_tail_or_log_ei() {
        assert!(greedy(Acquisition::log_ei(), None, 100).is_empty());
        assert!(greedy(Acquisition::LogEi { greedy_tail: 0.0 }, Some(50), 50).is_empty());
        assert!(greedy(Acquisition::Ucb { kappa: 0.1 }, Some(50), 50).is_empty());
        assert!(greedy(Acquisition::log_ei(), Some(0), 10).is_empty());
    }
}
