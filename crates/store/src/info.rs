//! What the store keeps about an experiment as a whole.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use experiment::{
    Direction, ExperimentSpec, MetricSpec, NoCommit, Seed, Timestamp, Trial, TrialId, TrialState,
};

/// What a new experiment is stored with beside its record (`Store::create_experiment_with`),
/// in the same transaction: a crash leaves all of it or none.
#[derive(Debug, Clone, Copy, Default)]
pub struct Creation<'a> {
    /// The trials it took from another experiment (`warm_start:`).
    pub warm_start: Option<&'a experiment::WarmStarted>,
    /// How and where it runs.
    pub run_record: Option<&'a RunRecord>,
}

/// An experiment as stored: its spec, objective, budget and lifecycle.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentInfo {
    /// The unique name, e.g. `digits-mlp-tpe-asha`.
    pub name: String,
    /// A free-form description from the spec.
    pub description: String,
    /// The YAML text of the spec.
    pub spec_yaml: String,
    /// The hex SHA-256 of `spec_yaml`.
    pub spec_hash: String,
    /// The path of the file `spec_yaml` was read from, the two stored together: as the run
    /// was given it, or absolute where a resume read the text from another file than its run
    /// record names (a folder moved or copied since), so that its relative paths read from
    /// where that run read them.
    pub spec_path: String,
    /// The objective metric's name, e.g. `val_accuracy`.
    pub objective: String,
    /// Whether the objective is minimized or maximized.
    pub goal: Direction,
    /// The experiment seed that every trial seed is derived from.
    pub seed: Seed,
    /// The largest number of trials to run.
    pub run_cap: u32,
    /// Where the experiment is in its life.
    pub status: ExperimentStatus,
    /// When the experiment was created.
    pub created: Timestamp,
    /// When the experiment finished, if it did.
    pub finished: Option<Timestamp>,
}

impl ExperimentInfo {
    /// Returns when the experiment began, given its `trials`: no later than the first trial
    /// started, whenever this store's record of it was made (a follower's, or an agent's that
    /// joined late or started again on an empty store).
    pub fn began(&self, trials: &[Trial]) -> Timestamp {
        trials
            .iter()
            .filter_map(|t| t.started)
            .fold(self.created, Timestamp::min)
    }

    /// Returns the status as a process that holds the store and runs no sweep on it sees it
    /// (`sweep ls`, `show`, `serve`): no process runs an experiment left `running` any more,
    /// since whoever did would hold the store's lock, so it was killed and is `interrupted`
    /// (the next `sweep run` of it resumes).
    pub fn status_when_idle(&self) -> ExperimentStatus {
        match self.status {
            ExperimentStatus::Running => ExperimentStatus::Interrupted,
            other => other,
        }
    }

    /// Returns the name shown for a trial `state` of this experiment, with the experiment's
    /// status as shown (`status_when_idle` where no sweep runs it): a trial is `running` only
    /// while its experiment is, and one left so by a killed sweep reads `interrupted`.
    pub fn trial_state_shown(&self, state: TrialState) -> &'static str {
        if self.status == ExperimentStatus::Running {
            state.as_str()
        } else {
            state.as_str_when_idle()
        }
    }

    /// Returns the experiment's objectives: those of `spec` (this experiment's, parsed), or
    /// the stored objective alone when there is none (a spec that no longer parses).
    pub fn objectives(&self, spec: Option<&ExperimentSpec>) -> Vec<MetricSpec> {
        spec.map_or_else(
            || {
                vec![MetricSpec {
                    name: self.objective.clone(),
                    goal: self.goal,
                }]
            },
            ExperimentSpec::objectives,
        )
    }

    /// Parses the stored spec again, as if read from `spec_path`, the path of the file its text
    /// was last read from (nothing on disk is read); a spec stored by an older version may no
    /// longer parse.
    pub fn spec(&self) -> experiment::Result<ExperimentSpec> {
        ExperimentSpec::from_yaml_str(&self.spec_yaml, Path::new(&self.spec_path))
    }
}

/// Where an experiment is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExperimentStatus {
    /// Trials are being run, or the process running them died.
    Running,
    /// The run cap was reached or the search space exhausted.
    Finished,
    /// The user stopped the experiment; it can be resumed.
    Interrupted,
}

impl ExperimentStatus {
    /// Returns the lowercase name shown to users: `running`, `finished` or `interrupted`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExperimentStatus::Running => "running",
            ExperimentStatus::Finished => "finished",
            ExperimentStatus::Interrupted => "interrupted",
        }
    }
}

impl fmt::Display for ExperimentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How and where an experiment was run: what `sweep reproduce` needs to run a trial again, and
/// what explains a difference when it does not reproduce.
///
/// Kept apart from `ExperimentInfo` (see `Store::put_run_record`): experiments stored before
/// records existed simply have none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunRecord {
    /// The spec with every default filled in, as YAML.
    pub resolved_spec: String,
    /// The hex SHA-256 of `resolved_spec`.
    pub resolved_spec_hash: String,
    /// The absolute path of the spec file; its relative paths (the data) resolve against it.
    pub spec_file: String,
    /// The absolute path of the dataset file.
    pub data_file: String,
    /// The hex SHA-256 of the dataset file's bytes.
    pub data_hash: String,
    /// The state of the git working tree the run started in, if it was one.
    pub git: Option<GitState>,
    /// Why `git` is `None`: git's answer about the spec's folder (only
    /// `NoCommit::OutsideCheckout` says it lay in no checkout); `None` where there is a commit,
    /// and in records written before the reason was kept.
    pub no_commit: Option<NoCommit>,
    /// The version of Sweep that ran it.
    pub sweep_version: String,
    /// The training engine and its version, e.g. `dfdx 0.13.0`.
    pub engine: String,
    /// The device trials trained on, e.g. `cpu`.
    pub device: String,
    /// The operating system: its name and version where known, and the architecture.
    pub os: String,
    /// The CPU model and the number of cores.
    pub cpu: String,
    /// The trials side by side the first run used (the file's `parallel`, `--parallel`, or the
    /// machine's cores): the number its trials were drawn with, which a rerun of a trial from a
    /// fresh store gives; a resume with another number leaves it (`sweep run` notes the
    /// difference); `None` in records written before it was kept.
    pub parallel: Option<u32>,
    /// Which agent made this store, when agents ran the study (`sweep run --agent I/N`); `None`
    /// for one process, and in records written before it was kept.
    pub agent: Option<AgentOf>,
    /// The exchange folder the agents shared, as this agent was given it (`--exchange`), when
    /// agents ran the study: what resuming this agent needs besides its store; `None` for one
    /// process, and in records written before it was kept.
    pub exchange: Option<String>,
    /// The trials the sampler was told the study plans, in the last run
    /// (`SuggestContext::planned`); `None` in records written before it was kept, which say
    /// nothing of the plan their runs were told (builds before cea51a8 told the stored run cap,
    /// later ones the file's plan), so a resume gives no plan note for them.
    pub planned: Option<u32>,
}

/// One agent of a study run by several: agent `agent` of `agents`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentOf {
    /// The agent's number, from 0.
    pub agent: u32,
    /// How many agents run the study.
    pub agents: u32,
}

impl fmt::Display for AgentOf {
    /// "agent 1 of 4".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "agent {} of {}", self.agent, self.agents)
    }
}

/// Where a trial's checkpoint is, as one store knows (`Store::checkpoint_at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckpointAt {
    /// Beside this store.
    Here,
    /// Not here: this agent's store, which ran the trial, holds it if it kept one (each agent
    /// keeps the best of its own trials' checkpoints, `checkpoints.keep`).
    Agent(AgentOf),
    /// Nowhere: the trial was not among the best that keep theirs.
    Nowhere,
    /// Not here, in the temporary store of a follower (`sweep serve --exchange`): the study's
    /// best trial, whose checkpoint every agent's store holds (`crate::handover`).
    EveryAgent,
}

impl CheckpointAt {
    /// Says where a checkpoint that is not here is, when it is somewhere: "agent 1 of 2 ran this
    /// trial, and keeps ...; predict there".
    pub fn elsewhere(&self) -> Option<String> {
        match self {
            CheckpointAt::Agent(ran) => Some(format!(
                "{ran} ran this trial, and keeps the checkpoints of its own best trials \
                 (`checkpoints.keep`) in its store; predict there"
            )),
            CheckpointAt::EveryAgent => Some(
                "it is the study's best trial, whose checkpoint the agents hand to each other \
                 through the exchange folder, so every agent's store holds it; predict in any \
                 of them"
                    .to_string(),
            ),
            CheckpointAt::Here | CheckpointAt::Nowhere => None,
        }
    }
}

impl RunRecord {
    /// Returns the agent that ran trial `id`, when it is not the one that made this store: that
    /// agent's store, not this one, holds the trial's checkpoint.
    pub(crate) fn ran_by_another(&self, id: TrialId) -> Option<AgentOf> {
        let me = self.agent?;
        let ran = id.agent(me.agents);
        (ran != me.agent).then_some(AgentOf {
            agent: ran,
            agents: me.agents,
        })
    }
}

/// The state of a git working tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitState {
    /// The commit checked out (`git rev-parse HEAD`).
    pub commit: String,
    /// Whether tracked files differed from the commit.
    pub dirty: bool,
    /// The diff of tracked files against the commit (`git diff HEAD`), possibly cut short.
    pub diff: String,
}

/// The best trial of a finished sweep, measured once on the held-out test split.
///
/// Kept apart from trials and their metric series (see `Store::put_test_result`): test metrics
/// are for reporting, and nothing that ranks trials reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct TestResult {
    /// The trial measured: the best by the objective on validation.
    pub trial: TrialId,
    /// Its test metrics, `test_loss`, `test_accuracy`, ... by name.
    pub metrics: BTreeMap<String, f64>,
}
