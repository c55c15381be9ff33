//! Tests of the board's history: views share copies of the finished trials, a copy no view holds
//! is brought up to date in place, and what views show equals the plain rule.

use std::sync::Arc;

use experiment::{ParamValue, Step};

use super::*;
use crate::board::ended;

/// Returns the trials' numbers.
fn numbers(trials: &[Trial]) -> Vec<u32> {
    trials.iter().map(|t| t.id.0).collect()
}

#[test]
fn views_share_the_finished_trials_and_a_copy_no_view_holds_is_brought_up_to_date_in_place() {
    let board = Board::default();
    for j in 0..6 {
        board.start(TrialId(j), Params::new());
        board.finish(ended(j));
    }
    let a = board.sampler_view(TrialId(4), 1).unwrap();
    let b = board.sampler_view(TrialId(3), 1).unwrap();
    assert!(
        Arc::ptr_eq(&a.history.trials, &b.history.trials),
        "b's trials are in a's copy"
    );
    assert_eq!(numbers(a.finished()), [0, 1, 2, 3]);
    assert_eq!(numbers(b.finished()), [0, 1, 2]);
    // A view that needs more than a held copy has gets a copy of its own.
    let c = board.sampler_view(TrialId(6), 1).unwrap();
    assert!(!Arc::ptr_eq(&a.history.trials, &c.history.trials));
    assert_eq!(numbers(c.finished()), [0, 1, 2, 3, 4, 5]);
    let first = Arc::as_ptr(&a.history.trials);
    drop((a, b));
    board.start(TrialId(6), Params::new());
    board.finish(ended(6));
    // c still holds its copy: the free one, a's, is extended where it is.
    let d = board.sampler_view(TrialId(7), 1).unwrap();
    assert_eq!(Arc::as_ptr(&d.history.trials), first);
    assert_eq!(numbers(d.finished()), [0, 1, 2, 3, 4, 5, 6]);
    assert_eq!(numbers(c.finished()), [0, 1, 2, 3, 4, 5]);
}

#[test]
fn every_finished_trial_is_shared_too_and_copies_no_view_holds_beyond_parallel_and_one_are_dropped()
{
    let board = Board::default();
    for j in [0, 1, 2, 4] {
        board.start(TrialId(j), Params::new());
        board.finish(ended(j));
    }
    board.start(TrialId(3), Params::new());
    // Trial 4 ended above trial 3, which runs: it is cloned after the shared ones.
    let first = board.finished();
    assert_eq!(numbers(&first), [0, 1, 2, 4]);
    let buffer = Arc::as_ptr(&first.trials);
    drop(first);
    // Once trial 3 ends, the copy no view holds is brought up to date where it is, and
    // again with nothing new, so a beat does not clone every finished trial.
    board.finish(ended(3));
    let again = board.finished();
    assert_eq!(numbers(&again), [0, 1, 2, 3, 4]);
    assert_eq!(Arc::as_ptr(&again.trials), buffer);
    drop(again);
    assert_eq!(Arc::as_ptr(&board.finished().trials), buffer);

    // Views held at once need copies of their own; once let go, all but the most current
    // `parallel + 1` (2) are dropped.
    for j in 5..8 {
        board.start(TrialId(j), Params::new());
        board.finish(ended(j));
    }
    let views: Vec<SamplerView> = (5..9)
        .map(|k| board.sampler_view(TrialId(k), 1).unwrap())
        .collect();
    let copies: Vec<_> = views
        .iter()
        .map(|v| Arc::downgrade(&v.history.trials))
        .collect();
    assert_eq!(board.lock().history.copies.len(), 4);
    drop(views);
    let last = board.finished();
    assert_eq!(numbers(&last), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(board.lock().history.copies.len(), 2);
    let kept: Vec<bool> = copies.iter().map(|c| c.upgrade().is_some()).collect();
    assert_eq!(
        kept,
        [false, false, true, true],
        "the least current are dropped"
    );
}

#[test]
fn views_held_at_once_round_after_round_bring_copies_let_go_up_to_date_rather_than_clone() {
    // Two workers whose suggestions overlap: two views held at once, then both let go.
    let board = Board::default();
    let (mut new_copies, mut cloned) = (0, 0);
    for round in 0..50 {
        for j in [2 * round, 2 * round + 1] {
            board.start(TrialId(j), Params::new());
            board.finish(ended(j));
        }
        let mut held = Vec::new();
        for k in [2 * round + 1, 2 * round + 2] {
            let before: Vec<*const Vec<Trial>> = (board.lock().history.copies.iter())
                .map(|c| Arc::as_ptr(&c.trials))
                .collect();
            let view = board.sampler_view(TrialId(k), 1).unwrap();
            if !before.contains(&Arc::as_ptr(&view.history.trials)) {
                new_copies += 1;
                cloned += view.finished().len();
            }
            held.push(view);
        }
    }
    // The first round's two views alone get new copies (trial 0, then trials 0 and 1).
    assert_eq!((new_copies, cloned), (2, 3));
    assert_eq!(board.lock().history.copies.len(), 2);
}

/// Returns the view of trial `k` by the rule written out plainly, every finished trial
/// cloned, as the board computed it before it shared them: `None` while it must wait.
fn plain_view(inner: &Inner, k: TrialId, parallel: u32) -> Option<(Vec<Trial>, Vec<Params>)> {
    let horizon = k.0.checked_sub(parallel.max(1));
    let learned = |j: u32| horizon.is_some_and(|h| j <= h);
    let ready = (0..k.0).all(|j| {
        inner.trials.get(&TrialId(j)).is_some_and(|e| {
            if e.skipped {
                true
            } else if learned(j) {
                e.finished.is_some()
            } else {
                e.params.is_some()
            }
        })
    });
    ready.then(|| {
        let (mut finished, mut running) = (Vec::new(), Vec::new());
        for (id, entry) in inner.trials.range(..k) {
            match (&entry.finished, &entry.params) {
                (Some(trial), _) if learned(id.0) => finished.push(trial.clone()),
                (_, Some(params)) if !learned(id.0) => running.push(params.clone()),
                _ => {}
            }
        }
        (finished, running)
    })
}

/// A small deterministic generator (xorshift64*) for the model test.
struct Draws(u64);

impl Draws {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

#[test]
fn shared_views_equal_the_plain_rule_across_orders_restarts_skips_and_preloads() {
    // Distinct parameters and records at every step, so a stale trial would show.
    let params = |n: u64| Params::from([("x".to_string(), ParamValue::Int(n as i64))]);
    let record = |id: u32, n: u64| Trial {
        params: params(n),
        reason: Some(format!("record {n}")),
        ..ended(id)
    };
    for seed in 1..=300u64 {
        let mut draw = Draws(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let board = Board::default();
        // Views taken, held a while, with what they showed when taken.
        let mut held: Vec<(SamplerView, Vec<Trial>, Vec<Params>)> = Vec::new();
        let mut checked = 0;
        for n in 0..200u64 {
            let j = TrialId(draw.below(10) as u32);
            match draw.below(20) {
                0..=4 => board.start(j, params(n)),
                5 => assert!(board.begin(j, params(n)).is_ok()),
                6..=10 => board.finish(record(j.0, n)),
                11 => board.skip(j),
                12 => board.preload(record(j.0, n), vec![(Step(1), 0.5)]),
                13 => board.report(j, Step(n as u32), 0.5),
                14 | 15 => {
                    // Every finished trial, as an agent's beat looks at them.
                    let expected: Vec<Trial> = board
                        .lock()
                        .trials
                        .values()
                        .filter_map(|e| e.finished.clone())
                        .collect();
                    let shared = board.finished();
                    assert_eq!(&shared[..], &expected[..], "seed {seed} step {n}");
                    if held.len() < 4 {
                        let view = SamplerView {
                            history: shared,
                            running: Vec::new(),
                        };
                        held.push((view, expected, Vec::new()));
                    }
                }
                _ => {
                    let (k, parallel) = (TrialId(draw.below(12) as u32), 1 + draw.below(4) as u32);
                    let expected = plain_view(&board.lock(), k, parallel);
                    let shared = board.lock().view(k, parallel);
                    let what = format!("seed {seed} step {n}: view of {k:?}, parallel {parallel}");
                    assert_eq!(
                        shared.as_ref().map(|v| (v.finished(), &v.running[..])),
                        expected.as_ref().map(|(f, r)| (&f[..], &r[..])),
                        "{what}"
                    );
                    if let (Some((finished, running)), Some(view)) = (expected, shared) {
                        // Ready, so the waiting call answers at once, the same.
                        let waited = board.sampler_view(k, parallel).unwrap();
                        assert_eq!(waited.finished(), &finished[..], "{what}");
                        assert_eq!(waited.running, running, "{what}");
                        checked += 1;
                        if held.len() < 4 {
                            held.push((view, finished, running));
                        }
                    }
                }
            }
            if !held.is_empty() && draw.below(4) == 0 {
                held.swap_remove(draw.below(held.len() as u64) as usize);
            }
            // A view is a snapshot: what the board does later never changes it.
            for (view, finished, running) in &held {
                assert_eq!(view.finished(), &finished[..], "seed {seed} step {n}");
                assert_eq!(&view.running, running, "seed {seed} step {n}");
            }
        }
        assert!(checked > 0, "seed {seed} compared no ready view");
    }
}
