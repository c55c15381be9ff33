//! The `Reader`: every read of the store, with the decoded experiments it keeps as shared
//! snapshots, as fresh as its `Freshness` allows, one reload of a stale one at a time.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use experiment::{Effort, Step, Trial, TrialId};
use store::{AgentOf, CheckpointAt, ExperimentInfo, RunRecord, Store, TestResult, TrialTrace};

use super::records::read_record;
use super::{
    kept_for, lock, shows_latest, ExperimentData, Freshness, Latest, Series, RUN_RECORD,
    TEST_RESULT, WARM_START,
};
use crate::error::Near;
use crate::{Error, Result};

/// Reads the store, keeping decoded experiments as `Freshness` allows.
#[derive(Debug, Clone)]
pub(crate) struct Reader {
    store: Store,
    freshness: Freshness,
    snapshots: Arc<Mutex<BTreeMap<String, Arc<Slot>>>>,
    /// The store's folder as the commands shown name it (`with_store_dir`), where it is not
    /// the one it was opened with.
    shown_dir: Option<String>,
}

/// One experiment's latest snapshot; its lock makes reloads single-flight.
#[derive(Debug, Default)]
struct Slot {
    latest: Mutex<Option<(Instant, Arc<ExperimentData>)>>,
}

impl Reader {
    /// Returns a reader of `store`.
    pub(crate) fn new(store: Store, freshness: Freshness) -> Reader {
        Reader {
            store,
            freshness,
            snapshots: Arc::default(),
            shown_dir: None,
        }
    }

    /// Returns the reader naming the store's folder `dir` in the commands it shows (an
    /// absolute path, so that they run from any folder).
    pub(crate) fn with_store_dir(mut self, dir: String) -> Reader {
        self.shown_dir = Some(dir);
        self
    }

    /// Returns every experiment with its trials, in creation order.
    pub(crate) fn experiments(&self) -> Result<Vec<Arc<ExperimentData>>> {
        let mut all = self
            .names()?
            .iter()
            .map(|n| self.experiment(n))
            .collect::<Result<Vec<_>>>()?;
        all.sort_by(|a, b| (a.info.created, &a.info.name).cmp(&(b.info.created, &b.info.name)));
        Ok(all)
    }

    /// Returns the experiment called `name` with its trials, or `Error::NotFound`.
    pub(crate) fn experiment(&self, name: &str) -> Result<Arc<ExperimentData>> {
        if self.freshness == Freshness::EveryRequest {
            return self.read(name).map(Arc::new);
        }
        let slot = lock(&self.snapshots).get(name).cloned();
        let slot = match slot {
            Some(slot) => slot,
            None => {
                // Only names that exist get a slot, so unknown names cannot grow the map.
                info(&self.store, name)?;
                Arc::clone(lock(&self.snapshots).entry(name.to_string()).or_default())
            }
        };
        let mut latest = lock(&slot.latest);
        if let Some((at, data)) = latest.as_ref() {
            let fresh = match &self.freshness {
                Freshness::Frozen => true,
                Freshness::Sweeping { max_age, .. } | Freshness::Following { max_age, .. } => {
                    at.elapsed() <= kept_for(*max_age, data.cost())
                }
                // Read afresh above.
                Freshness::EveryRequest => false,
            };
            if fresh {
                return Ok(Arc::clone(data));
            }
        }
        let earlier = latest.as_ref().map(|(_, data)| Arc::clone(data));
        let started = Instant::now();
        let data = Arc::new(self.read_after(name, earlier.as_deref())?);
        data.spent(started.elapsed());
        *latest = Some((Instant::now(), Arc::clone(&data)));
        Ok(data)
    }

    /// Reads every experiment once, so that the first page view is as fast as the next.
    pub(crate) fn warm(&self) -> Result<()> {
        for name in self.names()? {
            self.experiment(&name)?;
        }
        Ok(())
    }

    /// Returns the folder of the store, as `with_store_dir` named it, else as given when it was
    /// opened (`.sweep` for a temporary store, which has none).
    pub(crate) fn store_dir(&self) -> String {
        if let Some(dir) = &self.shown_dir {
            return dir.clone();
        }
        self.store
            .path()
            .map_or_else(|| ".sweep".to_string(), |p| p.display().to_string())
    }

    /// Returns the experiment record called `name`, or `Error::NotFound`.
    pub(crate) fn info(&self, name: &str) -> Result<ExperimentInfo> {
        info(&self.store, name).map(|i| self.shown(i))
    }

    /// Returns trial `id` of the experiment, or `Error::NotFoundNear` saying which trials it
    /// has and linking back to it.
    pub(crate) fn trial(&self, experiment: &str, id: u32) -> Result<Trial> {
        self.trial_traced(experiment, id).map(|(t, _)| t)
    }

    /// Returns trial `id` of the experiment with its record's trace (`store::TrialTrace`:
    /// attempts cut off, its last report while running), from one read of the record, or
    /// `Error::NotFoundNear` as `trial` does.
    pub(crate) fn trial_traced(&self, experiment: &str, id: u32) -> Result<(Trial, TrialTrace)> {
        if let Some(traced) = self.store.trial_traced(experiment, TrialId(id))? {
            return Ok(traced);
        }
        let ids: Vec<u32> = self
            .store
            .trials(experiment)?
            .iter()
            .map(|t| t.id.0)
            .collect();
        let range = ids.iter().min().copied().zip(ids.iter().max().copied());
        let held = Near::trials_held(range);
        let href = crate::view::format::experiment_href(experiment);
        Err(Error::NotFoundNear {
            message: format!("experiment {experiment:?} has no trial {id}; {held}"),
            near: Near::Trials(range),
            links: vec![(format!("Back to {experiment}"), href.clone())],
            crumbs: vec![
                (experiment.to_string(), href),
                (format!("trial {id}"), String::new()),
            ],
        })
    }

    /// Returns whether the experiment holds trial `id`.
    pub(crate) fn has_trial(&self, experiment: &str, id: u32) -> Result<bool> {
        Ok(self.store.trial(experiment, TrialId(id))?.is_some())
    }

    /// Returns the experiment's run record (the absolute path of its file, the trials side by
    /// side it ran with, ...), if it has one that reads: one that does not (a newer Sweep wrote
    /// it) is left out, as the experiment's page says (`ExperimentData::unreadable`).
    pub(crate) fn run_record(&self, experiment: &str) -> Result<Option<RunRecord>> {
        let read = self.store.run_record(experiment);
        read_record(&mut BTreeMap::new(), RUN_RECORD, experiment, read)
    }

    /// Returns the experiment's test-split result, once measured and if it reads: one that does
    /// not (a newer Sweep wrote it) is left out, as the experiment's page says.
    pub(crate) fn test_result(&self, experiment: &str) -> Result<Option<TestResult>> {
        let read = self.store.test_result(experiment);
        read_record(&mut BTreeMap::new(), TEST_RESULT, experiment, read)
    }

    /// Returns where trial `id` of the experiment has its checkpoint, for `sweep predict`:
    /// following a study from its journals, with the agent that ran the trial, since the
    /// follower's store keeps no checkpoint, or in every agent's store for the study's best
    /// (the trial measured on the test split, whose checkpoint the agents hand over), as
    /// `tested`, the experiment's test-split result (`test_result`), says.
    pub(crate) fn checkpoint_at(
        &self,
        experiment: &str,
        id: u32,
        tested: Option<&TestResult>,
    ) -> Result<CheckpointAt> {
        let id = TrialId(id);
        let here = self.store.checkpoint_at(experiment, id)?;
        let followed = match &self.freshness {
            Freshness::Following { notices, .. } => notices.agents_of(experiment),
            _ => None,
        };
        Ok(match (here, followed) {
            (CheckpointAt::Nowhere, Some(agents)) => {
                if tested.is_some_and(|t| t.trial == id) {
                    CheckpointAt::EveryAgent
                } else {
                    CheckpointAt::Agent(AgentOf {
                        agent: id.agent(agents),
                        agents,
                    })
                }
            }
            (here, _) => here,
        })
    }

    /// Returns one metric's series for each of `ids` (empty for a trial without it).
    pub(crate) fn metric_of(
        &self,
        experiment: &str,
        ids: &[TrialId],
        metric: &str,
    ) -> Result<BTreeMap<TrialId, Series>> {
        ids.iter()
            .map(|&id| Ok((id, self.store.metric_series(experiment, id, metric)?)))
            .collect()
    }

    /// Returns what the trials of `data` trained (`Store::effort`: a key read per trial), read
    /// once per snapshot by one request while the others wait.
    pub(crate) fn effort<'d>(&self, data: &'d ExperimentData) -> Result<&'d Effort> {
        if let Some(effort) = data.effort.get() {
            return Ok(effort);
        }
        let _only_one = data.computing();
        if let Some(effort) = data.effort.get() {
            return Ok(effort);
        }
        let started = Instant::now();
        let mut effort = self.store.effort(
            &data.info.name,
            &data.info.objective,
            data.spec.as_ref(),
            &data.trials,
        )?;
        // The attempts cut off, from the traces the snapshot holds.
        for attempt in data.traces.values().flat_map(|trace| &trace.cut) {
            effort.add_cut(attempt.epochs);
        }
        // No sweep runs it (the reader shows it `status_when_idle`): a trial a kill left
        // running is an attempt cut off, as `sweep show` counts it.
        if data.info.status != store::ExperimentStatus::Running {
            effort.cut_left_running();
        }
        data.spent(started.elapsed());
        Ok(data.effort.get_or_init(|| effort))
    }

    /// Returns the epochs trial `id` trained (its last step of the `objective`); `None` before
    /// any.
    pub(crate) fn epochs_of(
        &self,
        experiment: &str,
        objective: &str,
        id: TrialId,
    ) -> Result<Option<u32>> {
        let last = self.store.last_step(experiment, id, objective)?;
        Ok(last.map(|s| s.0))
    }

    /// Returns trial `id`'s epoch `step` with every metric it reported then: a running
    /// trial's latest, its `epochs_trained`, read
    /// from the end of each metric (`Store::metrics_at`), not the trial's whole history; `None`
    /// without a step, or where nothing was reported at it.
    pub(crate) fn latest(
        &self,
        experiment: &str,
        id: TrialId,
        step: Option<u32>,
    ) -> Result<Option<Latest>> {
        let Some(step) = step.map(Step) else {
            return Ok(None);
        };
        let metrics = self.store.metrics_at(experiment, id, step)?;
        Ok((!metrics.is_empty()).then_some(Latest {
            step,
            metrics,
            earlier: BTreeMap::new(),
        }))
    }

    /// Returns the latest epoch (`latest`) of each trial of `data` still running without a
    /// result (`data::shows_latest`), at the epochs its snapshot says it trained: what the
    /// leaderboard's rows, sorts and filters take in place of a result. One that has reported
    /// nothing has none.
    pub(crate) fn running_latest(
        &self,
        data: &ExperimentData,
    ) -> Result<BTreeMap<TrialId, Latest>> {
        let effort = self.effort(data)?;
        let mut latest = BTreeMap::new();
        for t in data.trials.iter().filter(|t| shows_latest(t)) {
            if let Some(l) = self.latest(&data.info.name, t.id, effort.epochs_of(t.id))? {
                latest.insert(t.id, l);
            }
        }
        Ok(latest)
    }

    /// Returns every metric series of a trial, by metric name.
    pub(crate) fn all_metrics(
        &self,
        experiment: &str,
        id: TrialId,
    ) -> Result<BTreeMap<String, Series>> {
        Ok(self.store.all_metric_series(experiment, id)?)
    }

    fn names(&self) -> Result<Vec<String>> {
        Ok(self
            .store
            .experiments()?
            .into_iter()
            .map(|e| e.name)
            .collect())
    }

    /// Reads the experiment called `name` with its trials, or `Error::NotFound`.
    fn read(&self, name: &str) -> Result<ExperimentData> {
        self.read_after(name, None)
    }

    /// Reads the experiment called `name` as `read` does, after the `earlier` snapshot of it:
    /// its warm start, written once when the experiment was created and possibly thousands of
    /// trials, is taken from there rather than decoded again while it is the same experiment
    /// (created at the same time: one removed and run again under its name is another).
    fn read_after(&self, name: &str, earlier: Option<&ExperimentData>) -> Result<ExperimentData> {
        let info = self.info(name)?;
        let mut traces = BTreeMap::new();
        let trials = (self.store.traced_trials(name)?.into_iter())
            .map(|(trial, trace)| {
                if !trace.is_empty() {
                    traces.insert(trial.id, trace);
                }
                trial
            })
            .collect();
        let mut unreadable = BTreeMap::new();
        let test = read_record(
            &mut unreadable,
            TEST_RESULT,
            name,
            self.store.test_result(name),
        )?;
        let record = read_record(
            &mut unreadable,
            RUN_RECORD,
            name,
            self.store.run_record(name),
        )?;
        // A snapshot without one reads again: the record is written just after the
        // experiment's, and an absent one costs a key lookup.
        let kept = earlier
            .filter(|e| e.info.created == info.created)
            .and_then(|e| e.warm_start.clone());
        let warm = match kept {
            Some(warm) => Some(warm),
            None => read_record(
                &mut unreadable,
                WARM_START,
                name,
                self.store.warm_start(name),
            )?
            .map(Arc::new),
        };
        let data = ExperimentData::new(info, trials);
        let reported = self.reported_before_a_result(&data)?;
        Ok(data
            .with_reported(reported)
            .with_traces(traces)
            .with_test(test)
            .with_warm_start(warm)
            .with_record(record.as_ref())
            .with_unreadable(unreadable))
    }

    /// Returns the metric names the running trials of `data` reported, while none of its
    /// trials has a result (whose metrics `ExperimentData::task` goes by) and its spec leaves
    /// the task to them: the first running trial's (by start) to have reported an epoch, a key
    /// read per metric; none otherwise.
    fn reported_before_a_result(&self, data: &ExperimentData) -> Result<Vec<String>> {
        let given = data.spec.as_ref().and_then(|s| s.data.task).is_some();
        if given || data.trials.iter().any(|t| t.result.is_some()) {
            return Ok(Vec::new());
        }
        for t in data.running_by_start() {
            let names = self.store.metric_names(&data.info.name, t.id)?;
            if !names.is_empty() {
                return Ok(names);
            }
        }
        Ok(Vec::new())
    }

    /// Returns the copy `scope` takes of the store (`Store::copy`), for a command of another
    /// process that reads it through this dashboard (`sweep ls`, `sweep show`), with the name
    /// of the experiment a sweep of this process runs now, where one does: its stored status,
    /// read before the copy, is `running` (a sweep that ended, kept up by `--serve-after`, is a
    /// holder like `sweep serve`). A copy is read as the dashboard reads a running sweep's
    /// store, names and records, then trials, then their points, one epoch apart at most.
    /// While a sweep writes, refused (`Error::Sweeping`) to a reader that does not show that
    /// experiment running (`shows_running` false: an older `sweep ls` would read it as
    /// interrupted), and always where threads of this process follow studies elsewhere.
    pub(crate) fn copy(
        &self,
        scope: store::CopyScope<'_>,
        shows_running: bool,
    ) -> Result<(Vec<u8>, Option<String>)> {
        match &self.freshness {
            Freshness::Frozen => Ok((self.store.copy(scope)?, None)),
            Freshness::Sweeping { experiment, .. } if shows_running => {
                let running = self
                    .store
                    .experiment(experiment)?
                    .is_some_and(|info| info.status == store::ExperimentStatus::Running);
                let bytes = self.store.copy(scope)?;
                Ok((bytes, running.then(|| experiment.clone())))
            }
            _ => Err(Error::Sweeping),
        }
    }

    /// Returns what the sweep running experiment `name` in this process says of it now; nothing
    /// for another experiment, or without a sweep.
    pub(crate) fn notices(&self, name: &str) -> Vec<String> {
        match &self.freshness {
            Freshness::Sweeping {
                experiment,
                notices,
                ..
            } if experiment == name => notices.of(name),
            Freshness::Following { notices, .. } => notices.of(name),
            _ => Vec::new(),
        }
    }

    /// Returns `info` as this dashboard shows it: this process holds the store, so an
    /// experiment left `running` that it does not run itself was killed, and shows as
    /// `interrupted`.
    fn shown(&self, mut info: ExperimentInfo) -> ExperimentInfo {
        let idle = match &self.freshness {
            Freshness::EveryRequest | Freshness::Following { .. } => false,
            Freshness::Sweeping { experiment, .. } => *experiment != info.name,
            Freshness::Frozen => true,
        };
        if idle {
            info.status = info.status_when_idle();
        }
        info
    }
}

/// Returns the experiment record called `name`, or `Error::NotFoundNear` naming the closest
/// name the store holds, as the CLI's `did you mean`, with a link to it.
fn info(store: &Store, name: &str) -> Result<ExperimentInfo> {
    if let Some(info) = store.experiment(name)? {
        return Ok(info);
    }
    let names: Vec<String> = store.experiments()?.into_iter().map(|e| e.name).collect();
    let near = experiment::suggest(name, names.iter().map(String::as_str));
    Err(Error::NotFoundNear {
        message: match near {
            Some(near) => format!("no experiment named {name:?}; did you mean {near}?"),
            None => format!("no experiment named {name:?}"),
        },
        near: Near::Experiment(near.map(str::to_string)),
        links: near
            .map(|near| {
                let href = crate::view::format::experiment_href(near);
                vec![(format!("Open {near}"), href)]
            })
            .unwrap_or_default(),
        crumbs: vec![(name.to_string(), String::new())],
    })
}
