//! User text in the CLI's tables: a long categorical value is cut with an ellipsis in every
//! table of trials (said once below it, with what shows it whole), and a value of characters
//! that do not show (zero-width spaces) is written as escapes, not as an empty cell; a trial's
//! card and `--format csv` keep every value whole.

use experiment::{Direction, ParamValue, Seed, Trial, TrialId, TrialResult, TrialState};
use store::Store;
use tests::{experiment_info, TestEnv};

/// The stored spec of experiment `text`.
const SPEC: &str = "\
name: text
seed: 3
method: random
run_cap: 3
metric: {name: val_accuracy, goal: maximize}
data: {csv: digits.csv, target: digit}
train: {epochs: 1, batch_size: 64}
parameters:
  lr: {distribution: log_uniform_values, min: 1.0e-3, max: 1.0e-2}
";

/// Returns a store holding experiment `text` with three completed trials whose `sel` is
/// 10,000 `A`s, 50 zero-width spaces, and `adam`, in that order.
fn stored() -> TestEnv {
    let env = TestEnv::new();
    let store = Store::open(&env.store()).unwrap();
    let info = experiment_info(
        "text",
        SPEC.to_string(),
        ("val_accuracy", Direction::Maximize),
        3,
        3,
    );
    store.create_experiment(&info).unwrap();
    let values = [
        "A".repeat(10_000),
        "\u{200b}".repeat(50),
        "adam".to_string(),
    ];
    for (id, value) in (0_u32..).zip(values) {
        let trial = Trial {
            id: TrialId(id),
            seed: Seed(7),
            params: [
                ("lr".to_string(), ParamValue::Float(0.005)),
                ("sel".to_string(), ParamValue::Str(value)),
            ]
            .into(),
            state: TrialState::Completed,
            reason: None,
            started: None,
            finished: None,
            result: Some(TrialResult {
                best_step: experiment::Step(1),
                metrics: [("val_accuracy".to_string(), 0.5 + f64::from(id) / 10.0)].into(),
            }),
        };
        store.put_trial("text", &trial).unwrap();
    }
    env
}

#[test]
fn issue_a_long_value_is_cut_in_every_table_of_trials_and_shown_whole_elsewhere() {
    let env = stored();
    let cut = format!(" {}…", "A".repeat(39));
    let zwsp = format!(" {}…", "\\u{200b}".repeat(4));
    for (args, whole) in [
        (
            &["trials", "text"][..],
            "`--format csv` or `--format json` writes every value whole",
        ),
        (&["show", "text"], "`sweep trials text --format csv` writes"),
        (&["show", "text/0", "text/1"], "`sweep show EXPERIMENT/N`"),
    ] {
        let out = env.sweep(args);
        assert_eq!(out.code, 0, "{args:?}: {out:?}");
        let text = &out.stdout;
        assert!(
            text.lines().all(|l| l.chars().count() < 300),
            "{args:?}: {text}"
        );
        assert!(text.contains(&cut), "{args:?}: {text}");
        assert!(text.contains(&zwsp), "{args:?}: {text}");
        assert!(!text.contains('\u{200b}'), "{args:?}: {text}");
        assert_eq!(
            text.matches("… marks a value cut").count(),
            1,
            "{args:?}: {text}"
        );
        assert!(text.contains(whole), "{args:?}: {text}");
    }
    // One trial's card and the CSV write the value whole; the card shows the spaces.
    let card = env.sweep(&["show", "text/0"]);
    assert_eq!(card.code, 0, "{card:?}");
    assert!(card.stdout.contains(&"A".repeat(10_000)), "{card:?}");
    assert!(!card.stdout.contains('…'), "{card:?}");
    let card = env.sweep(&["show", "text/1"]);
    assert!(card.stdout.contains(&"\\u{200b}".repeat(50)), "{card:?}");
    let csv = env.sweep(&["trials", "text", "--format", "csv"]);
    assert_eq!(csv.code, 0, "{csv:?}");
    assert!(
        csv.stdout.contains(&format!(",{},", "A".repeat(10_000))),
        "{csv:?}"
    );
    assert!(csv.stdout.contains(&"\u{200b}".repeat(50)), "{csv:?}");
}
