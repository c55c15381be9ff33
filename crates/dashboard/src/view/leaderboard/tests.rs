//! Unit tests of the leaderboard's selection and of the board built from it.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use experiment::{
    Constraint, Direction, MetricSpec, ParamValue, Params, Seed, Step, Timestamp, Trial, TrialId,
    TrialResult, TrialState,
};

use super::*;
use crate::view::compare::MAX_TRIALS;
use crate::view::leaderboard::MAX_PICKS_READ;
use crate::Error;

fn trial(id: u32, state: TrialState, value: Option<f64>, lr: f64) -> Trial {
    let params: Params = BTreeMap::from([("lr".to_string(), ParamValue::Float(lr))]);
    Trial {
        id: TrialId(id),
        seed: Seed(0),
        params,
        state,
        reason: None,
        started: Some(Timestamp(0)),
        finished: Some(Timestamp(i64::from(id) * 1000)),
        result: value.map(|v| TrialResult {
            best_step: Step(1),
            metrics: BTreeMap::from([("acc".into(), v)]),
        }),
    }
}

fn trials() -> Vec<Trial> {
    (0..120)
        .map(|i| {
            let state = if i % 10 == 3 {
                TrialState::Failed
            } else if i % 10 == 5 {
                TrialState::Pruned
            } else {
                TrialState::Completed
            };
            let value = (state != TrialState::Failed).then_some(f64::from(i % 37) / 37.0);
            trial(i, state, value, 1e-4 * f64::from(120 - i))
        })
        .collect()
}

fn query(pairs: &[(&str, &str)]) -> LeaderboardQuery {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| *key == k)
            .map(|(_, v)| (*v).to_string())
    };
    LeaderboardQuery {
        sort: get("sort"),
        dir: get("dir"),
        state: get("state"),
        page: get("page").and_then(|p| p.parse().ok()),
        per_page: get("per_page").and_then(|p| p.parse().ok()),
        filter: get("filter"),
        objective: get("objective"),
        pairs: get("pairs"),
        front: get("front"),
    }
}

/// Ranks `trials` by `acc`, maximized, without constraints.
fn by_accuracy(trials: &[Trial]) -> Vec<Ranked<'_>> {
    let acc = MetricSpec {
        name: "acc".into(),
        goal: Direction::Maximize,
    };
    ranked(trials, &[acc], &[])
}

#[test]
fn ranks_filters_sorts_and_pages() {
    let trials = trials();
    let ranked = by_accuracy(&trials);
    let sel = Selection::parse(&query(&[]), PER_PAGE).unwrap();
    let page = select(&ranked, &sel);
    assert_eq!((page.matching, page.pages, page.rows.len()), (120, 3, 50));
    assert_eq!(page.rows[0].rank, Some(1));
    let top = page.rows[0].trial.value("acc").unwrap();
    assert!(page
        .rows
        .iter()
        .all(|r| r.trial.value("acc").unwrap_or(-1.0) <= top));

    let sel = Selection::parse(&query(&[("state", "failed")]), PER_PAGE).unwrap();
    let page = select(&ranked, &sel);
    assert_eq!(page.matching, 12);
    assert!(page
        .rows
        .iter()
        .all(|r| r.trial.state == TrialState::Failed && r.rank.is_none()));

    let sel = Selection::parse(
        &query(&[("sort", "param.lr"), ("dir", "desc"), ("page", "3")]),
        PER_PAGE,
    )
    .unwrap();
    let page = select(&ranked, &sel);
    assert_eq!(page.rows.len(), 20);
    assert_eq!(
        page.rows.last().map(|r| r.trial.id.0),
        Some(119),
        "smallest lr last"
    );

    // By a metric's value, either way, the trials without one (the failed) last.
    let values = |dir: &str| {
        let q = query(&[("sort", "metric.acc"), ("dir", dir), ("per_page", "1000")]);
        let sel = Selection::parse(&q, PER_PAGE).unwrap();
        let rows = select(&ranked, &sel).rows;
        rows.iter()
            .map(|r| r.trial.value("acc"))
            .collect::<Vec<_>>()
    };
    for (dir, order) in [("asc", Ordering::Less), ("desc", Ordering::Greater)] {
        let v = values(dir);
        let present: Vec<f64> = v.iter().map_while(|x| *x).collect();
        assert_eq!(present.len(), 108, "{dir}");
        assert!(v[108..].iter().all(Option::is_none), "{dir}: missing last");
        assert!(present
            .windows(2)
            .all(|w| w[0].total_cmp(&w[1]) != order.reverse()));
    }
    let sel = Selection::parse(&query(&[("sort", "metric.")]), PER_PAGE);
    assert!(matches!(sel, Err(Error::BadRequest(_))));
}

#[test]
fn the_best_trial_agrees_with_the_experiment_crate() {
    let trials = trials();
    let values: Vec<f64> = trials.iter().filter_map(|t| t.value("acc")).collect();
    let middle = values.iter().sum::<f64>() / values.len() as f64;
    let under = [Constraint {
        metric: "acc".into(),
        min: None,
        max: Some(middle),
    }];
    for goal in [Direction::Maximize, Direction::Minimize] {
        for constraints in [&[][..], &under[..]] {
            let acc = [MetricSpec {
                name: "acc".into(),
                goal,
            }];
            let best = crate::view::best_completed(&trials, &acc, constraints);
            let theirs = experiment::best_trial(&trials, &acc, constraints);
            assert_eq!(best.map(|t| t.id), theirs.map(|t| t.id));
            assert!(best.is_some());
        }
    }
}

#[test]
fn a_state_is_named_as_stored_or_as_shown() {
    for (name, state) in [
        ("running", TrialState::Running),
        ("interrupted", TrialState::Running),
        ("queued", TrialState::Queued),
        ("pruned", TrialState::Pruned),
    ] {
        let sel = Selection::parse(&query(&[("state", name)]), PER_PAGE).unwrap();
        assert_eq!(sel.state, Some(state), "{name}");
    }
}

#[test]
fn bad_queries_are_rejected_with_a_message() {
    for (k, v) in [
        ("sort", "nope"),
        ("dir", "up"),
        ("state", "done"),
        ("page", "0"),
        ("sort", "param."),
    ] {
        let err = Selection::parse(&query(&[(k, v)]), PER_PAGE)
            .map(|_| ())
            .unwrap_err();
        assert!(matches!(err, Error::BadRequest(_)), "{k}={v}: {err}");
    }
}

#[test]
fn the_view_links_sorting_paging_and_filters() {
    let trials = trials();
    let ranked = by_accuracy(&trials);
    let sel = Selection::parse(&query(&[("sort", "trial")]), PER_PAGE).unwrap();
    let mut info = crate::view::fixtures::info("x", store::ExperimentStatus::Finished, 120);
    info.objective = "acc".into();
    let board = leaderboard(&ranked, &sel, &info, (&[], &[]), None, "/experiments/x");
    let trial_header = board.headers.iter().find(|h| h.title == "trial").unwrap();
    assert_eq!(trial_header.arrow, "▲");
    // Links go to the leaderboard, not the top of the page.
    assert_eq!(
        trial_header.href,
        "/experiments/x?sort=trial&dir=desc#leaderboard"
    );
    assert_eq!(board.showing, "1–50 of 120");
    assert_eq!(
        board.next.as_deref(),
        Some("/experiments/x?sort=trial&dir=asc&page=2#leaderboard")
    );
    assert_eq!(board.prev, None);
    assert_eq!(board.first, None, "on the first page");
    assert_eq!(
        board.last.as_deref(),
        Some("/experiments/x?sort=trial&dir=asc&page=3#leaderboard")
    );
    assert_eq!(board.rows[0].href, "/experiments/x/trials/0");
    let labels: Vec<(&str, usize)> = board.filters.iter().map(|f| (f.label, f.count)).collect();
    assert_eq!(
        labels,
        [
            ("all", 120),
            ("completed", 96),
            ("pruned", 12),
            ("failed", 12)
        ]
    );
    assert!(board
        .headers
        .iter()
        .any(|h| h.href.contains("sort=param.lr")));
    // By rank (best first) the rank column ascends, whatever the goal; the objective's
    // column sorts by its values, best first (a pruned trial's value is of a shortened
    // run, so rank order is not value order).
    let by_rank = Selection::parse(&query(&[]), PER_PAGE).unwrap();
    for goal in [Direction::Maximize, Direction::Minimize] {
        info.goal = goal;
        let board = leaderboard(&ranked, &by_rank, &info, (&[], &[]), None, "/experiments/x");
        let rank = board.headers.iter().find(|h| h.title == "rank").unwrap();
        assert_eq!((rank.arrow, rank.aria), ("▲", "ascending"), "{goal:?}");
        let objective = board.headers.iter().find(|h| h.title == "acc").unwrap();
        assert_eq!((objective.arrow, objective.aria), ("", "none"), "{goal:?}");
        assert!(
            objective.href.contains("sort=metric.acc"),
            "{}",
            objective.href
        );
    }
    // Rows per page asked for stay in every link and in the search form.
    let five = Selection::parse(&query(&[("per_page", "5"), ("page", "2")]), PER_PAGE).unwrap();
    let board = leaderboard(&ranked, &five, &info, (&[], &[]), None, "/experiments/x");
    assert_eq!(
        board.next.as_deref(),
        Some("/experiments/x?sort=rank&dir=asc&page=3&per_page=5#leaderboard")
    );
    let sorting: Vec<&str> = board
        .headers
        .iter()
        .map(|h| h.href.as_str())
        .filter(|h| !h.is_empty())
        .collect();
    assert!(!sorting.is_empty(), "{sorting:?}");
    assert!(
        sorting
            .iter()
            .all(|h| h.ends_with("&per_page=5#leaderboard")),
        "{sorting:?}"
    );
    assert!(board.keep.contains(&("per_page", "5".to_string())));
}

#[test]
fn ticks_past_what_a_comparison_takes_are_dropped_and_the_board_says_so() {
    let trials = trials();
    let ranked = by_accuracy(&trials);
    let mut info = crate::view::fixtures::info("x", store::ExperimentStatus::Finished, 120);
    info.objective = "acc".into();
    // `n` trials the experiment holds ticked, an unknown one among them, trial 0 twice.
    let board_of = |n: u32| {
        let ticks: Vec<String> = (0..n)
            .flat_map(|t| [t, 500 + t])
            .chain([0])
            .map(|t| format!("t={t}"))
            .collect();
        let picked = picked_trials(&ticks.join("&")).unwrap();
        let sel = Selection::parse(&query(&[]), PER_PAGE)
            .unwrap()
            .with_picked(picked, &trials);
        let board = leaderboard(&ranked, &sel, &info, (&[], &[]), None, "/experiments/x");
        (sel, board)
    };
    let max = u32::try_from(MAX_TRIALS).unwrap();
    let (twelve, board) = board_of(12);
    assert_eq!(board.picked, (0..max).collect::<Vec<u32>>());
    assert_eq!(
        board.picks_note,
        format!(
            "12 trials were ticked; a comparison takes at most {MAX_TRIALS}, so the first \
             {MAX_TRIALS} ticked are kept"
        )
    );
    // The links keep the ticks kept, and only those.
    let next = board.next.unwrap_or_default();
    assert!(
        next.contains(&format!("&t={}#", max - 1)) && !next.contains(&format!("t={max}")),
        "{next}"
    );
    // As many as a comparison takes: none dropped, nothing said.
    let (_, board) = board_of(max);
    assert_eq!(
        (board.picked.len(), board.picks_note.as_str()),
        (MAX_TRIALS, "")
    );
    // A page is kept under its ticks' `Debug` (`pages::render_experiment`): 9 ticked and 12
    // keep the same trials but say different things, so they are kept apart.
    let (nine, board) = board_of(max + 1);
    assert_eq!(nine.picked.ids(), twelve.picked.ids());
    assert!(
        board.picks_note.starts_with("9 trials"),
        "{}",
        board.picks_note
    );
    assert_ne!(format!("{:?}", nine.picked), format!("{:?}", twelve.picked));
}

#[test]
fn the_note_counts_every_tick_sent_though_only_the_first_are_read() {
    let trials = trials();
    let ranked = by_accuracy(&trials);
    let mut info = crate::view::fixtures::info("x", store::ExperimentStatus::Finished, 120);
    info.objective = "acc".into();
    // 40 trials the experiment holds ticked: more than `MAX_PICKS_READ` values.
    let sent = 40;
    assert!(sent > MAX_PICKS_READ);
    let ticks: Vec<String> = (0..sent).map(|t| format!("t={t}")).collect();
    let picked = picked_trials(&ticks.join("&")).unwrap();
    let sel = Selection::parse(&query(&[]), PER_PAGE)
        .unwrap()
        .with_picked(picked, &trials);
    let board = leaderboard(&ranked, &sel, &info, (&[], &[]), None, "/experiments/x");
    assert_eq!(board.picked.len(), MAX_TRIALS);
    assert_eq!(
        board.picks_note,
        format!(
            "{sent} trials were ticked; a comparison takes at most {MAX_TRIALS}, so the first \
             {MAX_TRIALS} ticked are kept"
        )
    );
}

#[test]
fn a_count_objective_is_written_as_a_whole_number_in_its_cells() {
    // The fixture's metric renamed to a count (`experiment::CONSTANT_METRICS`).
    let mut t = trial(0, TrialState::Completed, None, 1e-3);
    t.result = Some(TrialResult {
        best_step: Step(1),
        metrics: BTreeMap::from([("param_count".into(), 49.0)]),
    });
    let objective = MetricSpec {
        name: "param_count".into(),
        goal: Direction::Minimize,
    };
    let trials = [t];
    let ranked = ranked(&trials, &[objective], &[]);
    let mut info = crate::view::fixtures::info("x", store::ExperimentStatus::Finished, 1);
    info.objective = "param_count".into();
    let sel = Selection::parse(&query(&[]), PER_PAGE).unwrap();
    let board = leaderboard(&ranked, &sel, &info, (&[], &[]), None, "/experiments/x");
    assert_eq!(board.rows[0].value.text, "49", "not 49.0000");
}
