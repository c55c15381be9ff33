//! The dashed lines of the curves of running trials, and of their legend entries: each is drawn
//! with the chart as a stand-in (an empty text in the font family `STAND_IN`, which nothing else
//! is written in), where it lies among the chart's other marks, and once the chart is drawn the
//! stand-in is replaced by a polyline of class `running`, in dashes.
//!
//! Rejected: plotters' own dashed path, which writes a polyline per dash; and drawing the lines
//! in a stroke width nothing else uses, then dashing whatever has that width, which dashed any
//! other mark drawn in it (a best epoch's filled plus is drawn three pixels wide). Plotters'
//! styles carry no attribute of their own, so a style cannot tell its lines apart; a font
//! family is written as it is named, and only a stand-in is named so.

use std::fmt::Write as _;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::charts::{Area, DrawResult};

/// The font family of the stand-ins: no text of a chart is written in it.
const STAND_IN: &str = "sweep-running-dashes";
/// The class, width and dashes of a running curve's line (as wide as a coloured curve's).
const DASHED: &str = "class=\"running\" fill=\"none\" stroke-width=\"2\" stroke-dasharray=\"6 4\"";

/// The dashed lines of a chart, in the order their stand-ins are drawn.
#[derive(Debug, Default)]
pub(super) struct Dashes {
    /// Each line's SVG element.
    lines: Vec<String>,
}

impl Dashes {
    /// Draws on `root` (the chart's whole area) the stand-in of a dashed line in `colour`
    /// through `pixels`, the SVG's own (`backend_coord`), and keeps the line for `fill_in`.
    pub(super) fn draw(
        &mut self,
        root: &Area<'_>,
        pixels: &[(i32, i32)],
        colour: RGBColor,
    ) -> DrawResult {
        if pixels.len() < 2 {
            return Ok(());
        }
        let style = (STAND_IN, 1)
            .into_font()
            .color(&WHITE)
            .pos(Pos::new(HPos::Left, VPos::Top));
        root.draw(&Text::new("", (0, 0), style))?;
        let RGBColor(r, g, b) = colour;
        let mut line = format!("<polyline {DASHED} stroke=\"#{r:02X}{g:02X}{b:02X}\" points=\"");
        for (x, y) in pixels {
            let _ = write!(line, "{x},{y} ");
        }
        line.push_str("\"/>");
        self.lines.push(line);
        Ok(())
    }

    /// Returns `svg` with each stand-in replaced by its line, in order; a chart that could not
    /// be drawn (which has none) as it is.
    pub(super) fn fill_in(&self, svg: String) -> String {
        if self.lines.is_empty() {
            return svg;
        }
        let family = format!("font-family=\"{STAND_IN}\"");
        let mut out = String::with_capacity(svg.len() + self.lines.len() * 200);
        let mut rest = svg.as_str();
        let mut lines = self.lines.iter();
        while let Some(at) = rest.find(&family) {
            let start = rest[..at].rfind("<text").unwrap_or(at);
            let end = rest[at..]
                .find("</text>")
                .map_or(rest.len(), |e| at + e + 7);
            out.push_str(&rest[..start]);
            out.push_str(lines.next().map_or("", String::as_str));
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }
}
