//! What other tools (Optuna, scikit-optimize, Hyperopt) call Sweep's samplers and their
//! settings, and what each is here: `sampler:` and `method:` answer a file written for them
//! with the name Sweep uses, or with why Sweep has no such setting.

/// What other tools call the samplers (Optuna's classes, common spellings), lowercased, and
/// ours: a file written for them is told the name here.
pub(super) const OTHER_NAMES: &[(&str, &str)] = &[
    ("tpesampler", "tpe"),
    ("gpsampler", "bayes"),
    ("gp", "bayes"),
    ("bayesian", "bayes"),
    ("cmaessampler", "cmaes"),
    ("cma", "cmaes"),
    ("cma-es", "cmaes"),
    ("cma_es", "cmaes"),
    ("nsgaiisampler", "nsga2"),
    ("nsgaii", "nsga2"),
    ("nsga-ii", "nsga2"),
    ("nsga_ii", "nsga2"),
    ("nsgaiiisampler", "nsga3"),
    ("nsgaiii", "nsga3"),
    ("nsga-iii", "nsga3"),
    ("nsga_iii", "nsga3"),
    ("randomsampler", "random"),
    ("qmcsampler", "sobol"),
    ("qmc", "sobol"),
    ("gridsampler", "grid"),
    ("bruteforcesampler", "grid"),
    ("hyperopt", "tpe"),
];

/// Acquisitions as other tools name them, and what each is here.
pub(super) const OTHER_ACQUISITIONS: &[(&str, &str)] = &[
    ("ei", EI_IS_LOG_EI),
    ("expected_improvement", EI_IS_LOG_EI),
    ("logei", EI_IS_LOG_EI),
    ("log-ei", EI_IS_LOG_EI),
    ("qlogei", EI_IS_LOG_EI),
    (
        "lcb",
        "a lower confidence bound is `ucb` here, whichever way the metric goes",
    ),
];
const EI_IS_LOG_EI: &str = "expected improvement is `log_ei` here (its logarithm, which does not \
    vanish far from the best, as Optuna's GPSampler computes it)";

/// Settings other tools give a sampler, and what each is here: (key, where it is here or why
/// Sweep has no such setting, a key of this block it stands for or of the method it belongs to,
/// if any; the hint is given only where the method has that key).
pub(super) const OTHER_SETTINGS: &[(&str, &str, Option<&str>)] = &[
    (
        "consider_magic_clip",
        "Optuna's name for `magic_clip` (did you mean `magic_clip`?)",
        Some("magic_clip"),
    ),
    (
        "consider_endpoints",
        "Optuna's switch to stretch the kernels at a range's ends out to its bounds; Sweep's \
         `tpe` has no such switch: each kernel's width follows the observations beside it",
        Some("magic_clip"),
    ),
    (
        "consider_prior",
        "Optuna's switch for the prior kernel (the whole range); Sweep's `tpe` always has it, \
         weighted by `prior_weight`",
        Some("prior_weight"),
    ),
    (
        "group",
        "Optuna's switch to model together the parameters that appear together; Sweep's `tpe` \
         does so with `multivariate` (the default): the parameters with the same `when:` form \
         a group",
        Some("multivariate"),
    ),
    (
        "warn_independent_sampling",
        "Optuna's switch for a warning when a parameter is drawn apart from the joint model; \
         Sweep's `tpe` models every parameter in its group (`multivariate`), so it has no such \
         warning",
        Some("multivariate"),
    ),
    (
        "deterministic_objective",
        "Optuna's switch to hold the Gaussian process's noise near 0; Sweep's `bayes` fits the \
         noise (above a small floor), as Optuna's default, `false`, does",
        Some("n_local_search"),
    ),
    (
        "x0",
        "Optuna's starting point; Sweep's `cmaes` starts at the centre of the space, with step \
         `sigma0`: to try a point first, give it under `enqueue:`",
        Some("sigma0"),
    ),
    (
        "inc_popsize",
        "Optuna's growth of a generation at each restart; Sweep's `cmaes` doubles it with \
         `restart_strategy: ipop`, as Optuna's default, 2, does",
        Some("restart_strategy"),
    ),
    (
        "consider_pruned_trials",
        "Optuna's switch to let pruned trials into the update; Sweep's `cmaes` always does, \
         ranking them below the completed ones",
        Some("sigma0"),
    ),
    (
        "seed",
        "set by the experiment's `seed:` (at the top of the file), which seeds every sampler",
        None,
    ),
    (
        "n_initial_points",
        "scikit-optimize's name for `n_startup_trials`",
        Some("n_startup_trials"),
    ),
    (
        "acq_func",
        "scikit-optimize's name for `acquisition`",
        Some("acquisition"),
    ),
];

/// What `type:` in `sampler:` is said to be where the sampler it names is not known.
pub(super) const SAMPLER_IS_METHOD: &str =
    "how Optuna names a sampler; here the sampler is `method:`, at \
    the top of the file";
