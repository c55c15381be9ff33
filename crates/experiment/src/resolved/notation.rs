//! The notation of the values of the resolved spec, written out for each type.
//!
//! It is the notation the versions that stored the first run records got from `Debug`:
//! `Name { field: value, .. }`, `Name(value)`, `Some(x)` and `None`, `[a, b]`, `{"key": value}`,
//! text quoted with Rust's escapes, floats as Rust's `{:?}` writes them (`0.1`, `1.0`, `1e-7`).
//! Records hold that text, an experiment resumes only while its spec still resolves to it
//! (`ExperimentSpec::resolves_as`), and `same_search` reads its `method:` and `pruner:` lines
//! back in it. So it is kept byte for byte, by hand: renaming a field or a variant in the code
//! changes no record (the test of `resolved.rs` holds the text of every kind of value). A new
//! setting is added to its type's notation here, which is when its record text is decided.
//!
//! The one exception: records of earlier versions wrote an IDX labels file and a warm start's
//! file of results with where the spec writes them (`Located { value: "exp/l.idx", location:
//! Location { file: "exp/s.yaml", line: 4, column: 37 } }`), so that a comment above them
//! changed the resolved spec. This version writes the file alone (`"exp/l.idx"`), and
//! `without_positions` reads an earlier record so, for comparing it with this version's text.
//!
//! Rejected: the derived `Debug` (STYLE rule 6: what is stored is written by an explicit
//! conversion, so that a rename in the code never silently changes it); a new notation (every
//! record written so far would read as another configuration, and no stored experiment could
//! resume).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::{
    Acquisition, BayesConfig, CheckpointSpec, CmaEsConfig, Crossover, DataFormat, DeviceChoice,
    Distribution, EarlyStopping, GridConfig, ImageShape, IndependentSampler, Method, MissingValues,
    ModelKind, Normalize, Nsga2Config, Nsga3Config, ParamValue, PrunerSpec, Restart, SobolConfig,
    SplitSpec, Task, TpeConfig, WarmSource, WarmStart,
};

/// A value of the resolved spec, in its notation.
pub(super) trait Notation {
    /// Returns the value in the notation of the resolved spec.
    fn notation(&self) -> String;
}

/// Returns the resolved spec `resolved` with each value that records of earlier versions wrote
/// with its position in the spec file (`Located { value: "exp/l.idx", location: Location {
/// file: "exp/s.yaml", line: 4, column: 37 } }`, an IDX labels file or a warm start's file of
/// results) written as its value alone (`"exp/l.idx"`), as this version writes it; any other
/// text is kept as it is.
pub(super) fn without_positions(resolved: &str) -> String {
    const OPEN: &str = "Located { value: ";
    let mut out = String::with_capacity(resolved.len());
    let mut rest = resolved;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let after = &rest[at + OPEN.len()..];
        match located_value(after) {
            Some((value, tail)) => {
                out.push_str(value);
                rest = tail;
            }
            None => {
                out.push_str(OPEN);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reads `"value", location: Location { file: "...", line: N, column: M } }` at the start of
/// `text`: returns the quoted value and the text after it, or `None` when `text` does not
/// start so.
fn located_value(text: &str) -> Option<(&str, &str)> {
    let (value, rest) = text.split_at(quoted_len(text)?);
    let rest = rest.strip_prefix(", location: Location { file: ")?;
    let rest = &rest[quoted_len(rest)?..];
    let rest = after_digits(rest.strip_prefix(", line: ")?)?;
    let rest = after_digits(rest.strip_prefix(", column: ")?)?;
    Some((value, rest.strip_prefix(" } }")?))
}

/// Returns `text` after the digits it starts with; `None` when it starts with none.
fn after_digits(text: &str) -> Option<&str> {
    let rest = text.trim_start_matches(|c: char| c.is_ascii_digit());
    (rest.len() < text.len()).then_some(rest)
}

/// Returns the length in bytes of the quoted text at the start of `text`, quotes included, as
/// `quoted` writes it (a quote inside is escaped); `None` when `text` starts with none.
pub(super) fn quoted_len(text: &str) -> Option<usize> {
    let body = text.strip_prefix('"')?;
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Some(i + 2),
            _ => {}
        }
    }
    None
}

/// Returns `Name { field: value, .. }`.
fn record(name: &str, fields: &[(&str, String)]) -> String {
    let fields: Vec<String> = fields.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("{name} {{ {} }}", fields.join(", "))
}

/// Returns `Name(value)`.
fn call(name: &str, value: &str) -> String {
    format!("{name}({value})")
}

/// Returns `text` quoted, with Rust's escapes (`"a \"b\"\t"`): std's notation of text, which
/// no type of ours decides.
fn quoted(text: &str) -> String {
    format!("{text:?}")
}

impl Notation for f64 {
    /// Returns the float as Rust writes it with `{:?}`: std's notation, shortest round-trip,
    /// `1.0` for a whole number, an exponent for very small or large ones (`1e-7`).
    fn notation(&self) -> String {
        format!("{self:?}")
    }
}

impl Notation for bool {
    fn notation(&self) -> String {
        self.to_string()
    }
}

impl Notation for u32 {
    fn notation(&self) -> String {
        self.to_string()
    }
}

impl Notation for usize {
    fn notation(&self) -> String {
        self.to_string()
    }
}

impl Notation for i64 {
    fn notation(&self) -> String {
        self.to_string()
    }
}

impl Notation for str {
    fn notation(&self) -> String {
        quoted(self)
    }
}

impl Notation for String {
    fn notation(&self) -> String {
        quoted(self)
    }
}

impl Notation for Path {
    /// Returns the path quoted as text; one that is not UTF-8 (only a folder of the spec can
    /// make it so) as std writes it, its bytes escaped.
    fn notation(&self) -> String {
        match self.to_str() {
            Some(text) => quoted(text),
            None => format!("{self:?}"),
        }
    }
}

impl Notation for PathBuf {
    fn notation(&self) -> String {
        self.as_path().notation()
    }
}

impl<T: Notation> Notation for Option<T> {
    fn notation(&self) -> String {
        match self {
            Some(value) => call("Some", &value.notation()),
            None => "None".to_string(),
        }
    }
}

impl<T: Notation> Notation for [T] {
    fn notation(&self) -> String {
        let items: Vec<String> = self.iter().map(Notation::notation).collect();
        format!("[{}]", items.join(", "))
    }
}

impl<T: Notation> Notation for Vec<T> {
    fn notation(&self) -> String {
        self.as_slice().notation()
    }
}

impl<T: Notation> Notation for BTreeMap<String, T> {
    fn notation(&self) -> String {
        let entries: Vec<String> = self
            .iter()
            .map(|(k, v)| format!("{}: {}", quoted(k), v.notation()))
            .collect();
        format!("{{{}}}", entries.join(", "))
    }
}

impl Notation for Method {
    fn notation(&self) -> String {
        match self {
            Method::Grid(c) => call("Grid", &c.notation()),
            Method::Random => "Random".to_string(),
            Method::Sobol(c) => call("Sobol", &c.notation()),
            Method::Tpe(c) => call("Tpe", &c.notation()),
            Method::Bayes(c) => call("Bayes", &c.notation()),
            Method::CmaEs(c) => call("CmaEs", &c.notation()),
            Method::Nsga2(c) => call("Nsga2", &c.notation()),
            Method::Nsga3(c) => call("Nsga3", &c.notation()),
        }
    }
}

impl Notation for GridConfig {
    fn notation(&self) -> String {
        let GridConfig { shuffle } = self;
        record("GridConfig", &[("shuffle", shuffle.notation())])
    }
}

impl Notation for SobolConfig {
    fn notation(&self) -> String {
        let SobolConfig { scramble } = self;
        record("SobolConfig", &[("scramble", scramble.notation())])
    }
}

impl Notation for TpeConfig {
    fn notation(&self) -> String {
        let TpeConfig {
            n_startup_trials,
            n_ei_candidates,
            multivariate,
            constant_liar,
            gamma,
            prior_weight,
            magic_clip,
        } = self;
        record(
            "TpeConfig",
            &[
                ("n_startup_trials", n_startup_trials.notation()),
                ("n_ei_candidates", n_ei_candidates.notation()),
                ("multivariate", multivariate.notation()),
                ("constant_liar", constant_liar.notation()),
                ("gamma", gamma.notation()),
                ("prior_weight", prior_weight.notation()),
                ("magic_clip", magic_clip.notation()),
            ],
        )
    }
}

impl Notation for BayesConfig {
    fn notation(&self) -> String {
        let BayesConfig {
            n_startup_trials,
            n_candidates,
            n_local_search,
            constant_liar,
            acquisition,
        } = self;
        record(
            "BayesConfig",
            &[
                ("n_startup_trials", n_startup_trials.notation()),
                ("n_candidates", n_candidates.notation()),
                ("n_local_search", n_local_search.notation()),
                ("constant_liar", constant_liar.notation()),
                ("acquisition", acquisition.notation()),
            ],
        )
    }
}

impl Notation for Acquisition {
    fn notation(&self) -> String {
        match self {
            Acquisition::LogEi { greedy_tail } => {
                record("LogEi", &[("greedy_tail", greedy_tail.notation())])
            }
            Acquisition::Ucb { kappa } => record("Ucb", &[("kappa", kappa.notation())]),
        }
    }
}

impl Notation for CmaEsConfig {
    fn notation(&self) -> String {
        let CmaEsConfig {
            n_startup_trials,
            popsize,
            sigma0,
            independent_sampler,
            restart,
            with_margin,
            lr_adapt,
            use_separable_cma,
        } = self;
        record(
            "CmaEsConfig",
            &[
                ("n_startup_trials", n_startup_trials.notation()),
                ("popsize", popsize.notation()),
                ("sigma0", sigma0.notation()),
                ("independent_sampler", independent_sampler.notation()),
                ("restart", restart.notation()),
                ("with_margin", with_margin.notation()),
                ("lr_adapt", lr_adapt.notation()),
                ("use_separable_cma", use_separable_cma.notation()),
            ],
        )
    }
}

impl Notation for IndependentSampler {
    fn notation(&self) -> String {
        match self {
            IndependentSampler::Random => "Random",
            IndependentSampler::Tpe => "Tpe",
        }
        .to_string()
    }
}

impl Notation for Restart {
    fn notation(&self) -> String {
        match self {
            Restart::None => "None",
            Restart::Ipop => "Ipop",
            Restart::Bipop => "Bipop",
        }
        .to_string()
    }
}

impl Notation for Nsga2Config {
    fn notation(&self) -> String {
        let Nsga2Config {
            population_size,
            mutation_prob,
            crossover_prob,
            crossover,
            swapping_prob,
        } = self;
        record(
            "Nsga2Config",
            &[
                ("population_size", population_size.notation()),
                ("mutation_prob", mutation_prob.notation()),
                ("crossover_prob", crossover_prob.notation()),
                ("crossover", crossover.notation()),
                ("swapping_prob", swapping_prob.notation()),
            ],
        )
    }
}

impl Notation for Crossover {
    fn notation(&self) -> String {
        match self {
            Crossover::Uniform => "Uniform".to_string(),
            Crossover::Sbx { eta } => record("Sbx", &[("eta", eta.notation())]),
            Crossover::Blx { alpha } => record("Blx", &[("alpha", alpha.notation())]),
        }
    }
}

impl Notation for Nsga3Config {
    fn notation(&self) -> String {
        let Nsga3Config {
            genetic,
            dividing_parameter,
        } = self;
        record(
            "Nsga3Config",
            &[
                ("genetic", genetic.notation()),
                ("dividing_parameter", dividing_parameter.notation()),
            ],
        )
    }
}

impl Notation for PrunerSpec {
    fn notation(&self) -> String {
        match self {
            PrunerSpec::None => "None".to_string(),
            PrunerSpec::Median {
                n_startup_trials,
                n_warmup_steps,
            } => record(
                "Median",
                &[
                    ("n_startup_trials", n_startup_trials.notation()),
                    ("n_warmup_steps", n_warmup_steps.notation()),
                ],
            ),
            PrunerSpec::Percentile {
                percentile,
                n_startup_trials,
                n_warmup_steps,
            } => record(
                "Percentile",
                &[
                    ("percentile", percentile.notation()),
                    ("n_startup_trials", n_startup_trials.notation()),
                    ("n_warmup_steps", n_warmup_steps.notation()),
                ],
            ),
            PrunerSpec::Threshold {
                lower,
                upper,
                n_warmup_steps,
            } => record(
                "Threshold",
                &[
                    ("lower", lower.notation()),
                    ("upper", upper.notation()),
                    ("n_warmup_steps", n_warmup_steps.notation()),
                ],
            ),
            PrunerSpec::Asha {
                min_resource,
                reduction_factor,
            } => record(
                "Asha",
                &[
                    ("min_resource", min_resource.notation()),
                    ("reduction_factor", reduction_factor.notation()),
                ],
            ),
            PrunerSpec::Hyperband {
                min_resource,
                max_resource,
                reduction_factor,
                strict,
            } => record(
                "Hyperband",
                &[
                    ("min_resource", min_resource.notation()),
                    ("max_resource", max_resource.notation()),
                    ("reduction_factor", reduction_factor.notation()),
                    ("strict", strict.notation()),
                ],
            ),
            PrunerSpec::Patience {
                patience,
                min_delta,
                wrapped,
            } => record(
                "Patience",
                &[
                    ("patience", patience.notation()),
                    ("min_delta", min_delta.notation()),
                    ("wrapped", wrapped.notation()),
                ],
            ),
        }
    }
}

impl Notation for DataFormat {
    fn notation(&self) -> String {
        match self {
            DataFormat::Csv => "Csv".to_string(),
            // The file alone, not where the spec writes it: see `without_positions`.
            DataFormat::Idx { labels } => record("Idx", &[("labels", labels.value.notation())]),
        }
    }
}

impl Notation for SplitSpec {
    fn notation(&self) -> String {
        let SplitSpec {
            validation,
            test,
            stratify,
        } = self;
        record(
            "SplitSpec",
            &[
                ("validation", validation.notation()),
                ("test", test.notation()),
                ("stratify", stratify.notation()),
            ],
        )
    }
}

impl Notation for Normalize {
    fn notation(&self) -> String {
        match self {
            Normalize::None => "None",
            Normalize::Standard => "Standard",
            Normalize::MinMax => "MinMax",
        }
        .to_string()
    }
}

impl Notation for Task {
    fn notation(&self) -> String {
        match self {
            Task::Classification => "Classification",
            Task::Regression => "Regression",
        }
        .to_string()
    }
}

impl Notation for ImageShape {
    fn notation(&self) -> String {
        let ImageShape {
            height,
            width,
            channels,
        } = self;
        record(
            "ImageShape",
            &[
                ("height", height.notation()),
                ("width", width.notation()),
                ("channels", channels.notation()),
            ],
        )
    }
}

impl Notation for MissingValues {
    fn notation(&self) -> String {
        match self {
            MissingValues::Error => "Error",
            MissingValues::Drop => "Drop",
            MissingValues::Mean => "Mean",
            MissingValues::Median => "Median",
        }
        .to_string()
    }
}

impl Notation for ModelKind {
    fn notation(&self) -> String {
        match self {
            ModelKind::Mlp => "Mlp",
            ModelKind::Cnn => "Cnn",
        }
        .to_string()
    }
}

impl Notation for EarlyStopping {
    fn notation(&self) -> String {
        let EarlyStopping {
            metric,
            patience,
            min_delta,
        } = self;
        record(
            "EarlyStopping",
            &[
                ("metric", metric.notation()),
                ("patience", patience.notation()),
                ("min_delta", min_delta.notation()),
            ],
        )
    }
}

impl Notation for ParamValue {
    fn notation(&self) -> String {
        match self {
            ParamValue::Int(i) => call("Int", &i.notation()),
            ParamValue::Float(x) => call("Float", &x.notation()),
            ParamValue::Str(s) => call("Str", &s.notation()),
            ParamValue::Bool(b) => call("Bool", &b.notation()),
        }
    }
}

impl Notation for Distribution {
    fn notation(&self) -> String {
        // The two-number shapes, by name and field names.
        let two = |name: &str, (a, x): (&str, &f64), (b, y): (&str, &f64)| {
            record(name, &[(a, x.notation()), (b, y.notation())])
        };
        let three = |name: &str, (a, x): (&str, &f64), (b, y): (&str, &f64), q: &f64| {
            record(
                name,
                &[(a, x.notation()), (b, y.notation()), ("q", q.notation())],
            )
        };
        match self {
            Distribution::Constant(value) => call("Constant", &value.notation()),
            Distribution::Categorical {
                values,
                probabilities,
            } => record(
                "Categorical",
                &[
                    ("values", values.notation()),
                    ("probabilities", probabilities.notation()),
                ],
            ),
            Distribution::IntUniform { min, max } => record(
                "IntUniform",
                &[("min", min.notation()), ("max", max.notation())],
            ),
            Distribution::Uniform { min, max } => two("Uniform", ("min", min), ("max", max)),
            Distribution::QUniform { min, max, q } => {
                three("QUniform", ("min", min), ("max", max), q)
            }
            Distribution::LogUniform { min, max } => two("LogUniform", ("min", min), ("max", max)),
            Distribution::LogUniformValues { min, max } => {
                two("LogUniformValues", ("min", min), ("max", max))
            }
            Distribution::QLogUniformValues { min, max, q } => {
                three("QLogUniformValues", ("min", min), ("max", max), q)
            }
            Distribution::Normal { mu, sigma } => two("Normal", ("mu", mu), ("sigma", sigma)),
            Distribution::LogNormal { mu, sigma } => two("LogNormal", ("mu", mu), ("sigma", sigma)),
            Distribution::QLogUniform { min, max, q } => {
                three("QLogUniform", ("min", min), ("max", max), q)
            }
            Distribution::InvLogUniform { min, max } => {
                two("InvLogUniform", ("min", min), ("max", max))
            }
            Distribution::InvLogUniformValues { min, max } => {
                two("InvLogUniformValues", ("min", min), ("max", max))
            }
            Distribution::QNormal { mu, sigma, q } => {
                three("QNormal", ("mu", mu), ("sigma", sigma), q)
            }
            Distribution::QLogNormal { mu, sigma, q } => {
                three("QLogNormal", ("mu", mu), ("sigma", sigma), q)
            }
            Distribution::Beta { a, b } => two("Beta", ("a", a), ("b", b)),
            Distribution::QBeta { a, b, q } => three("QBeta", ("a", a), ("b", b), q),
        }
    }
}

impl Notation for DeviceChoice {
    fn notation(&self) -> String {
        match self {
            DeviceChoice::Cpu => "Cpu",
            DeviceChoice::Cuda => "Cuda",
            DeviceChoice::Auto => "Auto",
        }
        .to_string()
    }
}

impl Notation for CheckpointSpec {
    fn notation(&self) -> String {
        let CheckpointSpec { keep } = self;
        record("CheckpointSpec", &[("keep", keep.notation())])
    }
}

impl Notation for WarmStart {
    fn notation(&self) -> String {
        let WarmStart { source, trials } = self;
        record(
            "WarmStart",
            &[("source", source.notation()), ("trials", trials.notation())],
        )
    }
}

impl Notation for WarmSource {
    fn notation(&self) -> String {
        match self {
            WarmSource::Experiment(name) => call("Experiment", &name.notation()),
            WarmSource::Csv(file) => call("Csv", &file.value.notation()),
        }
    }
}
