//! Timeline: when each trial ran, one bar per trial by trial number, coloured and shaped by
//! how it ended. Trials side by side show as overlapping bars; the gaps show where a worker
//! waited (for the earlier trials a deterministic sweep makes it wait for) or the sweep stood
//! still.
//!
//! How a trial ended is never told by colour alone (WCAG 1.4.1): a pruned trial's bar is
//! hollow, as the history and slice charts ring a pruned trial; a failed one ends in a cross,
//! a running one in an arrowhead (it goes on), one a kill interrupted in two upright strokes
//! (a pause) at its last report, one whose end is unknown in a question mark; a completed one
//! is a plain bar. An attempt a stop or a kill cut off before the trial ran again is a thin
//! grey bar on the trial's row, a third of a bar's height. Each colour is at least 3:1 against
//! the white chart, drawn opaque (WCAG 1.4.11), and the chart's label counts the trials of
//! each ending and the attempts cut off.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    render_marked, text_style, tick, trial_tick, Area, DrawResult, Mark, Shape, GRID, MARK_GREY,
    PALETTE,
};

/// One trial's run on the timeline, in seconds since the first trial started.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Span {
    /// The trial number.
    pub(crate) trial: u32,
    /// When it started.
    pub(crate) start: f64,
    /// When it ended, or the time now (or last known, or, interrupted, its last report) when
    /// it has not.
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
    /// Left running by a sweep that was killed, last heard from at its bar's end (its last
    /// stored epoch): it ran at least that long.
    Interrupted,
    /// Left running by a sweep that was killed, never heard from: when it stopped is not
    /// known, so its bar is a mark at its start.
    Unknown,
}

/// An attempt of a trial cut off before it ended (a stop or a kill), drawn on the trial's row
/// from its start to its end (when stopped, or last heard from), in seconds since the first
/// trial started, as `Span`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Cut {
    /// The trial number.
    pub(crate) trial: u32,
    /// When the attempt started.
    pub(crate) start: f64,
    /// When it was stopped, or, killed, last heard from; its start where that is not known
    /// (`time_known` false: its bar is then a mark at its start).
    pub(crate) end: f64,
    /// The epochs it reported.
    pub(crate) epochs: u32,
    /// `stopped` or `killed` (`store::CutBy::as_str`).
    pub(crate) by: &'static str,
    /// Whether its end is known (`store::CutBy::time_known`): not for one killed before it
    /// was heard from.
    pub(crate) time_known: bool,
}

const SIZE: (u32, u32) = (1300, 360);
const LEGEND_WIDTH: u32 = 150;

/// The endings in the order the legend and the chart's label take them.
const ENDINGS: [Ending; 6] = [
    Ending::Completed,
    Ending::Pruned,
    Ending::Failed,
    Ending::Open,
    Ending::Interrupted,
    Ending::Unknown,
];

/// The colour of an attempt cut off: the grey of what did not count (a pruned trial's, the
/// charts' dimmed marks), at least 3:1 against white; its thin bar, not its colour, tells it
/// from a pruned trial's hollow one.
const CUT_GREY: RGBColor = MARK_GREY;

/// The fewest pixels a row must have for its bar to carry its end mark, and a pruned bar to be
/// hollow: thinner rows (more than about 110 trials) leave no room for them, and their bars
/// are told apart by colour and by their tooltips (the legend says so), as the chart's label
/// counts them.
const MARKED_ROW_PX: f64 = 2.5;

impl Ending {
    /// Returns the colour of the bars of this ending, opaque: each at least 3:1 against white.
    fn colour(self) -> RGBColor {
        match self {
            Ending::Completed => PALETTE[0],
            Ending::Pruned => MARK_GREY,
            Ending::Failed => PALETTE[3],
            Ending::Open | Ending::Interrupted | Ending::Unknown => PALETTE[1],
        }
    }

    fn label(self) -> &'static str {
        match self {
            Ending::Completed => "completed",
            Ending::Pruned => "pruned",
            Ending::Failed => "failed",
            Ending::Open => "running",
            Ending::Interrupted => "interrupted",
            Ending::Unknown => "end unknown",
        }
    }
}

/// Returns the timeline of `spans`: a bar per trial from its start to its end, drawn as its
/// ending says (`draw_bar`), and a thin grey bar per attempt cut off (`cuts`) on its trial's
/// row, under a label that counts the trials of each ending and the attempts cut off. Each bar
/// names its trial, how it ended and how long it ran when pointed at, and links to the trial's
/// page, `trial_pages` followed by its number.
pub(crate) fn timeline(spans: &[Span], cuts: &[Cut], trial_pages: &str) -> String {
    let rows = spans
        .iter()
        .map(|s| s.trial)
        .chain(cuts.iter().map(|c| c.trial));
    let Some(last) = rows.max() else {
        return super::empty(SIZE, "timeline of the trials", "no trial has started yet");
    };
    let counts: Vec<String> = ENDINGS
        .iter()
        .map(|&e| (e, spans.iter().filter(|s| s.ending == e).count()))
        .filter(|&(_, n)| n > 0)
        .map(|(e, n)| format!("{n} {}", e.label()))
        .collect();
    let mut label = format!(
        "timeline of {} trial{}: {}",
        spans.len(),
        if spans.len() == 1 { "" } else { "s" },
        counts.join(", ")
    );
    if !cuts.is_empty() {
        label.push_str(&format!(
            "; {} attempt{} cut off before {} ran again (thin grey bars)",
            cuts.len(),
            if cuts.len() == 1 { "" } else { "s" },
            if cuts.len() == 1 {
                "its trial"
            } else {
                "their trials"
            }
        ));
    }
    let ends = spans
        .iter()
        .map(|s| s.end)
        .chain(cuts.iter().map(|c| c.end));
    let longest = ends.fold(0.0, f64::max);
    let (unit, per) = unit_of(longest);
    let x1 = (longest / per).max(1e-3) * 1.02;
    render_marked(SIZE, &label, |root, marks| -> DrawResult {
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
        // Marks as high as the row allows, up to a legend's.
        let mark = (row_px >= MARKED_ROW_PX).then(|| {
            // A few pixels: the rounded radius fits an i32.
            #[allow(clippy::cast_possible_truncation)]
            let r = (row_px * 0.45).round().clamp(2.0, 5.0) as i32;
            r
        });
        // An attempt cut off: a third of a bar's height, at least a pixel, as wide as a bar.
        let cut_bar = |c: &Cut| {
            let y = f64::from(c.trial);
            let end = (c.end / per).max(c.start / per + narrowest);
            let third = (half / 3.0).max(0.5 / row_px.max(1e-9)).min(half);
            [(c.start / per, y - third), (end, y + third)]
        };
        for c in cuts {
            let [a, b] = cut_bar(c);
            let (a, b) = (chart.backend_coord(&a), chart.backend_coord(&b));
            draw_cut(root, a, b)?;
        }
        for s in spans {
            let [a, b] = bar(s);
            let (a, b) = (chart.backend_coord(&a), chart.backend_coord(&b));
            draw_bar(root, a, b, s.ending, mark)?;
        }
        marks.extend(spans.iter().map(|s| {
            let [a, b] = bar(s);
            Mark {
                href: format!("{trial_pages}{}", s.trial),
                title: s.describe(),
                shape: Shape::Bar(chart.backend_coord(&a), chart.backend_coord(&b)),
            }
        }));
        marks.extend(cuts.iter().map(|c| {
            let [a, b] = cut_bar(c);
            Mark {
                href: format!("{trial_pages}{}", c.trial),
                title: c.describe(),
                shape: Shape::Bar(chart.backend_coord(&a), chart.backend_coord(&b)),
            }
        }));
        // Each ending's entry: a short bar drawn as its trials' are, mark and all.
        let mut y = 30;
        for ending in ENDINGS {
            if spans.iter().any(|s| s.ending == ending) {
                let width = if ending == Ending::Unknown { 4 } else { 16 };
                let at = ((8, y - 5), (8 + width, y + 5));
                draw_bar(&legend, at.0, at.1, ending, mark.map(|_| 4))?;
                legend.draw(&Text::new(
                    ending.label(),
                    (42, y),
                    text_style(14).pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
                y += 22;
            }
        }
        if !cuts.is_empty() {
            draw_cut(&legend, (8, y - 2), (24, y + 2))?;
            legend.draw(&Text::new(
                "cut off",
                (42, y),
                text_style(14).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            y += 22;
        }
        if mark.is_none() {
            let small = text_style(12).pos(Pos::new(HPos::Left, VPos::Center));
            for line in [
                "too many trials for",
                "end marks: a bar's",
                "tooltip says how",
                "it ended",
            ] {
                y += 4;
                legend.draw(&Text::new(line, (8, y), small.clone()))?;
                y += 12;
            }
        }
        Ok(())
    })
}

/// Draws on `area` the bar of a trial that ended as `ending`, between the pixels `a` and `b`
/// (opposite corners), with its end mark of radius `mark` past its right end where there is
/// room for one (`None`: a plain bar): a pruned trial's bar hollow (filled where too thin to
/// show a hollow), a failed one's followed by a cross, a running one's by an arrowhead, an
/// interrupted one's by two upright strokes (a pause), one whose end is unknown by a question
/// mark.
fn draw_bar(
    area: &Area<'_>,
    a: (i32, i32),
    b: (i32, i32),
    ending: Ending,
    mark: Option<i32>,
) -> DrawResult {
    let colour = ending.colour();
    let (left, right) = (a.0.min(b.0), a.0.max(b.0));
    let (top, bottom) = (a.1.min(b.1), a.1.max(b.1));
    let hollow = ending == Ending::Pruned && mark.is_some() && bottom - top >= 3;
    if hollow {
        area.draw(&Rectangle::new(
            [(left, top), (right, bottom)],
            WHITE.filled(),
        ))?;
        area.draw(&Rectangle::new(
            [(left, top), (right, bottom)],
            colour.stroke_width(if bottom - top >= 6 { 2 } else { 1 }),
        ))?;
    } else {
        area.draw(&Rectangle::new(
            [(left, top), (right, bottom)],
            colour.filled(),
        ))?;
    }
    let Some(r) = mark else {
        return Ok(());
    };
    let y = (top + bottom) / 2;
    let x = right + 2;
    match ending {
        Ending::Completed | Ending::Pruned => {}
        Ending::Failed => {
            let (x, width) = (x + r, if r >= 3 { 2 } else { 1 });
            area.draw(&PathElement::new(
                vec![(x - r, y - r), (x + r, y + r)],
                colour.stroke_width(width),
            ))?;
            area.draw(&PathElement::new(
                vec![(x - r, y + r), (x + r, y - r)],
                colour.stroke_width(width),
            ))?;
        }
        Ending::Open => area.draw(&Polygon::new(
            vec![(x, y - r), (x + r + r / 2 + 1, y), (x, y + r)],
            colour.filled(),
        ))?,
        Ending::Interrupted => {
            let width = if r >= 3 { 2 } else { 1 };
            for at in [x + 1, x + 1 + r] {
                area.draw(&PathElement::new(
                    vec![(at, y - r), (at, y + r)],
                    colour.stroke_width(width),
                ))?;
            }
        }
        Ending::Unknown => area.draw(&Text::new(
            "?",
            (x + 1, y),
            text_style(u32::try_from(3 * r).unwrap_or(12)).pos(Pos::new(HPos::Left, VPos::Center)),
        ))?,
    }
    Ok(())
}

/// Draws on `area` the thin grey bar of an attempt cut off, between the pixels `a` and `b`
/// (opposite corners).
fn draw_cut(area: &Area<'_>, a: (i32, i32), b: (i32, i32)) -> DrawResult {
    let (left, right) = (a.0.min(b.0), a.0.max(b.0));
    let (top, bottom) = (a.1.min(b.1), a.1.max(b.1));
    area.draw(&Rectangle::new(
        [(left, top), (right, bottom)],
        CUT_GREY.filled(),
    ))?;
    Ok(())
}

impl Cut {
    /// Returns what its bar's tooltip says: the trial, what cut the attempt off, its epochs
    /// and how long it ran.
    fn describe(&self) -> String {
        // Milliseconds of a run fit an i64 for 290 million years.
        #[allow(clippy::cast_possible_truncation)]
        let ran = experiment::format_duration(((self.end - self.start) * 1000.0).round() as i64);
        let epochs = format!(
            "{} epoch{}",
            self.epochs,
            if self.epochs == 1 { "" } else { "s" }
        );
        let ran = match self.time_known {
            true => format!("after {ran} and {epochs}"),
            false => format!("after {epochs}, its time not recorded"),
        };
        format!(
            "trial {}: an attempt {} {ran}, then run again from scratch",
            self.trial, self.by
        )
    }
}

impl Span {
    /// Returns what a bar's tooltip says: the trial, how it ended and how long it ran.
    fn describe(&self) -> String {
        // Milliseconds of a run fit an i64 for 290 million years.
        #[allow(clippy::cast_possible_truncation)]
        let ran = experiment::format_duration(((self.end - self.start) * 1000.0).round() as i64);
        match self.ending {
            Ending::Open => format!("trial {}: running for {ran}", self.trial),
            Ending::Interrupted => format!(
                "trial {}: interrupted, last heard from after {ran} (the sweep was killed while \
                 it ran)",
                self.trial
            ),
            Ending::Unknown => format!(
                "trial {}: end unknown (the sweep ended without a word while it ran: a kill or \
                 a crash)",
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
            &[],
            "/t/",
        );
        let marks = svg.split("<g class=\"marks\">").nth(1).unwrap_or_default();
        assert_eq!(marks.matches("<rect ").count(), 4, "{marks}");
        for title in [
            "<a href=\"/t/0\" tabindex=\"-1\"><rect",
            "<title>trial 0: completed after 2.5s</title>",
            "<title>trial 1: pruned after 0.3s</title>",
            "<title>trial 2: running for 1m39s</title>",
            "<title>trial 3: end unknown (the sweep ended without a word while it ran: a kill or \
             a crash)</title>",
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
        let svg = timeline(&spans, &[], "/t/");
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
