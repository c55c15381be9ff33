//! The names the notation writes, and how the YAML writes each: the reader's tables.

/// Names written alone, and how the YAML writes them.
pub(super) const UNITS: &[(&str, &str)] = &[
    ("None", "none"),
    ("true", "true"),
    ("false", "false"),
    ("Random", "random"),
    ("Tpe", "tpe"),
    ("Ipop", "ipop"),
    ("Bipop", "bipop"),
    ("Uniform", "uniform"),
    ("Csv", "csv"),
    ("Standard", "standard"),
    ("MinMax", "minmax"),
    ("Classification", "classification"),
    ("Regression", "regression"),
    ("Error", "error"),
    ("Drop", "drop"),
    ("Mean", "mean"),
    ("Median", "median"),
    ("Mlp", "mlp"),
    ("Cnn", "cnn"),
    ("Cpu", "cpu"),
    ("Cuda", "cuda"),
    ("Auto", "auto"),
];

/// Methods, each with its settings: `grid (shuffle: false)`.
pub(super) const METHODS: &[(&str, &str)] = &[
    ("Grid", "grid"),
    ("Sobol", "sobol"),
    ("Tpe", "tpe"),
    ("Bayes", "bayes"),
    ("CmaEs", "cmaes"),
    ("Nsga2", "nsga2"),
    ("Nsga3", "nsga3"),
];

/// Calls shown as a word and their value: `experiment old`, `constant true`.
pub(super) const TAGGED: &[(&str, &str)] = &[
    ("Experiment", "experiment"),
    ("Csv", "csv"),
    ("Constant", "constant"),
];

/// Calls that only wrap a value, shown as the value: `Some(3)` as `3`.
pub(super) const WRAPPERS: &[&str] = &["Some", "Int", "Float", "Str", "Bool"];

/// Settings blocks, shown as a YAML mapping: `{validation: 0.2, test: 0.2, stratify: true}`.
pub(super) const BLOCKS: &[&str] = &[
    "GridConfig",
    "SobolConfig",
    "TpeConfig",
    "BayesConfig",
    "CmaEsConfig",
    "Nsga2Config",
    "Nsga3Config",
    "SplitSpec",
    "ImageShape",
    "EarlyStopping",
    "CheckpointSpec",
    "WarmStart",
];

/// Kinds with settings, shown as their name and settings: `asha (min_resource: 2, ..)`.
pub(super) const KINDS: &[(&str, &str)] = &[
    ("LogEi", "log_ei"),
    ("Ucb", "ucb"),
    ("Sbx", "sbx"),
    ("Blx", "blx"),
    ("Median", "median"),
    ("Percentile", "percentile"),
    ("Threshold", "threshold"),
    ("Asha", "asha"),
    ("Hyperband", "hyperband"),
    ("Patience", "patience"),
    ("Idx", "idx"),
];

/// Distributions, shown as the YAML's `distribution:` names them: `normal(mu 1.0, sigma 0.5)`.
pub(super) const DISTRIBUTIONS: &[(&str, &str)] = &[
    ("IntUniform", "int_uniform"),
    ("Uniform", "uniform"),
    ("QUniform", "q_uniform"),
    ("LogUniform", "log_uniform"),
    ("LogUniformValues", "log_uniform_values"),
    ("QLogUniformValues", "q_log_uniform_values"),
    ("Normal", "normal"),
    ("LogNormal", "log_normal"),
    ("QLogUniform", "q_log_uniform"),
    ("InvLogUniform", "inv_log_uniform"),
    ("InvLogUniformValues", "inv_log_uniform_values"),
    ("QNormal", "q_normal"),
    ("QLogNormal", "q_log_normal"),
    ("Beta", "beta"),
    ("QBeta", "q_beta"),
];

/// Returns what `table` pairs `name` with.
pub(super) fn lookup(table: &[(&str, &'static str)], name: &str) -> Option<&'static str> {
    table.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// Settings whose `None` stands for a value a rule decides, shown as `auto` rather than `none`
/// (which reads as their opposite), or for every one, shown as `all`: each block's field with
/// its word. (`auto` is what the file leaves out; the file takes no such word.)
const AUTO: &[(&str, &str, &str)] = &[
    // By the number of objectives.
    ("TpeConfig", "multivariate", "auto"),
    ("Sbx", "eta", "auto"),
    // By the number of parameters.
    ("CmaEsConfig", "popsize", "auto"),
    ("Nsga2Config", "mutation_prob", "auto"),
    // Every one that had finished when the experiment was created.
    ("WarmStart", "trials", "all"),
];

/// Lines whose `None` stands for a value decided later: one trial a core; the task inferred
/// from the target column.
const AUTO_LINES: &[&str] = &["parallel", "data.task"];

/// Returns the word for `None` in field `field` of `block` (or, with `block` empty, on the line
/// `field`) where it stands for a value a rule decides (`auto`) or for every one (`all`).
pub(super) fn auto(block: &str, field: &str) -> Option<&'static str> {
    if block.is_empty() {
        AUTO_LINES.contains(&field).then_some("auto")
    } else {
        of_field(AUTO, block, field)
    }
}

/// Fields the YAML names otherwise: each block's field and the YAML's key.
const RENAMED: &[(&str, &str, &str)] = &[("CmaEsConfig", "restart", "restart_strategy")];

/// Returns the YAML's key for field `field` of `block`.
pub(super) fn renamed<'a>(block: &str, field: &'a str) -> &'a str {
    of_field(RENAMED, block, field).unwrap_or(field)
}

/// How the YAML writes a field whose value has settings of its own, side by side with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flattened {
    /// The kind's name as the field, then its settings, each prefixed by the kind's name:
    /// `crossover: sbx, sbx_eta: 20.0`.
    KindPrefixed,
    /// The kind's name as the field, then its settings as they are: `acquisition: ucb, kappa:
    /// 2.0`.
    Kind,
    /// The settings of the block it holds, in its place: `nsga3`'s `genetic`.
    Inline,
    /// The call's word as the key, its value as the value: `experiment: old`.
    Tagged,
}

/// Fields the YAML writes flat, by block and field.
const FLATTENED: &[(&str, &str, Flattened)] = &[
    ("Nsga2Config", "crossover", Flattened::KindPrefixed),
    ("BayesConfig", "acquisition", Flattened::Kind),
    ("Nsga3Config", "genetic", Flattened::Inline),
    ("WarmStart", "source", Flattened::Tagged),
];

/// Returns how the YAML writes field `field` of `block` flat, if it does.
pub(super) fn flattened(block: &str, field: &str) -> Option<Flattened> {
    of_field(FLATTENED, block, field)
}

/// Returns what `table` (by block and field) gives field `field` of `block`.
fn of_field<T: Copy>(table: &[(&str, &str, T)], block: &str, field: &str) -> Option<T> {
    table
        .iter()
        .find(|(b, f, _)| *b == block && *f == field)
        .map(|(_, _, value)| *value)
}
