//! Timeline: when each trial ran, one bar per trial by trial number, coloured by how it ended.
//! Trials side by side show as overlapping bars; the gaps show where a worker waited (for the
//! earlier trials a deterministic sweep makes it wait for) or the sweep stood still.

use plotters::prelude::*;

use super::{
    legend_entry, render_marked, text_style, tick, trial_tick, DrawResult, Mark, Marker, Shape,
    DIM, GRID, PALETTE,
};

/// One trial's run on the timeline, in seconds since the first trial started.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Span {
    /// The trial number.
    pub(crate) trial: u32,
    /// When it started.
    pub(crate) start: f64,
    /// When it ended, or the time now (or last known) when it has not.
    pub(crate) end: f64,
    /// How it ended.
    pub(crate) ending: Ending,
}

/// How a trial on the timeline ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// Completed.
    Completed,
    /// Pruned.
    Pruned,
    /// Failed.
    Failed,
    /// Still running.
    Open,
    /// Left running by a sweep that was killed: when it stopped is not known, so its bar is
    /// a mark at its start.
    Unknown,
}

const SIZE: (u32, u32) = (1300, 360);
const LEGEND_WIDTH: u32 = 150;

impl Ending {
    fn colour(self) -> RGBColor {
        match self {
            Ending::Completed => PALETTE[0],
            Ending::Pruned => DIM,
            Ending::Failed => PALETTE[3],
            Ending::Open | Ending::Unknown => PALETTE[1],
        }
    }

    fn label(self) -> &'static str {
        match self {
            Ending::Completed => "completed",
            Ending::Pruned => "pruned",
            Ending::Failed => "failed",
            Ending::Open => "running",
            Ending::Unknown => "end unknown",
        }
    }
}

/// Returns the timeline of `spans`: a bar per trial from its start to its end. Each bar names
/// its trial, how it ended and how long it ran when pointed at, and links to the trial's page,
/// `trial_pages` followed by its number.
pub(crate) fn timeline(spans: &[Span], trial_pages: &str) -> String {
    let label = "timeline of the trials";
    let Some(last) = spans.iter().map(|s| s.trial).max() else {
        return super::empty(SIZE, label, "no trial has started yet");
    };
    let longest = spans.iter().map(|s| s.end).fold(0.0, f64::max);
    let (unit, per) = unit_of(longest);
    let x1 = (longest / per).max(1e-3) * 1.02;
    render_marked(SIZE, label, |root, marks| -> DrawResult {
        let (plot, legend) = root.split_horizontally(SIZE.0 - LEGEND_WIDTH);
        let mut chart = ChartBuilder::on(&plot)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(72)
            .build_cartesian_2d(0.0..x1, -0.5..f64::from(last) + 0.5)?;
        chart
            .configure_mesh()
            .x_desc(format!("time since the first trial started ({unit})"))
            .y_desc("trial number")
            .x_labels(10)
            .y_labels(8)
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| trial_tick(*v))
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .label_style(text_style(14))
            .axis_desc_style(text_style(15))
            .draw()?;
        // Bars fill most of a row, and stay visible however short or thin: at least a
        // 300th of the axis wide (a trial a killed sweep left running has no known end), and
        // at least a pixel high where rows are thinner than that (600 trials and more).
        let row_px = f64::from(chart.plotting_area().dim_in_pixel().1) / (f64::from(last) + 1.0);
        let half = 0.4f64.max(0.75 / row_px.max(1e-9));
        let narrowest = x1 / 300.0;
        let bar = |s: &Span| {
            let y = f64::from(s.trial);
            let end = (s.end / per).max(s.start / per + narrowest);
            [(s.start / per, y - half), (end, y + half)]
        };
        chart.draw_series(
            spans
                .iter()
                .map(|s| Rectangle::new(bar(s), s.ending.colour().mix(0.85).filled())),
        )?;
        marks.extend(spans.iter().map(|s| {
            let [a, b] = bar(s);
            Mark {
                href: format!("{trial_pages}{}", s.trial),
                title: s.describe(),
                shape: Shape::Bar(chart.backend_coord(&a), chart.backend_coord(&b)),
            }
        }));
        let mut y = 30;
        for ending in [
            Ending::Completed,
            Ending::Pruned,
            Ending::Failed,
            Ending::Open,
            Ending::Unknown,
        ] {
            if spans.iter().any(|s| s.ending == ending) {
                legend_entry(
                    &legend,
                    (8, y),
                    ending.colour(),
                    Marker::Line(8),
                    ending.label(),
                )?;
                y += 22;
            }
        }
        Ok(())
    })
}

impl Span {
    /// Returns what a bar's tooltip says: the trial, how it ended and how long it ran.
    fn describe(&self) -> String {
        // Milliseconds of a run fit an i64 for 290 million years.
        #[allow(clippy::cast_possible_truncation)]
        let ran = experiment::format_duration(((self.end - self.start) * 1000.0).round() as i64);
        match self.ending {
            Ending::Open => format!("trial {}: running for {ran}", self.trial),
            Ending::Unknown => format!(
                "trial {}: end unknown (the sweep was stopped while it ran)",
                self.trial
            ),
            ending => format!("trial {}: {} after {ran}", self.trial, ending.label()),
        }
    }
}

/// Returns the unit the x axis is written in for a timeline `longest` seconds long, and how
/// many seconds one of it is.
fn unit_of(longest: f64) -> (&'static str, f64) {
    if longest >= 2.0 * 3600.0 {
        ("h", 3600.0)
    } else if longest >= 120.0 {
        ("min", 60.0)
    } else {
        ("s", 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_bar_names_its_trial_how_it_ended_and_how_long_it_ran() {
        let span = |trial, end, ending| Span {
            trial,
            start: 1.0,
            end,
            ending,
        };
        let svg = timeline(
            &[
                span(0, 3.5, Ending::Completed),
                span(1, 1.25, Ending::Pruned),
                span(2, 100.0, Ending::Open),
                span(3, 1.0, Ending::Unknown),
            ],
            "/t/",
        );
        let marks = svg.split("<g class=\"marks\">").nth(1).unwrap_or_default();
        assert_eq!(marks.matches("<rect ").count(), 4, "{marks}");
        for title in [
            "<a href=\"/t/0\" tabindex=\"-1\"><rect",
            "<title>trial 0: completed after 2.5s</title>",
            "<title>trial 1: pruned after 0.3s</title>",
            "<title>trial 2: running for 1m39s</title>",
            "<title>trial 3: end unknown (the sweep was stopped while it ran)</title>",
        ] {
            assert!(marks.contains(title), "{title} in {marks}");
        }
    }

    #[test]
    fn bars_stay_a_pixel_high_however_many_trials() {
        let spans: Vec<Span> = (0..600)
            .map(|k| Span {
                trial: k * 16,
                start: f64::from(k),
                end: f64::from(k) + 30.0,
                ending: Ending::Completed,
            })
            .collect();
        let svg = timeline(&spans, "/t/");
        let drawn = svg.split("<g class=\"marks\">").next().unwrap_or_default();
        let heights: Vec<u32> = drawn
            .split("<rect")
            .skip(1)
            .filter_map(|r| r.split("height=\"").nth(1)?.split('"').next()?.parse().ok())
            .collect();
        assert!(heights.len() > 600, "{}", heights.len());
        assert!(heights.iter().all(|&h| h >= 1), "{heights:?}");
    }

    #[test]
    fn the_axis_unit_follows_the_length() {
        assert_eq!(unit_of(90.0), ("s", 1.0));
        assert_eq!(unit_of(600.0), ("min", 60.0));
        assert_eq!(unit_of(3.0 * 3600.0), ("h", 3600.0));
    }
}
