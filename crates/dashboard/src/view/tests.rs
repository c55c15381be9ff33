//! View-model tests on fixed inputs: the fixtures' experiment, built without a store.

use std::collections::BTreeMap;

use experiment::{Direction, Step, Timestamp, Trial, TrialState};
use store::{CheckpointAt, ExperimentStatus};

use super::compare::{compare_page, parse_ids};
use super::experiment_page::{
    curve_trials, experiment_page, importance_of, sample, Picked, MAX_BARS, MAX_LINES, TOP_CURVES,
    TOP_LINES,
};
use super::fixtures;
use super::leaderboard::{ranked, LeaderboardQuery, Selection, PER_PAGE};
use super::space::param_axes;
use super::trial::{trial_page, Standing};
use super::{experiments_page, Summary};
use crate::data::ExperimentData;
use crate::Error;
use experiment::shell_quote;

const NOW: Timestamp = Timestamp(1_795_865_500_000);

fn data(n: u32) -> ExperimentData {
    let info = fixtures::info("demo", ExperimentStatus::Running, n);
    let trials: Vec<Trial> = (0..n).map(|i| fixtures::trial(i, n)).collect();
    let d = ExperimentData::new(info, trials);
    assert!(d.spec.is_some(), "the fixture spec parses");
    d
}

#[test]
fn the_sampled_charts_mark_the_trials_they_draw_with_links_to_their_pages() {
    let d = data(1000);
    let r = ranked(&d.trials, &d.objectives(), &[]);
    let a = super::experiment_page::analysis(&d, &r, &BTreeMap::new(), NOW);
    let sampled: std::collections::BTreeSet<String> = sample(&r)
        .iter()
        .map(|s| format!("/experiments/demo/trials/{}", s.trial.id.0))
        .collect();
    for (chart, svg) in [
        ("parallel", &a.parallel),
        ("pairs", &a.pairs),
        ("slices", &a.slices),
    ] {
        let hrefs: std::collections::BTreeSet<String> =
            crate::charts::mark_hrefs(svg).into_iter().collect();
        // Every trial of the sample has its values in the fixture: each is drawn, and no other.
        assert_eq!(hrefs, sampled, "{chart}");
    }
}

#[test]
fn summary_counts_states_and_finds_the_best() {
    let d = data(40);
    let s = Summary::of(&d, NOW);
    assert_eq!(
        (s.completed, s.pruned, s.failed, s.running, s.stored),
        (27, 6, 6, 1, 40)
    );
    assert_eq!(s.status, "running");
    assert!(s.live);
    assert_eq!(s.started, "2026-11-28 11:30:00");
    // 39 finished trials of 0.9 s one after another, and trial 39 running from 39 s to now
    // (100 s): 35.1 s + 61 s.
    assert_eq!(s.duration, "1m36s", "running: measured to now");
    let best = s.best_href().unwrap_or_default();
    assert!(best.starts_with("/experiments/demo/trials/"), "{best}");
    let page = experiments_page(&[std::sync::Arc::new(d)], NOW, &first_page());
    assert!(page.live);
    assert_eq!(page.rows[0], s);
}

#[test]
fn a_count_objective_s_best_is_written_as_a_whole_number() {
    // A count (`experiment::CONSTANT_METRICS`), minimized: the best is trial 0's, 49.
    let mut info = fixtures::info("demo", ExperimentStatus::Finished, 8);
    info.objective = "param_count".into();
    info.goal = experiment::Direction::Minimize;
    info.spec_yaml = info.spec_yaml.replace(
        "{name: val_accuracy, goal: maximize}",
        "{name: param_count, goal: minimize}",
    );
    let mut trials: Vec<Trial> = (0..8).map(|i| fixtures::trial(i, 8)).collect();
    for t in &mut trials {
        if let Some(r) = t.result.as_mut() {
            r.metrics
                .insert("param_count".into(), 49.0 + f64::from(t.id.0));
        }
    }
    let d = ExperimentData::new(info, trials);
    let s = Summary::of(&d, NOW);
    assert_eq!(s.best_trial, Some(0));
    assert_eq!(
        (s.best.text.as_str(), s.best.full.as_str()),
        ("49", ""),
        "not 49.0000"
    );
    // The compare page's objective row writes it alike.
    let picked: Vec<_> = d.trials[..2]
        .iter()
        .map(|t| (t.clone(), BTreeMap::new()))
        .collect();
    let compared = compare_page((&d.info, d.spec.as_ref()), &[], &picked);
    let row = compared.facts.iter().find(|r| r.name == "param_count");
    assert_eq!(
        row.map(|r| r.values.clone()),
        Some(vec!["49".into(), "50".into()])
    );
}

/// Returns the experiments list's query of its first page, unfiltered.
fn first_page() -> super::ListQuery {
    super::ListQuery::parse("", super::leaderboard::PER_PAGE).unwrap()
}

#[test]
fn the_experiments_list_sorts_by_its_columns() {
    // Three experiments, oldest first: 10, 30 and 20 trials, listed newest first.
    let named = |name: &str, n: u32, created: i64| {
        let mut d = data(n);
        d.info.name = name.into();
        d.info.created = Timestamp(d.info.created.0 + created);
        std::sync::Arc::new(d)
    };
    let all = [named("b", 10, 0), named("c", 30, 1), named("a", 20, 2)];
    let order = |query: &str| {
        let list = super::ListQuery::parse(query, super::leaderboard::PER_PAGE).unwrap();
        let page = experiments_page(&all, NOW, &list);
        let names: Vec<String> = page.rows.iter().map(|r| r.name.clone()).collect();
        (names.join(" "), page)
    };
    let (names, page) = order("");
    assert_eq!(names, "a c b", "the store's order reversed, newest first");
    assert_eq!(
        page.head("started"),
        ("/?sort=started&dir=asc".to_string(), "▼", "descending"),
        "sorted by when each started, newest first: a click lists the oldest first"
    );
    assert_eq!(order("sort=started&dir=asc").0, "b c a", "oldest first");
    assert_eq!(
        order("sort=started").0,
        "a c b",
        "a first click: newest first"
    );
    assert_eq!(order("sort=name").0, "a b c");
    assert_eq!(order("sort=name&dir=desc").0, "c b a");
    // A count sorts largest first at the first click.
    let (names, page) = order("sort=trials");
    assert_eq!(names, "c a b");
    assert_eq!(
        page.head("trials"),
        ("/?sort=trials&dir=asc".to_string(), "▼", "descending"),
        "a second click sorts the other way"
    );
    assert_eq!(
        page.head("name"),
        ("/?sort=name&dir=asc".to_string(), "", "none")
    );
    assert_eq!(
        page.head("started"),
        ("/?sort=started&dir=desc".to_string(), "", "none"),
        "a first click on `started` lists the newest first"
    );
    assert_eq!(order("sort=started&dir=desc").0, "a c b");
    // The pages keep the sort; a key the list lacks is refused, naming those it has.
    let list = super::ListQuery::parse("sort=failed&per_page=1", 50).unwrap();
    assert_eq!(list.href(2), "/?sort=failed&dir=desc&page=2&per_page=1");
    let bad = super::ListQuery::parse("sort=best", 50).map(|_| ());
    assert!(
        matches!(&bad, Err(crate::Error::BadRequest(m)) if m.starts_with("unknown sort \"best\"; the list sorts by name, status, trials")),
        "{bad:?}"
    );
}

#[test]
fn ticks_for_comparing_reach_across_the_lists_pages_and_its_filter() {
    // Three experiments, one to a page, newest first: `b` on page 1, `c` on page 2, `a` on
    // page 3.
    let named = |name: &str, created: i64| {
        let mut d = data(4);
        d.info.name = name.into();
        d.info.created = Timestamp(d.info.created.0 + created);
        std::sync::Arc::new(d)
    };
    let all = [named("a", 0), named("c", 1), named("b", 2)];
    let page_of = |query: &str| {
        let list = super::ListQuery::parse(query, PER_PAGE).unwrap();
        experiments_page(&all, NOW, &list)
    };
    // `a` (page 3) and `b` (page 1) ticked, given twice; `gone` is not in the store.
    let page = page_of("per_page=1&e=a&e=b&e=a&e=gone");
    assert_eq!(page.rows[0].name, "b");
    assert!(page.is_picked("b") && page.is_picked("a") && !page.is_picked("c"));
    assert_eq!(page.picked, ["a", "b"], "in the order ticked, each once");
    assert_eq!(
        page.picked_elsewhere,
        ["a"],
        "the tick of page 3, shown on page 1"
    );
    // Every link of the list keeps the ticks the store holds (`gone` is dropped): pages,
    // sort heads, the filter form.
    assert_eq!(page.next.as_deref(), Some("/?page=2&per_page=1&e=a&e=b"));
    assert_eq!(
        page.head("name").0,
        "/?sort=name&dir=asc&per_page=1&e=a&e=b"
    );
    assert_eq!(
        page.kept_inputs,
        [
            ("per_page", "1".to_string()),
            ("e", "a".to_string()),
            ("e", "b".to_string()),
        ]
    );
    assert!(page.picks_note.is_empty());
    // Filtered to `c`: both ticks are hidden by the filter, and kept; "all" keeps them too.
    let filtered = page_of("q=c&e=a&e=b");
    assert_eq!(filtered.picked_elsewhere, ["a", "b"]);
    assert_eq!(filtered.unfiltered, "/?e=a&e=b");
    // A value that is no experiment's name is refused naming its key, as the compare page
    // refuses it (`Ticks::read`), and empty values are none.
    let odd = super::ListQuery::parse("e=x%26y+z", PER_PAGE).map(|_| ());
    assert!(
        matches!(&odd, Err(crate::Error::BadRequest(m)) if m == "e: \"x&y z\" is not an experiment \
            name (1 to 64 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit); \
            a `+` in an address is a space"),
        "{odd:?}"
    );
    assert_eq!(page_of("e=&e=b&e=").picked, ["b"]);
}

#[test]
fn ticks_for_comparing_stop_at_what_a_comparison_takes_and_say_so() {
    // Ten experiments, all ticked, with names the store lacks among them and many repeats.
    let all: Vec<_> = (0..10)
        .map(|i| {
            let mut d = data(2);
            d.info.name = format!("n{i}");
            std::sync::Arc::new(d)
        })
        .collect();
    let mut ticks: Vec<String> = (0..10).rev().map(|i| format!("e=n{i}")).collect();
    ticks.extend((0..5000).map(|i| format!("e=gone{i}")));
    ticks.extend((0..5000).map(|i| format!("e=n{}", i % 10)));
    let list = super::ListQuery::parse(&ticks.join("&"), PER_PAGE).unwrap();
    assert_eq!(list.picked.ids().len(), 5010, "each name once");
    let page = experiments_page(&all, NOW, &list);
    // The first 8 ticked that the store holds, in the order ticked: what /compare takes.
    let kept: Vec<String> = (2..10).rev().map(|i| format!("n{i}")).collect();
    assert_eq!(page.picked, kept);
    assert_eq!(
        super::experiments_compare::MAX_EXPERIMENTS,
        8,
        "the note's wording"
    );
    assert_eq!(
        page.picks_note,
        "10 experiments were ticked; a comparison takes at most 8, so the first 8 ticked are kept"
    );
    let inputs: Vec<&str> = page
        .kept_inputs
        .iter()
        .filter(|(name, _)| *name == "e")
        .map(|(_, value)| value.as_str())
        .collect();
    assert_eq!(inputs, kept);
    let kept_query: String = kept.iter().map(|n| format!("&e={n}")).collect();
    assert_eq!(page.unfiltered, format!("/?{}", &kept_query[1..]));
}

#[test]
fn the_experiments_list_sorts_by_status_running_first_and_summarizes_only_its_page() {
    // Oldest first: finished, running, interrupted, running; each with a running trial.
    let with = |name: &str, status: ExperimentStatus, created: i64| {
        let mut d = data(4);
        d.info.name = name.into();
        d.info.status = status;
        d.info.created = Timestamp(d.info.created.0 + created);
        d.trials[0].state = TrialState::Running;
        std::sync::Arc::new(d)
    };
    let all = [
        with("f", ExperimentStatus::Finished, 0),
        with("r1", ExperimentStatus::Running, 1),
        with("i", ExperimentStatus::Interrupted, 2),
        with("r2", ExperimentStatus::Running, 3),
    ];
    let order = |query: &str| {
        let list = super::ListQuery::parse(query, PER_PAGE).unwrap();
        let page = experiments_page(&all, NOW, &list);
        let names: Vec<String> = page.rows.iter().map(|r| r.name.clone()).collect();
        (names.join(" "), page)
    };
    assert_eq!(order("sort=status").0, "r2 r1 i f", "ties newest first");
    assert_eq!(
        order("sort=status&dir=desc").0,
        "f i r2 r1",
        "ties newest first, whichever way the column runs"
    );
    // The running column counts the trials a stopped sweep left running: as many each, so
    // all tie, newest first.
    assert_eq!(order("sort=running").0, "r2 i r1 f");
    assert_eq!(order("sort=running&dir=asc").0, "r2 i r1 f");
    // The page is cut after the sort; its rows are the summaries of those it shows.
    let (names, page) = order("sort=status&page=2&per_page=3");
    assert_eq!(names, "f");
    assert_eq!((page.matching, page.showing.as_str()), (4, "4–4 of 4"));
    assert_eq!((page.rows[0].running, page.rows[0].interrupted), (0, 2));
}

#[test]
fn a_killed_sweep_has_no_clock_running() {
    // The experiment a killed sweep left behind, as a dashboard that does not run it shows it.
    let mut d = data(40);
    d.info.status = ExperimentStatus::Interrupted;
    let later = Timestamp(NOW.0 + 86_400_000);
    for now in [NOW, later] {
        let s = Summary::of(&d, now);
        assert!(!s.live);
        assert_eq!(
            s.running, 0,
            "trial 39 is not running: nothing runs its experiment"
        );
        // The 39 finished trials ran 0.9 s each; trial 39, left running, has no known end.
        assert_eq!(s.duration, "35.1s", "not to the clock");
        let running = &d.trials[39];
        assert_eq!(running.state, TrialState::Running);
        let page = trial_page(
            (&d.info, d.spec.as_ref()),
            running,
            None,
            &BTreeMap::new(),
            now,
            "st",
            CheckpointAt::Nowhere,
        );
        let duration = page.facts.iter().find(|f| f.name == "duration");
        assert_eq!(duration.map(|f| f.value.as_str()), Some("-"));
        assert!(!page.live);
        assert_eq!(page.state, "interrupted");
    }
    // A resumed sweep that was killed too: the end recorded by the run before it changes
    // nothing, and neither do the hours between the runs.
    d.info.finished = Some(Timestamp(d.info.created.0 + 10_000));
    assert_eq!(Summary::of(&d, later).duration, "35.1s");
    let mut extended = d.trials.clone();
    let mut late = extended[0].clone();
    late.started = late.started.map(|t| Timestamp(t.0 + 86_400_000));
    late.finished = late.finished.map(|t| Timestamp(t.0 + 86_400_000));
    extended.push(late);
    assert_eq!(
        Summary::of(&ExperimentData::new(d.info.clone(), extended), later).duration,
        "36.0s"
    );
    // The leaderboard's filter and rows name it the same way.
    let r = ranked(&d.trials, &d.objectives(), &[]);
    let a = super::experiment_page::analysis(&d, &r, &BTreeMap::new(), NOW);
    let sel =
        Selection::parse(&LeaderboardQuery::default(), PER_PAGE).unwrap_or_else(|e| panic!("{e}"));
    let board = experiment_page(&d, &r, (&a, Picked::default()), &sel, NOW).board;
    let labels: Vec<_> = board.filters.iter().map(|f| (f.label, f.count)).collect();
    assert!(labels.contains(&("interrupted", 1)), "{labels:?}");
    assert!(labels.iter().all(|(l, _)| *l != "running"), "{labels:?}");
    assert!(board.rows.iter().any(|row| row.state == "interrupted"));
    // Its own sweep, still running, counts to the clock.
    d.info.status = ExperimentStatus::Running;
    let page = trial_page(
        (&d.info, d.spec.as_ref()),
        &d.trials[39],
        None,
        &BTreeMap::new(),
        NOW,
        "st",
        CheckpointAt::Nowhere,
    );
    let duration = page.facts.iter().find(|f| f.name == "duration");
    assert_eq!(duration.map(|f| f.value.as_str()), Some("1m01s"));
    assert_eq!(page.state, "running");
}

#[test]
fn the_experiment_page_draws_the_top_trials_and_a_bounded_sample() {
    let d = data(1000);
    let r = ranked(&d.trials, &d.objectives(), &[]);
    let (top, pruned) = curve_trials(&r);
    assert_eq!(top.len(), TOP_CURVES);
    assert!(top
        .iter()
        .all(|id| d.trials[usize::try_from(id.0).unwrap_or(0)].state == TrialState::Completed));
    assert!(pruned
        .iter()
        .all(|id| d.trials[usize::try_from(id.0).unwrap_or(0)].state == TrialState::Pruned));
    let s = sample(&r);
    assert_eq!(s.len(), MAX_LINES);
    assert!(
        s[..TOP_LINES].windows(2).all(|w| w[0].rank < w[1].rank),
        "best first"
    );

    let sel =
        Selection::parse(&LeaderboardQuery::default(), PER_PAGE).unwrap_or_else(|e| panic!("{e}"));
    let a = super::experiment_page::analysis(&d, &r, &BTreeMap::new(), NOW);
    assert_eq!(
        super::experiment_page::ranked_from(&d.trials, &a.order).len(),
        r.len()
    );
    let page = experiment_page(&d, &r, (&a, Picked::default()), &sel, NOW);
    assert_eq!(page.board.rows.len(), 50);
    assert_eq!(page.board.pages, 20);
    assert_eq!(page.goal, "maximize val_accuracy");
    assert_eq!(page.target, "");
    // A sort by a metric the table does not show adds its column, with the arrow.
    let by_loss = Selection::parse(
        &LeaderboardQuery {
            sort: Some("metric.val_loss".into()),
            ..LeaderboardQuery::default()
        },
        PER_PAGE,
    )
    .unwrap();
    let sorted = experiment_page(&d, &r, (&a, Picked::default()), &by_loss, NOW).board;
    let loss = sorted.headers.iter().position(|h| h.title == "val_loss");
    assert_eq!(loss.map(|i| sorted.headers[i].arrow), Some("▲"));
    let cells: Vec<f64> = sorted
        .rows
        .iter()
        .filter_map(|row| row.metrics.last()?.text.parse().ok())
        .collect();
    assert!(
        cells.len() > 1 && cells.windows(2).all(|w| w[0] <= w[1]),
        "{cells:?}"
    );
    assert!(!page.board.headers.iter().any(|h| h.title == "val_loss"));
    assert_eq!((page.method, page.pruner), ("random", "none"));
    // With a target, the page says which trial reached it first, if one did.
    for (target, said) in [
        ("0.5", "≥ 0.5, reached by trial 0"),
        ("0.999", "≥ 0.999, not reached"),
    ] {
        let mut info = d.info.clone();
        info.spec_yaml = info.spec_yaml.replace(
            "goal: maximize}",
            &format!("goal: maximize, target: {target}}}"),
        );
        let aimed = ExperimentData::new(info, d.trials.clone());
        assert_eq!(
            experiment_page(&aimed, &r, (&a, Picked::default()), &sel, NOW).target,
            said
        );
    }
    // With a plateau rule, the page says where the trials stand against it.
    let mut info = d.info.clone();
    info.spec_yaml.push_str("plateau: {patience: 3}\n");
    let flat = ExperimentData::new(info, d.trials.clone());
    let said = experiment_page(&flat, &r, (&a, Picked::default()), &sel, NOW).plateau;
    let state = flat
        .spec
        .as_ref()
        .and_then(|s| s.plateau_state(&flat.trials));
    let best = state.and_then(|s| s.last_improvement).unwrap();
    assert!(said.starts_with("3 trials without improving: "), "{said}");
    assert!(
        said.contains(&format!("the best: trial {best}, ")),
        "{said}"
    );
    assert_eq!(
        experiment_page(&d, &r, (&a, Picked::default()), &sel, NOW).plateau,
        ""
    );
    // With constraints, the page says them and how many trials meet them; the leaderboard
    // ranks the trials that break one last among those with a value, with a column for the
    // constrained metric and the broken constraint named.
    let mut info = d.info.clone();
    info.spec_yaml
        .push_str("constraints: {val_loss: {max: 0.0485}}\n");
    let constrained = ExperimentData::new(info, d.trials.clone());
    let rc = ranked(
        &constrained.trials,
        &constrained.objectives(),
        constrained.constraints(),
    );
    let ac = super::experiment_page::analysis(&constrained, &rc, &BTreeMap::new(), NOW);
    let page = experiment_page(&constrained, &rc, (&ac, Picked::default()), &sel, NOW);
    let measured = d.trials.iter().filter(|t| t.result.is_some()).count();
    let met = d
        .trials
        .iter()
        .filter(|t| t.value("val_loss").is_some_and(|v| v <= 0.0485))
        .count();
    assert!(met > 0 && met < 50, "{met} of {measured}");
    assert_eq!(
        page.constraints,
        format!("val_loss ≤ 0.0485 ({met} of {measured} trials meet them)")
    );
    assert_eq!(page.board.headers[5].title, "val_loss");
    let rows = &page.board.rows;
    let first_broken = rows.iter().position(|r| !r.breaks.is_empty()).unwrap();
    assert_eq!(first_broken, met, "every trial that meets it ranks first");
    assert_eq!(rows[first_broken].breaks, "val_loss ≤ 0.0485");
    assert!(rows[..met].iter().all(|r| r.breaks.is_empty()));
    // The mark sits on the value that breaks it (val_loss), as the CLI's `!` does, not on the
    // objective's: an accuracy is not bad for breaking a loss bound.
    assert_eq!(
        (
            rows[first_broken].value_breaks,
            &rows[first_broken].metrics_break
        ),
        (false, &vec![true])
    );
    assert!(!rows[first_broken].breaks_unshown());
    assert!(rows[..met].iter().all(|r| r.metrics_break == [false]));
    assert!(ac.history.contains("breaks a constraint"));
    // Trials the sweep stopped for breaking a constraint no epoch changes are not the
    // pruner's doing, and the summary says so: the first `by_constraint` trials stopped so,
    // the next one pruned by the pruner when `by_pruner`, and no other trial pruned.
    let stops = |by_constraint: usize, by_pruner: bool| {
        let mut stopped: Vec<Trial> = constrained
            .trials
            .iter()
            .enumerate()
            .filter(|(i, t)| *i <= by_constraint || t.state != TrialState::Pruned)
            .map(|(_, t)| t.clone())
            .collect();
        for t in stopped.iter_mut().take(by_constraint) {
            t.state = TrialState::Pruned;
            t.reason =
                Some("breaks the constraint param_count ≤ 3000, which no epoch changes".into());
        }
        let next = &mut stopped[by_constraint];
        if by_pruner {
            next.state = TrialState::Pruned;
            next.reason = Some("asha: 0.9053 not in the top 1 of 5 at rung 0 (epoch 2)".into());
        } else if next.state == TrialState::Pruned {
            next.state = TrialState::Failed;
        }
        let stopped = ExperimentData::new(constrained.info.clone(), stopped);
        let rs = ranked(
            &stopped.trials,
            &stopped.objectives(),
            stopped.constraints(),
        );
        let page = experiment_page(&stopped, &rs, (&ac, Picked::default()), &sel, NOW);
        let pruned = Summary::of(&stopped, NOW).pruned;
        assert_eq!(pruned, by_constraint + usize::from(by_pruner));
        page.constraint_stops
    };
    let what = "stopped for breaking a constraint no epoch changes, not by a pruner";
    assert_eq!(stops(3, true), format!("3 of them {what}"));
    assert_eq!(stops(3, false), format!("all 3 {what}"));
    assert_eq!(stops(1, false), format!("that one {what}"));
    assert_eq!(page.constraint_stops, "");
    assert_eq!(
        Summary::of(&constrained, NOW).best_href(),
        Summary::of(&d, NOW).best_href(),
        "the best trial meets it here"
    );
    // A trial's page says whether it meets them.
    let said = |row: usize| {
        let id = usize::try_from(rows[row].id).unwrap_or(0);
        let trial = trial_page(
            (&constrained.info, constrained.spec.as_ref()),
            &constrained.trials[id],
            None,
            &BTreeMap::new(),
            NOW,
            "st",
            CheckpointAt::Nowhere,
        );
        let fact = trial.facts.into_iter().find(|f| f.name == "constraints");
        fact.map(|f| f.value)
    };
    assert_eq!(said(0).as_deref(), Some("met: it can be the best"));
    assert_eq!(
        said(first_broken).as_deref(),
        Some("breaks val_loss ≤ 0.0485: never the best")
    );
    // The compare page has a row for the constrained metric and one for the constraints.
    let picked: Vec<_> = [0, first_broken]
        .iter()
        .map(|&row| {
            let id = usize::try_from(rows[row].id).unwrap_or(0);
            (constrained.trials[id].clone(), BTreeMap::new())
        })
        .collect();
    let compared = compare_page((&constrained.info, constrained.spec.as_ref()), &[], &picked);
    let names: Vec<&str> = compared.facts.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "state",
            "val_accuracy",
            "val_loss",
            "constraints",
            "best epoch",
            "epochs",
            "seed"
        ]
    );
    assert_eq!(
        compared.facts[3].values,
        ["met", "breaks val_loss ≤ 0.0485"]
    );
    let mut unparsed = data(40);
    unparsed.spec = None;
    let page = experiment_page(&unparsed, &r, (&a, Picked::default()), &sel, NOW);
    assert_eq!((page.method, page.pruner), ("-", "-"));
    let page = experiment_page(&d, &r, (&a, Picked::default()), &sel, NOW);
    assert!(
        page.charts.sample_note.contains("400 of"),
        "{}",
        page.charts.sample_note
    );
    assert!(
        page.charts.curves.contains("no completed trials"),
        "no curves were passed in"
    );
    for svg in [
        &page.charts.history,
        &page.charts.parallel,
        &page.charts.importance,
        &page.charts.slices,
    ] {
        assert!(svg.starts_with("<svg class=\"chart\"") && !svg.contains("data-empty"));
    }
}

/// The fixture experiment of `n` trials, named `name`, as a study with two objectives:
/// accuracy, and a cost that grows with the learning rate (a trade-off below the rate where
/// accuracy peaks).
fn two_objectives(name: &str, n: u32) -> ExperimentData {
    let single = data(n);
    let mut info = single.info.clone();
    info.name = name.into();
    info.spec_yaml = info.spec_yaml.replace(
        "metric: {name: val_accuracy, goal: maximize}",
        "metric: [{name: val_accuracy}, {name: param_count}]",
    );
    let trials = with_metric(&single.trials, "param_count", |t| {
        (t.params["lr"].as_f64().unwrap_or(0.0) * 1e6).round()
    });
    ExperimentData::new(info, trials)
}

/// Returns `trials` with the metric `name` at `value(trial)` in each result.
fn with_metric(trials: &[Trial], name: &str, value: impl Fn(&Trial) -> f64) -> Vec<Trial> {
    trials
        .iter()
        .cloned()
        .map(|mut t| {
            let v = value(&t);
            if let Some(r) = t.result.as_mut() {
                r.metrics.insert(name.into(), v);
            }
            t
        })
        .collect()
}

#[test]
fn studies_with_the_same_objectives_compare_their_fronts() {
    // The first 20 trials of the same study: a front no better than all 50's.
    let all = std::sync::Arc::new(two_objectives("all", 50));
    let early = std::sync::Arc::new(two_objectives("early", 20));
    let page =
        super::experiments_compare::experiments_compare_page(&[all, early], &[], NOW).unwrap();
    assert!(page
        .fronts
        .contains("aria-label=\"Pareto fronts of val_accuracy and param_count\""));
    let row = |name: &str| {
        page.rows
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.values.clone())
            .unwrap_or_default()
    };
    assert!(row("Pareto front").iter().all(|v| v.ends_with("trials")));
    // Each front's trials name themselves and their experiment, and link to their pages.
    let marks = page
        .fronts
        .split("<g class=\"marks\">")
        .nth(1)
        .unwrap_or_default();
    assert!(
        marks.contains("<a href=\"/experiments/early/trials/")
            && marks.contains("<title>early trial ")
            && marks.contains("<a href=\"/experiments/all/trials/"),
        "{marks}"
    );
    assert_eq!(page.goal, "maximize val_accuracy, minimize param_count");
    let shares: Vec<f64> = row("hypervolume")
        .iter()
        .map(|v| v.trim_end_matches('%').parse().unwrap())
        .collect();
    assert!(
        shares.len() == 2 && shares[0] >= shares[1] && shares[1] > 0.0,
        "{shares:?}"
    );
    // Studies with one objective have no fronts to compare.
    let one = super::experiments_compare::experiments_compare_page(
        &[std::sync::Arc::new(data(20)), std::sync::Arc::new(data(30))],
        &[],
        NOW,
    )
    .unwrap();
    assert!(one.fronts.is_empty() && one.rows.iter().all(|r| r.name != "hypervolume"));
}

#[test]
fn experiments_with_different_objectives_compare_in_the_table_without_charts() {
    // One maximizes val_accuracy, the other minimizes val_loss: W&B still sets them side by
    // side, so the page keeps the table and leaves out only the shared charts, saying why.
    let acc = data(20);
    let mut info = acc.info.clone();
    info.name = "loss".into();
    info.objective = "val_loss".into();
    info.goal = Direction::Minimize;
    info.spec_yaml = info.spec_yaml.replace(
        "metric: {name: val_accuracy, goal: maximize}",
        "metric: {name: val_loss, goal: minimize}",
    );
    let loss = ExperimentData::new(info, acc.trials.clone());
    let page = super::experiments_compare::experiments_compare_page(
        &[std::sync::Arc::new(acc), std::sync::Arc::new(loss)],
        &[],
        NOW,
    )
    .expect("experiments with different objectives compare in a table");
    assert!(page.chart.is_empty() && page.edf.is_empty() && page.goal.is_empty());
    assert_eq!(
        page.apart,
        "demo maximizes val_accuracy, loss minimizes val_loss: the best-so-far and \
         distribution charts need one metric in one direction, so only the table compares them."
    );
    let row = |name: &str| {
        page.rows
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.values.clone())
    };
    assert_eq!(
        row("objectives"),
        Some(vec![
            "val_accuracy (maximize)".into(),
            "val_loss (minimize)".into()
        ])
    );
    assert!(row("method").is_some() && row("trials").is_some());
    // Each one's best, of a metric of its own: the values are not the same, but values of
    // different metrics do not compare, so the row is not marked as differing.
    let best = page
        .rows
        .iter()
        .find(|r| r.name == "best (of its objective)")
        .map(|r| (r.values.clone(), r.differs));
    assert!(
        matches!(&best, Some((values, false)) if values.len() == 2 && values[0] != values[1]),
        "{best:?}"
    );
}

#[test]
fn a_study_with_two_objectives_shows_its_pareto_front() {
    let d = two_objectives("demo", 50);
    let single = data(50);
    assert_eq!(d.objectives().len(), 2);
    let r = ranked(&d.trials, &d.objectives(), d.constraints());
    let a = super::experiment_page::analysis(&d, &r, &BTreeMap::new(), NOW);
    let sel = Selection::parse(&LeaderboardQuery::default(), PER_PAGE).unwrap();
    let page = experiment_page(&d, &r, (&a, Picked::default()), &sel, NOW);
    let front = experiment::pareto_front(&d.trials, &d.objectives(), &[]);
    assert!(front.len() > 1 && front.len() < 20, "{}", front.len());
    assert!(
        page.front.starts_with(&format!("{} trials: ", front.len())),
        "{}",
        page.front
    );
    assert_eq!(page.goal, "maximize val_accuracy, minimize param_count");
    assert_eq!(page.pareto_axes, "val_accuracy and param_count");
    assert!(a
        .pareto
        .contains("aria-label=\"Pareto front of val_accuracy and param_count\""));
    assert!(a
        .hypervolume
        .contains("aria-label=\"hypervolume of the trials so far, by trial number: "));
    assert!(!a.hypervolume.contains("data-empty"));
    // The charts below the front rank by one objective alone: the first, or the one picked.
    let size = experiment::MetricSpec {
        name: "param_count".into(),
        goal: experiment::Direction::Minimize,
    };
    let by_size = super::experiment_page::charted(&d, &size);
    let smallest = d
        .trials
        .iter()
        .filter(|t| t.state == TrialState::Completed)
        .filter_map(|t| t.value("param_count"))
        .fold(f64::INFINITY, f64::min);
    assert_eq!(by_size[0].trial.value("param_count"), Some(smallest));
    let picked =
        super::experiment_page::analysis_for(&d, (&r, &by_size), &BTreeMap::new(), NOW, &size);
    assert_eq!(picked.objective, "param_count");
    assert_eq!(picked.order, a.order, "the leaderboard's order stays");
    assert!(picked.history.contains("param_count") && picked.history != a.history);
    // The leaderboard has a column for the second objective and ranks the front first.
    assert_eq!(page.board.headers[5].title, "param_count");
    // Each objective's column sorts by its values, the rank by front.
    let href = |i: usize| page.board.headers[i].href.clone();
    assert!(href(0).contains("sort=rank&"), "{}", href(0));
    assert!(
        href(3).ends_with("sort=metric.val_accuracy&dir=desc#leaderboard"),
        "{}",
        href(3)
    );
    assert!(
        href(5).ends_with("sort=metric.param_count&dir=asc#leaderboard"),
        "{}",
        href(5)
    );
    let mut first: Vec<u32> = page.board.rows[..front.len()]
        .iter()
        .map(|r| r.id)
        .collect();
    let mut on_front: Vec<u32> = front.iter().map(|t| t.id.0).collect();
    first.sort_unstable();
    on_front.sort_unstable();
    assert_eq!(first, on_front);
    // Those rows say they are on the front; no other does.
    let mut marked: Vec<u32> = page
        .board
        .rows
        .iter()
        .filter(|r| r.front)
        .map(|r| r.id)
        .collect();
    marked.sort_unstable();
    assert_eq!(marked, on_front);
    assert!(single_board_has_no_front(&single));
    // The best trial is the front's most accurate.
    let best = Summary::of(&d, NOW).best_href().unwrap_or_default();
    assert!(
        best.ends_with(&format!("/trials/{}", front[0].id)),
        "{best}"
    );
    // A trial's page says where it stands against the front, and its second objective.
    let spec = d.spec.as_ref().unwrap();
    let on = front[0];
    let standing = |t| Standing::of(spec, &front, t).map(Standing::sentence);
    assert_eq!(
        standing(on),
        Some(format!("on it, one of {} trials", front.len()))
    );
    let off = d
        .trials
        .iter()
        .find(|t| t.state == TrialState::Completed && front.iter().all(|f| f.id != t.id))
        .unwrap();
    let said = standing(off).unwrap();
    assert!(said.starts_with("off the front: trial "), "{said}");
    let page = trial_page(
        (&d.info, d.spec.as_ref()),
        off,
        Standing::of(spec, &front, off),
        &BTreeMap::new(),
        NOW,
        "st",
        CheckpointAt::Nowhere,
    );
    let fact = |name: &str| {
        page.facts
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.clone())
    };
    assert_eq!(fact("Pareto front"), Some(said));
    assert!(fact("param_count").is_some_and(|v| v != "-"));
    // The compare page has a row per objective and says which trials are on the front.
    let picked: Vec<_> = [on, off]
        .iter()
        .map(|t| ((*t).clone(), BTreeMap::new()))
        .collect();
    let compared = compare_page((&d.info, d.spec.as_ref()), &front, &picked);
    let cells = |name: &str| {
        compared
            .facts
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.values.clone())
    };
    let size = |t: &Trial| t.value("param_count").and_then(experiment::whole_number);
    assert_eq!(
        cells("param_count"),
        size(on).zip(size(off)).map(|(a, b)| vec![a, b])
    );
    let beaten = cells("Pareto front").unwrap();
    assert_eq!(beaten[0], "on it");
    assert!(
        beaten[1].starts_with("off: trial ") && beaten[1].ends_with(" beats it"),
        "{beaten:?}"
    );
    // One objective: no front, no chart.
    let ra = ranked(&single.trials, &single.objectives(), &[]);
    let one = super::experiment_page::analysis(&single, &ra, &BTreeMap::new(), NOW);
    assert!(one.pareto.is_empty() && one.hypervolume.is_empty());
    assert!(
        experiment_page(&single, &ra, (&one, Picked::default()), &sel, NOW)
            .front
            .is_empty()
    );
}

#[test]
fn importance_finds_the_parameters_that_matter() {
    let d = data(300);
    let axes = param_axes(d.spec.as_ref(), &d.trials);
    let (scores, top) = importance_of(&axes, &d.trials, &d.info.objective, d.info.goal)
        .expect("300 trials are enough");
    // The top set: the top 10% of the 256 trials with a value (26), and one tied with the
    // last of them; the page's chart names it.
    assert_eq!((top.top, top.of), (27, 256), "{top:?}");
    let r = ranked(&d.trials, &d.objectives(), &[]);
    let a = super::experiment_page::analysis(&d, &r, &BTreeMap::new(), NOW);
    let named = format!("top {} of {} trials", top.top, top.of);
    assert!(a.importance.contains(&named), "{named} in {}", a.importance);
    let get = |name: &str| {
        scores
            .iter()
            .find(|(n, _)| n == name)
            .map_or(0.0, |(_, s)| *s)
    };
    // The fixture's accuracy depends on lr and optimizer, not on hidden.
    assert!(
        get("lr") > get("hidden") && get("optimizer") > get("hidden"),
        "{scores:?}"
    );
    assert!(importance_of(&axes, &d.trials[..8], &d.info.objective, d.info.goal).is_none());
}

#[test]
fn the_pair_plots_take_the_most_important_parameters() {
    let d = data(300);
    let r = ranked(&d.trials, &d.objectives(), &[]);
    let a = super::experiment_page::analysis(&d, &r, &BTreeMap::new(), NOW);
    assert!(a.pairs_note.contains("most important"), "{}", a.pairs_note);
    // The fixture's accuracy depends on lr and optimizer: theirs is the first panel.
    let at = |name: &str| a.pairs.find(&format!("\n{name}\n")).unwrap_or(usize::MAX);
    assert!(
        at("lr (log)") < at("hidden") && at("optimizer") < at("hidden"),
        "{}",
        a.pairs
    );
    assert!(!a.pairs.contains("data-empty"));
    // Too few trials for importance: the first parameters by name.
    let few = data(6);
    let r = ranked(&few.trials, &few.objectives(), &[]);
    let a = super::experiment_page::analysis(&few, &r, &BTreeMap::new(), NOW);
    assert!(a.pairs_note.contains("by name"), "{}", a.pairs_note);
}

#[test]
fn importance_ranks_pruned_trials_after_completed_ones() {
    // Only 5 trials complete, all with 128 hidden units; the 25 pruned ones carry higher values
    // (as a trial pruned early may), and still rank after every completed one.
    let mut d = data(31);
    d.trials.pop();
    for t in &mut d.trials {
        let wide = t.params["hidden"] == experiment::ParamValue::Int(128) && t.id.0 < 15;
        t.state = if wide {
            TrialState::Completed
        } else {
            TrialState::Pruned
        };
        let value = if wide { 0.5 } else { 0.9 } + f64::from(t.id.0) / 1000.0;
        t.result = Some(experiment::TrialResult {
            best_step: experiment::Step(3),
            metrics: BTreeMap::from([("val_accuracy".to_string(), value)]),
        });
    }
    let axes = param_axes(d.spec.as_ref(), &d.trials);
    let (scores, _) = importance_of(&axes, &d.trials, &d.info.objective, d.info.goal)
        .expect("5 completed trials are enough with the pruned ones");
    let get = |name: &str| scores.iter().find(|s| s.0 == name).map_or(0.0, |s| s.1);
    // The top 3 all have 128 units and three different optimizers.
    assert!(get("hidden") > 2.0 * get("optimizer"), "{scores:?}");
    // With every trial pruned, they rank by their own values.
    for t in &mut d.trials {
        t.state = TrialState::Pruned;
    }
    let pruned = importance_of(&axes, &d.trials, &d.info.objective, d.info.goal);
    assert!(
        pruned.is_some_and(|(s, _)| !s.is_empty()),
        "30 pruned trials are enough"
    );
}

#[test]
fn a_trial_stopped_before_its_result_shows_the_epochs_it_trained() {
    // A trial a kill stopped has no best epoch, but trained epochs: the leaderboard says how
    // many rather than a bare `-`.
    let d = data(10);
    let r = ranked(&d.trials, &d.objectives(), d.constraints());
    let a = super::experiment_page::analysis(&d, &r, &BTreeMap::new(), NOW);
    let sel = Selection::parse(&LeaderboardQuery::default(), PER_PAGE).unwrap();
    let mut page = experiment_page(&d, &r, (&a, Picked::default()), &sel, NOW);
    let running = d
        .trials
        .iter()
        .find(|t| t.result.is_none())
        .expect("the fixture's last trial runs, without a result");
    let mut effort = experiment::Effort::default();
    effort.add(running, d.spec.as_ref(), Some(Step(75)));
    super::leaderboard::show_trained(&mut page.board, &effort);
    let row = page.board.rows.iter().find(|row| row.id == running.id.0);
    assert_eq!(
        row.map(|row| (row.epoch.as_str(), row.trained.as_str())),
        Some(("-", "75"))
    );
}

#[test]
fn a_trial_a_stopped_sweep_left_says_it_runs_again_on_its_page() {
    // The fixture's last trial runs; a sweep that stopped left it so (a kill), or put it back
    // to queued (a Ctrl-C): either way it runs again from scratch when the command runs again.
    let mut d = data(10);
    d.info.status = ExperimentStatus::Interrupted;
    let page_of = |t: &Trial| {
        trial_page(
            (&d.info, d.spec.as_ref()),
            t,
            None,
            &BTreeMap::new(),
            NOW,
            "st",
            CheckpointAt::Nowhere,
        )
    };
    let mut left = d.trials[9].clone();
    assert_eq!(left.state, TrialState::Running);
    assert_eq!(
        page_of(&left).reason,
        "running when the sweep was killed: it runs again from scratch when the same command \
         runs again"
    );
    left.state = TrialState::Queued;
    assert!(page_of(&left)
        .reason
        .starts_with("not run, or put back unfinished"));
    // While a sweep runs it, a running trial needs no such word.
    d.info.status = ExperimentStatus::Running;
    left.state = TrialState::Running;
    let running = trial_page(
        (&d.info, d.spec.as_ref()),
        &left,
        None,
        &BTreeMap::new(),
        NOW,
        "st",
        CheckpointAt::Nowhere,
    );
    assert_eq!(running.reason, "");
}

#[test]
fn a_conditional_parameter_not_drawn_says_its_condition_did_not_hold() {
    // `dropout` is searched only with sgd: a trial with adam did not draw it, and its knob
    // keeps the default, which is not a value the search chose.
    let d = data(20);
    let mut info = d.info.clone();
    info.spec_yaml
        .push_str("  dropout: {values: [0.1, 0.3], when: {optimizer: [sgd]}}\n");
    let conditional = ExperimentData::new(info, d.trials.clone());
    assert!(conditional.spec.is_some(), "the spec parses");
    let mut t = d.trials[4].clone();
    t.params.insert(
        "optimizer".into(),
        experiment::ParamValue::Str("adam".into()),
    );
    t.params.remove("dropout");
    let page = trial_page(
        (&conditional.info, conditional.spec.as_ref()),
        &t,
        None,
        &BTreeMap::new(),
        NOW,
        "st",
        CheckpointAt::Here,
    );
    let dropout = page.knobs.iter().find(|k| k.name == "dropout");
    assert_eq!(
        dropout.map(|k| (k.value.as_str(), k.note.as_str())),
        Some((
            "0",
            "searched, not drawn: its condition (optimizer = sgd) did not hold, so the default \
             value"
        ))
    );
}

#[test]
fn the_trial_page_resolves_knobs_and_the_reproducing_command() {
    let d = data(20);
    let t = &d.trials[4];
    let page = trial_page(
        (&d.info, d.spec.as_ref()),
        t,
        None,
        &BTreeMap::new(),
        NOW,
        "runs/my store",
        CheckpointAt::Here,
    );
    assert_eq!(
        page.command,
        "sweep run experiments/fixture.yaml --store .sweep-reproduce-4 --run-cap 5"
    );
    let knob = |name: &str| {
        page.knobs
            .iter()
            .find(|k| k.name == name)
            .map(|k| (k.value.as_str(), k.note.as_str()))
    };
    assert_eq!(knob("epochs"), Some(("12", "fixed in the spec")));
    assert_eq!(knob("optimizer").map(|k| k.1), Some("searched"));
    // The searched optimizer is not sgd: momentum does nothing, and is greyed.
    assert_eq!(
        knob("momentum").map(|k| k.1),
        Some("default; does nothing here: only optimizer: sgd uses it")
    );
    let idle: Vec<&str> = page
        .knobs
        .iter()
        .filter(|k| k.idle)
        .map(|k| k.name.as_str())
        .collect();
    assert_eq!(
        idle,
        [
            "momentum",
            "channels",
            "conv_layers",
            "step_epochs",
            "step_factor"
        ]
    );
    let lr = page
        .params
        .iter()
        .find(|p| p.name == "lr")
        .map(|p| p.note.as_str());
    assert_eq!(lr, Some("log_uniform_values"));
    let fact = |page: &super::trial::TrialPage, name: &str| {
        page.facts
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.clone())
    };
    assert_eq!(
        fact(&page, "parameters").as_deref(),
        Some("chosen by random")
    );
    // The best epoch, and of how many the trial reported (as `sweep show` says it).
    let best = t.result.as_ref().map(|r| r.best_step.0).unwrap_or_default();
    assert_eq!(fact(&page, "best epoch"), Some(best.to_string()));
    let reported = BTreeMap::from([(
        "val_accuracy".to_string(),
        (1..=9).map(|s| (Step(s), 0.5)).collect(),
    )]);
    let page_with_curves = trial_page(
        (&d.info, d.spec.as_ref()),
        t,
        None,
        &reported,
        NOW,
        "runs/my store",
        CheckpointAt::Here,
    );
    assert_eq!(
        fact(&page_with_curves, "best epoch"),
        Some(format!("{best} of 9 reported"))
    );
    assert_eq!(page.prev.as_deref(), Some("/experiments/demo/trials/3"));
    assert_eq!(shell_quote("my spec's.yaml"), r"'my spec'\''s.yaml'");
    // With a checkpoint, the page says how to predict with it; without, why there is none.
    assert_eq!(
        page.predict_command.as_deref(),
        Some("sweep predict demo/4 --input new.csv --store 'runs/my store'")
    );
    assert_eq!(page.no_checkpoint, "");
    let without = trial_page(
        (&d.info, d.spec.as_ref()),
        t,
        None,
        &BTreeMap::new(),
        NOW,
        "runs/my store",
        CheckpointAt::Nowhere,
    );
    assert_eq!(without.predict_command, None);
    assert_eq!(
        without.no_checkpoint,
        "No checkpoint: only the best trials (`checkpoints.keep`) keep their best epoch's weights."
    );
    // In the store of one agent of several, another agent's trial keeps its checkpoint there.
    let elsewhere = trial_page(
        (&d.info, d.spec.as_ref()),
        t,
        None,
        &BTreeMap::new(),
        NOW,
        "runs/my store",
        CheckpointAt::Agent(store::AgentOf {
            agent: 1,
            agents: 2,
        }),
    );
    assert_eq!(elsewhere.predict_command, None);
    assert_eq!(
        elsewhere.no_checkpoint,
        "No checkpoint here: agent 1 of 2 ran this trial, and keeps the checkpoints of its own \
         best trials (`checkpoints.keep`) in its store; predict there."
    );
}

#[test]
fn the_timeline_draws_every_started_trial_or_an_even_sample() {
    let timeline = |n: u32| {
        let d = data(n);
        let r = ranked(&d.trials, &d.objectives(), &[]);
        let a = super::experiment_page::analysis(&d, &r, &BTreeMap::new(), NOW);
        (a.timeline_note, a.timeline)
    };
    let (note, svg) = timeline(40);
    assert_eq!(note, "all 40 trials that started");
    // One is one trial, not "all 1 trials"; so is the sample of the charts with one value.
    assert_eq!(timeline(1).0, "the 1 trial that started");
    let mut one = data(2);
    one.trials[1].started = None;
    let r = ranked(&one.trials, &one.objectives(), &[]);
    let a = super::experiment_page::analysis(&one, &r, &BTreeMap::new(), NOW);
    assert_eq!(a.sample_note, "the 1 trial with a value");
    // The running trial's bar reaches the time now, 100 s after the first start: the axis
    // (in seconds) goes a little past it.
    assert!(
        svg.contains("time since the first trial started (s)"),
        "{svg}"
    );
    assert!(svg.contains(">\n100\n<") || svg.contains(">100<"), "{svg}");
    let (note, _) = timeline(2000);
    assert_eq!(
        note,
        format!("an even sample of {MAX_BARS} of the 2000 trials that started")
    );
    // Two side by side, each starting half a trial after the other: the note says how busy
    // the workers were.
    let mut d = data(10);
    d.info.status = ExperimentStatus::Finished;
    for (i, t) in d.trials.iter_mut().enumerate() {
        let start = 1_795_865_400_000 + 500 * i64::try_from(i).unwrap_or(0);
        t.state = TrialState::Completed;
        t.started = Some(Timestamp(start));
        t.finished = Some(Timestamp(start + 900));
    }
    let r = ranked(&d.trials, &d.objectives(), &[]);
    let a = super::experiment_page::analysis(&d, &r, &BTreeMap::new(), NOW);
    // 9 s of training in 5.4 s of wall time.
    assert_eq!(
        a.timeline_note,
        "all 10 trials that started; on average 1.67 trials ran side by side, of at most 2 (83%)"
    );
}

#[test]
fn the_trial_page_says_which_parameters_the_file_gave() {
    let mut info = fixtures::info("demo", ExperimentStatus::Finished, 3);
    info.spec_yaml
        .push_str("enqueue:\n  - {lr: 0.001, hidden: 64, optimizer: adam}\n  - {optimizer: sgd}\n");
    let trials: Vec<Trial> = (0..3).map(|i| fixtures::trial(i, 4)).collect();
    let d = ExperimentData::new(info, trials);
    assert!(d.spec.is_some(), "the spec with `enqueue:` parses");
    let page = |i: usize| {
        trial_page(
            (&d.info, d.spec.as_ref()),
            &d.trials[i],
            None,
            &BTreeMap::new(),
            NOW,
            ".sweep",
            CheckpointAt::Nowhere,
        )
    };
    let said = |i: usize| -> (String, Vec<String>) {
        let p = page(i);
        let origin = p
            .facts
            .iter()
            .find(|f| f.name == "parameters")
            .map(|f| f.value.clone());
        (
            origin.unwrap_or_default(),
            p.params
                .iter()
                .map(|f| format!("{}: {}", f.name, f.note))
                .collect(),
        )
    };
    assert_eq!(
        said(0),
        (
            "given in the file (enqueue[0])".to_string(),
            vec![
                "hidden: categorical, given by enqueue[0]".to_string(),
                "lr: log_uniform_values, given by enqueue[0]".to_string(),
                "optimizer: categorical, given by enqueue[0]".to_string(),
            ]
        )
    );
    assert_eq!(
        said(1),
        (
            "given in part in the file (enqueue[1]), the rest chosen by random".to_string(),
            vec![
                "hidden: categorical".to_string(),
                "lr: log_uniform_values".to_string(),
                "optimizer: categorical, given by enqueue[1]".to_string(),
            ]
        )
    );
    assert_eq!(said(2).0, "chosen by random");
}

#[test]
fn compare_takes_two_to_eight_distinct_trials_and_marks_differences() {
    assert_eq!(parse_ids("t=3&t=7&t=3").ok(), Some(vec![3, 7]));
    assert_eq!(parse_ids("trials=1,2%2C5").ok(), Some(vec![1, 2, 5]));
    // Values are percent-decoded, as a client library may encode them.
    assert_eq!(parse_ids("t=%32%30&t=1").ok(), Some(vec![20, 1]));
    let names = super::experiments_compare::parse_names("e=all%2Dfail&e=b.c&e=all-fail");
    assert_eq!(
        names.ok(),
        Some(vec!["all-fail".to_string(), "b.c".to_string()])
    );
    assert!(matches!(
        super::experiments_compare::parse_names("e=a%2Fb&e=c"),
        Err(Error::BadRequest(_))
    ));
    assert!(matches!(parse_ids("t=1"), Err(Error::BadRequest(_))));
    assert!(matches!(parse_ids("t=1&t=-2"), Err(Error::BadRequest(_))));
    assert!(matches!(
        parse_ids("trials=0,1,2,3,4,5,6,7,8"),
        Err(Error::BadRequest(_))
    ));
    let d = data(10);
    let picked: Vec<_> = [0, 3]
        .iter()
        .map(|&i| (d.trials[i].clone(), BTreeMap::new()))
        .collect();
    let page = compare_page((&d.info, d.spec.as_ref()), &[], &picked);
    // Every metric at the best epoch has its row, after the objective's.
    let names: Vec<&str> = page.facts.iter().map(|r| r.name.as_str()).collect();
    let at = |n: &str| names.iter().position(|m| *m == n);
    assert!(
        at("val_accuracy") < at("val_loss") && at("val_loss").is_some(),
        "{names:?}"
    );
    // The second trial's swatch: its chart symbol (a square) in its chart colour.
    assert!(
        page.columns[1].swatch.contains("<polygon") && page.columns[1].swatch.contains("#C88200"),
        "{}",
        page.columns[1].swatch
    );
    let row = |name: &str| {
        page.params
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.differs)
    };
    assert_eq!(
        row("hidden"),
        Some(false),
        "trials 0 and 3 share hidden = 32"
    );
    assert_eq!(row("lr"), Some(true));
    assert_eq!(page.differing, 2);
    // The epochs each trained, as `sweep show` compares them: the last any metric reported.
    let curve = |n: u32| (1..=n).map(|s| (Step(s), 0.5)).collect::<Vec<_>>();
    let trained: Vec<_> = [(0, 3), (3, 7)]
        .iter()
        .map(|&(i, n)| {
            let metrics = BTreeMap::from([
                ("val_accuracy".to_string(), curve(n)),
                ("train_loss".to_string(), curve(n - 1)),
            ]);
            (d.trials[i].clone(), metrics)
        })
        .collect();
    let page = compare_page((&d.info, d.spec.as_ref()), &[], &trained);
    let epochs = page.facts.iter().find(|r| r.name == "epochs");
    assert_eq!(
        epochs.map(|r| (r.values.clone(), r.differs)),
        Some((vec!["3".into(), "7".into()], true))
    );
    let untrained = compare_page((&d.info, d.spec.as_ref()), &[], &picked);
    let epochs = untrained.facts.iter().find(|r| r.name == "epochs");
    assert_eq!(
        epochs.map(|r| r.values.clone()),
        Some(vec!["-".into(), "-".into()])
    );
}

#[test]
fn a_study_with_three_objectives_has_its_hypervolume_history() {
    let two = two_objectives("three", 50);
    let mut info = two.info.clone();
    info.spec_yaml = info.spec_yaml.replace(
        "{name: param_count}]",
        "{name: param_count}, {name: val_f1, goal: minimize}]",
    );
    // A third objective at odds with the others: a cost that grows with the width.
    let trials = with_metric(&two.trials, "val_f1", |t| {
        t.params["hidden"].as_f64().unwrap_or(0.0)
    });
    let d = ExperimentData::new(info, trials);
    assert_eq!(d.objectives().len(), 3, "the fixture spec parses");
    let r = ranked(&d.trials, &d.objectives(), d.constraints());
    let a = super::experiment_page::analysis(&d, &r, &BTreeMap::new(), NOW);
    assert!(a
        .hypervolume
        .contains("aria-label=\"hypervolume of the trials so far, by trial number: "));
    assert!(!a.hypervolume.contains("data-empty"));
    assert!(a
        .pareto
        .contains("Pareto front of val_accuracy and param_count"));
    let sel = Selection::parse(&LeaderboardQuery::default(), PER_PAGE).unwrap();
    let page = experiment_page(&d, &r, (&a, Picked::default()), &sel, NOW);
    assert!(page
        .pareto_axes
        .ends_with("(the first two of its 3 objectives)"));
    assert!(page.pareto_line.contains("may look beaten in these two"));
    // A link per pair of objectives draws the front in that pair.
    let names: Vec<&str> = page.front_links.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "val_accuracy × param_count",
            "val_accuracy × val_f1",
            "param_count × val_f1"
        ]
    );
    assert!(page.front_links[0].active && !page.front_links[2].active);
    assert!(page.front_links[2]
        .href
        .ends_with("&front=param_count%2Cval_f1#pareto"));
    let picked = super::experiment_page::picked_front(&d, "val_f1, param_count").unwrap();
    assert_eq!(picked.0, (2, 1));
    assert!(picked.1.contains("Pareto front of val_f1 and param_count"));
    let front = Picked {
        front: Some(picked),
        ..Picked::default()
    };
    let page = experiment_page(&d, &r, (&a, front), &sel, NOW);
    assert_eq!(
        page.pareto_axes,
        "val_f1 and param_count (two of its 3 objectives)"
    );
    assert!(page
        .pareto
        .contains("Pareto front of val_f1 and param_count"));
    assert!(page.front_links[2].active && !page.front_links[0].active);
    for bad in ["val_f1", "val_f1,val_f1", "val_f1,nope", "a,b,c"] {
        let Err(Error::BadRequest(said)) = super::experiment_page::picked_front(&d, bad) else {
            panic!("{bad} was taken");
        };
        assert!(said.contains("val_accuracy, param_count, val_f1"), "{said}");
    }
    // Two objectives have one pair: no links, no pick.
    let two = two_objectives("two", 20);
    assert!(super::experiment_page::picked_front(&two, "param_count,val_accuracy").is_err());
}

#[test]
fn issue_audit_1_losses_are_titled_by_the_task_they_train_on() {
    let d = data(10);
    let curve: crate::data::Series = vec![(Step(1), 0.9), (Step(2), 0.7)];
    let titles = |names: &[&str], spec: Option<&experiment::ExperimentSpec>| {
        let metrics: BTreeMap<String, crate::data::Series> = names
            .iter()
            .map(|n| ((*n).to_string(), curve.clone()))
            .collect();
        let page = trial_page(
            (&d.info, spec),
            &d.trials[0],
            None,
            &metrics,
            NOW,
            "st",
            CheckpointAt::Nowhere,
        );
        page.charts
            .iter()
            .map(|c| c.svg.clone())
            .collect::<String>()
    };
    // Regression (inferred from its metrics: the spec leaves the task to the data) trains on
    // the mean squared error of the standardized target, not on cross-entropy.
    let regression = titles(&["val_loss", "val_rmse"], None);
    assert!(
        regression.contains("val_loss (standardized MSE)"),
        "{regression}"
    );
    assert!(!regression.contains("cross-entropy"), "{regression}");
    // Classification trains on cross-entropy, as the fixture's spec says by its metric.
    let classification = titles(&["val_loss", "val_accuracy"], d.spec.as_ref());
    assert!(
        classification.contains("val_loss (cross-entropy)"),
        "{classification}"
    );
    // A spec's `data.task` decides; with neither, a loss has no unit.
    let mut spec = d.spec.clone();
    if let Some(s) = spec.as_mut() {
        s.data.task = Some(experiment::Task::Regression);
    }
    let given = titles(&["val_loss"], spec.as_ref());
    assert!(given.contains("standardized MSE"), "{given}");
    let unknown = titles(&["val_loss"], None);
    assert!(
        !unknown.contains("cross-entropy") && !unknown.contains("MSE"),
        "{unknown}"
    );
    // The experiment's own view of its task: the fixture reports val_accuracy.
    assert_eq!(d.task(), crate::charts::Task::Classification);
}

#[test]
fn issue_audit_2_the_colour_bar_names_the_trials_at_its_ends() {
    // A pruned trial better than every completed one: the colour goes by rank (completed
    // before pruned), so the bar's ends are the first and last ranked, not the extreme values.
    let mut d = data(20);
    let pruned = d
        .trials
        .iter()
        .position(|t| t.state == TrialState::Pruned)
        .unwrap_or(0);
    if let Some(r) = d.trials[pruned].result.as_mut() {
        r.metrics.insert("val_accuracy".into(), 0.999);
    }
    // The best completed one at 0.98, which the tables write `0.9800`, and so the bar.
    if let Some(r) = d.trials[0].result.as_mut() {
        r.metrics.insert("val_accuracy".into(), 0.98);
    }
    let r = ranked(&d.trials, &d.objectives(), &[]);
    let s = sample(&r);
    let (first, last) = (s[0], s[s.len() - 1]);
    assert_eq!(first.trial.state, TrialState::Completed);
    assert_eq!(last.trial.state, TrialState::Pruned);
    // Written as the tables write them, to 4 decimals.
    let value = |t: &Trial| experiment::metric_text(t.value("val_accuracy"));
    let top = format!("rank 1: {}", value(first.trial));
    assert_eq!(top, "rank 1: 0.9800");
    let bottom = format!(
        "rank {}: {} (pruned)",
        last.rank.unwrap_or(0),
        value(last.trial)
    );
    let a = super::experiment_page::analysis(&d, &r, &BTreeMap::new(), NOW);
    for svg in [&a.parallel, &a.pairs] {
        assert!(svg.contains(&top), "{top} in {svg}");
        assert!(svg.contains(&bottom), "{bottom} in {svg}");
        assert!(!svg.contains("best 0.999"), "{svg}");
    }
}

#[test]
fn issue_ux_the_colour_bar_names_places_by_the_objective_charted_with_several() {
    // With two objectives the leaderboard ranks Pareto fronts: the colour bar's ends are the
    // first and last by the charted objective, not "rank N".
    let d = two_objectives("mo", 20);
    let first = super::experiment_page::charted(
        &d,
        &experiment::MetricSpec {
            name: "val_accuracy".into(),
            goal: Direction::Maximize,
        },
    );
    let s = sample(&first);
    let r = ranked(&d.trials, &d.objectives(), &[]);
    let a = super::experiment_page::analysis(&d, &r, &BTreeMap::new(), NOW);
    let value = |i: usize| experiment::metric_text(s[i].trial.value("val_accuracy"));
    let top = format!("1st by val_accuracy: {}", value(0));
    let last = s.len() - 1;
    let pruned = if s[last].trial.state == TrialState::Pruned {
        " (pruned)"
    } else {
        ""
    };
    let bottom = format!(
        "{}th by val_accuracy: {}{pruned}",
        s[last].rank.unwrap_or(0),
        value(last)
    );
    for svg in [&a.parallel, &a.pairs] {
        assert!(svg.contains(&top), "{top} in {svg}");
        assert!(svg.contains(&bottom), "{bottom} in {svg}");
        assert!(!svg.contains("rank 1:"), "{svg}");
    }
}

#[test]
fn issue_ux_the_overlay_of_top_curves_settles_past_their_first_epochs() {
    // The top trials' curves start far below where they end: the overlay's axis fits where
    // they settle, cuts the first epochs off below it, and says so.
    let d = data(20);
    let r = ranked(&d.trials, &d.objectives(), &[]);
    let (top, _) = curve_trials(&r);
    let curves: BTreeMap<experiment::TrialId, crate::data::Series> = top
        .iter()
        .enumerate()
        .map(|(k, id)| {
            let end = 0.9 + 0.005 * k as f64;
            let series = (1..=20u32)
                .map(|e| {
                    (
                        Step(e),
                        if e == 1 {
                            0.1
                        } else {
                            end + f64::from(e) / 1000.0
                        },
                    )
                })
                .collect();
            (*id, series)
        })
        .collect();
    let a = super::experiment_page::analysis(&d, &r, &curves, NOW);
    assert!(a.curves.contains("first epochs cut"), "{}", a.curves);
    assert!(a.curves.contains("off below the axis"), "{}", a.curves);
}

#[test]
fn issue_audit_5_a_pruned_trial_says_why_on_its_curve_and_in_the_compare_table() {
    let mut d = data(10);
    let reason = "asha: 0.9053 not in the top 1 of 5 at rung 0 (epoch 2)";
    for t in d
        .trials
        .iter_mut()
        .filter(|t| t.state == TrialState::Pruned)
    {
        t.reason = Some(reason.into());
    }
    let pruned = d
        .trials
        .iter()
        .find(|t| t.state == TrialState::Pruned)
        .map_or(experiment::TrialId(0), |t| t.id);
    let curve: crate::data::Series = vec![(Step(1), 0.8), (Step(2), 0.9053)];
    let r = ranked(&d.trials, &d.objectives(), &[]);
    let curves = BTreeMap::from([(pruned, curve.clone())]);
    let a = super::experiment_page::analysis(&d, &r, &curves, NOW);
    let said = format!("trial {pruned}: 0.9053 at epoch 2, pruned at epoch 2: {reason}");
    assert!(a.curves.contains(&said), "{said} in {}", a.curves);
    // The trials compare table: a row says why, beside the state.
    let picked: Vec<(Trial, BTreeMap<String, crate::data::Series>)> = [0, pruned.0]
        .iter()
        .map(|&id| {
            let t = d.trials[usize::try_from(id).unwrap_or(0)].clone();
            (
                t,
                BTreeMap::from([("val_accuracy".to_string(), curve.clone())]),
            )
        })
        .collect();
    let compared = compare_page((&d.info, d.spec.as_ref()), &[], &picked);
    let why = compared.facts.iter().find(|r| r.name == "reason");
    assert_eq!(
        why.map(|r| r.values.clone()),
        Some(vec!["-".to_string(), reason.to_string()])
    );
    // Its curve there says so too.
    let svg: String = compared.charts.iter().map(|c| c.svg.clone()).collect();
    assert!(svg.contains("pruned at epoch 2: asha"), "{svg}");
}

#[test]
fn issue_audit_6_the_experiments_list_gives_each_objective_its_goal() {
    let page = experiments_page(&[std::sync::Arc::new(data(10))], NOW, &first_page());
    assert_eq!(page.rows[0].objectives, "val_accuracy (maximize)");
    let two = experiments_page(
        &[std::sync::Arc::new(two_objectives("pareto", 10))],
        NOW,
        &first_page(),
    );
    assert_eq!(
        two.rows[0].objectives,
        "val_accuracy (maximize), param_count (minimize)"
    );
}

#[test]
fn issue_audit_7_8_experiments_with_other_objectives_say_so_and_link_their_best_trials() {
    let one = std::sync::Arc::new(data(20));
    let two = std::sync::Arc::new(two_objectives("pareto", 20));
    let page = super::experiments_compare::experiments_compare_page(&[one.clone(), two], &[], NOW)
        .unwrap_or_else(|e| panic!("{e}"));
    let objectives = page.rows.iter().find(|r| r.name == "objectives");
    assert_eq!(
        objectives.map(|r| (r.values.clone(), r.differs)),
        Some((
            vec![
                "val_accuracy (maximize)".to_string(),
                "val_accuracy (maximize), param_count (minimize)".to_string()
            ],
            true
        ))
    );
    assert!(
        page.objectives_note
            .contains("compare the first, maximize val_accuracy"),
        "{}",
        page.objectives_note
    );
    // The same one objective: nothing to add.
    let same = super::experiments_compare::experiments_compare_page(&[one.clone(), one], &[], NOW)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(same.objectives_note, "");
    // Each best trial links to its page.
    let best = page.rows.iter().find(|r| r.name == "best trial");
    let cells: Vec<(String, String)> = best
        .map(|r| {
            r.cells()
                .into_iter()
                .map(|(v, h)| (v.to_string(), h.to_string()))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(cells.len(), 2);
    for (value, href) in &cells {
        assert_eq!(
            href,
            &format!(
                "/experiments/{}/trials/{value}",
                if href.contains("pareto") {
                    "pareto"
                } else {
                    "demo"
                }
            )
        );
    }
}

#[test]
fn issue_audit_8_the_trial_that_beats_one_off_the_front_is_linked() {
    let d = two_objectives("pareto", 20);
    let page = trial_page(
        (&d.info, d.spec.as_ref()),
        &d.trials[5],
        Some(Standing::BeatenBy(Some(1))),
        &BTreeMap::new(),
        NOW,
        "st",
        CheckpointAt::Nowhere,
    );
    let standing = page.facts.iter().find(|f| f.name == "Pareto front");
    let pieces: Vec<(String, String)> = standing
        .map(|f| {
            f.pieces()
                .into_iter()
                .map(|(t, h)| (t.to_string(), h.to_string()))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        pieces,
        [
            ("off the front: ".to_string(), String::new()),
            (
                "trial 1".to_string(),
                "/experiments/pareto/trials/1".to_string()
            ),
            (
                " is as good on every objective and better on one".to_string(),
                String::new()
            ),
        ]
    );
}

/// Returns whether a one-objective experiment's leaderboard marks no row as on a front.
fn single_board_has_no_front(d: &ExperimentData) -> bool {
    let r = ranked(&d.trials, &d.objectives(), d.constraints());
    let a = super::experiment_page::analysis(d, &r, &BTreeMap::new(), NOW);
    let sel = Selection::parse(&LeaderboardQuery::default(), PER_PAGE).unwrap();
    let page = experiment_page(d, &r, (&a, Picked::default()), &sel, NOW);
    page.board.rows.iter().all(|row| !row.front)
}

#[test]
fn issue_parallel_caption_says_how_absent_parameters_are_drawn() {
    let d = data(12);
    let r = ranked(&d.trials, &d.objectives(), &[]);
    let a = super::experiment_page::analysis(&d, &r, &BTreeMap::new(), NOW);
    assert!(!a.parallel_bridged, "every trial has every parameter");
    // A trial without `lr` (the middle axis), as a conditional parameter leaves it.
    let mut trials = d.trials.clone();
    trials[0].params.remove("lr");
    let lacking = ExperimentData::new(d.info.clone(), trials);
    let r = ranked(&lacking.trials, &lacking.objectives(), &[]);
    let a = super::experiment_page::analysis(&lacking, &r, &BTreeMap::new(), NOW);
    assert!(a.parallel_bridged);
    assert!(a.parallel.contains("stroke-dasharray"), "{}", a.parallel);
}

#[test]
fn issue_compare_reads_differences_from_values_not_their_rounding() {
    let d = data(10);
    let mut a = d.trials[0].clone();
    let mut b = d.trials[1].clone();
    let set = |t: &mut Trial, lr: f64, accuracy: f64, loss: f64| {
        t.state = TrialState::Completed;
        t.params
            .insert("lr".into(), experiment::ParamValue::Float(lr));
        t.params
            .insert("hidden".into(), experiment::ParamValue::Int(64));
        t.params.insert(
            "optimizer".into(),
            experiment::ParamValue::Str("adam".into()),
        );
        let result = t.result.get_or_insert_with(|| experiment::TrialResult {
            best_step: Step(3),
            metrics: BTreeMap::new(),
        });
        result.metrics = BTreeMap::from([
            ("val_accuracy".to_string(), accuracy),
            ("val_loss".to_string(), loss),
            ("val_f1".to_string(), 1.0),
        ]);
    };
    // Both lr read 0.002, both accuracies 0.9805; the losses differ by ten times.
    set(&mut a, 0.001_968_3, 0.980_46, 7.1e-7);
    set(&mut b, 0.001_972_3, 0.980_49, 7.6e-6);
    let picked = vec![(a, BTreeMap::new()), (b, BTreeMap::new())];
    let page = compare_page((&d.info, d.spec.as_ref()), &[], &picked);
    let fact = |name: &str| page.facts.iter().find(|r| r.name == name).cloned();
    let param = |name: &str| page.params.iter().find(|r| r.name == name).cloned();
    let shown = |row: Option<super::compare::Row>| row.map(|r| (r.values, r.differs));
    assert_eq!(
        shown(fact("val_accuracy")),
        Some((vec!["0.98046".to_string(), "0.98049".to_string()], true))
    );
    assert_eq!(
        shown(fact("val_loss")),
        Some((vec!["7.10e-7".to_string(), "7.60e-6".to_string()], true))
    );
    // Another metric reads as the trial page and the leaderboard write it, not as a count.
    assert_eq!(
        shown(fact("val_f1")),
        Some((vec!["1.0000".to_string(), "1.0000".to_string()], false))
    );
    assert_eq!(
        shown(param("lr")),
        Some((vec!["0.0019683".to_string(), "0.0019723".to_string()], true))
    );
    assert_eq!(shown(param("hidden")).map(|(_, d)| d), Some(false));
    assert_eq!(page.differing, 1);
    // Each rounded value has its value in full for its tooltip.
    let loss = fact("val_loss").unwrap_or_else(|| panic!("a val_loss row"));
    assert_eq!((loss.title(&0), loss.title(&1)), ("", ""));
    let f1 = fact("val_f1").unwrap_or_else(|| panic!("a val_f1 row"));
    assert_eq!(f1.title(&0), "");
}

#[test]
fn issue_importance_where_no_parameter_beats_chance_says_so() {
    // Every trial's value the same: no parameter separates the top trials from the rest.
    let d = data(30);
    let mut trials = d.trials.clone();
    for t in &mut trials {
        if let Some(r) = t.result.as_mut() {
            r.metrics.insert("val_accuracy".into(), 0.5);
        }
    }
    let flat = ExperimentData::new(d.info.clone(), trials);
    let r = ranked(&flat.trials, &flat.objectives(), &[]);
    let a = super::experiment_page::analysis(&flat, &r, &BTreeMap::new(), NOW);
    assert!(a.importance_flat);
    assert!(
        a.importance.contains("no parameter stands out"),
        "{}",
        a.importance
    );
    let r = ranked(&d.trials, &d.objectives(), &[]);
    let a = super::experiment_page::analysis(&d, &r, &BTreeMap::new(), NOW);
    assert!(!a.importance_flat);
    assert!(!a.importance.contains("no parameter stands out"));
}

#[test]
fn a_run_record_this_version_cannot_read_is_said_on_the_experiments_page() {
    let newer = store::Error::RecordVersion {
        what: "run record",
        experiment: None,
        version: 99,
    };
    let d = data(8).with_unreadable(BTreeMap::from([(
        crate::data::RUN_RECORD,
        newer.to_string(),
    )]));
    let r = ranked(&d.trials, &d.objectives(), &[]);
    let a = super::experiment_page::analysis(&d, &r, &BTreeMap::new(), NOW);
    let sel =
        Selection::parse(&LeaderboardQuery::default(), PER_PAGE).unwrap_or_else(|e| panic!("{e}"));
    let page = experiment_page(&d, &r, (&a, Picked::default()), &sel, NOW);
    // The store's own words follow (which versions it reads moves with the store).
    assert_eq!(
        page.record_notice,
        format!(
            "This experiment's run record does not read with this version of Sweep, so what \
             only the record says is left out here: whether the sampler's and pruner's settings \
             changed since the run, and, in a trial's re-run command, the file's absolute path \
             and the trials side by side the run had. The record's problem: {newer}"
        )
    );
    assert!(newer
        .to_string()
        .starts_with("run record has version 99, but this sweep reads"));
    // The rest of the page is there, as for any experiment.
    assert_eq!(page.board.rows.len(), 8);
    let fine = data(8);
    let page = experiment_page(&fine, &r, (&a, Picked::default()), &sel, NOW);
    assert_eq!(page.record_notice, "");
}

#[test]
fn a_test_result_and_a_warm_start_this_version_cannot_read_are_said_on_the_experiments_page() {
    let newer = |what: &'static str| {
        store::Error::RecordVersion {
            what,
            experiment: Some("demo".into()),
            version: 99,
        }
        .to_string()
    };
    let d = data(8).with_unreadable(BTreeMap::from([
        (crate::data::TEST_RESULT, newer(crate::data::TEST_RESULT)),
        (crate::data::WARM_START, newer(crate::data::WARM_START)),
    ]));
    let r = ranked(&d.trials, &d.objectives(), &[]);
    let a = super::experiment_page::analysis(&d, &r, &BTreeMap::new(), NOW);
    let sel =
        Selection::parse(&LeaderboardQuery::default(), PER_PAGE).unwrap_or_else(|e| panic!("{e}"));
    let page = experiment_page(&d, &r, (&a, Picked::default()), &sel, NOW);
    assert_eq!(
        page.record_notice,
        "This experiment's test result does not read with this version of Sweep, so it is left \
         out here: the best trial's metrics on the test split are not shown. The record's \
         problem: test result of experiment `demo` has version 99, but this sweep reads \
         version 1: a newer sweep wrote it; read it with that sweep or a later one. \
         This experiment's warm start does not read with this version of Sweep, so it is left \
         out here: the trials its sampler took from another experiment or a file of results are \
         not shown. The record's problem: warm start of experiment `demo` has version 99, but \
         this sweep reads versions 1 and 2: a newer sweep wrote it; read it with that sweep or \
         a later one"
    );
    assert_eq!(page.board.rows.len(), 8);
}

#[test]
fn a_killed_trial_counts_to_its_last_report_and_cut_attempts_count_too() {
    use experiment::TrialId;
    use store::{Heard, TrialTrace};
    let mut d = data(40);
    d.info.status = ExperimentStatus::Interrupted;
    // Trial 39, left running by the kill, last stored its third epoch 2.5 s after it started.
    let started = d.trials[39].started.unwrap();
    let heard = Timestamp(started.0 + 2_500);
    let killed = TrialTrace {
        heard: Some(Heard {
            at: heard,
            step: Step(3),
        }),
        cut: Vec::new(),
    };
    // Trial 5 ran once for 10 s before the first trial, and was stopped after 4 epochs.
    let first = d.trials[0].started.unwrap();
    let stopped = super::fixtures::stopped_once_before(first);
    let traces = BTreeMap::from([(TrialId(39), killed.clone()), (TrialId(5), stopped.clone())]);
    let d = d.with_traces(traces);
    // 35.1 s of finished trials, 2.5 s of the killed one, 10 s of the stopped attempt.
    assert_eq!(Summary::of(&d, NOW).duration, "47.6s");
    let page_of = |d: &ExperimentData, id: usize, trace: &TrialTrace| {
        let mut page = trial_page(
            (&d.info, d.spec.as_ref()),
            &d.trials[id],
            None,
            &BTreeMap::new(),
            NOW,
            "st",
            CheckpointAt::Nowhere,
        );
        super::trial::show_trace(&mut page, &d.info, &d.trials[id], trace);
        page
    };
    let fact = |page: &super::trial::TrialPage, name: &str| {
        let found = page.facts.iter().find(|f| f.name == name);
        found.map(|f| f.value.clone())
    };
    let page = page_of(&d, 39, &killed);
    assert_eq!(
        fact(&page, "duration").unwrap(),
        format!(
            "2.5s until last heard from, at epoch 3 ({} UTC)",
            heard.utc()
        )
    );
    assert_eq!(page.state, "interrupted");
    let page = page_of(&d, 5, &stopped);
    assert_eq!(
        fact(&page, "attempts cut off").unwrap(),
        "1 (stopped): 4 epochs, 10.0s of compute"
    );
    // While its sweep runs, a running trial counts to the clock, not to its last report.
    let mut running = d;
    running.info.status = ExperimentStatus::Running;
    let page = page_of(&running, 39, &killed);
    assert_eq!(fact(&page, "duration").unwrap(), "1m01s");
    assert_eq!(fact(&page, "attempts cut off"), None);
}

#[test]
fn an_agents_interrupted_sweep_resumes_as_that_agent_with_the_exchange_to_add() {
    use super::{resume_command_for, resume_command_of};
    let info = fixtures::info("demo", ExperimentStatus::Interrupted, 4);
    let plain = "sweep run experiments/fixture.yaml --store st";
    assert_eq!(
        resume_command_for(&info, &info.spec_path, None, "st"),
        plain
    );
    // A run record keeps the spec file absolute: the command names it so, with the store
    // folder the caller gives (absolute from the CLI), and runs from any folder.
    let abs = "sweep run /abs/experiments/fixture.yaml --store /abs/st";
    let record = store::RunRecord {
        spec_file: "/abs/experiments/fixture.yaml".into(),
        parallel: Some(2),
        agent: Some(store::AgentOf {
            agent: 1,
            agents: 3,
        }),
        ..store::RunRecord::default()
    };
    let d = ExperimentData::new(info.clone(), Vec::new()).with_record(Some(&record));
    let command = resume_command_of(&d, "/abs/st");
    assert_eq!(
        command,
        format!(
            "{abs} --agent 1/3 --exchange <EXCHANGE>  # <EXCHANGE>: the folder the agents \
             share, as this agent was given it (its run record, written by an older Sweep, \
             does not keep it); the other agents resume the same way, each with its own store \
             and number"
        )
    );
    // As it stands, the shell refuses it rather than run with a wrong folder.
    let refused = std::process::Command::new("bash")
        .args(["-n", "-c", &command])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    // A record that keeps the exchange (version 5 on) gives it, quoted for the shell.
    let kept = store::RunRecord {
        exchange: Some("/abs/shared ex".into()),
        ..record.clone()
    };
    let d = ExperimentData::new(info.clone(), Vec::new()).with_record(Some(&kept));
    assert_eq!(
        resume_command_of(&d, "/abs/st"),
        format!("{abs} --agent 1/3 --exchange '/abs/shared ex'")
    );
    // A record without the spec file (empty) names it as the run was given it.
    let bare = store::RunRecord {
        spec_file: String::new(),
        ..kept.clone()
    };
    let d = ExperimentData::new(info.clone(), Vec::new()).with_record(Some(&bare));
    assert_eq!(
        resume_command_of(&d, "/abs/st"),
        "sweep run experiments/fixture.yaml --store /abs/st --agent 1/3 --exchange '/abs/shared ex'"
    );
    // A sweep of one process, and a sweep that did not stop early, are as before.
    let one = ExperimentData::new(info.clone(), Vec::new()).with_record(None);
    assert_eq!(resume_command_of(&one, "st"), plain);
    let done = fixtures::info("demo", ExperimentStatus::Finished, 4);
    let d = ExperimentData::new(done, Vec::new()).with_record(Some(&record));
    assert_eq!(resume_command_of(&d, "st"), "");
}
