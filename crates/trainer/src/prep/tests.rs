//! Unit tests of `prep`: the seeded stratified split, and filling, encoding and scaling fitted
//! on the training rows.

use super::*;

fn labels(counts: &[usize]) -> Vec<usize> {
    let mut out = Vec::new();
    for (class, &n) in counts.iter().enumerate() {
        // Reversed, so that class 0 does not come first.
        out.extend(std::iter::repeat_n(class, n));
    }
    out.reverse();
    out
}

fn count(rows: &[usize], labels: &[usize], class: usize) -> usize {
    rows.iter().filter(|&&r| labels[r] == class).count()
}

#[test]
fn split_is_stratified_disjoint_and_complete() {
    let y = labels(&[100, 50, 30]);
    let spec = SplitSpec {
        validation: 0.2,
        test: 0.1,
        stratify: true,
    };
    let rows = split_rows(&y, 3, &spec, Seed(1));
    for (class, n) in [(0, 100), (1, 50), (2, 30)] {
        assert_eq!(count(&rows.validation, &y, class), share(n, 0.2));
        assert_eq!(count(&rows.test, &y, class), share(n, 0.1));
    }
    let mut all: Vec<usize> = [&rows.train[..], &rows.validation, &rows.test].concat();
    all.sort_unstable();
    assert_eq!(all, (0..y.len()).collect::<Vec<_>>());
}

#[test]
fn a_small_class_keeps_a_row_for_training() {
    // Two rows, a quarter each to validation and test: each share rounds to one row.
    let y = labels(&[40, 2, 1]);
    let spec = SplitSpec {
        validation: 0.25,
        test: 0.25,
        stratify: true,
    };
    let rows = split_rows(&y, 3, &spec, Seed(1));
    assert_eq!(count(&rows.train, &y, 1), 1);
    assert_eq!(count(&rows.test, &y, 1), 1);
    assert_eq!(count(&rows.validation, &y, 1), 0);
    assert_eq!(count(&rows.train, &y, 2), 1);
    // A class of many rows takes its shares as before.
    assert_eq!(count(&rows.test, &y, 0), 10);
    assert_eq!(count(&rows.validation, &y, 0), 10);
}

#[test]
fn a_column_of_tiny_values_is_scaled_as_any_other() {
    let train = Matrix {
        rows: 4,
        cols: 3,
        data: vec![
            1e-13, 0.25, 1e-30, //
            2e-13, 0.25, 3e-30, //
            3e-13, 0.25, 5e-30, //
            4e-13, 0.25, 7e-30,
        ],
    };
    for kind in [Normalize::Standard, Normalize::MinMax] {
        let n = Normalization::fit(kind, &train).unwrap();
        let mut m = train.clone();
        n.apply(&mut m);
        for c in [0, 2] {
            let column: Vec<f32> = (0..4).map(|r| m.row(r)[c]).collect();
            let spread = column[3] - column[0];
            assert!(spread > 0.9 && spread < 4.0, "{kind:?} {c}: {column:?}");
        }
        // The constant column stays constant (its rounding is no spread).
        assert_eq!(n.scale[1], 1.0, "{kind:?}");
    }
    let scale = TargetScale::fit([1e-13f32, 2e-13, 3e-13].into_iter().map(f64::from));
    assert!((scale.apply(3e-13) - scale.apply(1e-13) - 2.449).abs() < 1e-3);
    assert_eq!(
        TargetScale::fit([0.1f32; 5].into_iter().map(f64::from)).std,
        1.0
    );
}

#[test]
fn a_range_past_f32_is_refused_and_large_values_stay_finite() {
    let wide = Matrix {
        rows: 2,
        cols: 2,
        data: vec![1.0, -2e38, 2.0, 2e38],
    };
    assert_eq!(
        Normalization::fit(Normalize::MinMax, &wide),
        Err(TooWide {
            column: 1,
            min: -2e38,
            max: 2e38
        })
    );
    // Standard scaling of the same values: the difference from the mean passes f32's
    // largest number on the way, the scaled value does not.
    let mut skewed = Matrix {
        rows: 3,
        cols: 1,
        data: vec![3e38, 3e38, -3e38],
    };
    let n = Normalization::fit(Normalize::Standard, &skewed).unwrap();
    n.apply(&mut skewed);
    assert!(
        skewed.data.iter().all(|x| x.is_finite()),
        "{:?}",
        skewed.data
    );
}

#[test]
fn split_is_deterministic_for_a_seed() {
    let y = labels(&[40, 40]);
    let spec = SplitSpec {
        validation: 0.25,
        test: 0.25,
        stratify: true,
    };
    let a = split_rows(&y, 2, &spec, Seed(7));
    assert_eq!(a, split_rows(&y, 2, &spec, Seed(7)));
    assert_ne!(a, split_rows(&y, 2, &spec, Seed(8)));
    let plain = SplitSpec {
        stratify: false,
        ..spec
    };
    let b = split_rows(&y, 2, &plain, Seed(7));
    assert_eq!(b, split_rows(&y, 2, &plain, Seed(7)));
    assert_eq!(
        (b.train.len(), b.validation.len(), b.test.len()),
        (40, 20, 20)
    );
}

#[test]
fn normalization_is_fitted_on_train_only() {
    let train = Matrix {
        rows: 3,
        cols: 2,
        data: vec![1.0, 5.0, 2.0, 5.0, 3.0, 5.0],
    };
    let standard = Normalization::fit(Normalize::Standard, &train).unwrap();
    assert_eq!(standard.shift, [2.0, 5.0]);
    assert_eq!(standard.scale[1], 1.0, "a constant feature keeps scale 1");
    let mut other = Matrix {
        rows: 1,
        cols: 2,
        data: vec![101.0, 6.0],
    };
    let minmax = Normalization::fit(Normalize::MinMax, &train).unwrap();
    minmax.apply(&mut other);
    assert_eq!(
        other.data,
        [50.0, 1.0],
        "other rows use the training statistics"
    );
}

#[test]
fn prepared_splits_share_the_training_scaling() {
    let text = "a,y\n0,0\n1,1\n2,0\n3,1\n4,0\n5,1\n6,0\n7,1\n8,0\n9,1\n";
    let spec = crate::data::tests::spec("x.csv", "y");
    let dataset = crate::data::parse(text.as_bytes(), &spec).unwrap();
    let p = prepare_dataset(dataset, &spec, Seed(3)).unwrap();
    assert_eq!(p.train.len() + p.validation.len() + p.test.len(), 10);
    let train_mean: f32 = p.train.features.data.iter().sum::<f32>();
    assert!(train_mean.abs() < 1e-5, "train is centred: {train_mean}");
    let n = Normalization::fit(Normalize::Standard, &p.train.features).unwrap();
    assert!(n.shift[0].abs() < 1e-6 && (n.scale[0] - 1.0).abs() < 1e-5);
}

#[test]
fn classes_too_small_to_stratify_are_named_as_the_cause_of_an_empty_split() {
    // Twenty classes of one row each (a numeric target read as classes).
    let text: String = (0..20).map(|i| format!("{i},c{i}\n")).collect();
    let spec = crate::data::tests::spec("x.csv", "y");
    let dataset = crate::data::parse(format!("a,y\n{text}").as_bytes(), &spec).unwrap();
    let err = prepare_dataset(dataset, &spec, Seed(3))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("spec.yaml:4:8: data.split: the 20 rows of x.csv")
            && err.contains(
                "leave the validation split empty (validation 0.2, test 0.2); a \
                 stratified split takes each class's share, and its 20 classes have about 1.0 \
                 rows each"
            ),
        "{err}"
    );
}

#[test]
fn a_regression_target_is_standardized_on_training_rows() {
    let text: String = (0..20)
        .map(|i| format!("{i},{}.5\n", 100 + 2 * i))
        .collect();
    let spec = crate::data::tests::spec("x.csv", "y");
    let dataset = crate::data::parse(format!("a,y\n{text}").as_bytes(), &spec).unwrap();
    let p = prepare_dataset(dataset, &spec, Seed(3)).unwrap();
    assert_eq!(p.task, Task::Regression);
    assert_eq!(p.train.len() + p.validation.len() + p.test.len(), 20);
    assert!(p.train.labels.is_empty());
    let scale = p.target_scale.unwrap();
    let mean: f32 = p.train.values.iter().sum::<f32>() / p.train.len() as f32;
    assert!(mean.abs() < 1e-5, "{mean}");
    // The feature is a + 100 + 0.5 scaled; the target comes back in its own units.
    let back = scale.invert(p.validation.values[0]);
    assert!((back.fract() - 0.5).abs() < 1e-4, "{back}");
}

#[test]
fn fill_values_are_the_training_columns_mean_or_median_of_present_cells() {
    let nan = f32::NAN;
    let train = Matrix {
        rows: 4,
        cols: 2,
        data: vec![1.0, nan, 2.0, 10.0, 9.0, 20.0, nan, 60.0],
    };
    assert_eq!(fit_fill(MissingValues::Mean, &train), Ok(vec![4.0, 30.0]));
    assert_eq!(fit_fill(MissingValues::Median, &train), Ok(vec![2.0, 20.0]));
    let mut other = Matrix {
        rows: 1,
        cols: 2,
        data: vec![nan, 7.0],
    };
    apply_fill(&[4.0, 30.0], &mut other);
    assert_eq!(other.data, [4.0, 7.0], "only missing cells change");
    let empty = Matrix {
        rows: 2,
        cols: 2,
        data: vec![1.0, nan, 2.0, nan],
    };
    assert_eq!(fit_fill(MissingValues::Median, &empty), Err(1));
}

#[test]
fn missing_cells_are_filled_from_training_rows_before_scaling() {
    // Column `a` is missing in every odd row; column `b` is 100 in every even row, 0 in
    // every odd one, so the fill fitted on training rows can be told from one on all rows.
    let text: String = (0..20)
        .map(|i| {
            let a = if i % 2 == 1 {
                "NA".to_string()
            } else {
                i.to_string()
            };
            format!("{a},{},{}\n", if i % 2 == 0 { 100 } else { 0 }, i % 2)
        })
        .collect();
    let mut spec = crate::data::tests::spec("x.csv", "y");
    spec.normalize = Normalize::None;
    spec.missing = MissingValues::Mean;
    let dataset = crate::data::parse(format!("a,b,y\n{text}").as_bytes(), &spec).unwrap();
    assert_eq!(dataset.missing_cells, 10);
    let p = prepare_dataset(dataset, &spec, Seed(3)).unwrap();
    assert_eq!(p.filled_cells, 10);
    let fill = p.fill.clone().unwrap();
    let train_even: Vec<f32> = (0..p.train.len())
        .map(|r| p.train.features.row(r))
        .filter(|row| row[1] == 100.0)
        .map(|row| row[0])
        .collect();
    let mean = train_even.iter().sum::<f32>() / train_even.len() as f32;
    assert_eq!(
        fill[0], mean,
        "the mean of the training rows' present cells"
    );
    for split in [&p.train, &p.validation, &p.test] {
        for r in 0..split.len() {
            let row = split.features.row(r);
            assert!(!row[0].is_nan());
            if row[1] == 0.0 {
                assert_eq!(row[0], fill[0], "an odd row gets the fill");
            }
        }
    }
}

#[test]
fn categories_are_fitted_on_training_rows_and_encoded_as_unscaled_indicators() {
    // `colour` is `red` or `blue` in the first 40 rows and `green` in the last one alone,
    // which falls into the training split or not depending on the seed.
    let text: String = (0..41)
        .map(|i| {
            let colour = match i {
                40 => "green",
                _ if i % 2 == 0 => "red",
                _ => "blue",
            };
            let missing = if i == 3 { "NA" } else { colour };
            format!("{},{missing},{}\n", i * 10, i % 2)
        })
        .collect();
    let mut spec = crate::data::tests::spec("x.csv", "y");
    spec.missing = MissingValues::Median;
    spec.split.stratify = false;
    spec.categorical = vec![experiment::Located {
        value: "colour".into(),
        location: spec.target.location.clone(),
    }];
    let text = format!("a,colour,y\n{text}");
    let mut seen = [false, false];
    for seed in 0..20 {
        let dataset = crate::data::parse(text.as_bytes(), &spec).unwrap();
        let p = prepare_dataset(dataset, &spec, Seed(seed)).unwrap();
        let rows = split_rows(&vec![0; 41], 1, &spec.split, Seed(seed));
        let green_in_training = rows.train.contains(&40);
        seen[usize::from(green_in_training)] = true;
        let want: Vec<&str> = if green_in_training {
            vec!["blue", "green", "red"]
        } else {
            vec!["blue", "red"]
        };
        assert_eq!(p.categories[0].values, want, "seed {seed}");
        let mut names = vec!["a".to_string()];
        names.extend(want.iter().map(|c| format!("colour={c}")));
        assert_eq!(p.feature_names, names);
        // Indicators are not scaled; the numeric column is.
        assert_eq!(&p.normalization.shift[1..], vec![0.0; want.len()]);
        assert_eq!(&p.normalization.scale[1..], vec![1.0; want.len()]);
        assert_ne!(p.normalization.shift[0], 0.0);
        assert_eq!(p.fill.as_ref().map(Vec::len), Some(names.len()));
        assert_eq!(p.missing_categories, 1);
        for (split, indices) in [
            (&p.train, &rows.train),
            (&p.validation, &rows.validation),
            (&p.test, &rows.test),
        ] {
            for (r, &row) in indices.iter().enumerate() {
                let indicators = &split.features.row(r)[1..];
                let set: Vec<&str> = indicators
                    .iter()
                    .zip(&want)
                    .filter(|(x, _)| **x == 1.0)
                    .map(|(_, c)| *c)
                    .collect();
                let expected: Vec<&str> = match row {
                    3 => vec![],
                    40 if !green_in_training => vec![],
                    40 => vec!["green"],
                    _ if row % 2 == 0 => vec!["red"],
                    _ => vec!["blue"],
                };
                assert_eq!(set, expected, "seed {seed}, row {row}");
                assert!(indicators.iter().all(|x| *x == 0.0 || *x == 1.0));
            }
        }
    }
    assert_eq!(seen, [true, true], "both cases were tried");
}

mod golden;

/// Returns the shipped Friedman #1 data with its target `y` rewritten by `target`, as text.
fn friedman_with_target(target: impl Fn(f64) -> String) -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../experiments/data/friedman1.csv"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    for line in lines {
        let (features, y) = line.rsplit_once(',').unwrap();
        out += &format!("{features},{}\n", target(y.parse().unwrap()));
    }
    out
}

/// Prepares CSV text whose target is `y` with the spec's defaults and seed 7.
fn prepare_text(text: &str) -> Prepared {
    let spec = crate::data::tests::spec("friedman.csv", "y");
    let dataset = crate::data::parse(text.as_bytes(), &spec).unwrap();
    prepare_dataset(dataset, &spec, Seed(7)).unwrap()
}

#[test]
fn issue_f1_a_target_offset_by_1e8_prepares_as_the_target_without_it() {
    // Read in single precision, 1e8 + y rounds to steps of 8: the thousand targets were five,
    // their standard deviation 5.50 for 4.94, and val_rmse 3.21 for 1.82.
    let plain = prepare_text(&friedman_with_target(|y| format!("{y}")));
    let offset = prepare_text(&friedman_with_target(|y| format!("{:.6}", y + 1e8)));
    let (a, b) = (plain.target_scale.unwrap(), offset.target_scale.unwrap());
    assert!((a.std - b.std).abs() < 1e-6 * a.std, "{a:?} {b:?}");
    assert!((b.mean - a.mean - 1e8).abs() < 1e-6, "{a:?} {b:?}");
    for (p, q) in [
        (&plain.train, &offset.train),
        (&plain.validation, &offset.validation),
        (&plain.test, &offset.test),
    ] {
        assert_eq!(p.len(), q.len());
        // The scaled targets agree up to single precision's rounding of values below 4.
        for (x, y) in p.values.iter().zip(&q.values) {
            assert!((x - y).abs() <= 1e-6, "{x} {y}");
        }
        // The metrics score against the file's targets, 1e8 and all (written to 6 decimals).
        for (x, y) in p.targets.iter().zip(&q.targets) {
            assert!((y - 1e8 - x).abs() <= 2e-6, "{x} {y}");
        }
    }
}

#[test]
fn issue_f1_a_target_varying_below_single_precision_is_learned_not_refused() {
    // 1e8 + y/10: a thousand values with a standard deviation of 0.5, all 1e8 in single
    // precision, were refused as "a single value, 100000000".
    let p = prepare_text(&friedman_with_target(|y| format!("{:.6}", 1e8 + y / 10.0)));
    let scale = p.target_scale.unwrap();
    // A tenth of Friedman's target, whose standard deviation is about 5.
    assert!(scale.std > 0.4 && scale.std < 0.6, "{scale:?}");
    let mut scaled = p.train.values.clone();
    scaled.sort_by(f32::total_cmp);
    scaled.dedup();
    assert!(
        scaled.len() > 500,
        "{} distinct scaled targets",
        scaled.len()
    );
}
