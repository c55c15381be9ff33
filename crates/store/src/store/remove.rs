//! Removing an experiment (`sweep rm`).
//!
//! Two steps, so that a crash between them loses nothing the user meant to keep and leaves
//! nothing that could be mistaken for live data: first one transaction unlinks the name and
//! deletes the experiment record, so the experiment vanishes at once and its name is free; then
//! the data under its id (trials, metric points, run record, test result) goes, a batch at a
//! time. Ids come from a counter and are never reused, so data left by a crash in the second
//! step is unreachable, and every removal first purges whatever such data it finds: it walks the
//! id-keyed trees one distinct id at a time (a seek each, not a scan of every metric point) and
//! deletes the ids that no experiment record claims.

use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};

use crate::error::storage;
use crate::keys::{self, ExperimentId};
use crate::{Error, Result, Store};

/// How many keys one deletion batch holds, so that a large experiment is not one huge batch.
const BATCH: usize = 10_000;

/// What `Store::remove_experiment` deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Removed {
    /// Trial records.
    pub trials: usize,
    /// Metric points.
    pub metric_points: usize,
}

impl Store {
    /// Removes the experiment called `name` and everything stored under it: its trials, metric
    /// points, run record and test result. Fails with `Error::UnknownExperiment` when there is
    /// no such experiment. The counts include any data an earlier, interrupted removal left.
    pub fn remove_experiment(&self, name: &str) -> Result<Removed> {
        self.unlink(name)?;
        let removed = self.purge_unreachable()?;
        self.flush()?;
        Ok(removed)
    }

    /// Deletes the name's index entry and the experiment record, together.
    fn unlink(&self, name: &str) -> Result<()> {
        let trees = (&self.experiment_ids, &self.experiments);
        let outcome = trees.transaction(|(ids, experiments)| {
            let Some(bytes) = ids.remove(name.as_bytes())? else {
                return Err(ConflictableTransactionError::Abort(
                    Error::UnknownExperiment {
                        name: name.to_owned(),
                    },
                ));
            };
            let id =
                ExperimentId::from_bytes(&bytes).map_err(ConflictableTransactionError::Abort)?;
            experiments.remove(&id.to_bytes())?;
            Ok(())
        });
        match outcome {
            Ok(()) => Ok(()),
            Err(TransactionError::Abort(e)) => Err(e),
            Err(TransactionError::Storage(e)) => Err(storage(e)),
        }
    }

    /// Deletes the data of every id that no experiment record claims.
    fn purge_unreachable(&self) -> Result<Removed> {
        let removed = Removed {
            trials: self.purge(&self.trials)?,
            metric_points: self.purge(&self.metrics)?,
        };
        self.purge(&self.run_records)?;
        self.purge(&self.test_results)?;
        self.purge(&self.warm_starts)?;
        Ok(removed)
    }

    /// Deletes the keys of `tree` under ids that no experiment record claims; returns how many.
    fn purge(&self, tree: &sled::Tree) -> Result<usize> {
        let mut deleted = 0;
        for id in ids_in(tree)? {
            if !self
                .experiments
                .contains_key(id.to_bytes())
                .map_err(storage)?
            {
                deleted += delete_prefix(tree, &id.to_bytes())?;
            }
        }
        Ok(deleted)
    }
}

/// Returns the distinct experiment ids that start the keys of `tree`, with one seek per id.
fn ids_in(tree: &sled::Tree) -> Result<Vec<ExperimentId>> {
    let mut ids = Vec::new();
    let mut from = Vec::new();
    while let Some(entry) = tree.range(from.as_slice()..).next() {
        let (key, _) = entry.map_err(storage)?;
        let head = key.get(..8).ok_or_else(|| {
            Error::corrupt(
                "experiment-keyed tree",
                format!("a key of {} bytes is too short for an id", key.len()),
            )
        })?;
        let id = ExperimentId::from_bytes(head)?;
        ids.push(id);
        match keys::successor(&id.to_bytes()) {
            Some(next) => from = next,
            None => break,
        }
    }
    Ok(ids)
}

/// Deletes every key of `tree` that starts with `prefix`, in batches of `BATCH` keys, in one
/// pass over the keys; returns how many.
fn delete_prefix(tree: &sled::Tree, prefix: &[u8]) -> Result<usize> {
    let mut deleted = 0;
    let mut batch = sled::Batch::default();
    let mut pending = 0;
    for key in tree.scan_prefix(prefix).keys() {
        batch.remove(key.map_err(storage)?);
        pending += 1;
        if pending == BATCH {
            tree.apply_batch(std::mem::take(&mut batch))
                .map_err(storage)?;
            deleted += pending;
            pending = 0;
        }
    }
    tree.apply_batch(batch).map_err(storage)?;
    Ok(deleted + pending)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use experiment::{Step, TrialId, TrialState};

    use super::*;
    use crate::store::tests::{info, names, point, run_record, trial};
    use crate::store::wait_released;
    use crate::TestResult;

    /// Stores experiment `name` with two trials of three points each, a run record and a
    /// test result.
    fn fill(store: &Store, name: &str, created: i64) {
        store.create_experiment(&info(name, created)).unwrap();
        for t in [0, 1] {
            store
                .put_trial(name, &trial(t, TrialState::Completed))
                .unwrap();
            for step in 1..=3 {
                let points = [point("loss", f64::from(step)), point("acc", 0.5)];
                let points = if step == 3 { &points[..1] } else { &points[..] };
                store
                    .append_metrics(name, TrialId(t), Step(step), points)
                    .unwrap();
            }
        }
        store.put_run_record(name, &run_record()).unwrap();
        let result = TestResult {
            trial: TrialId(1),
            metrics: BTreeMap::from([("test_loss".to_owned(), 0.5)]),
        };
        store.put_test_result(name, &result).unwrap();
        let warm = experiment::WarmStarted {
            source: "before".into(),
            trials: vec![trial(0, TrialState::Completed)],
            left_out: vec!["trial 1: it has no `lr`".into()],
        };
        store.put_warm_start(name, &warm).unwrap();
    }

    /// Every key of the id-keyed trees, as (tree, key) pairs.
    fn all_keys(store: &Store) -> Vec<(&'static str, Vec<u8>)> {
        let trees = [
            ("trials", &store.trials),
            ("metrics", &store.metrics),
            ("run_records", &store.run_records),
            ("test_results", &store.test_results),
            ("warm_starts", &store.warm_starts),
        ];
        let mut all = Vec::new();
        for (name, tree) in trees {
            for entry in tree.iter() {
                all.push((name, entry.unwrap().0.to_vec()));
            }
        }
        all
    }

    #[test]
    fn removing_deletes_everything_under_the_experiment_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            fill(&store, "keep", 1);
            let kept = all_keys(&store);
            fill(&store, "gone", 2);
            fill(&store, "also-kept", 3);
            let removed = store.remove_experiment("gone").unwrap();
            assert_eq!(
                removed,
                Removed {
                    trials: 2,
                    metric_points: 10
                }
            );
            assert_eq!(names(&store), ["keep", "also-kept"]);
            assert_eq!(store.experiment("gone").unwrap(), None);
            let err = store.trials("gone").unwrap_err();
            assert!(matches!(err, Error::UnknownExperiment { .. }), "{err}");
            // What is left is exactly the two other experiments' data.
            let store_keys = all_keys(&store);
            assert_eq!(store_keys.len(), 2 * kept.len());
            assert!(kept.iter().all(|k| store_keys.contains(k)));
        }
        // The removal is on disk, and the name is free for a new experiment that starts empty.
        wait_released(dir.path());
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.experiment("gone").unwrap(), None);
        store.create_experiment(&info("gone", 4)).unwrap();
        assert!(store.trials("gone").unwrap().is_empty());
        assert_eq!(store.run_record("gone").unwrap(), None);
        assert_eq!(store.test_result("gone").unwrap(), None);
        assert_eq!(
            store.metric_names("gone", TrialId(0)).unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(store.trials("keep").unwrap().len(), 2);
        assert_eq!(
            store
                .metric_series("also-kept", TrialId(1), "loss")
                .unwrap()
                .len(),
            3
        );
    }

    #[test]
    fn an_unknown_name_is_an_error_and_changes_nothing() {
        let store = Store::temporary().unwrap();
        fill(&store, "a", 1);
        let before = all_keys(&store);
        let err = store.remove_experiment("b").unwrap_err();
        assert!(
            matches!(err, Error::UnknownExperiment { ref name } if name == "b"),
            "{err}"
        );
        assert_eq!(all_keys(&store), before);
        assert_eq!(store.experiments().unwrap().len(), 1);
    }

    #[test]
    fn the_next_removal_purges_what_an_interrupted_one_left() {
        let store = Store::temporary().unwrap();
        fill(&store, "a", 1);
        fill(&store, "b", 2);
        fill(&store, "c", 3);
        let kept = {
            let all = all_keys(&store);
            let a_id = store.experiment_id("a").unwrap().to_bytes();
            all.into_iter()
                .filter(|(_, k)| k.starts_with(&a_id))
                .collect::<Vec<_>>()
        };
        // A crash right after the first step of removing `b`: its data is still there.
        store.unlink("b").unwrap();
        assert_eq!(all_keys(&store).len(), 3 * kept.len());
        let removed = store.remove_experiment("c").unwrap();
        assert_eq!(
            removed,
            Removed {
                trials: 4,
                metric_points: 20
            }
        );
        assert_eq!(all_keys(&store), kept);
    }
}
