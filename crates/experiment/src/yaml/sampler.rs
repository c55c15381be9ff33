//! `method:` and the optional `sampler:` block: which sampler, and its settings.
//!
//! The keys of `sampler:` depend on the method, so the block is read after `method:`; every key
//! is optional and falls back to the defaults of `GridConfig`, `SobolConfig`, `TpeConfig`,
//! `BayesConfig`, `CmaEsConfig`, `Nsga2Config` and `Nsga3Config`.

use crate::words::found_number;
use crate::{
    Acquisition, BayesConfig, CmaEsConfig, Crossover, GridConfig, IndependentSampler, Method,
    Nsga2Config, Nsga3Config, Restart, SobolConfig, TpeConfig, BLX_ALPHA,
};

use super::decoder::{scalar, Decoder, Fields};
use super::other_samplers::{OTHER_ACQUISITIONS, OTHER_NAMES, OTHER_SETTINGS, SAMPLER_IS_METHOD};
use super::tree::{Node, Scalar};

const GRID_KEYS: &[&str] = &["shuffle"];

const SOBOL_KEYS: &[&str] = &["scramble"];

const TPE_KEYS: &[&str] = &[
    "n_startup_trials",
    "n_ei_candidates",
    "multivariate",
    "constant_liar",
    "gamma",
    "prior_weight",
    "magic_clip",
];

const BAYES_KEYS: &[&str] = &[
    "n_startup_trials",
    "n_candidates",
    "n_local_search",
    "constant_liar",
    "acquisition",
    "kappa",
    "greedy_tail",
];

const CMAES_KEYS: &[&str] = &[
    "n_startup_trials",
    "popsize",
    "sigma0",
    "independent_sampler",
    "restart_strategy",
    "with_margin",
    "lr_adapt",
    "use_separable_cma",
];

const NSGA2_KEYS: &[&str] = &[
    "population_size",
    "mutation_prob",
    "crossover_prob",
    "crossover",
    "sbx_eta",
    "blx_alpha",
    "swapping_prob",
];

/// The key `nsga3` takes beyond `nsga2`'s.
const NSGA3_KEY: &str = "dividing_parameter";

/// Each method's `sampler:` keys, in groups.
const METHOD_KEYS: &[(&str, &[&[&str]])] = &[
    ("grid", &[GRID_KEYS]),
    ("sobol", &[SOBOL_KEYS]),
    ("tpe", &[TPE_KEYS]),
    ("bayes", &[BAYES_KEYS]),
    ("cmaes", &[CMAES_KEYS]),
    ("nsga2", &[NSGA2_KEYS]),
    ("nsga3", &[NSGA2_KEYS, &[NSGA3_KEY]]),
];

/// The values of `crossover`, in the order listed in messages.
const CROSSOVERS: &[&str] = &["uniform", "sbx", "blx"];

/// The acquisition names, in the order listed in messages.
const ACQUISITIONS: &[&str] = &["log_ei", "ucb"];

/// Reads `sampler:` for method `method` (its keys in `METHOD_KEYS`): a key of another method's
/// block is reported as that method's (a file that changed `method:` and kept its settings),
/// any other unknown key as unknown.
fn sampler_fields<'n>(d: &mut Decoder, node: &'n Node, method: &str) -> Option<Fields<'n>> {
    let keys: Vec<&str> = keys_of(method).collect();
    let fields = d.mapping(node, "sampler")?;
    for entry in fields.entries {
        if keys.contains(&entry.key.as_str()) {
            continue;
        }
        // Optuna's `sampler: {type: TPESampler}`: here the sampler is the method.
        if entry.key == "type" {
            let here = match scalar(&entry.value) {
                Some(Scalar::Str(name)) => {
                    let lower = name.to_ascii_lowercase();
                    let ours = OTHER_NAMES
                        .iter()
                        .find(|(other, _)| *other == lower)
                        .map(|(_, ours)| *ours)
                        .or_else(|| {
                            Method::all()
                                .map(|m| m.name())
                                .into_iter()
                                .find(|m| *m == lower)
                        });
                    match ours {
                        Some(ours) => format!(
                            "how Optuna names a sampler; here the sampler is `method:`, at the \
                             top of the file: `{}` is `method: {ours}`",
                            super::shorten(name)
                        ),
                        None => SAMPLER_IS_METHOD.to_string(),
                    }
                }
                _ => SAMPLER_IS_METHOD.to_string(),
            };
            d.misplaced_key(entry, "sampler", &keys, Some(&here));
            continue;
        }
        let other = OTHER_SETTINGS.iter().find(|(key, _, stands_for)| {
            *key == entry.key && stands_for.is_none_or(|k| keys.contains(&k))
        });
        if let Some((_, here, _)) = other {
            d.misplaced_key(entry, "sampler", &keys, Some(here));
            continue;
        }
        let owners: Vec<String> = METHOD_KEYS
            .iter()
            .filter(|(name, _)| keys_of(name).any(|k| k == entry.key))
            .map(|(name, _)| format!("`{name}`"))
            .collect();
        let place = match owners.as_slice() {
            [] => None,
            [one] => Some(format!("a setting of {one}, not of `{method}`")),
            [rest @ .., last] => Some(format!(
                "a setting of {} and {last}, not of `{method}`",
                rest.join(", ")
            )),
        };
        d.misplaced_key(entry, "sampler", &keys, place.as_deref());
    }
    Some(fields)
}

/// Returns the `sampler:` keys of method `method` (none for a method without settings).
fn keys_of(method: &str) -> impl Iterator<Item = &'static str> + '_ {
    METHOD_KEYS
        .iter()
        .filter(move |(name, _)| *name == method)
        .flat_map(|(_, groups)| groups.iter().flat_map(|g| g.iter().copied()))
}

/// Reads `method:`; the sampler's settings start at their defaults.
pub(super) fn method(d: &mut Decoder, node: &Node) -> Option<Method> {
    if let Some(Scalar::Str(name)) = scalar(node) {
        let lower = name.to_ascii_lowercase();
        if let Some((_, ours)) = OTHER_NAMES.iter().find(|(other, _)| *other == lower) {
            d.error(
                node.pos,
                "method",
                format!(
                    "unknown method `{name}`; that sampler is `{ours}` here; expected one of {}",
                    Method::all().map(|m| m.name()).join(", ")
                ),
            );
            return None;
        }
    }
    let names = Method::all().map(|m| m.name());
    Method::named(d.choice(node, "method", "method", &names)?)
}

/// Reads `sampler:` into the settings of `method`.
pub(super) fn settings(d: &mut Decoder, method: Method, node: &Node) -> Option<Method> {
    // `sampler: tpe`, as Optuna names its samplers: a mapping is expected whatever the method.
    d.mapping(node, "sampler")?;
    match method {
        Method::Random => {
            d.error(
                node.pos,
                "sampler",
                "method `random` has no settings; `sampler:` applies to grid, sobol, tpe, bayes, \
                 cmaes, nsga2 and nsga3",
            );
            None
        }
        Method::Grid(default) => {
            let f = sampler_fields(d, node, "grid")?;
            let shuffle = d.flag(&f, "shuffle", default.shuffle);
            Some(Method::Grid(GridConfig { shuffle: shuffle? }))
        }
        Method::Sobol(default) => {
            let f = sampler_fields(d, node, "sobol")?;
            let scramble = d.flag(&f, "scramble", default.scramble);
            Some(Method::Sobol(SobolConfig {
                scramble: scramble?,
            }))
        }
        Method::Tpe(default) => {
            let f = sampler_fields(d, node, "tpe")?;
            let n_startup_trials = count(d, &f, "n_startup_trials", 0, default.n_startup_trials);
            let n_ei_candidates = count_to(
                d,
                &f,
                "n_ei_candidates",
                (1, MAX_CANDIDATES),
                default.n_ei_candidates,
            );
            let multivariate = match f.get("multivariate") {
                None => Some(default.multivariate),
                Some(_) => d.flag(&f, "multivariate", true).map(Some),
            };
            let constant_liar = d.flag(&f, "constant_liar", default.constant_liar);
            let gamma = real(d, &f, "gamma", default.gamma, Range::UnitOpenBelow);
            let prior_weight = real(d, &f, "prior_weight", default.prior_weight, Range::Positive);
            let magic_clip = d.flag(&f, "magic_clip", default.magic_clip);
            Some(Method::Tpe(TpeConfig {
                n_startup_trials: n_startup_trials?,
                n_ei_candidates: n_ei_candidates?,
                multivariate: multivariate?,
                constant_liar: constant_liar?,
                gamma: gamma?,
                prior_weight: prior_weight?,
                magic_clip: magic_clip?,
            }))
        }
        Method::Bayes(default) => {
            let f = sampler_fields(d, node, "bayes")?;
            let n_startup_trials = count(d, &f, "n_startup_trials", 0, default.n_startup_trials);
            let n_candidates = count_to(
                d,
                &f,
                "n_candidates",
                (1, MAX_CANDIDATES),
                default.n_candidates,
            );
            let n_local_search = count_to(
                d,
                &f,
                "n_local_search",
                (0, MAX_POPULATION),
                default.n_local_search,
            );
            let constant_liar = d.flag(&f, "constant_liar", default.constant_liar);
            let acquisition = acquisition(d, &f, default.acquisition);
            Some(Method::Bayes(BayesConfig {
                n_startup_trials: n_startup_trials?,
                n_candidates: n_candidates?,
                n_local_search: n_local_search?,
                constant_liar: constant_liar?,
                acquisition: acquisition?,
            }))
        }
        Method::CmaEs(default) => cmaes(d, node, default),
        Method::Nsga2(default) => {
            let f = sampler_fields(d, node, "nsga2")?;
            genetic(d, &f, default).map(Method::Nsga2)
        }
        Method::Nsga3(default) => {
            let f = sampler_fields(d, node, "nsga3")?;
            let genetic = genetic(d, &f, default.genetic);
            let dividing_parameter = count(d, &f, NSGA3_KEY, 1, default.dividing_parameter);
            Some(Method::Nsga3(Nsga3Config {
                genetic: genetic?,
                dividing_parameter: dividing_parameter?,
            }))
        }
    }
}

/// Reads the settings `nsga2` and `nsga3` share: generations, crossover and mutation.
fn genetic(d: &mut Decoder, f: &Fields<'_>, default: Nsga2Config) -> Option<Nsga2Config> {
    let population_size = count_to(
        d,
        f,
        "population_size",
        (2, MAX_POPULATION),
        default.population_size,
    );
    let mutation_prob = match f.get("mutation_prob") {
        None => Some(default.mutation_prob),
        Some(_) => real(d, f, "mutation_prob", 0.0, Range::Unit).map(Some),
    };
    let crossover_prob = real(d, f, "crossover_prob", default.crossover_prob, Range::Unit);
    let crossover = crossover(d, f, default.crossover);
    let swapping_prob = real(d, f, "swapping_prob", default.swapping_prob, Range::Unit);
    Some(Nsga2Config {
        population_size: population_size?,
        mutation_prob: mutation_prob?,
        crossover_prob: crossover_prob?,
        crossover: crossover?,
        swapping_prob: swapping_prob?,
    })
}

/// Reads the settings of `cmaes`: `popsize` at least 2 (the best half of a generation moves it).
fn cmaes(d: &mut Decoder, node: &Node, default: CmaEsConfig) -> Option<Method> {
    let f = sampler_fields(d, node, "cmaes")?;
    let n_startup_trials = count(d, &f, "n_startup_trials", 0, default.n_startup_trials);
    let popsize = match f.get("popsize") {
        None => Some(default.popsize),
        Some(_) => count_to(d, &f, "popsize", (2, MAX_POPULATION), 2).map(Some),
    };
    let sigma0 = real(d, &f, "sigma0", default.sigma0, Range::Positive);
    let independent_sampler = named(
        d,
        &f,
        ("independent_sampler", "independent sampler"),
        &IndependentSampler::ALL,
        IndependentSampler::name,
        default.independent_sampler,
    );
    let restart = named(
        d,
        &f,
        ("restart_strategy", "restart strategy"),
        &Restart::ALL,
        Restart::name,
        default.restart,
    );
    let with_margin = d.flag(&f, "with_margin", default.with_margin);
    let lr_adapt = d.flag(&f, "lr_adapt", default.lr_adapt);
    let use_separable_cma = d.flag(&f, "use_separable_cma", default.use_separable_cma);
    Some(Method::CmaEs(CmaEsConfig {
        n_startup_trials: n_startup_trials?,
        popsize: popsize?,
        sigma0: sigma0?,
        independent_sampler: independent_sampler?,
        restart: restart?,
        with_margin: with_margin?,
        lr_adapt: lr_adapt?,
        use_separable_cma: use_separable_cma?,
    }))
}

/// Reads `crossover` and the `sbx_eta` that only `sbx` takes, and the `blx_alpha` that only
/// `blx` takes.
fn crossover(d: &mut Decoder, f: &Fields<'_>, default: Crossover) -> Option<Crossover> {
    let default_name = default.name();
    let name = match f.get("crossover") {
        None => default_name,
        Some(n) => d.choice(n, &f.path("crossover"), "crossover", CROSSOVERS)?,
    };
    for (key, owner) in [("sbx_eta", "sbx"), ("blx_alpha", "blx")] {
        if let Some(n) = f.get(key).filter(|_| name != owner) {
            d.error(
                n.pos,
                &f.path(key),
                format!("applies only with `crossover: {owner}`"),
            );
            return None;
        }
    }
    match name {
        "sbx" => {
            let eta = match f.get("sbx_eta") {
                None => None,
                Some(_) => Some(real(d, f, "sbx_eta", 20.0, Range::Positive)?),
            };
            Some(Crossover::Sbx { eta })
        }
        "blx" => {
            let alpha = real(d, f, "blx_alpha", BLX_ALPHA, Range::NonNegative)?;
            Some(Crossover::Blx { alpha })
        }
        _ => Some(Crossover::Uniform),
    }
}

/// Reads the setting `key` (called `what` in messages), one of `all` by `name_of`; `default`
/// when absent.
fn named<T: Copy>(
    d: &mut Decoder,
    f: &Fields<'_>,
    (key, what): (&str, &str),
    all: &[T],
    name_of: fn(T) -> &'static str,
    default: T,
) -> Option<T> {
    let Some(n) = f.get(key) else {
        return Some(default);
    };
    let names: Vec<&str> = all.iter().map(|v| name_of(*v)).collect();
    let name = d.choice(n, &f.path(key), what, &names)?;
    all.iter().copied().find(|v| name_of(*v) == name)
}

/// Reads `acquisition`, the `kappa` that only `ucb` takes and the `greedy_tail` that only
/// `log_ei` takes.
fn acquisition(d: &mut Decoder, f: &Fields<'_>, default: Acquisition) -> Option<Acquisition> {
    let name = match f.get("acquisition") {
        None => None,
        Some(n) => {
            if let Some(Scalar::Str(other)) = scalar(n) {
                let lower = other.to_ascii_lowercase();
                if let Some((_, ours)) = OTHER_ACQUISITIONS.iter().find(|(o, _)| *o == lower) {
                    d.error(
                        n.pos,
                        &f.path("acquisition"),
                        format!(
                            "unknown acquisition `{other}`; {ours}; expected one of {}",
                            ACQUISITIONS.join(", ")
                        ),
                    );
                    return None;
                }
            }
            Some(d.choice(n, &f.path("acquisition"), "acquisition", ACQUISITIONS)?)
        }
    };
    let ucb = name.map_or(matches!(default, Acquisition::Ucb { .. }), |n| n == "ucb");
    let (own, other, needs) = if ucb {
        ("kappa", "greedy_tail", "log_ei")
    } else {
        ("greedy_tail", "kappa", "ucb")
    };
    let misplaced = f.get(other).map(|n| {
        d.error(
            n.pos,
            &f.path(other),
            format!("applies only with `acquisition: {needs}`"),
        );
    });
    let acquisition = if ucb {
        real(d, f, own, Acquisition::DEFAULT_KAPPA, Range::Positive)
            .map(|kappa| Acquisition::Ucb { kappa })
    } else {
        real(d, f, own, Acquisition::DEFAULT_GREEDY_TAIL, Range::Unit)
            .map(|greedy_tail| Acquisition::LogEi { greedy_tail })
    };
    acquisition.filter(|_| misplaced.is_none())
}

/// Which real numbers a setting accepts.
#[derive(Debug, Clone, Copy)]
enum Range {
    /// (0, 1].
    UnitOpenBelow,
    /// [0, 1].
    Unit,
    /// (0, inf).
    Positive,
    /// [0, inf).
    NonNegative,
}

/// Reads an integer from `min` to `u32::MAX`.
fn count(d: &mut Decoder, f: &Fields<'_>, key: &str, min: u32, default: u32) -> Option<u32> {
    count_to(d, f, key, (min, u32::MAX), default)
}

/// The most candidates a sampler scores per suggestion (`n_ei_candidates`, `n_candidates`):
/// each is a point held in memory, and a million already take seconds a suggestion.
const MAX_CANDIDATES: u32 = 1_000_000;

/// The most trials in a generation (`popsize`, `population_size`), or starts of local search
/// (`n_local_search`): each holds a point, and a generation's trials are drawn together.
const MAX_POPULATION: u32 = 100_000;

/// Reads the count `key`, from `min` to `max`, or `default` when absent.
fn count_to(
    d: &mut Decoder,
    f: &Fields<'_>,
    key: &str,
    (min, max): (u32, u32),
    default: u32,
) -> Option<u32> {
    let Some(n) = f.get(key) else {
        return Some(default);
    };
    d.count_in(n, &f.path(key), (min, max))
}

fn real(d: &mut Decoder, f: &Fields<'_>, key: &str, default: f64, range: Range) -> Option<f64> {
    let Some(n) = f.get(key) else {
        return Some(default);
    };
    let path = f.path(key);
    let x = d.number(n, &path)?;
    let (ok, want) = match range {
        Range::UnitOpenBelow => (x > 0.0 && x <= 1.0, "in (0, 1]"),
        Range::Unit => ((0.0..=1.0).contains(&x), "in [0, 1]"),
        Range::Positive => (x > 0.0, "positive"),
        Range::NonNegative => (x >= 0.0, "at least 0"),
    };
    if !ok {
        d.error(
            n.pos,
            &path,
            format!("must be {want}, found {}", found_number(x, &[0.0, 1.0])),
        );
        return None;
    }
    Some(x)
}
