//! The experiment spec (format v1): what to train, on which data, searching which space.
//!
//! `ExperimentSpec::from_yaml_str` is the only way to build one, and it returns a validated
//! spec: every later stage can trust its invariants (a grid only over finite ranges, known knobs,
//! a known objective metric, split fractions that leave training data).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::{
    Constraint, Direction, GateSpec, Location, Method, Params, Plateau, PlateauState, PrunerSpec,
    Result, SearchSpace, Seed, Trial, TrialId, TrialState, WarmStart,
};

/// A value with the place in the spec file where it was written, for errors found later.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub location: Location,
}

/// The metric the sweep optimizes, and its direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricSpec {
    /// A name from `KNOWN_METRICS`.
    pub name: String,
    /// `maximize` or `minimize`.
    pub goal: Direction,
}

/// How features are scaled; fitted on the training split only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalize {
    /// Raw values.
    None,
    /// Zero mean, unit variance per feature.
    Standard,
    /// Scaled to [0, 1] per feature.
    MinMax,
}

/// What is done with a CSV row that has a missing value: an empty cell, or one of
/// `MISSING_MARKERS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingValues {
    /// The file is refused at the first missing value, with its row and column.
    Error,
    /// Rows with a missing value are left out, and counted.
    Drop,
    /// A missing feature cell is filled with its column's mean over the training split; a row
    /// whose label is missing is left out.
    Mean,
    /// As `Mean`, with the column's median over the training split.
    Median,
}

impl MissingValues {
    /// Whether missing feature cells are filled in (and rows with a missing label left out).
    pub fn fills(self) -> bool {
        matches!(self, MissingValues::Mean | MissingValues::Median)
    }

    /// The rule as written in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            MissingValues::Error => "error",
            MissingValues::Drop => "drop",
            MissingValues::Mean => "mean",
            MissingValues::Median => "median",
        }
    }
}

/// The cell texts read as a missing value (besides an empty cell): those pandas' `read_csv`
/// reads so by default, and `?`, as UCI's data sets write it.
pub const MISSING_MARKERS: &[&str] = &[
    "NA", "N/A", "n/a", "#N/A", "#N/A N/A", "#NA", "<NA>", "NaN", "nan", "-NaN", "-nan", "NULL",
    "null", "None", "1.#IND", "-1.#IND", "1.#QNAN", "-1.#QNAN", "?",
];

/// Fractions of the rows held out for validation and test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SplitSpec {
    /// Fraction for validation, in (0, 1).
    pub validation: f64,
    /// Fraction for test, in [0, 1).
    pub test: f64,
    /// Whether each split keeps the class proportions.
    pub stratify: bool,
}

/// Where the data comes from and how it is prepared.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSpec {
    /// The CSV file, resolved against the spec file's folder.
    pub csv: Located<PathBuf>,
    /// The target column's name.
    pub target: Located<String>,
    /// Validation and test fractions.
    pub split: SplitSpec,
    /// Feature scaling.
    pub normalize: Normalize,
    /// What is predicted; `None` means inferred from the target column when the data is read.
    pub task: Option<Task>,
    /// The shape of each row's pixels, for image models; `None` for tabular data.
    pub image: Option<ImageShape>,
    /// How the file named by `csv` is read.
    pub format: DataFormat,
    /// What is done with rows that have a missing value (CSV only).
    pub missing: MissingValues,
    /// Columns whose cells are categories, one-hot encoded into a 0/1 feature per category seen
    /// in the training split (CSV only), in the order written.
    pub categorical: Vec<Located<String>>,
    /// Columns left out of the features, such as row ids (CSV only), in the order written.
    pub exclude: Vec<Located<String>>,
}

/// What a model predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// A class out of a few, trained on cross-entropy.
    Classification,
    /// A real number, trained on mean squared error.
    Regression,
}

/// The shape of an image: each row holds `height * width * channels` pixel columns, in
/// row-major order with the channels of a pixel side by side (`HWC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageShape {
    /// Pixel rows.
    pub height: usize,
    /// Pixel columns.
    pub width: usize,
    /// Values per pixel (1 for grey, 3 for colour).
    pub channels: usize,
}

/// The file format of the data.
#[derive(Debug, Clone, PartialEq)]
pub enum DataFormat {
    /// A CSV file with a header row; `DataSpec::csv` names it.
    Csv,
    /// A pair of IDX files (MNIST's format): `DataSpec::csv` names the images file, and
    /// `labels` the labels file.
    Idx {
        /// The IDX labels file, resolved against the spec file's folder.
        labels: Located<PathBuf>,
    },
}

/// Where each trial trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceChoice {
    /// The CPU.
    Cpu,
    /// The first CUDA GPU; an error in a build without the `cuda` feature.
    Cuda,
    /// A CUDA GPU when the build has CUDA and one is present, otherwise the CPU.
    Auto,
}

/// Which trials keep their best epoch's weights on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckpointSpec {
    /// How many of the best trials keep their checkpoints; 0 keeps none.
    pub keep: u32,
}

/// The model family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    /// A multilayer perceptron.
    Mlp,
    /// A convolutional network for images: 3x3 convolutions and max-pooling, then dense layers.
    Cnn,
}

/// The model block, apart from knobs (which go to `ExperimentSpec::fixed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelSpec {
    /// The model family.
    pub kind: ModelKind,
}

/// Stop a trial when a metric stops improving.
#[derive(Debug, Clone, PartialEq)]
pub struct EarlyStopping {
    /// A name from `KNOWN_METRICS`; its direction comes from there.
    pub metric: String,
    /// Epochs without improvement before stopping.
    pub patience: u32,
    /// The smallest change that counts as an improvement.
    pub min_delta: f64,
}

/// What ended a sweep before its `run_cap`: no trial numbered `parallel` or more above this
/// trial starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// This trial reached the target (`metric.target`).
    Target(TrialId),
    /// This trial completed the plateau (`plateau:`).
    Plateau(TrialId),
}

impl Stopped {
    /// Returns the trial that ended the sweep.
    pub fn trial(self) -> TrialId {
        match self {
            Stopped::Target(t) | Stopped::Plateau(t) => t,
        }
    }
}

/// The most trials side by side in one process (`parallel:`, `--parallel`): each is a thread of
/// it; more go to agents on other machines.
pub const MAX_PARALLEL: u32 = 1024;

/// What a Hyperband pruner written as W&B's `early_terminate:` writes beyond the settings its
/// `PrunerSpec::Hyperband` holds, which no longer tell a written `max_iter` or `s` from a
/// derived or default one: the notes on the pruner say a `max_iter` the file does not write as
/// derived from the `s` it writes (`ExperimentSpec::idle_stopping`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WandbHyperband {
    /// The `s` the file writes (W&B's `max_iter` is `min_iter * eta^s`); `None` where it writes
    /// none, so that W&B's default of 3 derives `max_iter` from `min_iter`.
    pub s: Option<u32>,
    /// Whether the file writes `max_iter`; where it does not, `max_iter` is `min_iter * eta^s`.
    pub max_iter_written: bool,
}

/// A validated experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentSpec {
    /// The experiment's name: letters, digits, `-`, `_` and `.`, starting with a letter or digit.
    pub name: String,
    /// Free text.
    pub description: String,
    /// The seed every random draw derives from.
    pub seed: Seed,
    /// How parameters are chosen, with the sampler's settings.
    pub method: Method,
    /// The rule that stops weak trials early.
    pub pruner: PrunerSpec,
    /// Number of trials; for a grid, defaults to the grid's size.
    pub run_cap: u32,
    /// Trials side by side; `None` means one per core, decided by the binary.
    pub parallel: Option<u32>,
    /// The objective; with several (`metric:` given as a list), the first, which orders each
    /// Pareto front and names the one trial that `best` returns.
    pub metric: MetricSpec,
    /// The objectives after the first: a multi-objective study, whose result is the Pareto
    /// front of its trials. Empty for one objective.
    pub more_objectives: Vec<MetricSpec>,
    /// `metric.target` (as Weights & Biases spells it): once a completed trial's objective
    /// reaches it, no later trial starts (see `runner`'s rule for which trials still run).
    pub target: Option<f64>,
    /// `plateau:`: once the best has not improved for `patience` trials in a row, no later
    /// trial starts (one objective only; the same rule as the target's for which still run).
    pub plateau: Option<Plateau>,
    /// Bounds on recorded metrics that a trial must meet to be the best (`constraints:`).
    pub constraints: Vec<Constraint>,
    /// The data.
    pub data: DataSpec,
    /// The model family.
    pub model: ModelSpec,
    /// In-trial early stopping.
    pub early_stopping: Option<EarlyStopping>,
    /// Knobs fixed in `train:` and `model:`.
    pub fixed: Params,
    /// Knobs searched in `parameters:`.
    pub space: SearchSpace,
    /// Where trials train.
    pub device: DeviceChoice,
    /// Which trials keep checkpoints.
    pub checkpoints: CheckpointSpec,
    /// The regression gate of `sweep gate`, if the spec has one.
    pub gate: Option<GateSpec>,
    /// Parameters of the first trials, given in the file (`enqueue:`) rather than sampled.
    pub enqueue: Vec<Params>,
    /// The other experiment whose trials the sampler learns from (`warm_start:`), if any.
    pub warm_start: Option<WarmStart>,
    /// How the pruner was written where it was written as W&B's `early_terminate:`, so that
    /// what is said of it names W&B's keys (`min_iter`, `max_iter`, `eta`) and says a
    /// `max_iter` the file does not write as derived; `None` for a `pruner:` block or none.
    pub wandb_hyperband: Option<WandbHyperband>,
    /// Where the metric names are written, by field (`metric.name`, `metric[1].name`,
    /// `train.early_stopping.metric`, `constraints.NAME`, `gate.metrics.NAME`), for what is
    /// found wrong with them once the data is read.
    pub metric_locations: BTreeMap<String, Location>,
    /// The YAML text the spec was parsed from.
    pub source: String,
}

/// Describes `objectives` as `val_accuracy (maximize), param_count (minimize)`.
pub fn objectives_label(objectives: &[MetricSpec]) -> String {
    let each: Vec<String> = objectives
        .iter()
        .map(|o| format!("{} ({})", o.name, o.goal))
        .collect();
    each.join(", ")
}

/// The most trial numbers `ExperimentSpec::front_status` lists.
const FRONT_LISTED: usize = 12;

/// Where a trial's parameters came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The file's `enqueue:` entry with this index gave them all.
    Given(usize),
    /// That entry gave some; the sampler chose the rest.
    GivenInPart(usize),
    /// The sampler chose them.
    Sampled,
}

impl ExperimentSpec {
    /// Returns where trial `id`'s parameters come from: trial k takes `enqueue[k]`, whole or in
    /// part, and the sampler chooses the others.
    pub fn origin(&self, id: TrialId) -> Origin {
        let k = usize::try_from(id.0).unwrap_or(usize::MAX);
        match self.enqueue.get(k) {
            Some(given) if self.space.is_whole(given) => Origin::Given(k),
            Some(_) => Origin::GivenInPart(k),
            None => Origin::Sampled,
        }
    }

    /// Says where trial `id`'s parameters came from in a word or two, for tables and exports:
    /// `enqueue[0]`, `enqueue[1], in part`, or the method's name.
    pub fn origin_label(&self, id: TrialId) -> String {
        match self.origin(id) {
            Origin::Given(k) => format!("enqueue[{k}]"),
            Origin::GivenInPart(k) => format!("enqueue[{k}], in part"),
            Origin::Sampled => self.method.name().to_string(),
        }
    }

    /// Says where trial `id`'s parameters came from in a sentence, for a trial's page: the
    /// file's `enqueue:` entry, whole or in part, or the sampler.
    pub fn origin_sentence(&self, id: TrialId) -> String {
        let method = self.method.name();
        match self.origin(id) {
            Origin::Given(k) => format!("given in the file (enqueue[{k}])"),
            Origin::GivenInPart(k) => {
                format!("given in part in the file (enqueue[{k}]), the rest chosen by {method}")
            }
            Origin::Sampled => format!("chosen by {method}"),
        }
    }

    /// Returns the first trial (by number) of `trials` that reached the spec's target.
    pub(crate) fn first_at_target(&self, trials: &[Trial]) -> Option<TrialId> {
        trials
            .iter()
            .filter(|t| self.reaches_target(t))
            .map(|t| t.id)
            .min()
    }

    /// Returns the trial of `trials` that completed the spec's plateau, if one did.
    pub fn first_at_plateau(&self, trials: &[Trial]) -> Option<TrialId> {
        self.plateau_state(trials)?.reached
    }

    /// Returns where `trials` stand against the spec's plateau rule; `None` without one.
    pub fn plateau_state(&self, trials: &[Trial]) -> Option<PlateauState> {
        let rule = self.plateau?;
        Some(rule.state(trials, &self.objectives(), &self.constraints))
    }

    /// Returns what a study of `trials` trials does that its file may not say, for `sweep
    /// validate` and `sweep run` to note: the trials its sampler draws before it learns, apart
    /// from the enqueued ones (`Method::never_learns`; left out for a warm-started search, which counts the trials it
    /// takes as its own), a grid cut or ended early or points drawn again
    /// (`Method::coverage_note`), the knobs that do nothing, searched or fixed
    /// (`idle_knob_notes`), the rules meant to stop trials early that never can
    /// (`idle_stopping`), and W&B's `strict` read with another meaning (`wandb_strict_note`).
    pub fn notes(&self, trials: u32) -> Vec<String> {
        let learns = match self.warm_start {
            None => self.method.never_learns(trials, &self.space, &self.enqueue),
            Some(_) => None,
        };
        let mut notes: Vec<String> = learns
            .into_iter()
            .chain(self.method.coverage_note(trials, &self.space))
            .collect();
        notes.extend(self.space.log_bound_notes());
        notes.extend(self.space.uniform_over_orders_notes());
        notes.extend(self.space.normal_outside_notes());
        notes.extend(crate::yaml::whole_bound_notes(self));
        notes.extend(self.idle_knob_notes());
        notes.extend(self.idle_stopping(trials));
        notes.extend(self.wandb_strict_note());
        notes.extend(self.contrary_goals());
        notes.extend(self.grid_probability_notes());
        notes
    }

    /// Returns a note for each categorical parameter of a grid that gives `probabilities:`: a
    /// grid tries each value once, so they weigh nothing (W&B's grid refuses them; here they are
    /// read, so that an experiment stored with them still reads, and said to do nothing). The
    /// name is quoted as the reader's messages quote it (`yaml::quote::shorten`): a tab, which
    /// a name may hold, as an escape, and a long name cut in the middle.
    pub(crate) fn grid_probability_notes(&self) -> Vec<String> {
        if !matches!(self.method, crate::Method::Grid(_)) {
            return Vec::new();
        }
        self.space
            .params()
            .iter()
            .filter(|p| {
                matches!(
                    p.distribution,
                    crate::Distribution::Categorical {
                        probabilities: Some(_),
                        ..
                    }
                )
            })
            .map(|p| {
                format!(
                    "`{}`'s `probabilities:` weigh nothing in a grid, which tries each value \
                     once (W&B's grid refuses them); draw values by them with `method: random`",
                    crate::yaml::quote::shorten(&p.name)
                )
            })
            .collect()
    }

    /// Returns a note for each objective searched the other way from the one its metric
    /// improves in (`val_loss` maximized): such a search looks for the worst models, which is
    /// seldom meant, and `goal:` left out takes the metric's own direction. The name is quoted
    /// as the reader's messages quote it (`yaml::quote::shorten`), as the other notes that quote
    /// a name from the file do, so no name a metric may hold reaches the terminal raw.
    pub(crate) fn contrary_goals(&self) -> Vec<String> {
        self.objectives()
            .into_iter()
            .filter_map(|m| {
                let own = Direction::of_metric(&m.name)?;
                (own != m.goal).then(|| {
                    let (goal, better, fix) = match m.goal {
                        Direction::Maximize => ("maximize", "smaller", "minimize"),
                        Direction::Minimize => ("minimize", "larger", "maximize"),
                    };
                    format!(
                        "`{}` is searched with `goal: {goal}`, but {better} is better for it: the \
                         search looks for the worst models; write `goal: {fix}`, or leave \
                         `goal:` out",
                        crate::yaml::quote::shorten(&m.name)
                    )
                })
            })
            .collect()
    }

    /// Returns the number of trials a study of this spec holds with `run_cap`: `run_cap`, never
    /// more than a grid has points.
    pub fn planned_trials(&self, run_cap: u32) -> u32 {
        match (&self.method, self.space.grid_size()) {
            (Method::Grid(_), Some(size)) => run_cap.min(u32::try_from(size).unwrap_or(u32::MAX)),
            _ => run_cap,
        }
    }

    /// Returns what ends the sweep early in `trials`, if anything: the first trial that reached
    /// the target, or the one that completed the plateau, whichever is numbered first.
    pub fn stopped_by(&self, trials: &[Trial]) -> Option<Stopped> {
        let target = self.first_at_target(trials).map(Stopped::Target);
        let plateau = self.first_at_plateau(trials).map(Stopped::Plateau);
        [target, plateau]
            .into_iter()
            .flatten()
            .min_by_key(|s| s.trial())
    }

    /// Describes the spec's plateau rule and where `trials` stand, as "20 trials without
    /// improving by more than 0.001: reached at trial 45 (the best: trial 25, 0.9805)", the
    /// best value written as `metric_text` writes it (`2.42e-5`, not `0.0000`); `None` without
    /// one.
    pub fn plateau_status(&self, trials: &[Trial]) -> Option<String> {
        let rule = self.plateau?;
        let state = self.plateau_state(trials)?;
        let rule_text = format!(
            "{} trials without improving{}",
            rule.patience,
            rule.margin()
        );
        let best = match (state.last_improvement, self.is_multi_objective()) {
            (Some(id), false) => match self.objective_of(trials, id) {
                Some(v) => format!("the best: trial {id}, {}", crate::metric_text(Some(v))),
                None => format!("the best: trial {id}"),
            },
            (Some(id), true) => format!("the last to join the front: trial {id}"),
            (None, _) => "no completed trial yet".into(),
        };
        Some(match state.reached {
            Some(t) => format!("{rule_text}: reached at trial {t} ({best})"),
            None => format!(
                "{rule_text}: not reached ({} in a row so far; {best})",
                state.flat
            ),
        })
    }

    /// Returns the objective's value of trial `id` among `trials`, if it has one.
    pub fn objective_of(&self, trials: &[Trial], id: TrialId) -> Option<f64> {
        let trial = trials.iter().find(|t| t.id == id)?;
        trial.value(&self.metric.name)
    }

    /// Describes the spec's target and whether `trials` reached it, as "≥ 0.975, reached by
    /// trial 1"; `None` without a target.
    pub fn target_status(&self, trials: &[Trial]) -> Option<String> {
        let target = self.target?;
        let sign = self.metric.goal.reach_sign();
        Some(match self.first_at_target(trials) {
            Some(t) => format!("{sign} {target}, reached by trial {t}"),
            None => format!("{sign} {target}, not reached"),
        })
    }

    /// Returns whether `trial` completed with its objective at the spec's target or past it,
    /// meeting the constraints; false without a target.
    pub(crate) fn reaches_target(&self, trial: &Trial) -> bool {
        self.target.is_some_and(|target| {
            trial.state == TrialState::Completed
                && trial
                    .value(&self.metric.name)
                    .is_some_and(|v| self.metric.goal.reaches(v, target))
                && crate::feasible(&self.constraints, trial)
        })
    }

    /// Describes the spec's constraints and how many of `trials` with a result meet them, as
    /// "param_count ≤ 20000 (4 of 6 trials meet them)"; `None` without constraints.
    pub fn constraints_status(&self, trials: &[Trial]) -> Option<String> {
        if self.constraints.is_empty() {
            return None;
        }
        let list: Vec<String> = self.constraints.iter().map(ToString::to_string).collect();
        let judged: Vec<bool> = trials
            .iter()
            .filter_map(|t| crate::feasibility(&self.constraints, t))
            .collect();
        let met = judged.iter().filter(|f| **f).count();
        Some(format!(
            "{} ({met} of {} trials meet them)",
            list.join(", "),
            judged.len()
        ))
    }

    /// Returns the best trial and its searched parameters at an end of their range
    /// (`at_edges`), with one objective; `None` without a best trial or with several
    /// objectives.
    pub fn best_at_edges<'t>(
        &self,
        trials: &'t [Trial],
    ) -> Option<(&'t Trial, Vec<crate::edges::AtEdge>)> {
        if self.is_multi_objective() {
            return None;
        }
        let best = self.best(trials)?;
        Some((best, crate::edges::at_edges(&self.space, best)))
    }

    /// Says which searched parameters of the best trial lie at an end of their range (`at_edges`),
    /// as "the best trial (27) lies at the end of a searched range: `lr` = 0.01, the top of its
    /// range [0.0003, 0.01]: better values may lie beyond it, where no trial looked (...)";
    /// `None` when none does, without a best trial, or with several objectives (where the best
    /// by the first objective is one end of a trade-off).
    pub fn edge_status(&self, trials: &[Trial]) -> Option<String> {
        let (best, edges) = self.best_at_edges(trials)?;
        let (ends, beyond) = match edges.len() {
            0 => return None,
            1 => ("the end of a searched range", "it"),
            _ => ("the ends of searched ranges", "them"),
        };
        let list: Vec<String> = edges.iter().map(crate::edges::AtEdge::describe).collect();
        Some(format!(
            "the best trial ({}) lies at {ends}: {}: better values may lie beyond {beyond}, \
             where no trial looked (a wider range is a new experiment)",
            best.id,
            list.join("; ")
        ))
    }

    /// Returns every objective, `metric` first.
    pub fn objectives(&self) -> Vec<MetricSpec> {
        std::iter::once(&self.metric)
            .chain(&self.more_objectives)
            .cloned()
            .collect()
    }

    /// Describes every objective as `val_accuracy (maximize), param_count (minimize)`.
    pub fn objectives_label(&self) -> String {
        objectives_label(&self.objectives())
    }

    /// Returns whether the study has several objectives.
    pub fn is_multi_objective(&self) -> bool {
        !self.more_objectives.is_empty()
    }

    /// Returns the trials ranked for a leaderboard by the objectives and the constraints
    /// (`rank_trials`).
    pub fn rank<'a>(&self, trials: &'a [Trial]) -> Vec<&'a Trial> {
        crate::rank_trials(trials, &self.objectives(), &self.constraints)
    }

    /// Returns the best completed trial that meets the constraints (`best_trial`).
    pub fn best<'a>(&self, trials: &'a [Trial]) -> Option<&'a Trial> {
        crate::best_trial(trials, &self.objectives(), &self.constraints)
    }

    /// Describes the Pareto front of `trials` for a study with several objectives, as
    /// "3 trials: 4, 12, 17" (the first `FRONT_LISTED` numbers, then "…"); `None` for one
    /// objective.
    pub fn front_status(&self, trials: &[Trial]) -> Option<String> {
        if !self.is_multi_objective() {
            return None;
        }
        let mut ids: Vec<u32> = self.pareto_front(trials).iter().map(|t| t.id.0).collect();
        if ids.is_empty() {
            return Some(if self.constraints.is_empty() {
                "no completed trial yet".into()
            } else {
                "no completed trial that meets the constraints yet".into()
            });
        }
        ids.sort_unstable();
        let listed: Vec<String> = ids.iter().take(FRONT_LISTED).map(u32::to_string).collect();
        let more = if ids.len() > FRONT_LISTED {
            ", …"
        } else {
            ""
        };
        let noun = if ids.len() == 1 { "trial" } else { "trials" };
        Some(format!("{} {noun}: {}{more}", ids.len(), listed.join(", ")))
    }

    /// Returns the Pareto front of `trials` (`pareto_front`).
    pub fn pareto_front<'a>(&self, trials: &'a [Trial]) -> Vec<&'a Trial> {
        crate::pareto_front(trials, &self.objectives(), &self.constraints)
    }

    /// Parses and validates a spec; `file` names the source in errors and anchors relative paths.
    ///
    /// Returns every problem found, each with its line and column, rather than only the first.
    pub fn from_yaml_str(text: &str, file: &Path) -> Result<ExperimentSpec> {
        crate::yaml::parse_spec(text, file)
    }

    /// Returns a SHA-256 of the spec's source text, in hex; equal texts give equal hashes.
    pub fn hash(&self) -> String {
        crate::sha256_hex(self.source.as_bytes())
    }
}

#[cfg(test)]
mod tests;
