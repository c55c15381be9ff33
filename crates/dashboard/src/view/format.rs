//! Formatting for pages: numbers, spans of time, and URL path segments (instants and durations
//! are written by `experiment`, as in the CLI).

use experiment::{format_duration, Timestamp};

/// Formats a metric value as the CLI does: 4 decimals, from a million on in exponent form,
/// `-` when absent, and `NaN`/`inf` as such.
pub(crate) use experiment::metric_text as value;

/// Formats a value that may be a count (`param_count`): whole numbers without decimals,
/// others as `value` does.
pub(crate) use experiment::count_or_metric_text as count_or_value;

/// Formats metric `name`'s value: a count (`param_count`, the same at every epoch) as
/// `count_or_value` does, any other as `value` does.
pub(crate) use experiment::named_metric_text as metric_value;

/// A number as a page shows it, with the value in full for its tooltip where the text rounds
/// it (`0.9805`, in full `0.980463`; `4.60e-9`, in full `4.6123e-9`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Num {
    /// What the cell shows.
    pub(crate) text: String,
    /// The value in full, as it reads back exactly; empty where `text` is that already.
    pub(crate) full: String,
}

impl Num {
    /// Returns `text`, written for `value`, with `value` in full where `text` rounds it.
    pub(crate) fn of(text: String, value: Option<f64>) -> Num {
        let full = value
            .filter(|v| v.is_finite() && text.parse::<f64>() != Ok(*v))
            .map(experiment::number_text)
            .unwrap_or_default();
        Num { text, full }
    }

    /// Returns a text that is no number (`-`, `met`), which has no value in full.
    pub(crate) fn text(text: impl Into<String>) -> Num {
        Num {
            text: text.into(),
            full: String::new(),
        }
    }
}

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq<&str> for Num {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

/// Returns metric `name`'s value as `metric_value` writes it (a count as a count), in full for
/// its tooltip.
pub(crate) fn metric_value_num(name: &str, v: Option<f64>) -> Num {
    Num::of(metric_value(name, v), v)
}

/// Returns a value that may be a count as `count_or_value` writes it, in full for its tooltip.
pub(crate) fn count_or_value_num(v: Option<f64>) -> Num {
    Num::of(count_or_value(v), v)
}

/// Returns the tooltip of metric `name`'s value `num` of a trial in `state` (`running`, or
/// `interrupted` where a kill left it running) shown at its `latest` epoch in place of a result
/// it does not have yet (`data::shows_latest`): the value in full (where the text rounds it)
/// and that it is the latest epoch's, as `0.8123 at latest epoch 3, running`, or, for a metric
/// last reported before it (`Latest::earlier`), that report's, as `1000 at epoch 1, its last
/// report; latest epoch 3, running`.
pub(crate) fn latest_tooltip(
    num: &Num,
    latest: &crate::data::Latest,
    name: &str,
    state: &str,
) -> String {
    let value = if num.full.is_empty() {
        &num.text
    } else {
        &num.full
    };
    match latest.earlier.get(name) {
        Some(at) => format!(
            "{value} at epoch {at}, its last report; latest epoch {}, {state}",
            latest.step
        ),
        None => format!("{value} at latest epoch {}, {state}", latest.step),
    }
}

/// Returns why a trial shown at its latest epoch (`data::shows_latest`) in the state `shown`
/// has no result: a `running` one has not ended; an `interrupted` one (where no sweep runs its
/// experiment, a kill left it running) was cut off before it ended, and runs again from scratch
/// when the same command runs again, as its row's reason says (`leaderboard::idle_reason`).
pub(crate) fn why_not_final(shown: &str) -> &'static str {
    if shown == experiment::TrialState::Running.as_str_when_idle() {
        "a killed sweep cut it off before it ended; it runs again from scratch when the same \
         command runs again"
    } else {
        "it has not ended"
    }
}

/// Returns the constraints that `trial`'s result breaks, as `param_count ≤ 20000`, joined by
/// commas; empty when it meets them or has no result.
pub(crate) use experiment::broken_text as broken;

/// Returns the duration from `start` to `end`, formatted; without an end, to `now` while the
/// thing is still going (`now` is `None` when it is not: a killed run has no known end, and a
/// duration counted to the clock would grow for ever).
pub(crate) fn span(
    start: Option<Timestamp>,
    end: Option<Timestamp>,
    now: Option<Timestamp>,
) -> String {
    // (Times read from a journal may be any 64-bit numbers: no wrapped difference.)
    match (start, end.or(now)) {
        (Some(start), Some(end)) => end
            .0
            .checked_sub(start.0)
            .map_or_else(|| "-".to_string(), format_duration),
        _ => "-".to_string(),
    }
}

/// Orders metric names for charts: the objective first, then the other validation metrics,
/// then the rest, and the wall time (`experiment::WALL_TIME_METRIC`: timing, not quality) last; by name within each group.
/// `param_count`, the same at every epoch, has no chart: its value is in the tables.
pub(crate) fn metric_order<'a>(
    objective: &str,
    names: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    let mut names: Vec<&str> = names
        .into_iter()
        .filter(|n| !experiment::CONSTANT_METRICS.contains(n))
        .collect();
    names.sort_by_key(|n| {
        let group = if *n == objective {
            0
        } else if n.starts_with("val_") {
            1
        } else if *n == experiment::WALL_TIME_METRIC {
            3
        } else {
            2
        };
        (group, *n)
    });
    names.dedup();
    names
}

/// Returns free text from a file (a description) with each bidirectional override, embedding
/// and isolate (U+202A to U+202E, U+2066 to U+2069) written as an escape, `\u{202e}`, as
/// `sweep show` writes it (`output::visible` in `cli`) and the spec reader's messages quote it:
/// shown, not run, so that the text reads in the order it was written. Raw, one reorders the
/// rest of its paragraph (`dir="auto"` keeps it from the page around, not from the text after
/// it in the same paragraph).
pub(crate) fn bidi_shown(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(ch, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') {
            shown.extend(ch.escape_unicode());
        } else {
            shown.push(ch);
        }
    }
    shown
}

/// Percent-encodes `s` for use as one URL path segment or query value: every byte other than
/// ASCII letters, digits and `-._~` becomes `%XX`.
pub(crate) fn url_part(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Returns the page of an experiment.
pub(crate) fn experiment_href(name: &str) -> String {
    format!("/experiments/{}", url_part(name))
}

/// Returns the page of a trial.
pub(crate) fn trial_href(experiment: &str, trial: u32) -> String {
    format!("{}{trial}", trials_href(experiment))
}

/// Returns what a trial's number completes into its page: `/experiments/NAME/trials/`.
pub(crate) fn trials_href(experiment: &str) -> String {
    format!("/experiments/{}/trials/", url_part(experiment))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_are_ordered_objective_first_and_timing_last_and_constants_have_no_chart() {
        let names = [
            "epoch_seconds",
            "train_loss",
            "val_loss",
            "val_accuracy",
            "val_f1",
            "param_count",
        ];
        assert_eq!(
            metric_order("val_loss", names),
            [
                "val_loss",
                "val_accuracy",
                "val_f1",
                "train_loss",
                "epoch_seconds"
            ]
        );
    }

    #[test]
    fn a_span_of_times_64_bits_apart_is_none() {
        let at = |t| Some(Timestamp(t));
        assert_eq!(span(at(i64::MIN), at(i64::MAX), None), "-");
        assert_eq!(span(at(1_000), at(3_500), None), format_duration(2_500));
        assert_eq!(span(at(1_000), None, at(2_000)), format_duration(1_000));
    }

    #[test]
    fn formats() {
        assert_eq!(value(Some(0.5)), "0.5000");
        assert_eq!(value(Some(f64::NAN)), "NaN");
        assert_eq!(value(None), "-");
        assert_eq!(count_or_value(Some(1210.0)), "1210");
        assert_eq!(count_or_value(Some(0.25)), "0.2500");
        assert_eq!(metric_value("param_count", Some(1210.0)), "1210");
        assert_eq!(metric_value("val_loss", Some(1.0)), "1.0000");
        // A value the text rounds has it in full for its tooltip.
        assert_eq!(
            metric_value_num("val_loss", Some(0.980_463)).full,
            "0.980463"
        );
        assert_eq!(
            metric_value_num("val_loss", Some(4.6123e-9)).text,
            "4.61e-9"
        );
        assert_eq!(
            metric_value_num("val_loss", Some(4.6123e-9)).full,
            "4.6123e-9"
        );
        assert_eq!(metric_value_num("val_loss", Some(0.5)).full, "");
        assert_eq!(metric_value_num("val_loss", None).full, "");
        assert_eq!(metric_value_num("param_count", Some(49.0)).text, "49");
        assert_eq!(count_or_value_num(Some(1210.0)).full, "");
        assert_eq!(
            url_part("<script>alert(1)</script>"),
            "%3Cscript%3Ealert%281%29%3C%2Fscript%3E"
        );
        assert_eq!(
            experiment_href("digits-mlp_v1.2"),
            "/experiments/digits-mlp_v1.2"
        );
    }
}
