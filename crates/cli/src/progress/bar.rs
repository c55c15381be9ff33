//! The overall bar's look: its templates, its time written as everything else writes times
//! (`experiment::format_duration`: `3.9s`, `2m05s`), and the count and time a line written
//! without the bar says instead.

use std::time::Duration;

use indicatif::ProgressStyle;

/// The overall bar once the study's plan is known: the trials finished of those planned, and
/// the time since the study started to run trials, written as `format_duration` writes it.
pub(super) const BAR_TEMPLATE: &str =
    "{prefix:.bold} [{bar:30.cyan/blue}] {pos}/{len} trials  {ran}  {msg}";

/// The overall bar before the plan is known: no count yet (it would read `0/0 trials`).
pub(super) const WAITING_TEMPLATE: &str = "{prefix:.bold} {msg}";

/// Returns the overall bar's style with `template`, whose `{ran}` is the bar's elapsed time
/// (from when the study started to run trials, `study_started`), as `format_duration` writes it.
pub(super) fn bar_style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key(
            "ran",
            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&format_duration(state.elapsed()));
            },
        )
        .progress_chars("=> ")
}

/// Says what the bar shows, for a line written without it: the trials finished of those
/// planned and the time since the sweep began, as "3/8 trials, 12.4s".
pub(super) fn standing_text(finished: u64, planned: Option<u64>, elapsed: Duration) -> String {
    format!(
        "{finished}/{} trials, {}",
        planned.unwrap_or(finished),
        format_duration(elapsed)
    )
}

/// Formats a wait as the rest of the output does (`1m05s`, `4.2s`).
pub(super) fn format_duration(duration: Duration) -> String {
    experiment::format_duration(i64::try_from(duration.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_a_line_written_without_the_bar_says_its_count_and_time() {
        let text = standing_text(3, Some(8), Duration::from_millis(12_440));
        assert_eq!(text, "3/8 trials, 12.4s");
    }
}
