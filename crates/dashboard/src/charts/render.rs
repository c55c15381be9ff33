//! Drawing a chart into an SVG string and what is done to the string after: the marks a
//! reader points at and follows (`render_marked`, `Mark`), each trial's tooltip and link over
//! where it is drawn, in a layer hidden from assistive technology; the root tag's class and
//! label (`decorate`, `described_by`); the empty state (`empty`); and the escaping of the text
//! written into attributes here rather than through plotters (`escape_attr`).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Area, DrawResult, FONT, GRID};

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
    /// A line through these points, in pieces (a curve that leaves the axis and comes back
    /// onto it): one mark, with one tooltip, however many pieces.
    Line(Vec<Vec<(i32, i32)>>),
}

impl Mark {
    /// Writes the mark into `out`: a link, out of the tab order, around its shape and tooltip.
    fn write(&self, out: &mut String) {
        use std::fmt::Write as _;
        let href = escape_attr(&self.href);
        let title = escape_attr(&self.title);
        // Not a tab stop: a chart of a thousand trials would take a thousand Tabs to cross; the
        // leaderboard links every trial for the keyboard (and `MARKS_HIDDEN` hides the layer
        // from screen readers).
        let _ = write!(out, "<a href=\"{href}\" tabindex=\"-1\">");
        // A line in several pieces: the link's one tooltip, then each piece.
        if let Shape::Line(pieces) = &self.shape {
            if pieces.len() > 1 {
                let _ = write!(out, "<title>{title}</title>");
                for piece in pieces {
                    write_polyline(out, piece);
                    out.push_str("</polyline>");
                }
                out.push_str("</a>");
                return;
            }
        }
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
            Shape::Line(pieces) => {
                write_polyline(out, pieces.first().map_or(&[][..], Vec::as_slice));
                Ok(())
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

/// Writes into `out` the opening tag of a polyline through `points`.
fn write_polyline(out: &mut String, points: &[(i32, i32)]) {
    use std::fmt::Write as _;
    out.push_str("<polyline points=\"");
    for (i, (x, y)) in points.iter().enumerate() {
        // Writing into a String cannot fail.
        let _ = write!(out, "{}{x},{y}", if i == 0 { "" } else { " " });
    }
    out.push_str("\">");
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

/// Returns `s` escaped for an SVG attribute's value: `<`, `>`, `&` and both quotes as entities.
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
