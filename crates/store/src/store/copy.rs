//! A copy of part of a store as bytes, and a temporary store made from one: how a command that
//! only reads a store reads one that another process holds (sled opens a database in one
//! process only), through that process's dashboard (`sweep ls`, `sweep show`).
//!
//! A copy holds the stored bytes of each key it takes, unchanged: the temporary store made from
//! it answers every read as the store it came from answers it, so the command's output is the
//! same as a direct read's by construction, with no second reader of the records. Each
//! experiment keeps its id, so experiments, trials and metric points keep their order.
//!
//! The bytes: `MAGIC`, then for each tree its name (u16 length, UTF-8) and its entries (u64
//! count), each a key and a value (u32 length each), then the end: an empty name and the number
//! of trees (u64); integers are big-endian. A tree this version does not know, bytes that end
//! before the end (between two trees as well as within one), or bytes after it are refused
//! (`Error::Corrupt`), never read in part. The layout's version (`MAGIC`'s last byte) is 2 since
//! the end was added: a copy of version 1 has none, so where it was cut cannot be told.
//!
//! Rejected: the agents' journals as the format (they carry trials and points, not the records
//! beside them: a record, a test result, a warm start, a trial's trace); the dashboard's JSON
//! (a second rendering of the records, which the output would then depend on).

use std::path::Path;

use super::Store;
use crate::error::storage;
use crate::keys::ExperimentId;
use crate::{Error, Result};

/// What every copy starts with; its last byte is the version of the layout.
const MAGIC: &[u8] = b"sweep store copy\n\x02";

/// What a copy of a store holds (`Store::copy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyScope<'a> {
    /// Every experiment with its records and trials, without metric points: what `sweep ls`
    /// reads.
    Experiments,
    /// Every experiment's record (for an unknown name's `did you mean`), and the named one's
    /// records, trials and every metric point: what `sweep export --series` reads.
    Experiment(&'a str),
    /// What `Experiment` takes, with only the last point of each metric of each trial, the one
    /// `Store::effort` and a running trial's latest values read: what `sweep show EXPERIMENT`,
    /// `sweep trials` and `sweep export` of the trials read. A trial's curve is most of an
    /// experiment's bytes (thousands of points a trial), and these commands read none of it.
    Trials(&'a str),
}

impl Store {
    /// Returns the stored bytes `scope` takes, as a copy that `temporary_from_copy` reads.
    pub fn copy(&self, scope: CopyScope<'_>) -> Result<Vec<u8>> {
        let mut out = MAGIC.to_vec();
        let format = self
            .meta
            .get(super::FORMAT_VERSION_KEY)
            .map_err(storage)?
            .map(|v| (super::FORMAT_VERSION_KEY.to_vec(), v.to_vec()));
        put_tree(&mut out, "meta", format.into_iter().collect())?;
        // A sweep may write the store while it is copied, tree after tree (`sweep run`'s
        // dashboard): each tree is read as a direct reader reads it, names and records first,
        // then trials, then their points, and what one tree holds that the trees read before it
        // do not lead to is left out (`joined`), so that no read of the copy meets a state a
        // direct read could not: an experiment with a record but no name, or points of a trial
        // whose record was written after the trials were read.
        let (ids, experiments) = joined(
            all(&self.experiment_ids, &[])?,
            all(&self.experiments, &[])?,
        );
        put_tree(&mut out, "experiment_ids", ids)?;
        put_tree(&mut out, "experiments", experiments)?;
        let one = match scope {
            CopyScope::Experiments => None,
            CopyScope::Experiment(name) | CopyScope::Trials(name) => {
                Some(self.find_experiment_id(name)?)
            }
        };
        // The records and trials of every experiment, or of the one asked for (none where no
        // experiment has its name).
        let of = |tree: &sled::Tree| -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
            match one {
                None => all(tree, &[]),
                Some(None) => Ok(Vec::new()),
                Some(Some(id)) => all(tree, &id.to_bytes()),
            }
        };
        put_tree(&mut out, "run_records", of(&self.run_records)?)?;
        put_tree(&mut out, "test_results", of(&self.test_results)?)?;
        put_tree(&mut out, "warm_starts", of(&self.warm_starts)?)?;
        let trials = of(&self.trials)?;
        if one.is_some() {
            // A trial key (experiment and trial) starts each of its points' keys.
            let known: std::collections::BTreeSet<&[u8]> =
                trials.iter().map(|(key, _)| key.as_slice()).collect();
            let mut points = match (scope, one) {
                (CopyScope::Trials(_), Some(Some(id))) => last_points(&self.metrics, id)?,
                _ => of(&self.metrics)?,
            };
            points.retain(|(key, _)| key.get(..TRIAL_KEY_LEN).is_some_and(|t| known.contains(t)));
            put_tree(&mut out, "trials", trials)?;
            put_tree(&mut out, "metrics", points)?;
        } else {
            put_tree(&mut out, "trials", trials)?;
        }
        put_end(&mut out, trees(scope));
        Ok(out)
    }

    /// Opens a temporary store (as `temporary_in` does, in `chosen`) holding what `copy` wrote
    /// into `bytes`; bytes that are not such a copy are refused as a corrupt copy.
    pub fn temporary_from_copy(chosen: Option<&Path>, bytes: &[u8]) -> Result<Store> {
        let trees = read_copy(bytes)?;
        // A small cache: the command reads the copy once, and sled's default (1 GB) would keep
        // every page of a curve-laden copy in memory besides the copy itself.
        let config = sled::Config::new().cache_capacity(COPY_CACHE);
        let store = Store::temporary_with(chosen, config)?;
        for (name, entries) in trees {
            let tree = store.tree(&name)?;
            // In batches of a bounded size: one batch of a whole curve-laden tree is held
            // whole, in sled's own form, beside the copy.
            for chunk in entries.chunks(LOAD_BATCH) {
                let mut batch = sled::Batch::default();
                for (key, value) in chunk {
                    batch.insert(*key, *value);
                }
                tree.apply_batch(batch).map_err(storage)?;
                // Written out, a batch's pages may leave the cache.
                store.db.flush().map_err(storage)?;
            }
        }
        // The copy's format version replaced the one the new store wrote: checked as an open
        // checks it.
        store.check_format()?;
        Ok(store)
    }

    /// Returns the tree a copy names, or an error for a name this version does not know.
    fn tree(&self, name: &str) -> Result<&sled::Tree> {
        Ok(match name {
            "meta" => &self.meta,
            "experiment_ids" => &self.experiment_ids,
            "experiments" => &self.experiments,
            "run_records" => &self.run_records,
            "test_results" => &self.test_results,
            "warm_starts" => &self.warm_starts,
            "trials" => &self.trials,
            "metrics" => &self.metrics,
            other => {
                return Err(Error::corrupt(
                    "store copy",
                    format!("it holds a tree `{other}` this version does not know"),
                ))
            }
        })
    }
}

/// A tree's entries, keys and values as stored.
type Entries = Vec<(Vec<u8>, Vec<u8>)>;

/// A tree's entries as a copy holds them, borrowed from its bytes.
type Borrowed<'b> = Vec<(&'b [u8], &'b [u8])>;

/// How many entries of a copy go into the temporary store in one batch.
const LOAD_BATCH: usize = 4096;

/// The bytes of sled's cache in a temporary store made from a copy.
const COPY_CACHE: u64 = 16 << 20;

/// The length of a trial's key, which starts the keys of its metric points (`keys::trial_key`).
const TRIAL_KEY_LEN: usize = 12;
/// The length of the step that ends a metric point's key (`keys::metric_key`).
const STEP_LEN: usize = 4;

/// Returns the entries of the names (`experiment_ids`: name to id) and of the experiments' own
/// records (`experiments`: id to record) that lead to one another: an experiment created, or
/// removed, between the reads of the two trees is in both or in neither.
fn joined(names: Entries, experiments: Entries) -> (Entries, Entries) {
    let named: std::collections::BTreeSet<&[u8]> =
        names.iter().map(|(_, id)| id.as_slice()).collect();
    let experiments: Entries = experiments
        .into_iter()
        .filter(|(id, _)| named.contains(id.as_slice()))
        .collect();
    let recorded: std::collections::BTreeSet<&[u8]> =
        experiments.iter().map(|(id, _)| id.as_slice()).collect();
    let names = names
        .iter()
        .filter(|(_, id)| recorded.contains(id.as_slice()))
        .cloned()
        .collect();
    (names, experiments)
}

/// Returns `tree`'s entries whose keys start with `prefix`, in key order.
fn all(tree: &sled::Tree, prefix: &[u8]) -> Result<Entries> {
    tree.scan_prefix(prefix)
        .map(|entry| {
            let (key, value) = entry.map_err(storage)?;
            Ok((key.to_vec(), value.to_vec()))
        })
        .collect()
}

/// Returns the last point of each metric of each trial of experiment `id`, in key order: a
/// metric's points are its prefix (trial, name) and a step, so its last key ends the run of keys
/// with that prefix.
fn last_points(metrics: &sled::Tree, id: ExperimentId) -> Result<Entries> {
    let series = |key: &[u8]| {
        key.len()
            .checked_sub(STEP_LEN)
            .map(|end| key[..end].to_vec())
    };
    let mut last: Entries = Vec::new();
    for entry in metrics.scan_prefix(id.to_bytes()) {
        let (key, value) = entry.map_err(storage)?;
        let same = last
            .last()
            .is_some_and(|(before, _)| series(before) == series(&key));
        if same {
            last.pop();
        }
        last.push((key.to_vec(), value.to_vec()));
    }
    Ok(last)
}

/// Appends tree `name` with its `entries` to `out`.
fn put_tree(out: &mut Vec<u8>, name: &str, entries: Entries) -> Result<()> {
    let too_long = |what: &str| Error::corrupt("store copy", format!("{what} too long to copy"));
    let name_len = u16::try_from(name.len()).map_err(|_| too_long("a tree name"))?;
    out.extend_from_slice(&name_len.to_be_bytes());
    out.extend_from_slice(name.as_bytes());
    let count = u64::try_from(entries.len()).map_err(|_| too_long("a tree"))?;
    out.extend_from_slice(&count.to_be_bytes());
    for (key, value) in entries {
        for bytes in [key, value] {
            let len = u32::try_from(bytes.len()).map_err(|_| too_long("a value"))?;
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(&bytes);
        }
    }
    Ok(())
}

/// Returns how many trees a copy of `scope` holds: `meta`, the names, the experiments, their
/// run records, test results, warm starts and trials, and the points of one experiment's.
fn trees(scope: CopyScope<'_>) -> u64 {
    match scope {
        CopyScope::Experiments => 7,
        CopyScope::Experiment(_) | CopyScope::Trials(_) => 8,
    }
}

/// Appends the end of a copy of `trees` trees to `out`: an empty name, which no tree has, and
/// the number of trees.
fn put_end(out: &mut Vec<u8>, trees: u64) {
    out.extend_from_slice(&0u16.to_be_bytes());
    out.extend_from_slice(&trees.to_be_bytes());
}

/// Reads the trees of a copy, refusing bytes that are not one whole.
fn read_copy(bytes: &[u8]) -> Result<Vec<(String, Borrowed<'_>)>> {
    let mut rest = bytes.strip_prefix(MAGIC).ok_or_else(|| {
        Error::corrupt(
            "store copy",
            "it does not start as a copy of this version's store does",
        )
    })?;
    let mut trees = Vec::new();
    loop {
        let name_len = usize::from(u16::from_be_bytes(take_array(&mut rest)?));
        if name_len == 0 {
            let said = u64::from_be_bytes(take_array(&mut rest)?);
            if usize::try_from(said).ok() != Some(trees.len()) {
                return Err(Error::corrupt(
                    "store copy",
                    format!(
                        "its end says {said} trees, and {} came before it",
                        trees.len()
                    ),
                ));
            }
            if !rest.is_empty() {
                return Err(Error::corrupt("store copy", "bytes follow its end"));
            }
            return Ok(trees);
        }
        let name = std::str::from_utf8(take(&mut rest, name_len)?)
            .map_err(|_| Error::corrupt("store copy", "a tree's name is not UTF-8"))?
            .to_string();
        let count = u64::from_be_bytes(take_array(&mut rest)?);
        let mut entries = Vec::new();
        for _ in 0..count {
            let key = take_sized(&mut rest)?;
            let value = take_sized(&mut rest)?;
            entries.push((key, value));
        }
        trees.push((name, entries));
    }
}

/// Takes a u32 length and that many bytes from the front of `rest`.
fn take_sized<'b>(rest: &mut &'b [u8]) -> Result<&'b [u8]> {
    let len = u32::from_be_bytes(take_array(rest)?);
    let len = usize::try_from(len).map_err(|_| ended())?;
    take(rest, len)
}

/// Takes `N` bytes from the front of `rest`.
fn take_array<const N: usize>(rest: &mut &[u8]) -> Result<[u8; N]> {
    let (head, tail) = rest.split_first_chunk::<N>().ok_or_else(ended)?;
    *rest = tail;
    Ok(*head)
}

/// Takes `len` bytes from the front of `rest`.
fn take<'b>(rest: &mut &'b [u8], len: usize) -> Result<&'b [u8]> {
    if rest.len() < len {
        return Err(ended());
    }
    let (head, tail) = rest.split_at(len);
    *rest = tail;
    Ok(head)
}

fn ended() -> Error {
    Error::corrupt("store copy", "it ends before its end")
}

#[cfg(test)]
mod tests {
    use experiment::{MetricPoint, Step, TrialId, TrialState};

    use super::*;
    use crate::store::tests::{info, point, trial};

    /// Returns `value` as `Debug` writes it: a trial's NaN metric compares equal so.
    fn debug(value: impl std::fmt::Debug) -> String {
        format!("{value:?}")
    }

    /// A store of two experiments, each with two trials with a curve, a run record beside the
    /// second.
    fn filled() -> Store {
        let store = Store::temporary().unwrap();
        for (name, created) in [("b", 2), ("a", 1)] {
            store.create_experiment(&info(name, created)).unwrap();
            for id in 0..2 {
                store
                    .put_trial(name, &trial(id, TrialState::Completed))
                    .unwrap();
                let points: Vec<MetricPoint> = vec![point("val_loss", f64::from(id) + 0.5)];
                store
                    .append_metrics(name, TrialId(id), Step(1), &points)
                    .unwrap();
            }
        }
        let record = crate::RunRecord {
            spec_file: "/x/a.yaml".into(),
            ..crate::RunRecord::default()
        };
        store.put_run_record("a", &record).unwrap();
        store
    }

    #[test]
    fn a_copy_reads_back_as_the_store_it_came_from() {
        let store = filled();
        let copy =
            Store::temporary_from_copy(None, &store.copy(CopyScope::Experiments).unwrap()).unwrap();
        assert_eq!(copy.experiments().unwrap(), store.experiments().unwrap());
        for name in ["a", "b"] {
            assert_eq!(debug(copy.trials(name)), debug(store.trials(name)));
            assert_eq!(
                copy.run_record(name).unwrap(),
                store.run_record(name).unwrap()
            );
        }
        // The listing takes no metric points.
        assert!(copy.all_metric_series("a", TrialId(0)).unwrap().is_empty());
        // One experiment's copy: its curves and records, and every name for a `did you mean`.
        let one = store.copy(CopyScope::Experiment("a")).unwrap();
        let copy = Store::temporary_from_copy(None, &one).unwrap();
        assert_eq!(copy.experiments().unwrap(), store.experiments().unwrap());
        assert_eq!(
            copy.all_metric_series("a", TrialId(1)).unwrap(),
            store.all_metric_series("a", TrialId(1)).unwrap()
        );
        assert_eq!(
            copy.run_record("a").unwrap(),
            store.run_record("a").unwrap()
        );
        assert_eq!(
            debug(copy.traced_trials("a")),
            debug(store.traced_trials("a"))
        );
        assert!(copy.trials("b").unwrap().is_empty());
        // A name the store does not hold: the names alone.
        let none = store.copy(CopyScope::Experiment("c")).unwrap();
        let copy = Store::temporary_from_copy(None, &none).unwrap();
        assert_eq!(copy.experiments().unwrap(), store.experiments().unwrap());
        assert!(copy.trials("a").unwrap().is_empty());
    }

    #[test]
    fn issue_f1_a_copy_of_the_trials_takes_the_last_point_of_each_metric_alone() {
        let store = filled();
        for step in 2..50 {
            let points = vec![
                point("val_loss", f64::from(step)),
                point("acc", -f64::from(step)),
            ];
            store
                .append_metrics("a", TrialId(0), Step(step), &points)
                .unwrap();
        }
        let whole = store.copy(CopyScope::Experiment("a")).unwrap();
        let trials = store.copy(CopyScope::Trials("a")).unwrap();
        let copy = Store::temporary_from_copy(None, &trials).unwrap();
        // Each trial's metrics keep their last point, the one `effort` and `metrics_at` read.
        for id in 0..2 {
            let series = copy.all_metric_series("a", TrialId(id)).unwrap();
            let full = store.all_metric_series("a", TrialId(id)).unwrap();
            assert_eq!(
                series.keys().collect::<Vec<_>>(),
                full.keys().collect::<Vec<_>>()
            );
            for (name, points) in &series {
                assert_eq!(points.as_slice(), &full[name][full[name].len() - 1..]);
            }
            assert_eq!(
                copy.last_step("a", TrialId(id), "val_loss").unwrap(),
                store.last_step("a", TrialId(id), "val_loss").unwrap()
            );
        }
        assert_eq!(copy.metrics.len(), 3);
        assert!(
            trials.len() * 3 < whole.len(),
            "{} of {}",
            trials.len(),
            whole.len()
        );
        assert_eq!(
            debug(copy.traced_trials("a")),
            debug(store.traced_trials("a"))
        );
    }

    #[test]
    fn a_copy_made_while_a_sweep_writes_holds_only_what_a_direct_read_could_see() {
        // The copy reads tree after tree while the sweep writes: the trial 7 written after its
        // trials were read, whose points the copy's later read of the points meets, and an
        // experiment's record written before its name (or a name whose record is gone).
        let store = filled();
        let late = vec![point("val_loss", 0.75)];
        store
            .append_metrics("a", TrialId(7), Step(1), &late)
            .unwrap();
        let a = store.find_experiment_id("a").unwrap().unwrap();
        let b = store.find_experiment_id("b").unwrap().unwrap();
        let record = store.experiments.get(b.to_bytes()).unwrap().unwrap();
        store
            .experiments
            .insert(99u64.to_be_bytes(), record)
            .unwrap();
        store
            .experiment_ids
            .insert("gone", &77u64.to_be_bytes()[..])
            .unwrap();
        let copy = store.copy(CopyScope::Experiment("a")).unwrap();
        let copy = Store::temporary_from_copy(None, &copy).unwrap();
        // What a direct read of the store itself sees, the experiments by name.
        assert_eq!(copy.experiments().unwrap().len(), 2);
        assert_eq!(copy.find_experiment_id("gone").unwrap(), None);
        assert_eq!(copy.find_experiment_id("a").unwrap(), Some(a));
        assert_eq!(
            debug(copy.traced_trials("a")),
            debug(store.traced_trials("a"))
        );
        for id in 0..2 {
            assert_eq!(
                copy.all_metric_series("a", TrialId(id)).unwrap(),
                store.all_metric_series("a", TrialId(id)).unwrap()
            );
        }
        // The late trial's points are left out with it.
        assert!(copy.all_metric_series("a", TrialId(7)).unwrap().is_empty());
        assert!(copy.metrics.iter().all(|entry| {
            let (key, _) = entry.unwrap();
            key[TRIAL_KEY_LEN - 4..TRIAL_KEY_LEN] != 7u32.to_be_bytes()
        }));
    }

    #[test]
    fn bytes_that_are_not_a_whole_copy_are_refused() {
        let copy = filled().copy(CopyScope::Experiment("a")).unwrap();
        let refused = |bytes: &[u8]| match Store::temporary_from_copy(None, bytes) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("a copy of {} bytes read", bytes.len()),
        };
        // Cut anywhere past its start: refused, never read in part.
        for cut in [
            MAGIC.len() + 1,
            MAGIC.len() + 9,
            copy.len() / 2,
            copy.len() - 1,
        ] {
            let said = refused(&copy[..cut]);
            assert!(said.contains("ends before its end"), "{said}");
        }
        assert!(refused(b"{\"api_version\": 2}").contains("does not start as a copy"));
        let mut unknown = MAGIC.to_vec();
        put_tree(&mut unknown, "later", vec![(vec![1], vec![2])]).unwrap();
        put_end(&mut unknown, 1);
        assert!(refused(&unknown).contains("a tree `later`"));
    }

    #[test]
    fn issue_f3_a_copy_cut_at_a_trees_end_or_empty_is_refused() {
        for scope in [CopyScope::Experiments, CopyScope::Trials("a")] {
            let copy = filled().copy(scope).unwrap();
            // Every cut, those at each tree's end and MAGIC alone among them.
            for cut in 0..copy.len() {
                assert!(
                    read_copy(&copy[..cut]).is_err(),
                    "{scope:?} cut at {cut} of {}",
                    copy.len()
                );
            }
            assert_eq!(
                read_copy(&copy).unwrap().len(),
                8 - usize::from(scope == CopyScope::Experiments)
            );
            let mut more = copy.clone();
            more.push(0);
            assert!(read_copy(&more).is_err());
        }
        // An end that counts other trees than came before it.
        let mut short = MAGIC.to_vec();
        put_tree(&mut short, "meta", Vec::new()).unwrap();
        put_end(&mut short, 2);
        let said = Store::temporary_from_copy(None, &short)
            .err()
            .unwrap()
            .to_string();
        assert!(
            said.contains("its end says 2 trees, and 1 came before it"),
            "{said}"
        );
    }
}
