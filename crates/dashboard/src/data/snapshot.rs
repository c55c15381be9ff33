//! `ExperimentData`: one experiment's snapshot, its record, parsed spec and every trial, with
//! what it keeps while it stands (analyses, the epochs its trials trained, rendered pages
//! within a budget shared by every snapshot) and what making it cost.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use actix_web::web::Bytes;
use experiment::{
    Constraint, Effort, ExperimentSpec, MetricSpec, Timestamp, Trial, TrialId, TrialState,
    WarmStarted,
};
use store::{AgentOf, ExperimentInfo, RunRecord, TestResult, TrialTrace};

use super::lock;
use super::records::read_spec;
use crate::charts;
use crate::view::experiment_page::Analysis;

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
    pub(super) effort: OnceLock<Effort>,
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
        // The settings it runs under, where the version that stored it read the file otherwise
        // (`ExperimentSpec::as_it_ran`: Hyperband's default `max_resource`, a grid's points).
        let ran = match (&self.spec, record) {
            (Some(spec), Some(r)) => spec.as_it_ran(&r.resolved_spec),
            _ => None,
        };
        if ran.is_some() {
            self.spec = ran;
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::fixtures;

    /// Issue: an experiment stored by the previous version with Hyperband's default
    /// `max_resource` over a `q_` range of epochs (5, `max` floored) runs under it, but its page
    /// and the API said this version's default (6).
    #[test]
    fn issue_a_stored_experiment_shows_the_pruner_its_record_says_it_runs_under() {
        let text = "name: e\nseed: 7\nrun_cap: 2\nmetric: {name: val_loss}\n\
            data: {csv: data/d.csv, target: y}\n\
            pruner: {type: hyperband, min_resource: 1, reduction_factor: 2}\nparameters:\n  \
            lr: {min: 0.01, max: 1.0}\n  epochs: {distribution: q_uniform, min: 3, max: 5, q: 3}\n";
        let info = ExperimentInfo {
            spec_yaml: text.into(),
            spec_path: "/abs/e.yaml".into(),
            ..fixtures::info("e", store::ExperimentStatus::Finished, 4)
        };
        let hyperband = |max_resource: u32| experiment::PrunerSpec::Hyperband {
            min_resource: 1,
            max_resource,
            reduction_factor: 2,
            strict: false,
        };
        let data = ExperimentData::new(info.clone(), Vec::new());
        let spec = data.spec.clone().expect("the spec reads");
        assert_eq!(spec.pruner, hyperband(6));
        let record = |pruner| RunRecord {
            resolved_spec: ExperimentSpec {
                pruner,
                ..spec.clone()
            }
            .resolved(),
            ..RunRecord::default()
        };
        let earlier = data.with_record(Some(&record(hyperband(5))));
        assert_eq!(
            earlier.spec.as_ref().map(|s| s.pruner.clone()),
            Some(hyperband(5))
        );
        assert_eq!(earlier.settings_changed, None);
        let now = ExperimentData::new(info, Vec::new()).with_record(Some(&record(hyperband(6))));
        assert_eq!(
            now.spec.as_ref().map(|s| s.pruner.clone()),
            Some(hyperband(6))
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
