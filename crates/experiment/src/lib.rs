//! The vocabulary of Sweep: experiment specs, search spaces, trials, metrics and the two seams
//! (`Objective`, `Reporter`) that join the study loop to a training engine.
//!
//! This crate is the root of the dependency graph and deliberately does no IO: it reads no file,
//! clock, environment or global random state. Parsing takes the YAML text as a `&str`; checks that
//! need the filesystem (does the data file exist?) belong to the crates that do IO.

mod checkpoint_files;
mod comma;
mod constraint;
mod digest;
mod edges;
mod effort;
mod error;
mod export;
mod filter;
mod gate;
mod grid;
mod idle;
mod ids;
mod knobs;
mod leaderboard;
mod list_order;
mod log_bounds;
mod method;
mod metric;
mod no_commit;
mod objective;
mod order;
pub mod pareto;
mod plateau;
mod pruning;
mod resolved;
mod resume_command;
mod same_search;
mod settings_yaml;
mod space;
mod spec;
mod standing;
mod stopping;
#[cfg(test)]
mod testing;
mod time;
mod trial;
mod warm_start;
mod words;
mod yaml;

pub use checkpoint_files::CheckpointFile;
pub use comma::{decimal_comma, decimal_comma_hint, thousands};
pub use constraint::{
    breaks_bound, broken, broken_text, feasibility, feasibility_text, feasible, violation,
    violation_of, Constraint,
};
pub use digest::{sha256_hex, short_hash};
pub use edges::{AtEdge, End};
pub use effort::{epochs_reported, Effort};
pub use error::{Error, Location, Result, SpecError, SpecErrors};
pub use export::{
    csv_cell, curves_csv, curves_csv_for_spreadsheets, trials_csv, trials_csv_for_spreadsheets,
    Curves, Judged, WALL_TIME_COLUMNS,
};
pub use filter::{Comparison, Field, FilterError, TrialFilter};
pub use gate::{
    gate_compared, repeat_seed, Aggregate, Baseline, BaselineMetric, BaselineMismatch, Estimate,
    GateReport, GateRow, GateSpec, GatedMetric, Provenance, RecordedRun, Verdict,
};
pub use idle::idle_knobs;
pub use ids::{trial_seed, Seed, Step, Timestamp, TrialId};
pub use knobs::{
    Activation, Hyperparams, Knob, KnobDefault, KnobKind, OptimizerKind, Schedule, KNOBS,
};
pub use leaderboard::{best_trial, extra_columns, pareto_front, rank_trials};
pub use list_order::{list_order, name_matches, ListColumn, ListedExperiment};
pub(crate) use method::BLX_ALPHA;
pub use method::{
    Acquisition, BayesConfig, CmaEsConfig, Crossover, GridConfig, IndependentSampler, Method,
    Nsga2Config, Nsga3Config, Restart, SobolConfig, TpeConfig,
};
pub(crate) use metric::out_of_range;
pub use metric::{
    Direction, MetricPoint, CONSTANT_METRICS, KNOWN_METRICS, TEST_METRIC_PREFIX, WALL_TIME_METRIC,
};
pub use no_commit::NoCommit;
pub use objective::{Control, Objective, Reporter, TrialContext};
pub use order::{SortKey, TrialOrder};
pub use plateau::{Plateau, PlateauState};
pub use pruning::{hyperband_first_rungs, PrunerSpec};
pub use resume_command::{spec_path_unknown, unknown_spec_note, Resume, ResumeAgent, UNKNOWN_SPEC};
pub use space::{
    quantized, quantized_between, reached_multiples, Condition, Distribution, Param, ParamValue,
    Params, SearchSpace,
};
pub use spec::{
    objectives_label, CheckpointSpec, DataFormat, DataSpec, DeviceChoice, EarlyStopping,
    ExperimentSpec, ImageShape, Located, MetricSpec, MissingValues, ModelKind, ModelSpec,
    Normalize, Origin, SplitSpec, Stopped, Task, WandbHyperband, MAX_PARALLEL, MISSING_MARKERS,
};
pub use standing::FrontStanding;
pub use time::{format_duration, parse_duration, Clock};
pub use trial::{busy_ms, concurrency, Concurrency, Trial, TrialOutcome, TrialResult, TrialState};
pub use warm_start::{ResultsRow, ResultsTable, WarmSource, WarmStart, WarmStarted};
pub use words::{
    count_or_metric_text, counted, metric_text, named_metric_text, number_text, shell_quote,
    significant_text, suggest, whole_count, whole_number,
};
pub use yaml::same_content;
