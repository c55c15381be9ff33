//! Reading the store: the only module that calls `Store`, and only its read methods.
//!
//! A page reads an experiment's record and all its trial records, then curves only for the few
//! trials a chart draws. Decoding 10,000 trial records is the most expensive step of a page, so
//! decoded experiments are kept as shared snapshots, as fresh as `Freshness` asks: `sweep serve`
//! holds the store's lock and nothing else can write it, so its snapshots never go stale
//! (`Frozen`); the dashboard of a running sweep re-reads at most once per `max_age`
//! (`Sweeping`), as does `sweep serve --exchange`, whose followers write the store
//! (`Following`); tests read on every request. One request per experiment reloads a stale
//! snapshot while the others wait for it, instead of all decoding at once. A snapshot that took
//! long to make (read, decode, analyse) is kept longer than `max_age`, `COST_SHARE` times what it
//! took, so that the dashboard of a large running sweep takes a bounded share of a core from the
//! sweep however many trials it has. Nothing here writes.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use experiment::{
    Constraint, Effort, ExperimentSpec, MetricSpec, Step, Timestamp, Trial, TrialId, TrialState,
    WarmStarted,
};
use store::{AgentOf, CheckpointAt, ExperimentInfo, RunRecord, Store, TestResult, TrialTrace};

use crate::charts;
use crate::error::Near;
use crate::view::experiment_page::Analysis;
use crate::{Error, Notices, Result};

/// The store's names of the kinds of record an experiment's snapshot may leave out
/// (`ExperimentData::unreadable`).
pub(crate) use store::{RUN_RECORD, TEST_RESULT, WARM_START};

/// How fresh what the dashboard shows must be, which follows from who writes the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    /// Read the store on every request (another handle in this process may write anything).
    EveryRequest,
    /// A sweep in this process is writing the store, running `experiment`: reuse what was read
    /// up to `max_age` ago. This process holds the store's lock, so any other experiment left
    /// `running` was killed, and shows as `interrupted`.
    Sweeping {
        /// The experiment the sweep runs.
        experiment: String,
        /// How old a snapshot may be (older for one that took long to make: `kept_for`).
        max_age: Duration,
        /// What the sweep says on its experiment's page beside the store's numbers.
        notices: Notices,
    },
    /// The store does not change while it is served (this process holds its lock and only
    /// reads): read each experiment once; every experiment left `running` shows as
    /// `interrupted`.
    Frozen,
    /// Threads of this process write into the store the studies that agents elsewhere run,
    /// from their journals (`sweep serve --exchange`): reuse what was read up to `max_age`
    /// ago, and show nothing as `interrupted` for want of a writer here; each experiment's
    /// page shows what its follower says of it.
    Following {
        /// What the followers say of their studies (which agent one waits for).
        notices: Notices,
        /// How old a snapshot may be (older for one that took long to make: `kept_for`).
        max_age: Duration,
    },
}

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

/// How many times as long as a snapshot took to make it is kept at least: the dashboard of a
/// running sweep then spends at most about a fifth of a core making snapshots (0.6 s each at
/// 40,000 trials: one every 2.4 s rather than every second).
const COST_SHARE: u32 = 4;

/// Returns how long a snapshot that took `cost` to make stays fresh under a `max_age`: the
/// longer of the two and `COST_SHARE` times the cost; no time when `max_age` is zero (read on
/// every request).
pub(crate) fn kept_for(max_age: Duration, cost: Duration) -> Duration {
    if max_age.is_zero() {
        return Duration::ZERO;
    }
    max_age.max(cost.saturating_mul(COST_SHARE))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding the lock leaves a complete value (or none): use it.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An experiment with its parsed spec and every trial.
#[derive(Debug)]
pub(crate) struct ExperimentData {
    /// The stored record.
    pub(crate) info: ExperimentInfo,
    /// The spec parsed from the stored YAML, when it still parses.
    pub(crate) spec: Option<ExperimentSpec>,
    /// Why the stored spec does not read with this version, when it does not (`spec` is then
    /// `None`, and the pages say what that leaves out: `view::spec_notice`).
    pub(crate) spec_problem: Option<String>,
    /// Why each of its records that does not read with this version does not (a newer Sweep
    /// wrote it, or its bytes do not decode), by the store's name of its kind (`RUN_RECORD`,
    /// `TEST_RESULT`, `WARM_START`): the experiment is shown without them, and its page says so
    /// (`view::record_notice`).
    pub(crate) unreadable: BTreeMap<&'static str, String>,
    /// Every trial, by id.
    pub(crate) trials: Vec<Trial>,
    /// The metric names a running trial reported, read while no trial has a result
    /// (`Reader::reported_before_a_result`), for `task` to go by from a trial's first epoch.
    reported: Vec<String>,
    /// The traces of the trials whose record keeps one (attempts cut off, the last report of
    /// one a kill left running), by id: bookkeeping no result reads.
    pub(crate) traces: BTreeMap<TrialId, TrialTrace>,
    /// Which agent of how many made the store, as its run record says, for the command that
    /// resumes it (`view::resume_command_of`).
    pub(crate) agent: Option<AgentOf>,
    /// The exchange folder that agent's study shared, as it was given it (absolute from the
    /// CLI), where its run record keeps it (records of version 5 on), for the same command.
    pub(crate) exchange: Option<String>,
    /// The absolute path of the spec file, as its run record keeps it (empty records left
    /// out), for the same command: it resumes from any folder.
    pub(crate) spec_file: Option<String>,
    /// The best trial's metrics on the test split, once measured (after the sweep).
    pub(crate) test: Option<TestResult>,
    /// The trials its sampler took from another experiment (`warm_start:`), if any; shared by
    /// the snapshots of one experiment.
    pub(crate) warm_start: Option<Arc<WarmStarted>>,
    /// Whether the run record says the sweep ran with other sampler or pruner settings than
    /// the spec now reads as (a default changed since), and those that differ: "`method`
    /// `with_margin`: false then, true now".
    pub(crate) settings_changed: Option<Vec<String>>,
    /// The experiment page's charts and rank order for each objective, computed on first use
    /// of this snapshot.
    pub(crate) analyses: Vec<OnceLock<Arc<Analysis>>>,
    /// Held while an analysis or the epochs trained are computed, so that requests arriving
    /// meanwhile wait for them rather than compute them too.
    computing: Mutex<()>,
    /// What the trials trained (`Reader::effort`), read on first use of this snapshot.
    effort: OnceLock<Effort>,
    /// Rendered experiment pages, by request, and whether each is live (see `page`).
    pages: Mutex<HashMap<String, Bytes>>,
    /// The microseconds spent reading this snapshot and computing what it keeps (`spent`).
    cost: AtomicU64,
    /// The count of every snapshot's kept page bytes this one's pages are in
    /// (`ALL_PAGE_BYTES`; a test's own in tests).
    budget: &'static AtomicUsize,
}

/// The most rendered pages kept per snapshot, and the most bytes of them (a page of a large
/// experiment is most of a megabyte, and a store may hold dozens); a full cache starts over.
const PAGES_KEPT: usize = 64;
const PAGE_BYTES_KEPT: usize = 4 << 20;

/// The bytes of the pages every snapshot keeps, together: past `ALL_PAGE_BYTES_KEPT`, a page
/// is sent and not kept (a dashboard browsed through the pages of 190 experiments held 600 MB,
/// 4 MiB each).
static ALL_PAGE_BYTES: AtomicUsize = AtomicUsize::new(0);
const ALL_PAGE_BYTES_KEPT: usize = 64 << 20;

impl ExperimentData {
    /// Returns a snapshot of an experiment and its trials, with its spec parsed.
    pub(crate) fn new(info: ExperimentInfo, trials: Vec<Trial>) -> ExperimentData {
        let (spec, spec_problem) = match read_spec(&info) {
            Ok(spec) => (Some(spec), None),
            Err(problem) => (None, Some(problem)),
        };
        let objectives = info.objectives(spec.as_ref()).len().max(1);
        ExperimentData {
            info,
            spec,
            spec_problem,
            unreadable: BTreeMap::new(),
            trials,
            reported: Vec::new(),
            traces: BTreeMap::new(),
            agent: None,
            exchange: None,
            spec_file: None,
            test: None,
            warm_start: None,
            settings_changed: None,
            analyses: (0..objectives).map(|_| OnceLock::new()).collect(),
            computing: Mutex::default(),
            effort: OnceLock::new(),
            pages: Mutex::default(),
            cost: AtomicU64::new(0),
            budget: &ALL_PAGE_BYTES,
        }
    }

    /// Returns the snapshot with the metric names a running trial reported before any trial
    /// had a result (`reported`).
    pub(crate) fn with_reported(mut self, names: Vec<String>) -> ExperimentData {
        self.reported = names;
        self
    }

    /// Counts `time` spent making this snapshot or what it keeps (an analysis, the effort).
    pub(crate) fn spent(&self, time: Duration) {
        let micros = u64::try_from(time.as_micros()).unwrap_or(u64::MAX);
        self.cost.fetch_add(micros, Ordering::Relaxed);
    }

    /// Returns the time spent making this snapshot and what it keeps so far.
    pub(crate) fn cost(&self) -> Duration {
        Duration::from_micros(self.cost.load(Ordering::Relaxed))
    }

    /// Returns the snapshot with what its run `record` says, when it has one.
    pub(crate) fn with_record(mut self, record: Option<&RunRecord>) -> ExperimentData {
        self.settings_changed = match (&self.spec, record) {
            (Some(spec), Some(r)) => spec.search_changes(&r.resolved_spec),
            _ => None,
        };
        self.agent = record.and_then(|r| r.agent);
        self.exchange = record.and_then(|r| r.exchange.clone());
        self.spec_file = record
            .map(|r| r.spec_file.clone())
            .filter(|f| !f.is_empty());
        self
    }

    /// Returns the snapshot with its trials' traces, by id (empty ones left out).
    pub(crate) fn with_traces(mut self, traces: BTreeMap<TrialId, TrialTrace>) -> ExperimentData {
        self.traces = traces;
        self
    }

    /// Returns the spans of work its trials' records keep beside the trials' own times, for
    /// `experiment::busy_ms`: attempts cut off, and, where no sweep runs the experiment, each
    /// trial a kill left running from its start to its last report.
    pub(crate) fn kept_spans(&self) -> Vec<(Timestamp, Timestamp)> {
        let live = self.info.status == store::ExperimentStatus::Running;
        self.trials
            .iter()
            .filter_map(|t| Some((t, self.traces.get(&t.id)?)))
            .flat_map(|(t, trace)| trace.spans(t, live))
            .collect()
    }

    /// Returns its trials still running, by start (those whose start is unknown after those
    /// whose start is known), then by number.
    pub(crate) fn running_by_start(&self) -> Vec<&Trial> {
        let mut running: Vec<&Trial> = self
            .trials
            .iter()
            .filter(|t| t.state == TrialState::Running)
            .collect();
        running.sort_by_key(|t| (t.started.is_none(), t.started.map(|s| s.0), t.id));
        running
    }

    /// Returns the snapshot with why each of its records that does not read does not, by kind.
    pub(crate) fn with_unreadable(
        mut self,
        unreadable: BTreeMap<&'static str, String>,
    ) -> ExperimentData {
        self.unreadable = unreadable;
        self
    }

    /// Returns the snapshot with the trials its sampler took from another experiment.
    pub(crate) fn with_warm_start(mut self, warm: Option<Arc<WarmStarted>>) -> ExperimentData {
        self.warm_start = warm;
        self
    }

    /// Returns the snapshot with the test split's result `test`.
    pub(crate) fn with_test(mut self, test: Option<TestResult>) -> ExperimentData {
        self.test = test;
        self
    }

    /// Returns the objectives: the spec's, or the stored objective alone when the spec no
    /// longer parses.
    pub(crate) fn objectives(&self) -> Vec<MetricSpec> {
        self.info.objectives(self.spec.as_ref())
    }

    /// Returns what the experiment's models predict: the spec's `data.task`, or, where the spec
    /// infers it from the data (or no longer parses), what its metrics say: a regression
    /// metric (`val_rmse`, ...) reported (in a result, or before any by a running trial) or
    /// asked for means regression, a classification one (`val_accuracy`, ...) classification.
    pub(crate) fn task(&self) -> charts::Task {
        let reported = self
            .trials
            .iter()
            .filter_map(|t| t.result.as_ref())
            .flat_map(|r| r.metrics.keys().map(String::as_str));
        // Before any result, what a running trial reported.
        let running = self.reported.iter().map(String::as_str);
        let asked = self.objectives();
        let names = reported
            .chain(running)
            .chain(asked.iter().map(|o| o.name.as_str()));
        charts::Task::of(self.spec.as_ref(), names)
    }

    /// Returns the spec's constraints: none when it has none or no longer parses.
    pub(crate) fn constraints(&self) -> &[Constraint] {
        self.spec.as_ref().map_or(&[], |s| s.constraints.as_slice())
    }

    /// Returns the page rendered earlier for `request` (the query string and anything else
    /// the HTML depends on), if this snapshot keeps one; it is live as the snapshot's
    /// experiment is (kept pages have no notices).
    pub(crate) fn page(&self, request: &str) -> Option<Bytes> {
        lock(&self.pages).get(request).cloned()
    }

    /// Returns the lock held while one of the snapshot's analyses, or its epochs trained, are
    /// computed (not both at once: it is not reentrant).
    pub(crate) fn computing(&self) -> std::sync::MutexGuard<'_, ()> {
        lock(&self.computing)
    }

    /// Returns how many rendered pages the snapshot keeps.
    #[cfg(test)]
    pub(crate) fn kept_pages(&self) -> usize {
        lock(&self.pages).len()
    }

    /// Keeps `html` as the page for `request`. Only pages that depend on nothing
    /// but the snapshot and the request may be kept: a finished experiment's for good, a live
    /// one's (whose durations count up with the clock) for as long as its snapshot stands, a
    /// second or a few on a running sweep's dashboard, so that tabs polling it between two
    /// snapshots are sent the page rather than each render it. The pages kept are at most
    /// `PAGES_KEPT` and `PAGE_BYTES_KEPT` bytes.
    /// Every snapshot's pages together are at most `ALL_PAGE_BYTES_KEPT` bytes.
    pub(crate) fn keep_page(&self, request: &str, html: Bytes) {
        self.keep_within(request, html, ALL_PAGE_BYTES_KEPT);
    }

    /// Keeps `page` for `request` as `keep_page` does, its bytes counted in the snapshot's
    /// `budget`, the pages of every snapshot, which are to stay within `limit`: reserved in one
    /// step, so that pages kept at once by two requests never pass it together.
    fn keep_within(&self, request: &str, page: Bytes, limit: usize) {
        let all = self.budget;
        let mut pages = lock(&self.pages);
        let bytes: usize = pages.values().map(Bytes::len).sum();
        if pages.len() >= PAGES_KEPT || bytes + page.len() > PAGE_BYTES_KEPT {
            pages.clear();
            release(all, bytes);
        }
        let size = page.len();
        let reserved = all.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
            n.checked_add(size).filter(|total| *total <= limit)
        });
        if reserved.is_err() {
            return;
        }
        if let Some(before) = pages.insert(request.to_string(), page) {
            release(all, before.len());
        }
    }
}

/// Takes `bytes` off the count `all` (never below 0).
fn release(all: &AtomicUsize, bytes: usize) {
    let _ = all.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
        Some(n.saturating_sub(bytes))
    });
}

impl Drop for ExperimentData {
    fn drop(&mut self) {
        let pages = self.pages.get_mut().unwrap_or_else(|p| p.into_inner());
        let bytes: usize = pages.values().map(Bytes::len).sum();
        release(self.budget, bytes);
    }
}

/// One metric of one trial, in step order.
pub(crate) type Series = Vec<(Step, f64)>;

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

/// Returns the record of kind `what` (`RUN_RECORD`, `TEST_RESULT`, `WARM_START`) of experiment
/// `name` as `read` from the store, or, where it does not read with this version (a newer Sweep
/// wrote it, in a record version this one does not know, or its bytes do not decode), why
/// (logged): the experiment is shown without it, rather than fail every page that reads it, and
/// `sweep serve` with it. Any other error, a record of another kind's included, is the store's.
fn readable_record<T>(
    what: &'static str,
    name: &str,
    read: store::Result<Option<T>>,
) -> Result<std::result::Result<Option<T>, String>> {
    match read {
        Ok(record) => Ok(Ok(record)),
        Err(e) if e.unreadable_record(what).is_some() => {
            tracing::debug!(experiment = %name, record = what, error = %e, "record does not read; left out");
            Ok(Err(e.to_string()))
        }
        Err(e) => Err(e.into()),
    }
}

/// Returns the record of kind `what` of experiment `name` as `read` from the store, or `None`
/// where it does not read (`readable_record`), with why kept in `unreadable` under its kind
/// (`left_out`); any other error is the store's. The one way this module reads a record that
/// may not read.
fn read_record<T>(
    unreadable: &mut BTreeMap<&'static str, String>,
    what: &'static str,
    name: &str,
    read: store::Result<Option<T>>,
) -> Result<Option<T>> {
    Ok(left_out(
        unreadable,
        what,
        readable_record(what, name, read)?,
    ))
}

/// Returns the record `read` by `readable_record`, or `None` where it does not read, with why
/// kept in `unreadable` under its kind, `what`.
fn left_out<T>(
    unreadable: &mut BTreeMap<&'static str, String>,
    what: &'static str,
    read: std::result::Result<Option<T>, String>,
) -> Option<T> {
    read.unwrap_or_else(|problem| {
        unreadable.insert(what, problem);
        None
    })
}

/// Returns the spec parsed from the stored YAML, or why it does not read with this version
/// (logged): a spec stored by an older version, with a field since removed, say.
pub(crate) fn read_spec(info: &ExperimentInfo) -> std::result::Result<ExperimentSpec, String> {
    info.spec().map_err(|e| {
        tracing::debug!(experiment = %info.name, error = %e, "stored spec does not parse; axes are inferred");
        e.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::fixtures;

    #[test]
    fn a_run_record_that_does_not_read_is_left_out_with_why_and_other_errors_are_the_stores() {
        let newer = store::Error::RecordVersion {
            what: "run record",
            experiment: None,
            version: 99,
        };
        // The store's own words (which versions it reads moves with the store).
        let said = newer.to_string();
        assert!(
            said.starts_with("run record has version 99, but this sweep reads versions 1 to "),
            "{said}"
        );
        let left_out =
            readable_record::<RunRecord>(RUN_RECORD, "x", Err(newer)).map_err(|e| e.to_string());
        assert_eq!(left_out, Ok(Err(said)));
        let damaged = store::Error::Corrupt {
            what: "run record",
            detail: "expected value at line 1 column 1".into(),
        };
        assert!(matches!(
            readable_record::<RunRecord>(RUN_RECORD, "x", Err(damaged)),
            Ok(Err(_))
        ));
        // The store's own failures still fail the page.
        let database = store::Error::Corrupt {
            what: "database file",
            detail: "sled detected corruption".into(),
        };
        assert!(readable_record::<RunRecord>(RUN_RECORD, "x", Err(database)).is_err());
        assert!(matches!(
            readable_record::<RunRecord>(RUN_RECORD, "x", Ok(None)),
            Ok(Ok(None))
        ));
    }

    #[test]
    fn a_test_result_or_warm_start_that_does_not_read_is_left_out_and_another_kinds_is_not() {
        let newer = |what: &'static str| store::Error::RecordVersion {
            what,
            experiment: Some("digits".into()),
            version: 2,
        };
        let test = readable_record::<TestResult>(TEST_RESULT, "digits", Err(newer(TEST_RESULT)));
        assert_eq!(
            test.map_err(|e| e.to_string()),
            Ok(Err(
                "test result of experiment `digits` has version 2, but this sweep reads \
                 version 1: a newer sweep wrote it; read it with that sweep or a later one"
                    .to_string()
            ))
        );
        let damaged = store::Error::Corrupt {
            what: WARM_START,
            detail: "expected value at line 1 column 1".into(),
        };
        let warm = readable_record::<WarmStarted>(WARM_START, "digits", Err(damaged));
        assert!(matches!(warm, Ok(Err(_))));
        // A record of another kind is not the one asked for: the store's error, as before.
        let trial = store::Error::RecordVersion {
            what: "trial record",
            experiment: None,
            version: 9,
        };
        assert!(readable_record::<TestResult>(TEST_RESULT, "digits", Err(trial)).is_err());
        assert!(
            readable_record::<TestResult>(TEST_RESULT, "digits", Err(newer(RUN_RECORD))).is_err()
        );
    }

    #[test]
    fn what_does_not_read_is_kept_by_kind_and_the_rest_is_read() {
        let mut unreadable = BTreeMap::new();
        assert_eq!(left_out(&mut unreadable, TEST_RESULT, Ok(Some(3))), Some(3));
        assert_eq!(
            left_out::<u32>(&mut unreadable, WARM_START, Err("newer".into())),
            None
        );
        assert_eq!(
            unreadable,
            BTreeMap::from([(WARM_START, "newer".to_string())])
        );
    }

    #[test]
    fn every_snapshots_pages_together_stay_within_their_budget() {
        let all: &'static AtomicUsize = Box::leak(Box::new(AtomicUsize::new(0)));
        let budget = 10_000;
        let snapshot = |name: &str| {
            let info = fixtures::info(name, store::ExperimentStatus::Finished, 4);
            let mut data = ExperimentData::new(info, Vec::new());
            data.budget = all;
            data
        };
        let page = |n: usize| Bytes::from(vec![b'x'; n]);
        let (a, b) = (snapshot("a"), snapshot("b"));
        a.keep_within("/experiments/a", page(6_000), budget);
        b.keep_within("/experiments/b", page(3_000), budget);
        assert_eq!(
            (a.kept_pages(), b.kept_pages(), all.load(Ordering::Relaxed)),
            (1, 1, 9_000)
        );
        // Past the budget the page is sent, not kept; a page kept again counts once.
        b.keep_within("/experiments/b?page=2", page(3_000), budget);
        assert_eq!((b.kept_pages(), all.load(Ordering::Relaxed)), (1, 9_000));
        b.keep_within("/experiments/b", page(1_000), budget);
        assert_eq!(all.load(Ordering::Relaxed), 7_000);
        b.keep_within("/experiments/b?page=2", page(3_000), budget);
        assert_eq!((b.kept_pages(), all.load(Ordering::Relaxed)), (2, 10_000));
        // A snapshot let go gives its pages' bytes back.
        drop(a);
        assert_eq!(all.load(Ordering::Relaxed), 4_000);
    }
}
