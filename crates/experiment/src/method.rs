//! Samplers by name, with their settings: the `method:` and `sampler:` keys of a spec.
//!
//! A sampler's settings live inside its `Method` variant rather than in a separate field of the
//! spec, so a spec cannot carry TPE settings for a random search: the type says which settings
//! go with which sampler. Every setting has a default (`Default`), chosen to match Optuna's where
//! Optuna has the same knob, so `method: tpe` alone is a good search.

use crate::{Distribution, Params, SearchSpace};

/// How trials' parameters are chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// Every combination of the (finite) parameter values, in order or shuffled.
    Grid(GridConfig),
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
    /// The covariance matrix adaptation evolution strategy over the numeric parameters present
    /// in every trial; the others are drawn at random.
    CmaEs(CmaEsConfig),
    /// NSGA-II, the genetic algorithm Optuna uses by default for several objectives: each
    /// generation breeds from the best trials so far (by Pareto front, then crowding distance).
    Nsga2(Nsga2Config),
    /// NSGA-III, for three objectives or more: NSGA-II's generations, but the front that does
    /// not fit whole is cut so as to keep trials near evenly spread reference directions, not by
    /// crowding distance (which favours the ends of a front and thins its middle).
    Nsga3(Nsga3Config),
}

/// Settings of the `nsga3` sampler: NSGA-II's, and how finely its reference directions divide
/// the objectives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nsga3Config {
    /// Generations, crossover and mutation, as `nsga2`'s.
    pub genetic: Nsga2Config,
    /// The steps each objective's share takes from 0 to 1 in the reference directions (Das and
    /// Dennis's points on the simplex: `C(m + p - 1, p)` directions for `m` objectives), at
    /// least 1.
    pub dividing_parameter: u32,
}

impl Nsga3Config {
    /// `dividing_parameter`'s default, as Optuna's `NSGAIIISampler`.
    pub(crate) const DEFAULT_DIVIDING_PARAMETER: u32 = 3;

    /// The most reference directions a study may ask for: the niching compares every trial of
    /// a generation with each.
    pub(crate) const MAX_REFERENCE_POINTS: u64 = 10_000;

    /// Returns how many reference directions `objectives` objectives get:
    /// `C(objectives + p - 1, p)` for `p` divisions, `u64::MAX` past it.
    pub fn reference_points(&self, objectives: usize) -> u64 {
        let p = u128::from(self.dividing_parameter);
        let m = u128::try_from(objectives.max(1)).unwrap_or(u128::MAX);
        // C(m - 1 + p, m - 1), built up one factor at a time (each step stays an integer), in
        // 128 bits so that a step's product does not overflow before its division.
        let mut count: u128 = 1;
        for i in 1..m {
            match count.checked_mul(p + i) {
                Some(c) if c / i <= u128::from(u64::MAX) => count = c / i,
                _ => return u64::MAX,
            }
        }
        u64::try_from(count).unwrap_or(u64::MAX)
    }
}

/// Settings of the `nsga2` sampler.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nsga2Config {
    /// Trials per generation, at least 2; the first generation is drawn at random.
    pub population_size: u32,
    /// The chance, in [0, 1], that a parameter of a child is drawn afresh instead of inherited;
    /// `None` is 1 over the number of parameters.
    pub mutation_prob: Option<f64>,
    /// The chance, in [0, 1], that a child mixes two parents; otherwise it copies one.
    pub crossover_prob: f64,
    /// How two parents mix.
    pub crossover: Crossover,
    /// In a mix, the chance, in [0, 1], that a parameter comes from the second parent (with
    /// `sbx` or `blx`, a categorical one, or a numeric one not blended).
    pub swapping_prob: f64,
}

/// How NSGA-II mixes two parents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Crossover {
    /// Each parameter from one parent or the other (Optuna's default).
    Uniform,
    /// Simulated binary crossover (Deb and Agrawal 1995) for numeric parameters: half of them,
    /// at random, take a value spread around the two parents' (on each one's unit interval),
    /// nearer them the larger `eta` is; the others, and categorical ones, as `Uniform`.
    Sbx {
        /// The distribution index, above 0; `None` is 20 with several objectives and 2 with
        /// one, as Optuna's `SBXCrossover`.
        eta: Option<f64>,
    },
    /// Blend crossover, BLX-alpha (Eshelman and Schaffer 1993), for numeric parameters: each
    /// takes a value drawn uniformly from the interval between the two parents' (on its unit
    /// interval) widened by `alpha` times its length on each side; categorical ones as
    /// `Uniform`. The default: it found better fronts than `Uniform` and `Sbx` on every
    /// benchmark problem once there were generations to breed (and about level at 100 trials
    /// in generations of 50).
    Blx {
        /// How far beyond the parents a child may land, in units of their distance; at least
        /// 0 (0: between them), 0.5 by default as Optuna's `BLXAlphaCrossover`.
        alpha: f64,
    },
}

/// BLX-alpha's default `alpha`.
pub(crate) const BLX_ALPHA: f64 = 0.5;

impl Crossover {
    /// Returns its `crossover:` word.
    pub fn name(&self) -> &'static str {
        match self {
            Crossover::Uniform => "uniform",
            Crossover::Sbx { .. } => "sbx",
            Crossover::Blx { .. } => "blx",
        }
    }
}

impl Restart {
    /// Every strategy, in the order messages list them.
    pub const ALL: [Restart; 3] = [Restart::Ipop, Restart::Bipop, Restart::None];

    /// Returns its `restart_strategy:` word.
    pub fn name(self) -> &'static str {
        match self {
            Restart::None => "none",
            Restart::Ipop => "ipop",
            Restart::Bipop => "bipop",
        }
    }
}

impl IndependentSampler {
    /// Every sampler, in the order messages list them.
    pub const ALL: [IndependentSampler; 2] = [IndependentSampler::Tpe, IndependentSampler::Random];

    /// Returns its `independent_sampler:` word.
    pub fn name(self) -> &'static str {
        match self {
            IndependentSampler::Tpe => "tpe",
            IndependentSampler::Random => "random",
        }
    }
}

/// Settings of the `cmaes` sampler.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CmaEsConfig {
    /// Trials drawn at random before the evolution strategy starts.
    pub n_startup_trials: u32,
    /// Trials per generation; `None` is 4 + floor(3 ln n) for n searched coordinates.
    pub popsize: Option<u32>,
    /// The initial step size, in units of each parameter's range (its unit interval), above 0.
    pub sigma0: f64,
    /// What chooses the parameters the strategy does not move (categorical and conditional).
    pub independent_sampler: IndependentSampler,
    /// What happens once the strategy has converged.
    pub restart: Restart,
    /// Whether integer and quantized parameters keep a margin (CMA-ES with margin, Hamano et
    /// al. 2022, Optuna's `with_margin`): each keeps a probability of at least 1 / (n lambda)
    /// of proposing another value than its mean's, so that a strategy whose steps have shrunk
    /// below a parameter's spacing still tries its neighbours instead of fixing it for good.
    pub with_margin: bool,
    /// Whether the mean and the covariance take each generation's update only in part, at
    /// learning rates that follow the updates' signal-to-noise ratio (LRA-CMA-ES, Nomura et
    /// al. 2023, Optuna's `lr_adapt`): for noisy objectives and landscapes of many basins with
    /// the default generation size.
    pub lr_adapt: bool,
    /// Whether the covariance is kept diagonal (sep-CMA-ES, Ros and Hansen 2008, Optuna's
    /// `use_separable_cma`): it learns each parameter's scale faster, but no correlation.
    pub use_separable_cma: bool,
}

/// What CMA-ES does once it has converged (its steps below any resolution, or its best values
/// flat for many generations).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restart {
    /// Go on: every later trial is nearly the same point.
    None,
    /// Start again from a random point with generations twice as large (IPOP-CMA-ES, Auger and
    /// Hansen 2005), so a long run explores other basins instead of repeating itself.
    Ipop,
    /// Start again from a random point in one of two regimes, each given about half of the
    /// trials (BIPOP-CMA-ES, Hansen 2009): generations twice as large each time (as `Ipop`),
    /// or generations of a random size between the default and half the latest large one with
    /// a random smaller step, for landscapes of many small basins.
    Bipop,
}

/// What chooses the parameters CMA-ES does not move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndependentSampler {
    /// Independent draws, as Optuna's `CmaEsSampler` does by default.
    Random,
    /// TPE, given the values CMA-ES chose, so that it learns which categories pay off.
    Tpe,
}

/// Settings of the `grid` sampler.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct GridConfig {
    /// Whether the points run in a random order drawn from the experiment's seed (as Optuna's
    /// `GridSampler`), rather than in the grid's own order (as W&B's): a grid cut by `run_cap`,
    /// a target or a plateau then leaves out points spread over the whole grid, not the last
    /// values of the first parameters.
    pub shuffle: bool,
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
    /// Whether parameters are modelled jointly (true) or one at a time; `None`: jointly with up
    /// to three objectives, one at a time with four or more, where the good trials spread over
    /// a front of several dimensions and modelling each parameter alone recombines them
    /// (`TpeConfig::multivariate_for`).
    pub multivariate: Option<bool>,
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
        /// second one before it maximize the upper confidence bound with kappa 0.5 instead
        /// (`search` applies it): with little budget left, refining the best region is worth
        /// more than exploring. In [0, 1]; 0 never does. Trials past the plan (a run without
        /// one) are never greedy.
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

    /// Returns the log expected improvement with its default greedy tail.
    pub fn log_ei() -> Acquisition {
        Acquisition::LogEi {
            greedy_tail: Acquisition::DEFAULT_GREEDY_TAIL,
        }
    }
}

impl Method {
    /// Returns every method with its default settings, in the order messages list them: the one
    /// list the spec reader takes both the names it accepts and the method of each name from, so
    /// a method missing here is refused by name (`unknown method`), never run as another.
    pub fn all() -> [Method; 8] {
        // A reminder, not a proof: a new variant fails to compile here until this match names
        // it; add it to the array below as well.
        match Method::Random {
            Method::Grid(_)
            | Method::Random
            | Method::Sobol(_)
            | Method::Tpe(_)
            | Method::Bayes(_)
            | Method::CmaEs(_)
            | Method::Nsga2(_)
            | Method::Nsga3(_) => {}
        }
        [
            Method::Grid(GridConfig::default()),
            Method::Random,
            Method::Sobol(SobolConfig::default()),
            Method::Tpe(TpeConfig::default()),
            Method::Bayes(BayesConfig::default()),
            Method::CmaEs(CmaEsConfig::default()),
            Method::Nsga2(Nsga2Config::default()),
            Method::Nsga3(Nsga3Config::default()),
        ]
    }

    /// Returns the method named `name` as specs write it (e.g. `tpe`), with its default
    /// settings; `None` for an unknown name.
    pub fn named(name: &str) -> Option<Method> {
        Method::all().into_iter().find(|m| m.name() == name)
    }

    /// Returns the name used in specs, e.g. `tpe`.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Grid(_) => "grid",
            Method::Random => "random",
            Method::Sobol(_) => "sobol",
            Method::Tpe(_) => "tpe",
            Method::Bayes(_) => "bayes",
            Method::CmaEs(_) => "cmaes",
            Method::Nsga2(_) => "nsga2",
            Method::Nsga3(_) => "nsga3",
        }
    }
}

impl Method {
    /// Returns, when the `trials` planned and the points of a finite `space` disagree, what
    /// the study does instead of what the file may suggest: a grid larger than the run cap is
    /// cut after its first `trials` points, in the grid's order or shuffled, and the rest are
    /// never tried (a cut that a user rarely means); a smaller one ends after its last point;
    /// any other sampler over a space with fewer points than trials draws some of them again.
    /// `None` otherwise, and for a space with a continuous parameter.
    ///
    /// Quantized ranges count as the multiples of q they round to (`grid::quantized_size`),
    /// each said with the values it takes: `dropout: {distribution: q_uniform, min: 0, max:
    /// 0.49}` (q 1, W&B's default) is one point, 0, and a study of it draws that point again
    /// and again; asked first, since a grid takes `q_uniform` too and would count the same
    /// points without saying why there are so few.
    pub(crate) fn coverage_note(&self, trials: u32, space: &SearchSpace) -> Option<String> {
        let (size, quantized) = match crate::grid::quantized_size(space) {
            Some(counted) => counted,
            None => (space.grid_size()?, Vec::new()),
        };
        let planned = u64::from(trials);
        let Method::Grid(GridConfig { shuffle }) = self else {
            return (size < planned).then(|| {
                let grid = if quantized.is_empty() {
                    "`method: grid` runs each once".to_string()
                } else if space.grid_size().is_some() {
                    // A grid takes the space as written (`q_uniform` ranges included).
                    format!("`method: grid` runs each once; {}", quantized.join("; "))
                } else {
                    format!(
                        "listed as `values: [..]`, `method: grid` runs each once; {}",
                        quantized.join("; ")
                    )
                };
                format!(
                    "the space has only {} and the study {trials} trials: \
                     `{}` draws some of them again (each repeat trains from its own seed); \
                     {grid}",
                    crate::counted(size, "distinct point", "distinct points"),
                    self.name()
                )
            });
        };
        match size.cmp(&planned) {
            std::cmp::Ordering::Equal => None,
            std::cmp::Ordering::Less => Some(format!(
                "the grid has {}, so the study runs {}, not {trials}",
                crate::counted(size, "point", "points"),
                crate::counted(size, "trial", "trials")
            )),
            std::cmp::Ordering::Greater => {
                let points = match size {
                    u64::MAX => "more points than can be counted".to_string(),
                    n => format!("{n} points"),
                };
                let (study, first) = (
                    crate::counted(trials, "trial", "trials"),
                    crate::counted(trials, "point", "points"),
                );
                Some(if *shuffle {
                    format!(
                        "the grid has {points} and the study {study}: it runs {trials} \
                         of them, in an order shuffled by the seed (`sampler.shuffle`), and \
                         never tries the others; raise `run_cap` for the whole grid"
                    )
                } else {
                    format!(
                        "the grid has {points} and the study {study}: it runs the \
                         grid's first {first} in order (the parameters that conditions \
                         test change slowest, then the last parameter by name fastest) and never \
                         tries the others; raise `run_cap` for the whole grid, set \
                         `sampler: {{shuffle: true}}` to run {first} spread over it, or \
                         use `sobol` to spread {study} over the whole space"
                    )
                })
            }
        }
    }
}

impl Method {
    /// Returns, when a study of `trials` trials of `space` would never use what this sampler
    /// learns, why: `tpe` and `bayes` model only after `n_startup_trials`, `nsga2` and `nsga3`
    /// breed only from their second generation, `cmaes` moves its distribution only once its
    /// first generation ended, so fewer trials than that are all drawn as at the start,
    /// whatever the file says. `None` for every other study.
    ///
    /// The trials `enqueued` are said as such, not as drawn: only the others, and what a partial
    /// entry leaves out, are.
    pub(crate) fn never_learns(
        &self,
        trials: u32,
        space: &SearchSpace,
        enqueued: &[Params],
    ) -> Option<String> {
        let drawn_as = |how: &str| drawn_as(trials, space, enqueued, how);
        let (first, setting, drawn) = match self {
            Method::Tpe(TpeConfig {
                n_startup_trials, ..
            })
            | Method::Bayes(BayesConfig {
                n_startup_trials, ..
            }) => (*n_startup_trials, "n_startup_trials", "quasi-randomly"),
            Method::Nsga2(c) | Method::Nsga3(Nsga3Config { genetic: c, .. }) => {
                (c.population_size, "population_size", "at random")
            }
            Method::CmaEs(c) => {
                let searched = CmaEsConfig::searched(space);
                if searched == 0 {
                    // Everything is left to the independent sampler.
                    return Some(format!(
                        "`cmaes` moves the numeric parameters present in every trial, and this \
                         space has none (its parameters are lists of values, or have a \
                         `when:`), so every trial is drawn by its `sampler.independent_sampler`, \
                         {}: write `method: {}` to say what runs, or search a number range",
                        c.independent_sampler.name(),
                        c.independent_sampler.name()
                    ));
                }
                let generation = u32::try_from(c.generation_size(searched)).unwrap_or(u32::MAX);
                let first = c.n_startup_trials.saturating_add(generation);
                return (trials <= first).then(|| {
                    format!(
                        "`cmaes` learns from trial {first} on (`sampler.n_startup_trials: {}` and \
                         a first generation of {generation}, `sampler.popsize`), and the study \
                         has {}: {}; give more trials, a smaller `popsize` or another method",
                        c.n_startup_trials,
                        crate::counted(trials, "trial", "trials"),
                        drawn_as("at random or around the middle of the space")
                    )
                });
            }
            _ => return None,
        };
        (trials <= first).then(|| {
            format!(
                "`{}` learns from trial {first} on (`sampler.{setting}: {first}`), and the study \
                 has {}: {}; give more trials or a smaller `{setting}`",
                self.name(),
                crate::counted(trials, "trial", "trials"),
                drawn_as(drawn)
            )
        })
    }
}

/// Says how the `trials` of a study drawn before its sampler learns come about: each drawn
/// `how`, except the `enqueued` ones (all of a whole entry of `space`, what a partial one
/// leaves out is drawn `how` too).
fn drawn_as(trials: u32, space: &SearchSpace, enqueued: &[Params], how: &str) -> String {
    let given = u32::try_from(enqueued.len())
        .unwrap_or(u32::MAX)
        .min(trials);
    if given == 0 {
        return format!("every one is drawn {how}");
    }
    let in_part = enqueued.iter().filter(|p| !space.is_whole(p)).count();
    let first = match (given, in_part) {
        (1, 0) => "the first is enqueued".to_string(),
        (1, _) => "the first is enqueued in part".to_string(),
        (n, 0) => format!("the first {n} are enqueued"),
        (n, k) if k == enqueued.len() => format!("the first {n} are enqueued in part"),
        (n, k) => format!("the first {n} are enqueued, {k} of them in part"),
    };
    let rest = match (trials - given, in_part) {
        (0, 0) => String::new(),
        (0, _) => format!(", and what they leave out is drawn {how}"),
        (1, 0) => format!(", and the other is drawn {how}"),
        (n, 0) => format!(", and the other {n} are drawn {how}"),
        (1, _) => format!(", and the other, and what the enqueued leave out, are drawn {how}"),
        (n, _) => format!(", and the other {n}, and what the enqueued leave out, are drawn {how}"),
    };
    format!("{first}{rest}")
}

impl CmaEsConfig {
    /// Returns how many parameters of `space` CMA-ES moves: the numeric ones present in every
    /// trial that take more than one value (the others go to its independent sampler).
    pub fn searched(space: &SearchSpace) -> usize {
        space
            .params()
            .iter()
            .filter(|p| p.condition.is_none())
            .filter(|p| match &p.distribution {
                Distribution::Constant(_) | Distribution::Categorical { .. } => false,
                Distribution::IntUniform { min, max } => min != max,
                _ => true,
            })
            .count()
    }

    /// Returns the trials per generation for `searched` moved parameters: `popsize` (at least
    /// 2), else 4 + floor(3 ln n).
    pub fn generation_size(&self, searched: usize) -> usize {
        match self.popsize {
            Some(p) => usize::try_from(p).unwrap_or(usize::MAX).max(2),
            None => {
                #[allow(clippy::cast_precision_loss)]
                let n = searched.max(1) as f64;
                // At most a few dozen.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let extra = (3.0 * n.ln()).floor() as usize;
                4 + extra
            }
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
            multivariate: None,
            constant_liar: true,
            gamma: 0.1,
            prior_weight: 1.0,
            magic_clip: true,
        }
    }
}

impl TpeConfig {
    /// The most objectives that `multivariate: None` models jointly. Measured on DTLZ2 (median
    /// hypervolume, seeds 20-59; 400 trials seeds 20-39): in five objectives one at a time gave
    /// 0.392, 0.628 and 1.131 at 50, 100 and 400 trials against 0.379, 0.469 and 0.738 jointly;
    /// in three, 0.432, 0.569 and 0.730 against 0.460, 0.536 and 0.699 (worse at small
    /// budgets: 40 trials fell to 0.361 from 0.426, near random search's 0.322); in two (ZDT1)
    /// jointly is better at every budget (11.488 against 11.210 at 100).
    pub(crate) const JOINT_UP_TO_OBJECTIVES: usize = 3;

    /// Returns whether parameters are modelled jointly in a study of `objectives` objectives.
    pub fn multivariate_for(&self, objectives: usize) -> bool {
        self.multivariate
            .unwrap_or(objectives <= TpeConfig::JOINT_UP_TO_OBJECTIVES)
    }
}

impl Default for CmaEsConfig {
    fn default() -> Self {
        CmaEsConfig {
            n_startup_trials: 0,
            popsize: None,
            sigma0: 1.0 / 6.0,
            independent_sampler: IndependentSampler::Tpe,
            restart: Restart::Ipop,
            with_margin: true,
            lr_adapt: false,
            use_separable_cma: false,
        }
    }
}

impl Default for Nsga2Config {
    fn default() -> Self {
        Nsga2Config {
            population_size: 50,
            mutation_prob: None,
            crossover_prob: 0.9,
            crossover: Crossover::Blx { alpha: BLX_ALPHA },
            swapping_prob: 0.5,
        }
    }
}

impl Default for Nsga3Config {
    fn default() -> Self {
        Nsga3Config {
            genetic: Nsga2Config::default(),
            dividing_parameter: Nsga3Config::DEFAULT_DIVIDING_PARAMETER,
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
    use super::*;

    #[test]
    fn every_method_is_found_by_the_name_specs_write() {
        let names: Vec<&str> = Method::all().iter().map(Method::name).collect();
        assert_eq!(
            names,
            ["grid", "random", "sobol", "tpe", "bayes", "cmaes", "nsga2", "nsga3"]
        );
        for method in Method::all() {
            assert_eq!(Method::named(method.name()), Some(method));
        }
        assert_eq!(Method::named("optuna"), None);
    }
}
