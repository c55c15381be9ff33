//! Tests of the leaderboard and `sweep trials`' table.

use experiment::{Direction, Params, Seed, SortKey, Step, Timestamp, TrialResult, TrialState};

use super::*;

fn trial(id: u32, state: TrialState, ran: Option<(i64, i64)>, value: Option<f64>) -> Trial {
    Trial {
        id: TrialId(id),
        seed: Seed(1),
        params: Params::new(),
        state,
        reason: None,
        started: ran.map(|(from, _)| Timestamp(from)),
        finished: ran
            .filter(|_| state.is_finished())
            .map(|(_, to)| Timestamp(to)),
        result: value.map(|v| TrialResult {
            best_step: Step(2),
            metrics: [("val_loss".to_string(), v)].into_iter().collect(),
        }),
    }
}

#[test]
fn issue_sweep_trials_shows_the_run_time_that_sort_duration_orders_by() {
    let trials = [
        trial(0, TrialState::Completed, Some((0, 3_900)), Some(0.5)),
        trial(1, TrialState::Completed, Some((1_000, 1_250)), Some(0.4)),
        trial(2, TrialState::Running, Some((2_000, 0)), None),
    ];
    let objectives = [MetricSpec {
        name: "val_loss".into(),
        goal: Direction::Minimize,
    }];
    let order = TrialOrder {
        key: SortKey::Duration,
        descending: true,
    };
    let mut out = Vec::new();
    let all = |_: &Trial| true;
    trials_table(
        &mut out,
        &trials,
        (&all, Some(&order)),
        (&objectives, None),
        false,
    )
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["rank", "trial", "state", "val_loss", "epoch", "duration"],
        "{text}"
    );
    // The longest first, as the column says; one still running has none.
    let durations: Vec<&str> = lines[1..]
        .iter()
        .filter_map(|l| l.split_whitespace().last())
        .collect();
    assert_eq!(durations, ["3.9s", "0.3s", "-"], "{text}");
    // The leaderboard of `sweep run` and `sweep show` keeps its columns.
    let mut out = Vec::new();
    let ranked: Vec<&Trial> = trials.iter().collect();
    leaderboard(&mut out, &ranked, &objectives, &[], 10).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains("duration"), "{text}");
}

#[test]
fn issue_a_trial_a_kill_left_running_shows_and_sorts_by_its_time_to_its_last_report() {
    let traced = |trial: Trial, heard: Option<i64>| {
        let trace = TrialTrace {
            heard: heard.map(|at| store::Heard {
                at: Timestamp(at),
                step: Step(3),
            }),
            cut: Vec::new(),
        };
        (trial, trace)
    };
    let trials = [
        traced(
            trial(0, TrialState::Completed, Some((0, 3_900)), Some(0.5)),
            None,
        ),
        traced(
            trial(1, TrialState::Completed, Some((1_000, 1_250)), Some(0.4)),
            None,
        ),
        // Killed: started at 2000, last heard from at 4500.
        traced(
            trial(2, TrialState::Running, Some((2_000, 0)), None),
            Some(4_500),
        ),
        // Killed before its first report: nothing known of its end.
        traced(trial(3, TrialState::Running, Some((3_000, 0)), None), None),
    ];
    let objectives = [MetricSpec {
        name: "val_loss".into(),
        goal: Direction::Minimize,
    }];
    let all = |_: &Trial| true;
    let table = |descending: bool| {
        let order = TrialOrder {
            key: SortKey::Duration,
            descending,
        };
        let mut out = Vec::new();
        trials_table(
            &mut out,
            &trials,
            (&all, Some(&order)),
            (&objectives, None),
            false,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        // Each row's trial and duration, as shown.
        text.lines()
            .skip(1)
            .map(|l| {
                let cells: Vec<&str> = l.split_whitespace().collect();
                format!("{} {}", cells[1], cells[5..].join(" "))
            })
            .collect::<Vec<_>>()
    };
    // The column shows what `sweep show` and the dashboard say of the killed trial, and the
    // sort orders by what the column shows; the trial with none comes last either way.
    assert_eq!(
        table(true),
        ["0 3.9s", "2 2.5s (last heard)", "1 0.3s", "3 -"]
    );
    assert_eq!(
        table(false),
        ["1 0.3s", "2 2.5s (last heard)", "0 3.9s", "3 -"]
    );
}

/// Returns `trial` with `name`'s value `value` among its result's metrics.
fn with_metric(mut trial: Trial, name: &str, value: f64) -> Trial {
    if let Some(result) = trial.result.as_mut() {
        result.metrics.insert(name.to_string(), value);
    }
    trial
}

/// Returns `sweep trials`' table of `trials`, ranked by `objectives`, in `order`.
fn listed(trials: &[Trial], objectives: &[MetricSpec], order: &TrialOrder) -> String {
    let mut out = Vec::new();
    let all = |_: &Trial| true;
    trials_table(
        &mut out,
        trials,
        (&all, Some(order)),
        (objectives, None),
        false,
    )
    .unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn issue_sweep_trials_sorted_by_a_metric_shows_its_column() {
    let trials = [
        with_metric(
            trial(0, TrialState::Completed, Some((0, 10)), Some(0.5)),
            "val_accuracy",
            0.75,
        ),
        with_metric(
            trial(1, TrialState::Completed, Some((0, 10)), Some(0.4)),
            "val_accuracy",
            0.5,
        ),
        trial(2, TrialState::Failed, Some((0, 10)), None),
    ];
    let objectives = [MetricSpec {
        name: "val_loss".into(),
        goal: Direction::Minimize,
    }];
    let by = |name: &str| TrialOrder {
        key: SortKey::Metric(name.into()),
        descending: true,
    };
    let text = listed(&trials, &objectives, &by("val_accuracy"));
    let rows: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows[0],
        [
            "rank",
            "trial",
            "state",
            "val_loss",
            "epoch",
            "val_accuracy",
            "duration"
        ],
        "{text}"
    );
    // The column read is the order: largest first, the trial without a value last.
    let sorted: Vec<(&str, &str)> = rows[1..].iter().map(|r| (r[1], r[5])).collect();
    assert_eq!(
        sorted,
        [("0", "0.7500"), ("1", "0.5000"), ("2", "-")],
        "{text}"
    );
    // The objective sorted by is shown once, as before.
    let text = listed(&trials, &objectives, &by("val_loss"));
    assert_eq!(
        text.lines()
            .next()
            .map(|l| l.split_whitespace().collect::<Vec<_>>()),
        Some(vec![
            "rank", "trial", "state", "val_loss", "epoch", "duration"
        ]),
        "{text}"
    );
}

/// Issue: the footer of a leaderboard cut by `--top` said "`sweep trials` lists them all", not
/// a command one can paste; it names the experiment, and the store when it is not the default,
/// quoted as the other hints quote them.
#[test]
fn issue_the_footer_names_the_whole_command_that_lists_every_trial() {
    let trials = [
        trial(0, TrialState::Completed, Some((0, 1)), Some(0.5)),
        trial(1, TrialState::Completed, Some((0, 1)), Some(0.4)),
        trial(2, TrialState::Completed, Some((0, 1)), Some(0.3)),
    ];
    let ranked: Vec<&Trial> = trials.iter().collect();
    let objectives = [MetricSpec {
        name: "val_loss".into(),
        goal: Direction::Minimize,
    }];
    let footer = |rows: Rows<'_>| {
        let mut out = Vec::new();
        leaderboard(&mut out, &ranked, &objectives, &[], rows).unwrap();
        let text = String::from_utf8(out).unwrap();
        text.lines().last().unwrap_or_default().to_string()
    };
    assert_eq!(
        footer((1, "rc", Path::new("store")).into()),
        "(2 more trials; `sweep trials rc --store store` lists them all)"
    );
    assert_eq!(
        footer((2, "my exp", Path::new("my store")).into()),
        "(1 more trial; `sweep trials 'my exp' --store 'my store'` lists them all)"
    );
    let default = Path::new(crate::args::DEFAULT_STORE);
    assert_eq!(
        footer((0, "rc", default).into()),
        "(3 trials; `sweep trials rc` lists them all)"
    );
}

#[test]
fn issue_a_long_categorical_value_is_cut_in_every_table_of_trials_and_said_once() {
    let with_value = |id: u32, text: &str, v: f64| {
        let mut t = trial(id, TrialState::Completed, Some((0, 1_000)), Some(v));
        t.params.insert(
            "sel".to_string(),
            experiment::ParamValue::Str(text.to_string()),
        );
        t
    };
    let long = "A".repeat(10_000);
    let trials = [
        with_value(0, &long, 0.5),
        with_value(1, &"\u{200b}".repeat(50), 0.4),
        with_value(2, "adam", 0.3),
    ];
    let objectives = [MetricSpec {
        name: "val_loss".into(),
        goal: Direction::Minimize,
    }];
    let mut out = Vec::new();
    let all = |_: &Trial| true;
    trials_table(&mut out, &trials, (&all, None), (&objectives, None), false).unwrap();
    let listed = String::from_utf8(out).unwrap();
    let mut out = Vec::new();
    let ranked: Vec<&Trial> = trials.iter().rev().collect();
    let rows = (10, "e", Path::new(".sweep"));
    leaderboard(&mut out, &ranked, &objectives, &[], rows).unwrap();
    let board = String::from_utf8(out).unwrap();
    for text in [&listed, &board] {
        // The rows are as wide as the cut cell; the zero-width spaces show, cut too.
        let table: Vec<&str> = text.lines().take(4).collect();
        assert!(table.iter().all(|l| l.chars().count() < 100), "{text}");
        assert!(text.contains(&format!(" {}…\n", "A".repeat(39))), "{text}");
        assert!(
            text.contains(" \\u{200b}\\u{200b}\\u{200b}\\u{200b}…\n"),
            "{text}"
        );
        assert!(text.contains(" adam\n"), "{text}");
        assert_eq!(text.matches("… marks a value cut").count(), 1, "{text}");
    }
    assert!(
        listed.ends_with(
            "… marks a value cut to its first 39 characters; `--format csv` or `--format json` \
             writes every value whole, as `sweep show EXPERIMENT/N` does one trial's\n"
        ),
        "{listed}"
    );
    assert!(
        board.ends_with(
            "… marks a value cut to its first 39 characters; `sweep trials e --format csv` \
             writes every value whole, as `sweep show e/N` does one trial's\n"
        ),
        "{board}"
    );
}
