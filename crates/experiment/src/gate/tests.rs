//! Tests of the gate's arithmetic: aggregates, estimates, the comparison rule and its errors,
//! each as a table of inputs and the line they must give.

use super::*;

fn metric(goal: Direction, abs: Option<f64>, rel: Option<f64>) -> GatedMetric {
    GatedMetric {
        name: "m".into(),
        aggregate: Aggregate::Best,
        goal,
        max_regression_abs: abs,
        max_regression_rel: rel,
    }
}

fn gate(metric: GatedMetric, noise_k: f64) -> GateSpec {
    GateSpec {
        baseline: Located {
            value: PathBuf::from("b.json"),
            location: crate::Location {
                file: PathBuf::from("s.yaml"),
                line: 1,
                column: 1,
            },
        },
        repeats: 1,
        noise_k,
        metrics: vec![metric],
    }
}

fn baseline(goal: Direction, values: &[f64]) -> Baseline {
    Baseline {
        experiment: "e".into(),
        spec_hash: "h".into(),
        metrics: BTreeMap::from([(
            "m".to_string(),
            BaselineMetric {
                aggregate: Aggregate::Best,
                goal,
                values: values.to_vec(),
            },
        )]),
        provenance: Provenance {
            commit: None,
            no_commit: None,
            dirty: None,
            date: Timestamp(0),
            machine: "test".into(),
            sweep_version: "0.0.0".into(),
        },
        run: None,
    }
}

/// Returns `verdict delta=.. allowed=.. noise=..`, rounded so that the table stays readable.
fn line(row: &GateRow) -> String {
    let r = |x: f64| format!("{:.4}", x);
    format!(
        "{} delta={} allowed={} noise={}",
        row.verdict,
        row.delta.map_or("-".to_string(), r),
        r(row.allowed),
        r(row.noise)
    )
}

/// One case per line: `goal abs rel noise_k | baseline values | current values => expected`,
/// where `-` is an absent threshold or no values, and `none` a repeat without a value.
const RULE_CASES: &str = "
# One repeat each: a plain threshold.
max 0.02 - 2 | 0.90 | 0.90 => pass delta=0.0000 allowed=0.0200 noise=0.0000
max 0.02 - 2 | 0.90 | 0.89 => pass delta=-0.0100 allowed=0.0200 noise=0.0000
max 0.02 - 2 | 0.90 | 0.85 => REGRESSION delta=-0.0500 allowed=0.0200 noise=0.0000
max 0.02 - 2 | 0.90 | 0.95 => improved delta=0.0500 allowed=0.0200 noise=0.0000
# Minimized metrics regress upwards.
min 0.1 - 2 | 0.5 | 0.7 => REGRESSION delta=0.2000 allowed=0.1000 noise=0.0000
min 0.1 - 2 | 0.5 | 0.3 => improved delta=-0.2000 allowed=0.1000 noise=0.0000
# An unchanged run passes even with zero tolerance; exactly at the threshold passes.
min 0.0 - 2 | 0.5 | 0.5 => pass delta=0.0000 allowed=0.0000 noise=0.0000
min 0.25 - 0 | 0.5 | 0.75 => pass delta=0.2500 allowed=0.2500 noise=0.0000
# The larger of the absolute and relative thresholds applies.
min 0.01 0.1 2 | 2.0 | 2.15 => pass delta=0.1500 allowed=0.2000 noise=0.0000
min 0.3 0.1 2 | 2.0 | 2.25 => pass delta=0.2500 allowed=0.3000 noise=0.0000
min - 0.1 2 | -2.0 | -1.7 => REGRESSION delta=0.3000 allowed=0.2000 noise=0.0000
# Repeats: the same drop is noise when the baseline's repeats scatter (s = 0.04, noise =
# 2 * 0.04 * sqrt(1/3 + 1/3)), a regression when they agree, or with noise_k 0.
max 0.01 - 2 | 0.90 0.86 0.94 | 0.84 0.88 0.86 => pass delta=-0.0400 allowed=0.0100 noise=0.0653
max 0.01 - 2 | 0.90 0.90 0.90 | 0.86 0.86 0.86 => REGRESSION delta=-0.0400 allowed=0.0100 noise=0.0000
max 0.01 - 0 | 0.90 0.86 0.94 | 0.84 0.88 0.86 => REGRESSION delta=-0.0400 allowed=0.0100 noise=0.0000
# The current run's own scatter buys nothing: a wild, worse run regresses.
min 0.02 - 2 | 0.11 0.14 0.18 | 2090.0 0.2 1.0 => REGRESSION delta=696.9233 allowed=0.0200 noise=0.0573
# One current value against three baseline values: sqrt(1/3 + 1).
max 0.01 - 2 | 0.90 0.86 0.94 | 0.85 => pass delta=-0.0500 allowed=0.0100 noise=0.0924
# A repeat without a value, no values at all, or a NaN, is a regression.
max 0.5 - 2 | 0.9 | 0.9 none => REGRESSION delta=- allowed=0.5000 noise=0.0000
max 0.5 - 2 | 0.9 | - => REGRESSION delta=- allowed=0.5000 noise=0.0000
min 0.5 - 2 | 0.9 | NaN => REGRESSION delta=NaN allowed=0.5000 noise=0.0000
";

#[test]
fn the_rule_gives_noise_back_before_blaming_a_change() {
    let number = |s: &str| s.parse::<f64>().unwrap_or_else(|e| panic!("{s}: {e}"));
    let optional = |s: &str| (s != "-").then(|| number(s));
    let values = |s: &str| -> Vec<Option<f64>> {
        s.split_whitespace()
            .filter(|v| *v != "-")
            .map(|v| (v != "none").then(|| number(v)))
            .collect()
    };
    let mut failures = Vec::new();
    for case in RULE_CASES
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (input, want) = case.split_once(" => ").unwrap();
        let parts: Vec<&str> = input.split(" | ").collect();
        let head: Vec<&str> = parts[0].split_whitespace().collect();
        let goal = if head[0] == "max" {
            Direction::Maximize
        } else {
            Direction::Minimize
        };
        let spec = gate(
            metric(goal, optional(head[1]), optional(head[2])),
            number(head[3]),
        );
        let base: Vec<f64> = values(parts[1]).into_iter().flatten().collect();
        let current = BTreeMap::from([("m".to_string(), values(parts[2]))]);
        let report = spec.evaluate(&baseline(goal, &base), &current).unwrap();
        let got = line(&report.rows[0]);
        if got != want {
            failures.push(format!("{input}\n  want {want}\n  got  {got}"));
        }
        assert_eq!(report.passed(), !want.starts_with("REGRESSION"), "{case}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_baseline_that_does_not_match_the_gate_is_an_error() {
    let spec = gate(metric(Direction::Maximize, Some(0.1), None), 2.0);
    let current = BTreeMap::new();
    let mut other = baseline(Direction::Maximize, &[0.9]);
    other.metrics = BTreeMap::from([("x".to_string(), other.metrics["m"].clone())]);
    let mut median = baseline(Direction::Maximize, &[0.9]);
    median.metrics.get_mut("m").unwrap().aggregate = Aggregate::Median;
    let cases = [
        (
            other,
            "the baseline has no values for metric `m`; it records `x`",
        ),
        (
            median,
            "the baseline recorded `m` as median (maximize), but the gate asks for best (maximize)",
        ),
        (
            baseline(Direction::Minimize, &[0.9]),
            "the baseline recorded `m` as best (minimize), but the gate asks for best (maximize)",
        ),
        (
            baseline(Direction::Maximize, &[]),
            "the baseline's values for `m` must be one or more finite numbers, whose mean and \
             spread are finite too",
        ),
        (
            baseline(Direction::Maximize, &[1e308, 1e308, 1e308]),
            "the baseline's values for `m` must be one or more finite numbers, whose mean and \
             spread are finite too",
        ),
        (
            baseline(Direction::Maximize, &[0.5, f64::INFINITY]),
            "the baseline's values for `m` must be one or more finite numbers, whose mean and \
             spread are finite too",
        ),
    ];
    for (b, want) in cases {
        let err = spec.evaluate(&b, &current).unwrap_err();
        assert_eq!(err.to_string(), want);
    }
}

#[test]
fn a_baseline_value_a_known_metric_cannot_take_is_an_error() {
    let named = |name: &str, goal: Direction, values: &[f64]| {
        let mut m = metric(goal, Some(0.01), None);
        m.name = name.into();
        let mut b = baseline(goal, values);
        b.metrics = BTreeMap::from([(name.to_string(), b.metrics["m"].clone())]);
        (gate(m, 2.0), b)
    };
    let cases = [
        (
            named("val_accuracy", Direction::Maximize, &[0.97, 150.0]),
            "the baseline's values for `val_accuracy` cannot all be right: val_accuracy is a \
             fraction from 0 to 1, found 150",
        ),
        (
            named("val_accuracy", Direction::Maximize, &[97.0]),
            "the baseline's values for `val_accuracy` cannot all be right: val_accuracy is a \
             fraction from 0 to 1 (write 0.97 for 97%), found 97",
        ),
        (
            named("val_loss", Direction::Minimize, &[-0.1]),
            "the baseline's values for `val_loss` cannot all be right: val_loss is never below \
             0, found -0.1",
        ),
        (
            named("val_r2", Direction::Maximize, &[1.2]),
            "the baseline's values for `val_r2` cannot all be right: val_r2 is at most 1, found \
             1.2",
        ),
    ];
    for ((spec, b), want) in cases {
        let err = spec.evaluate(&b, &BTreeMap::new()).unwrap_err();
        assert_eq!(err.to_string(), want);
    }
    // Values at the ends of a range, and a negative R², are values these metrics take.
    for (mut spec, b) in [
        named("val_accuracy", Direction::Maximize, &[0.0, 1.0]),
        named("val_loss", Direction::Minimize, &[0.0]),
        named("val_r2", Direction::Maximize, &[-3.0, 1.0]),
    ] {
        spec.repeats = u32::try_from(b.metrics.values().next().unwrap().values.len()).unwrap();
        assert!(spec.check_baseline(&b).is_ok());
    }
}

#[test]
fn a_baseline_of_another_number_of_repeats_is_refused() {
    // A hand-edited file: five values against three repeats widened the noise threefold.
    let mut spec = gate(metric(Direction::Minimize, Some(0.01), None), 2.0);
    spec.metrics[0].name = "val_loss".into();
    let mut b = baseline(Direction::Minimize, &[0.1, 0.2, 0.1, 0.3, 0.2]);
    b.metrics = BTreeMap::from([("val_loss".to_string(), b.metrics["m"].clone())]);
    spec.repeats = 3;
    assert_eq!(
        spec.check_baseline(&b).unwrap_err().to_string(),
        "the baseline records 5 values of `val_loss`, one a repeat, and the gate runs 3 repeats"
    );
    spec.repeats = 5;
    assert!(spec.check_baseline(&b).is_ok());
}

#[test]
fn aggregates_read_a_curve() {
    use Direction::{Maximize as Max, Minimize as Min};
    let nan = f64::NAN;
    let cases: &[(Aggregate, Direction, &[f64], Option<f64>)] = &[
        (Aggregate::Best, Max, &[0.1, 0.7, 0.5], Some(0.7)),
        (Aggregate::Best, Min, &[0.9, 0.2, 0.5], Some(0.2)),
        (Aggregate::Best, Min, &[nan, 0.4, nan], Some(0.4)),
        (Aggregate::Best, Max, &[nan], None),
        (Aggregate::Best, Max, &[], None),
        (Aggregate::Median, Max, &[3.0, 1.0, 2.0], Some(2.0)),
        (Aggregate::Median, Min, &[4.0, 1.0, 2.0, 3.0], Some(2.5)),
        (Aggregate::Median, Min, &[], None),
        (Aggregate::Final, Max, &[0.1, 0.7, 0.5], Some(0.5)),
        (Aggregate::Final, Max, &[], None),
    ];
    for (aggregate, goal, curve, want) in cases {
        let got = aggregate.of(curve, *goal);
        assert_eq!(
            format!("{got:?}"),
            format!("{want:?}"),
            "{aggregate} ({goal}) of {curve:?}"
        );
    }
    for a in Aggregate::ALL {
        assert_eq!(Aggregate::from_name(a.as_str()), Some(a));
    }
    assert_eq!(Aggregate::from_name("mean"), None);
}

#[test]
fn estimates_use_the_sample_standard_deviation() {
    assert_eq!(Estimate::of(&[]), None);
    let one = Estimate::of(&[0.5]).unwrap();
    assert_eq!(
        (one.mean, one.std_dev, one.std_error, one.n),
        (0.5, 0.0, 0.0, 1)
    );
    // Values 1, 2, 3: s = 1, se = 1 / sqrt(3).
    let three = Estimate::of(&[1.0, 2.0, 3.0]).unwrap();
    assert_eq!((three.mean, three.std_dev), (2.0, 1.0));
    assert!((three.std_error - 1.0 / 3f64.sqrt()).abs() < 1e-15);
}

#[test]
fn repeat_seeds_keep_repeat_zero_and_are_stable() {
    assert_eq!(repeat_seed(Seed(7), 0), Seed(7));
    let seeds: Vec<u64> = (0..4).map(|r| repeat_seed(Seed(7), r).0).collect();
    // Golden values: changing the derivation changes the meaning of every stored baseline.
    assert_eq!(
        seeds,
        [
            7,
            3_385_502_555_577_140_607,
            7_933_945_904_826_030_968,
            7_469_136_836_896_634_485
        ]
    );
    let unique: std::collections::BTreeSet<u64> = seeds.iter().copied().collect();
    assert_eq!(unique.len(), 4);
}

#[test]
fn a_gate_compares_settings_without_paths_or_words() {
    let at = |dir: &str, description: &str, lr: &str| {
        format!(
            "name: \"g\"\ndescription: \"{description}\"\nseed: 7\ndata.file: \"{dir}/d.csv\"\n\
             warm_start: WarmStart {{ source: Csv(Located {{ value: \"{dir}/r.csv\", location: \
             Location {{ file: \"{dir}/g.yaml\", line: 12, column: 19 }} }}), trials: None }}\n\
             train.lr: Float({lr})\ncheckpoints: CheckpointSpec {{ keep: 5 }}\n\
             gate.baseline: \"{dir}/b.json\"\n"
        )
    };
    let recorded = crate::gate_compared(&at("/home/me/proj", "first try", "0.003"));
    // Another checkout, another description: the same settings.
    assert_eq!(
        crate::gate_compared(&at("/runner/work/proj", "tuned", "0.003")),
        recorded
    );
    assert!(!recorded.contains("/home/me"), "{recorded}");
    // Another learning rate is another experiment.
    assert_ne!(
        crate::gate_compared(&at("/home/me/proj", "first try", "0.004")),
        recorded
    );
}
