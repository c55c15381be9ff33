//! Charts: pure functions from prepared data to an SVG string, drawn with plotters.
//!
//! Every chart here takes plain numbers and labels (no store, no request) and returns a complete
//! `<svg>` element, so each is tested on its output alone. The view models decide what to draw
//! (which trials, how many points); the functions here decide how it looks: the colour-blind-safe
//! Okabe–Ito palette for categories, viridis for a continuous scale, legends and colour bars in a
//! margin of their own so they never cover data, and a few well-spaced ticks per axis.
//!
//! Text is escaped by plotters' SVG backend (`<`, `>`, `&`, quotes), so a user-controlled name
//! drawn into a chart cannot open a tag; `tests::names_are_escaped` keeps that true.
//!
//! The charts of trials (history, Pareto fronts, timeline, curves, parallel coordinates, pairs,
//! slices) end with a mark per trial drawn (`render_marked`, `Mark`): an invisible link over its
//! dot, bar or line, placed with the chart's own coordinate mapping, whose tooltip names the
//! trial and what the chart shows of it (`trial_title`, `Scale::text`); their text is escaped
//! here (`escape_attr`). The marks are for the mouse: out of the tab order and hidden from
//! screen readers (`MARKS_HIDDEN`), for whom the chart's label and the leaderboard speak.

mod axis;
mod colour_bar;
mod curves;
mod dashes;
mod edf;
mod history;
mod importance;
mod pairs;
pub(crate) mod parallel;
mod pareto;
mod slices;
mod timeline;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub(crate) use axis::objective_scale;
pub(crate) use curves::{curves, fitted as fitted_curves, Curve, Emphasis, Fit};
pub(crate) use edf::{edf, Distribution};
pub(crate) use history::{best_line, history, HistoryPoint};
pub(crate) use importance::{importance, importance_of_top, stands_out as importance_stands_out};
pub(crate) use pairs::pairs;
pub(crate) use parallel::{parallel, ParAxis, ParLine};
pub(crate) use pareto::{fronts, hypervolume_history, pareto, Front, ParetoPoint};
#[cfg(test)]
pub(crate) use slices::slices;
pub(crate) use slices::{slices_toward, Slice, SlicePoint};
pub(crate) use timeline::{timeline, Cut, Ending, Span};

/// How values along an axis are laid out.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scale {
    /// Evenly spaced numbers between the bounds.
    Linear {
        /// Smallest value shown.
        min: f64,
        /// Largest value shown.
        max: f64,
    },
    /// Evenly spaced whole numbers between the bounds (an integer parameter's values), ticked
    /// at whole numbers only: a tick between two of them names a value no trial can have.
    Whole {
        /// Smallest value shown.
        min: f64,
        /// Largest value shown.
        max: f64,
    },
    /// Evenly spaced powers between the bounds (both positive).
    Log {
        /// Smallest value shown.
        min: f64,
        /// Largest value shown.
        max: f64,
    },
    /// Named values in a fixed order; a value is its index.
    Categories(Vec<String>),
}

impl Scale {
    /// Returns `value` as a tooltip writes it: a category's name, or the number to 4
    /// significant digits (`0.0012`, `256`, `1.419e-5`); `-` for an index with no category.
    pub(crate) fn text(&self, value: f64) -> String {
        match self {
            Scale::Categories(names) => {
                let name = (value >= 0.0 && value.fract() == 0.0)
                    .then(|| {
                        // A category's index: a small non-negative whole number.
                        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                        let i = value as usize;
                        names.get(i)
                    })
                    .flatten();
                name.map_or_else(|| "-".to_string(), Clone::clone)
            }
            Scale::Linear { .. } | Scale::Whole { .. } | Scale::Log { .. } => precise(value),
        }
    }
}

/// Formats a value for a tooltip: as a tick is, but in exponent form to 4 significant digits
/// too (`1.419e-5`, where a tick reads `1.4e-5`).
fn precise(v: f64) -> String {
    let short = tick(v);
    if !short.contains('e') || !v.is_finite() {
        return short;
    }
    let full = format!("{v:.3e}");
    match full.split_once('e') {
        Some((mantissa, exponent)) => {
            let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
            format!("{mantissa}e{exponent}")
        }
        None => full,
    }
}

/// Returns the start of a trial's tooltip: its number and its `objective`'s value, and
/// `(pruned)` for a trial stopped early, whose value is the one it was stopped with
/// (`trial 12: val_accuracy 0.9805 (pruned)`).
pub(crate) fn trial_title(
    trial: u32,
    (objective, value): (&str, Option<f64>),
    pruned: bool,
) -> String {
    format!(
        "trial {trial}: {objective} {}{}",
        experiment::named_metric_text(objective, value),
        if pruned { " (pruned)" } else { "" }
    )
}

/// The categorical palette: Okabe and Ito's eight colours, reordered so that the first few differ
/// most, with a dark olive in place of the yellow that is unreadable on white, and the orange and
/// the sky blue darkened to 3.2:1 against the white chart (2.3:1 as published; WCAG asks 3:1 of
/// a graphic one must see), keeping their hues.
pub(crate) const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(200, 130, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
    RGBColor(51, 153, 214),
    RGBColor(0, 0, 0),
    RGBColor(153, 153, 51),
];

/// The shape that tells a series apart beside its colour, for a reader who does not see the
/// colour (colour blindness, a print in grey; WCAG's "use of colour"): series `i` of a chart
/// takes `symbol(i)`, drawn hollow along its line and filled where it is marked (a trial's best
/// epoch), and the same in its legend entry and its swatch on the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Symbol {
    /// A circle.
    Circle,
    /// A square.
    Square,
    /// A triangle, point up.
    Triangle,
    /// A square on its corner.
    Diamond,
    /// A triangle, point down.
    TriangleDown,
    /// A plus sign, drawn as two strokes.
    Plus,
    /// A five-pointed star.
    Star,
    /// A triangle, point right.
    TriangleRight,
}

/// The symbols in the order series take them: as many as the palette's colours, so that each
/// of a chart's first eight series has a colour and a shape of its own.
const SYMBOLS: [Symbol; 8] = [
    Symbol::Circle,
    Symbol::Square,
    Symbol::Triangle,
    Symbol::Diamond,
    Symbol::TriangleDown,
    Symbol::Plus,
    Symbol::Star,
    Symbol::TriangleRight,
];

/// Returns the symbol of series `i`: the `i`-th of `SYMBOLS`, and past the eighth series one
/// further along for each round of the palette, so that the first 64 series still differ in
/// the pair of colour and shape.
pub(crate) fn symbol(i: usize) -> Symbol {
    SYMBOLS[(i + i / PALETTE.len()) % SYMBOLS.len()]
}

impl Symbol {
    /// Returns the corners of the shape of radius `r` around the origin, or `None` for a circle
    /// and a plus, which are not polygons.
    fn corners(self, r: i32) -> Option<Vec<(i32, i32)>> {
        // A triangle's centre sits a third of its height above its base, so that it looks
        // centred on the point it marks.
        let (t, b) = (-(r + r / 4), r - r / 4);
        match self {
            Symbol::Circle | Symbol::Plus => None,
            Symbol::TriangleRight => Some(vec![(-t, 0), (-b, r), (-b, -r)]),
            Symbol::Star => Some(star(r)),
            Symbol::Square => {
                let s = r - r / 5;
                Some(vec![(-s, -s), (s, -s), (s, s), (-s, s)])
            }
            Symbol::Triangle => Some(vec![(0, t), (r, b), (-r, b)]),
            Symbol::TriangleDown => Some(vec![(0, -t), (r, -b), (-r, -b)]),
            Symbol::Diamond => Some(vec![(0, -r), (r, 0), (0, r), (-r, 0)]),
        }
    }

    /// Returns the shape of radius `r` around the origin as an SVG element filled with `fill`
    /// (`#RRGGBB`), for a swatch on the page.
    fn svg(self, r: i32, fill: &str) -> String {
        match self.corners(r) {
            None if self == Symbol::Plus => format!(
                "<path d=\"M{} 0H{r}M0 {}V{r}\" stroke=\"{fill}\" stroke-width=\"3\"/>",
                -r, -r
            ),
            None => format!("<circle r=\"{r}\" fill=\"{fill}\"/>"),
            Some(corners) => {
                let points: Vec<String> = corners.iter().map(|(x, y)| format!("{x},{y}")).collect();
                format!("<polygon points=\"{}\" fill=\"{fill}\"/>", points.join(" "))
            }
        }
    }
}

/// Returns the ten corners of a five-pointed star of radius `r` around the origin, point up.
fn star(r: i32) -> Vec<(i32, i32)> {
    let inner = f64::from(r) * 0.45;
    (0..10)
        .map(|k| {
            let radius = if k % 2 == 0 { f64::from(r) } else { inner };
            let angle = std::f64::consts::PI * (f64::from(k) / 5.0 - 0.5);
            // A few pixels: the rounded values fit an i32.
            #[allow(clippy::cast_possible_truncation)]
            let at = (
                (radius * angle.cos()).round() as i32,
                (radius * angle.sin()).round() as i32,
            );
            at
        })
        .collect()
}

/// Draws `symbol` of radius `r` centred on the pixel `at` of `area`: filled with `colour`, or
/// hollow (white inside a line of `colour`), which tells a line's symbols from a marked point.
/// A plus has no inside: hollow, it is two strokes of width 2; filled, larger and of width 3.
fn draw_symbol(
    area: &Area<'_>,
    (x, y): (i32, i32),
    symbol: Symbol,
    colour: RGBColor,
    r: i32,
    filled: bool,
) -> DrawResult {
    if symbol == Symbol::Plus {
        let (r, width) = if filled { (r + 1, 3) } else { (r, 2) };
        area.draw(&PathElement::new(
            vec![(x - r, y), (x + r, y)],
            colour.stroke_width(width),
        ))?;
        area.draw(&PathElement::new(
            vec![(x, y - r), (x, y + r)],
            colour.stroke_width(width),
        ))?;
        return Ok(());
    }
    // A hollow star of the others' radius is all outline (its arms are a pixel or two wide):
    // drawn larger, its white shows.
    let r = if symbol == Symbol::Star && !filled {
        r + 2
    } else {
        r
    };
    match symbol.corners(r) {
        None if filled => area.draw(&Circle::new((x, y), r, colour.filled()))?,
        None => {
            area.draw(&Circle::new((x, y), r, WHITE.filled()))?;
            area.draw(&Circle::new((x, y), r, colour.stroke_width(2)))?;
        }
        Some(corners) => {
            let at: Vec<(i32, i32)> = corners.iter().map(|(dx, dy)| (x + dx, y + dy)).collect();
            if filled {
                area.draw(&Polygon::new(at, colour.filled()))?;
            } else {
                area.draw(&Polygon::new(at.clone(), WHITE.filled()))?;
                let mut outline = at;
                outline.extend(outline.first().copied());
                area.draw(&PathElement::new(outline, colour.stroke_width(2)))?;
            }
        }
    }
    Ok(())
}

/// The symbols drawn along one line.
const SYMBOLS_PER_LINE: usize = 6;

/// Returns where series `i`'s symbols go along its line `points` (in order of x) on an x axis
/// over `x0..x1`: only on its real points (a symbol between two epochs would show a value
/// never recorded). A line of at most `SYMBOLS_PER_LINE` points gets one on each; a longer one,
/// for each of even steps across the axis (shifted a little for each series, so that the
/// symbols of lines that lie on one another do not hide each other), the point nearest it,
/// each point once; where the line does not reach (a curve that stopped early), none.
pub(crate) fn symbol_points(
    points: &[(f64, f64)],
    (x0, x1): (f64, f64),
    i: usize,
) -> Vec<(f64, f64)> {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Vec::new();
    };
    if points.len() <= SYMBOLS_PER_LINE {
        return points.to_vec();
    }
    #[allow(clippy::cast_precision_loss)]
    let shift = (i % SYMBOLS.len()) as f64 / SYMBOLS.len() as f64 - 0.4375;
    let mut picked: Vec<usize> = Vec::with_capacity(SYMBOLS_PER_LINE);
    for j in 0..SYMBOLS_PER_LINE {
        #[allow(clippy::cast_precision_loss)]
        let x = x0 + (x1 - x0) * (j as f64 + 0.5 + shift * 0.9) / SYMBOLS_PER_LINE as f64;
        if x < first.0 || x > last.0 {
            continue;
        }
        // The nearer of the points on either side of x.
        let k = points.partition_point(|p| p.0 < x);
        let before = k.saturating_sub(1);
        let after = k.min(points.len() - 1);
        let nearest = if (x - points[before].0).abs() <= (points[after].0 - x).abs() {
            before
        } else {
            after
        };
        // The targets rise, so a point picked twice is picked in a row.
        if picked.last() != Some(&nearest) {
            picked.push(nearest);
        }
    }
    picked.into_iter().map(|k| points[k]).collect()
}

/// Returns the swatch of series `i` for a table beside its chart: its symbol, filled with its
/// colour, as an inline SVG the page's text flows around.
pub(crate) fn swatch(i: usize) -> String {
    let c = palette(i);
    let fill = format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
    format!(
        "<svg class=\"swatch\" viewBox=\"-7 -7 14 14\" width=\"14\" height=\"14\" aria-hidden=\"true\">{}</svg>",
        symbol(i).svg(6, &fill)
    )
}

/// Grey for de-emphasized data (pruned trials), meant to sit behind the rest: 2.96:1 against
/// white, so a mark that must show on its own takes [`MARK_GREY`].
pub(crate) const DIM: RGBColor = RGBColor(150, 150, 150);
/// Grey for a de-emphasized mark that must show on its own (the Pareto chart's dominated dots,
/// the timeline's pruned bars): 4.5:1 against white, where [`DIM`] is under the 3:1 such a mark
/// needs.
pub(crate) const MARK_GREY: RGBColor = RGBColor(118, 118, 118);
const TEXT: RGBColor = RGBColor(40, 40, 40);
const GRID: RGBColor = RGBColor(232, 232, 232);
const FONT: &str = "sans-serif";

type DrawResult = Result<(), Box<dyn std::error::Error>>;
type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Returns the categorical colour of series `i`, cycling through `PALETTE`.
pub(crate) fn palette(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Returns the viridis colour at `t` in [0, 1] (0 dark purple, 1 yellow).
pub(crate) fn viridis(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 9] = [
        (68, 1, 84),
        (71, 45, 123),
        (59, 82, 139),
        (44, 114, 142),
        (33, 145, 140),
        (40, 174, 128),
        (94, 201, 98),
        (173, 220, 48),
        (253, 231, 37),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (STOPS.len() - 1) as f64;
    // Truncation picks the segment; the last stop has no successor.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let i = (pos.floor() as usize).min(STOPS.len() - 2);
    let f = pos - i as f64;
    let mix = |a: u8, b: u8| -> u8 {
        // The result lies between two bytes.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let v = (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
        v
    };
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// How far along viridis the worst rank goes: its colour, (36, 157, 135), stands 3.4:1 against
/// the white chart (WCAG's contrast for a graphic one must see); the yellow past it is nearly
/// invisible on white.
const RANK_LIGHTEST: f64 = 0.55;

/// Returns the colour of a trial of `goodness` in [0, 1] (1 the best) on a chart coloured by
/// rank: viridis from dark purple (the best) to a green that still shows on white (the worst).
pub(crate) fn rank_colour(goodness: f64) -> RGBColor {
    viridis(RANK_LIGHTEST * (1.0 - goodness))
}

/// What an experiment's models predict, as far as its spec or its metrics tell: it gives the
/// losses their unit (classification trains on cross-entropy, regression on the mean squared
/// error of the standardized target).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Task {
    /// A class out of a few.
    Classification,
    /// A real number.
    Regression,
    /// Not known (a spec that no longer parses and no trial reported yet), or experiments of
    /// both kinds drawn on one chart.
    Unknown,
}

impl Task {
    /// Returns the task of an experiment: its spec's `data.task`, or, where the spec infers it
    /// from the data (or no longer parses), the one that the first of the metric `names`
    /// (reported or asked for) that belongs to one task alone names: `val_rmse` regression,
    /// `val_accuracy` classification.
    pub(crate) fn of<'a>(
        spec: Option<&experiment::ExperimentSpec>,
        mut names: impl Iterator<Item = &'a str>,
    ) -> Task {
        use experiment::Task as Given;
        match spec.and_then(|s| s.data.task) {
            Some(Given::Classification) => Task::Classification,
            Some(Given::Regression) => Task::Regression,
            None => names
                .find_map(|n| {
                    match (
                        Given::Regression.reports(n),
                        Given::Classification.reports(n),
                    ) {
                        (true, false) => Some(Task::Regression),
                        (false, true) => Some(Task::Classification),
                        _ => None,
                    }
                })
                .unwrap_or(Task::Unknown),
        }
    }

    /// Returns the task the experiments of `tasks` share, or `Unknown` when they differ.
    pub(crate) fn shared(mut tasks: impl Iterator<Item = Task>) -> Task {
        let first = tasks.next().unwrap_or(Task::Unknown);
        if tasks.all(|t| t == first) {
            first
        } else {
            Task::Unknown
        }
    }
}

/// Returns the axis title of a metric of an experiment of `task`, with its unit where the task
/// gives it one: a loss's unit is the task's training loss, and a name the task does not
/// define has none. A regression loss reads `standardized MSE` (the mean squared error of
/// the standardized target), short enough for the y axis of a trial page's small charts.
pub(crate) fn metric_title(metric: &str, task: Task) -> String {
    match (metric, task) {
        ("epoch_seconds", _) => "epoch_seconds (s)".to_string(),
        (m, Task::Classification | Task::Unknown) if m.ends_with("accuracy") => {
            format!("{m} (fraction)")
        }
        (m, Task::Classification) if m.ends_with("loss") => format!("{m} (cross-entropy)"),
        (m, Task::Regression) if m.ends_with("loss") => {
            format!("{m} (standardized MSE)")
        }
        (m, _) => m.to_string(),
    }
}

/// Formats a tick value with at most four significant digits and no trailing zeros.
pub(crate) fn tick(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v.is_finite() {
            "0".into()
        } else {
            v.to_string()
        };
    }
    let magnitude = v.abs().log10().floor();
    if !(-3.0..5.0).contains(&magnitude) {
        let s = format!("{v:.1e}");
        return s.replace(".0e", "e");
    }
    // A small non-negative number of decimals.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let decimals = (3.0 - magnitude).max(0.0) as usize;
    fixed(v, decimals)
}

/// Formats `v` with `decimals` decimals, less trailing zeros (`0.500` is `0.5`, `2.000` is `2`).
fn fixed(v: f64, decimals: usize) -> String {
    trim_zeros(&format!("{v:.decimals$}")).to_string()
}

/// Returns a written number less the trailing zeros of its fraction, and its point where none
/// is left (`1.50` is `1.5`, `2.0` is `2`); one without a point is left whole (`100`).
fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// Formats `v` to `digits` significant digits with no trailing zeros, in exponent form where
/// `tick` uses it (`0.00996`, `0.003`, `6.82e-4`): an axis's end, which is where the data
/// ends rather than a round value, reads as precisely as the other end.
pub(crate) fn significant(v: f64, digits: usize) -> String {
    if v == 0.0 || !v.is_finite() {
        return tick(v);
    }
    let exponent_form = format!("{v:.prec$e}", prec = digits.saturating_sub(1));
    let Some((mantissa, exponent)) = exponent_form.split_once('e') else {
        return exponent_form;
    };
    let mantissa = trim_zeros(mantissa);
    let rounded: f64 = exponent_form.parse().unwrap_or(v);
    let magnitude = rounded.abs().log10().floor();
    if (-3.0..5.0).contains(&magnitude) {
        // Every one of the rounded value's `digits` significant digits (`tick` would keep
        // four), less trailing zeros.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let decimals = (u32::try_from(digits.saturating_sub(1)).map_or(f64::MAX, f64::from)
            - magnitude)
            .clamp(0.0, 20.0) as usize;
        fixed(rounded, decimals)
    } else {
        format!("{mantissa}e{exponent}")
    }
}

/// Formats a tick of a trial-number axis: whole numbers only (those [`whole`] finds), others
/// left empty.
pub(crate) fn trial_tick(v: f64) -> String {
    whole(v).map_or_else(String::new, |whole| tick(whole + 0.0))
}

/// Returns the whole number `v` is within a hair of, or `None` where it is none: ticks are
/// sums of float steps (0.2 * 5 is not 1).
pub(crate) fn whole(v: f64) -> Option<f64> {
    let whole = v.round();
    ((v - whole).abs() < 1e-9).then_some(whole)
}

/// Returns a padded `(min, max)` over the finite values, or `None` when there are none.
pub(crate) fn padded_range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        return None;
    }
    if lo == hi {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.05 };
        return Some((lo - pad, hi + pad));
    }
    let pad = (hi - lo) * 0.05;
    Some((lo - pad, hi + pad))
}

/// Draws a chart into a fresh SVG of `size` and returns it, labelled `label` for screen readers;
/// a drawing error (which the string backend does not produce in practice) gives an empty state.
pub(crate) fn render(
    size: (u32, u32),
    label: &str,
    draw: impl FnOnce(&Area<'_>) -> DrawResult,
) -> String {
    render_marked(size, label, |root, _| draw(root))
}

/// Opens the group around a chart's marks that keeps them out of the accessibility tree.
///
/// A mark is a link for the mouse only: the charts of the quickstart's 40 trials drew 112 of
/// the experiment page's 141 links, which a screen reader's list of links and a keyboard's Tab
/// would wade through. So the marks are not tab stops (`tabindex="-1"`, `Mark::write`) and the
/// layer is `aria-hidden`; the chart's `aria-label` is its one text alternative, and the
/// leaderboard, whose rows link every trial, is the keyboard's and the screen reader's way to
/// a trial. (A wrapper rather than an attribute on `<g class="marks">`, so that what finds the
/// layer by that tag still does.)
const MARKS_HIDDEN: &str = "<g aria-hidden=\"true\">";

/// Draws a chart as `render` does, then the trials it drew as marks a reader can point at (a
/// tooltip) and follow (the trial's page): `draw` adds a mark for each trial where it drew it,
/// in a layer hidden from assistive technology (`MARKS_HIDDEN`).
pub(crate) fn render_marked(
    size: (u32, u32),
    label: &str,
    draw: impl FnOnce(&Area<'_>, &mut Vec<Mark>) -> DrawResult,
) -> String {
    let mut svg = String::new();
    let mut marks = Vec::new();
    let outcome = {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE)
            .map_err(|e| -> Box<dyn std::error::Error> { Box::new(e) })
            .and_then(|()| draw(&root, &mut marks))
            .and_then(|()| {
                root.present()
                    .map_err(|e| -> Box<dyn std::error::Error> { Box::new(e) })
            })
    };
    if let Err(e) = outcome {
        tracing::error!(error = %e, chart = label, "chart drawing failed");
        return empty(size, label, "this chart could not be drawn");
    }
    if !marks.is_empty() {
        if let Some(end) = svg.rfind("</svg>") {
            let mut layer = String::with_capacity(marks.len() * 140 + 56);
            // Out of the accessibility tree (`MARKS_HIDDEN`): the chart's label speaks for it.
            layer.push_str(MARKS_HIDDEN);
            layer.push_str("<g class=\"marks\">");
            for mark in &marks {
                mark.write(&mut layer);
            }
            layer.push_str("</g></g>\n");
            svg.insert_str(end, &layer);
        }
    }
    decorate(svg, label)
}

/// Returns the pages a chart's marks link to, in the order they are drawn (for tests).
#[cfg(test)]
pub(crate) fn mark_hrefs(svg: &str) -> Vec<String> {
    let marks = svg.split("<g class=\"marks\">").nth(1).unwrap_or_default();
    marks
        .split("href=\"")
        .skip(1)
        .filter_map(|m| m.split('"').next())
        .map(str::to_string)
        .collect()
}

/// A trial drawn on a chart, as a reader can point at it (its tooltip names the trial and what
/// the chart shows of it) and follow it to the trial's page; drawn over the chart, unseen until
/// pointed at.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mark {
    /// The trial's page.
    pub(crate) href: String,
    /// The tooltip.
    pub(crate) title: String,
    /// Where the trial is drawn, in the SVG's pixels.
    pub(crate) shape: Shape,
}

/// Where a mark lies.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    /// A point: a circle of this radius around it.
    Dot((i32, i32), u32),
    /// A bar from one corner to the other.
    Bar((i32, i32), (i32, i32)),
    /// A line through these points.
    Line(Vec<(i32, i32)>),
}

impl Mark {
    fn write(&self, out: &mut String) {
        use std::fmt::Write as _;
        let href = escape_attr(&self.href);
        let title = escape_attr(&self.title);
        // Not a tab stop: a chart of a thousand trials would take a thousand Tabs to cross; the
        // leaderboard links every trial for the keyboard (and `MARKS_HIDDEN` hides the layer
        // from screen readers).
        let _ = write!(out, "<a href=\"{href}\" tabindex=\"-1\">");
        // Writing into a String cannot fail.
        let _ = match &self.shape {
            Shape::Dot((x, y), r) => {
                write!(out, "<circle cx=\"{x}\" cy=\"{y}\" r=\"{r}\">")
            }
            Shape::Bar((x0, y0), (x1, y1)) => write!(
                out,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\">",
                x0.min(x1),
                y0.min(y1),
                (x1 - x0).abs().max(2),
                (y1 - y0).abs().max(2)
            ),
            Shape::Line(points) => {
                out.push_str("<polyline points=\"");
                for (i, (x, y)) in points.iter().enumerate() {
                    let _ = write!(out, "{}{x},{y}", if i == 0 { "" } else { " " });
                }
                write!(out, "\">")
            }
        };
        let _ = write!(out, "<title>{title}</title>");
        out.push_str(match self.shape {
            Shape::Dot(..) => "</circle></a>",
            Shape::Bar(..) => "</rect></a>",
            Shape::Line(..) => "</polyline></a>",
        });
    }
}

/// Returns an SVG of `size` that shows `message` in place of a chart.
pub(crate) fn empty(size: (u32, u32), label: &str, message: &str) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        let (w, h) = (
            i32::try_from(size.0).unwrap_or(0),
            i32::try_from(size.1).unwrap_or(0),
        );
        let style = TextStyle::from((FONT, 16).into_font())
            .color(&RGBColor(110, 110, 110))
            .pos(Pos::new(HPos::Center, VPos::Center));
        // Drawing into a string cannot fail; an error would only lose the message.
        let _ = root.fill(&RGBColor(250, 250, 250));
        let _ = root.draw(&Rectangle::new(
            [(0, 0), (w - 1, h - 1)],
            GRID.stroke_width(1),
        ));
        let _ = root.draw(&Text::new(message.to_string(), (w / 2, h / 2), style));
        let _ = root.present();
    }
    decorate(svg.replacen("<svg ", "<svg data-empty=\"true\" ", 1), label)
}

/// The symbol of a legend entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    /// A short line of this width.
    Line(u32),
    /// A filled dot.
    Dot,
    /// An empty ring.
    Ring,
    /// A cross.
    Cross,
    /// A short line of width 2 with a series' symbol, hollow, in its middle.
    Series(Symbol),
    /// A series' symbol, filled.
    Symbol(Symbol),
    /// Nothing: the caller draws the marker (a running curve's dashes, `dashes`).
    Blank,
}

/// Draws a legend entry (its marker, then the label) with its left edge at `(x, y)`.
fn legend_entry(
    area: &Area<'_>,
    (x, y): (i32, i32),
    colour: RGBColor,
    marker: Marker,
    label: &str,
) -> DrawResult {
    match marker {
        Marker::Line(width) => area.draw(&PathElement::new(
            vec![(x, y), (x + 18, y)],
            colour.stroke_width(width),
        ))?,
        Marker::Dot => area.draw(&Circle::new((x + 9, y), 4, colour.filled()))?,
        Marker::Ring => area.draw(&Circle::new((x + 9, y), 4, colour.stroke_width(1)))?,
        Marker::Cross => area.draw(&Cross::new((x + 9, y), 4, colour.stroke_width(2)))?,
        Marker::Series(symbol) => {
            area.draw(&PathElement::new(
                vec![(x, y), (x + 18, y)],
                colour.stroke_width(2),
            ))?;
            draw_symbol(area, (x + 9, y), symbol, colour, 4, false)?;
        }
        Marker::Symbol(symbol) => draw_symbol(area, (x + 9, y), symbol, colour, 5, true)?,
        Marker::Blank => {}
    }
    area.draw(&Text::new(
        shorten_middle(label, 22),
        (x + 24, y),
        text_style(14).pos(Pos::new(HPos::Left, VPos::Center)),
    ))?;
    Ok(())
}

/// Returns a text style of `size` pixels in the chart font and colour.
fn text_style(size: u32) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).color(&TEXT)
}

/// Cuts `s` to `max` characters, ending with an ellipsis when cut.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Cuts `s` to `max` characters by leaving out its middle, for legends: names that share a
/// beginning (`digits-mlp-pareto-random-seed1`, `...-seed2`) stay told apart by their ends.
pub(crate) fn shorten_middle(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let head = max.saturating_sub(1) / 2;
    let tail = max.saturating_sub(1) - head;
    let mut out: String = s.chars().take(head).collect();
    out.push('…');
    out.extend(s.chars().skip(n - tail));
    out
}

/// Returns `chart` (a chart this module drew) described by the element `id` of its page (the
/// panel's visible hint, saying what the chart shows and how to read it): its root `<svg>` tag
/// gains `aria-describedby`, which screen readers read after its label.
pub(crate) fn described_by(chart: String, id: &str) -> String {
    chart.replacen(
        "<svg class=\"chart\" role=\"img\" ",
        &format!(
            "<svg class=\"chart\" role=\"img\" aria-describedby=\"{}\" ",
            escape_attr(id)
        ),
        1,
    )
}

/// Adds the chart class and an accessible label (escaped) to the root `<svg>` tag.
fn decorate(svg: String, label: &str) -> String {
    let label = escape_attr(label);
    svg.replacen(
        "<svg ",
        &format!("<svg class=\"chart\" role=\"img\" aria-label=\"{label}\" "),
        1,
    )
}

fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_colour_bar;
#[cfg(test)]
mod tests_outliers;
#[cfg(test)]
mod tests_reach;
#[cfg(test)]
mod tests_scales;
