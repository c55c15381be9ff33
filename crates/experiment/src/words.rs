//! Words for error messages: what a mistyped word was meant to be ("did you mean" hints), and
//! numbers written short.

/// Returns the candidate closest to `word`: within a small edit distance, sharing a prefix,
/// ending with it after a `_` (`val_accuracy` for `accuracy`, as other tools name metrics), or
/// lacking one `_`-separated part of it (`val_roc_auc` for `val_auc`).
///
/// Between two words of two characters only a difference of case counts: another letter is
/// half the word (`p2` is not `l2`, nor `l1` `l2`).
pub fn suggest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let word_len = word.chars().count();
    let limit = if word_len <= 3 { 1 } else { 2 };
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        // A difference of case only is the closest of all (`Adam` for `adam`).
        let distance = if candidate.eq_ignore_ascii_case(word) {
            0
        } else {
            edit_distance(word, candidate)
        };
        let prefix = word_len >= 3 && (candidate.starts_with(word) || word.starts_with(candidate));
        let suffix = word_len >= 3
            && candidate
                .strip_suffix(word)
                .is_some_and(|head| head.ends_with('_'));
        let half = word_len == 2 && candidate.chars().count() == 2 && distance > 0;
        let close =
            (distance <= limit && !half) || prefix || suffix || lacks_a_part(word, candidate);
        if close && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Returns whether `candidate` is `word` with one more `_`-separated part (`val_roc_auc` and
/// `val_auc`), as other tools shorten metric names.
fn lacks_a_part(word: &str, candidate: &str) -> bool {
    let parts: Vec<&str> = candidate.split('_').collect();
    parts.len() >= 3
        && (0..parts.len()).any(|skip| {
            let kept: Vec<&str> = (0..parts.len())
                .filter(|&i| i != skip)
                .map(|i| parts[i])
                .collect();
            kept.join("_") == word
        })
}

/// Returns `n` with its noun: `1 trial`, `3 trials` (`one` and `many` its two forms).
pub fn counted(n: impl Into<u64>, one: &str, many: &str) -> String {
    match n.into() {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    }
}

/// Quotes `s` for a POSIX shell when it holds anything but safe characters, so that a command
/// printed for the user (`sweep predict ... --store 'my runs'`) can be pasted as it is.
///
/// A value starting with `-` is written as a relative path, `./-store`: quoted or not, the
/// command's parser would read `-store` as options (`-s`, `-t`, ...). Every value quoted here
/// is a path, an experiment's name or a trial's `name/id`, and names never start with `-`
/// (they are refused when a spec is read), so only a path is ever written so.
pub fn shell_quote(s: &str) -> String {
    let s = if s.starts_with('-') {
        format!("./{s}")
    } else {
        s.to_string()
    };
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c));
    if safe {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Writes a whole number as a count, without decimals (`4810`), so that the CLI and the
/// dashboard show counts such as `param_count` alike; `None` for a fraction or a value too
/// large to be exact.
pub fn whole_number(x: f64) -> Option<String> {
    (x.fract() == 0.0 && x.abs() < 1e15).then(|| format!("{x:.0}"))
}

/// Writes a metric value for people, as the CLI and the dashboard both show it: 4 decimals,
/// in exponent form from a million on (`1.1677e26` for a diverged loss) and to 3 significant
/// digits below a thousandth, which 4 decimals would round away (`4.60e-9` for a loss near
/// zero, not `0.0000`), `NaN` and `inf` as such, `-` when absent.
pub fn metric_text(value: Option<f64>) -> String {
    match value {
        Some(v) if v.is_finite() && v.abs() >= 1e6 => format!("{v:.4e}"),
        Some(v) if v.is_finite() && v != 0.0 && v.abs() < 1e-3 => format!("{v:.2e}"),
        Some(v) if v.is_finite() => format!("{v:.4}"),
        Some(v) => v.to_string(),
        None => "-".to_string(),
    }
}

/// Writes a value that may be a count: a whole number without decimals (`whole_number`), any
/// other as `metric_text` does.
pub fn count_or_metric_text(value: Option<f64>) -> String {
    value
        .and_then(whole_number)
        .unwrap_or_else(|| metric_text(value))
}

/// Writes metric `name`'s value: a count (`param_count`, the same at every epoch) as
/// `count_or_metric_text` does, any other as `metric_text` does.
pub fn named_metric_text(name: &str, value: Option<f64>) -> String {
    if crate::CONSTANT_METRICS.contains(&name) {
        count_or_metric_text(value)
    } else {
        metric_text(value)
    }
}

/// Returns metric `name`'s value `v` as an integer where it is a count (`CONSTANT_METRICS`:
/// `param_count`) and whole, and exact as an `i64` (below 1e15), for the JSON the CLI and the
/// API write (`85002`, as the CSV writes it); `None` for any other metric or value, written as a
/// float.
pub fn whole_count(name: &str, v: f64) -> Option<i64> {
    if !crate::CONSTANT_METRICS.contains(&name) || v.fract() != 0.0 || v.abs() >= 1e15 {
        return None;
    }
    #[allow(clippy::cast_possible_truncation)]
    Some(v as i64)
}

/// Writes a number for a message: the shortest text that reads back as `x`, in exponent form
/// (`1e-12`, `1e300`) where plain decimals would run long.
pub fn number_text(x: f64) -> String {
    let plain = x.to_string();
    let exponent = format!("{x:e}");
    if plain.len() > exponent.len() + 3 {
        exponent
    } else {
        plain
    }
}

/// Writes `x` to `digits` significant digits (at least 1), as briefly as that reads back:
/// `0.999` for a sum of 0.9990000000000001, `0.0000454` for e^-10, not `0`.
pub fn significant_text(x: f64, digits: usize) -> String {
    let rounded: f64 = format!("{x:.*e}", digits.max(1) - 1).parse().unwrap_or(x);
    number_text(rounded)
}

/// Writes a value an error found for people: to at most 6 significant digits (`1.51143e111`,
/// `0.123457`), unless that reads as one of the `bounds` it is compared with (`1` for
/// `1.0000001` beside a bound of 1), where it is written in full, as `number_text` writes it.
/// Not for a value that is kept or exported, which must read back exactly.
pub(crate) fn found_number(x: f64, bounds: &[f64]) -> String {
    let brief = |x: f64| significant_text(x, 6);
    let shown = brief(x);
    if bounds.iter().any(|b| brief(*b) == shown) {
        number_text(x)
    } else {
        shown
    }
}

/// Returns the candidate that `word` is a misspelling of: one or two characters off (one for
/// words of five characters or fewer), not merely sharing a beginning or an end as `suggest`
/// allows; `None` when none is, or `word` is one of them.
pub(crate) fn misspelling_of<'c>(
    word: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = if word.chars().count() <= 5 { 1 } else { 2 };
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let distance = edit_distance(word, candidate);
        if distance == 0 {
            return None;
        }
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Levenshtein distance, counted in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_values_read_alike_everywhere() {
        assert_eq!(metric_text(Some(0.98765)), "0.9877");
        assert_eq!(metric_text(Some(-3.0)), "-3.0000");
        assert_eq!(metric_text(Some(1.1677e26)), "1.1677e26");
        assert_eq!(metric_text(Some(999_999.0)), "999999.0000");
        assert_eq!(metric_text(Some(f64::NAN)), "NaN");
        assert_eq!(metric_text(Some(f64::INFINITY)), "inf");
        assert_eq!(metric_text(None), "-");
        assert_eq!(metric_text(Some(0.001)), "0.0010");
        assert_eq!(metric_text(Some(0.0)), "0.0000");
    }

    #[test]
    fn issue_tiny_metric_values_keep_3_significant_digits() {
        // Below a thousandth, 4 decimals would write 4.6e-9 and 1.6e-5 alike, as 0.0000.
        assert_eq!(metric_text(Some(4.6e-9)), "4.60e-9");
        assert_eq!(metric_text(Some(7.1e-7)), "7.10e-7");
        assert_eq!(metric_text(Some(1.6449e-5)), "1.64e-5");
        assert_eq!(metric_text(Some(-0.000_999_6)), "-1.00e-3");
        assert_eq!(metric_text(Some(0.000_5)), "5.00e-4");
        assert_eq!(count_or_metric_text(Some(3e-5)), "3.00e-5");
        assert_eq!(count_or_metric_text(Some(54_547.0)), "54547");
        assert_eq!(count_or_metric_text(Some(0.5)), "0.5000");
        assert_eq!(named_metric_text("param_count", Some(4120.0)), "4120");
        assert_eq!(named_metric_text("val_loss", Some(2.0)), "2.0000");
    }

    #[test]
    fn suggestions_are_close_share_a_prefix_or_end_a_name() {
        let cases: &[(&str, &[&str], Option<&str>)] = &[
            ("lrr", &["lr", "l2", "epochs"], Some("lr")),
            ("nmae", &["name", "seed"], Some("name")),
            (
                "early_stop",
                &["epochs", "early_stopping"],
                Some("early_stopping"),
            ),
            (
                "val_acc",
                &["val_loss", "val_accuracy"],
                Some("val_accuracy"),
            ),
            ("xyz", &["name", "seed"], None),
            ("optimiser", &["optimizer", "lr"], Some("optimizer")),
            (
                "accuracy",
                &["train_loss", "val_loss", "val_accuracy"],
                Some("val_accuracy"),
            ),
            (
                "loss",
                &["train_loss", "val_loss", "val_accuracy"],
                Some("val_loss"),
            ),
            ("size", &["batch_size", "hidden"], Some("batch_size")),
            (
                "val_auc",
                &["val_accuracy", "val_roc_auc"],
                Some("val_roc_auc"),
            ),
            // Two characters: only a difference of case.
            ("p2", &["lr", "l2"], None),
            ("l1", &["lr", "l2"], None),
            ("LR", &["lr", "l2"], Some("lr")),
        ];
        for (word, candidates, want) in cases {
            assert_eq!(
                suggest(word, candidates.iter().copied()),
                *want,
                "suggest({word:?})"
            );
        }
    }

    #[test]
    fn issue_a_path_starting_with_a_dash_is_pasted_as_a_path_not_an_option() {
        // `--store -store` reads as the flags `-s -t ...`, quoted or not: `./-store` is a path.
        for (value, want) in [
            ("-store", "./-store"),
            ("-my runs", "'./-my runs'"),
            ("-", "./-"),
            ("--store", "./--store"),
            ("runs/-store", "runs/-store"),
            ("/tmp/-store", "/tmp/-store"),
            ("my-runs", "my-runs"),
            ("digits-mlp/3", "digits-mlp/3"),
            ("my spec's.yaml", r"'my spec'\''s.yaml'"),
            ("", "''"),
        ] {
            assert_eq!(shell_quote(value), want, "{value:?}");
        }
    }

    #[test]
    fn edit_distance_counts_characters() {
        for (a, b, want) in [
            ("", "", 0),
            ("abc", "", 3),
            ("kitten", "sitting", 3),
            ("é", "e", 1),
        ] {
            assert_eq!(edit_distance(a, b), want, "{a} {b}");
        }
    }

    #[test]
    fn a_found_number_is_written_to_6_digits_unless_it_would_read_as_a_bound() {
        for (x, bounds, want) in [
            (1.511_427_665_004_103_5e111, &[0.0, 1.0][..], "1.51143e111"),
            (0.123_456_789, &[0.0, 1.0], "0.123457"),
            (-0.000_012_345_678, &[0.0], "-0.0000123457"),
            (1e20, &[1.0, 100_000.0], "1e20"),
            (2.5, &[0.0, 1.0], "2.5"),
            // Out of [0, 1] by a hair: in full, or it would read as the bound.
            (1.000_000_1, &[0.0, 1.0], "1.0000001"),
            (0.100_000_000_1, &[1e-4, 0.1], "0.1000000001"),
        ] {
            assert_eq!(found_number(x, bounds), want, "{x}");
        }
    }

    #[test]
    fn numbers_are_written_exactly_and_short() {
        for (x, want) in [
            (0.0, "0"),
            (10.0, "10"),
            (0.5, "0.5"),
            (0.001, "0.001"),
            (100_000.0, "100000"),
            (1e6, "1e6"),
            (1e-12, "1e-12"),
            (1e300, "1e300"),
            (-2.5e-9, "-2.5e-9"),
            (20.085_536_923_187_668, "20.085536923187668"),
        ] {
            assert_eq!(number_text(x), want);
            assert_eq!(number_text(x).parse::<f64>(), Ok(x), "reads back");
        }
    }
}
