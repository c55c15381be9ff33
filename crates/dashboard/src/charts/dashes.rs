//! Dashed lines of the charts: a running trial's learning curve and its legend entry (`RUNNING`),
//! and a parallel-coordinates line's bridge over a parameter its trial lacks (`BRIDGE`). Each is
//! drawn with the chart as a stand-in (an empty text in the font family `STAND_IN`, which nothing
//! else is written in), where it lies among the chart's other marks, and once the chart is drawn
//! the stand-in is replaced by a polyline of its kind's class, width and dashes.
//!
//! Rejected: plotters' own dashed path, which writes a polyline per dash (hundreds of kilobytes
//! over a few hundred trials); and drawing the lines in a stroke width nothing else uses, then
//! dashing whatever has that width, which dashed any other mark drawn in it (a best epoch's
//! filled plus is drawn three pixels wide) and left every chart to keep a width to itself.
//! Plotters' styles carry no attribute of their own, so a style cannot tell its lines apart; a
//! font family is written as it is named, and only a stand-in is named so.

use std::fmt::Write as _;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Area, DrawResult};

/// The font family of the stand-ins: no text of a chart is written in it.
const STAND_IN: &str = "sweep-dashes";

/// A kind of dashed line: the class that names it in the SVG, its width and its dashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Dash {
    /// The line's class (`running`, `bridge`).
    class: &'static str,
    /// Its stroke width in pixels.
    width: u32,
    /// Its `stroke-dasharray`: dash and gap lengths in pixels.
    pattern: &'static str,
}

/// A running trial's curve and its legend entry: as wide as a coloured curve.
pub(super) const RUNNING: Dash = Dash {
    class: "running",
    width: 2,
    pattern: "6 4",
};

/// A parallel-coordinates line's bridge over the axes its trial has no value on: as wide as
/// the line's solid runs, in shorter dashes.
pub(super) const BRIDGE: Dash = Dash {
    class: "bridge",
    width: 1,
    pattern: "4 3",
};

/// The dashed lines of a chart, in the order their stand-ins are drawn.
#[derive(Debug, Default)]
pub(super) struct Dashes {
    /// Each line's SVG element.
    lines: Vec<String>,
}

impl Dashes {
    /// Draws on `root` (the chart's whole area) the stand-in of a line of kind `dash` in
    /// `colour` (its opacity too) through `pixels`, the SVG's own (`backend_coord`), and keeps
    /// the line for `fill_in`; fewer than two pixels draw nothing.
    pub(super) fn draw(
        &mut self,
        root: &Area<'_>,
        pixels: &[(i32, i32)],
        colour: impl Color,
        dash: Dash,
    ) -> DrawResult {
        if pixels.len() < 2 {
            return Ok(());
        }
        let style = (STAND_IN, 1)
            .into_font()
            .color(&WHITE)
            .pos(Pos::new(HPos::Left, VPos::Top));
        root.draw(&Text::new("", (0, 0), style))?;
        let colour = colour.to_backend_color();
        let (alpha, (r, g, b)) = (colour.alpha, colour.rgb);
        let Dash {
            class,
            width,
            pattern,
        } = dash;
        let mut line = format!(
            "<polyline class=\"{class}\" fill=\"none\" opacity=\"{alpha}\" \
             stroke=\"#{r:02X}{g:02X}{b:02X}\" stroke-width=\"{width}\" \
             stroke-dasharray=\"{pattern}\" points=\""
        );
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::render;

    #[test]
    fn only_the_lines_drawn_as_dashes_are_dashed_whatever_shares_their_width() {
        // A solid line and a ring as wide as each kind's dashes, drawn between and around
        // them: only the two dashed lines are dashed, each in its kind, in the order drawn.
        let mut dashes = Dashes::default();
        let svg = render((200, 100), "dashes", |root| -> DrawResult {
            for dash in [BRIDGE, RUNNING] {
                let solid = RGBColor(1, 2, 3).stroke_width(dash.width);
                root.draw(&PathElement::new(vec![(0, 10), (50, 10)], solid))?;
                root.draw(&Circle::new((60, 60), 4, solid))?;
            }
            dashes.draw(
                root,
                &[(0, 20), (50, 30)],
                RGBColor(0, 114, 178).mix(0.5),
                BRIDGE,
            )?;
            root.draw(&PathElement::new(
                vec![(0, 40), (50, 40)],
                BLACK.stroke_width(1),
            ))?;
            dashes.draw(
                root,
                &[(0, 50), (50, 50), (90, 70)],
                RGBColor(9, 9, 9),
                RUNNING,
            )?;
            dashes.draw(root, &[(5, 5)], BLACK, RUNNING)
        });
        let svg = dashes.fill_in(svg);
        let dashed: Vec<&str> = svg
            .split('<')
            .filter(|e| e.contains("stroke-dasharray"))
            .map(str::trim_end)
            .collect();
        assert_eq!(
            dashed,
            [
                "polyline class=\"bridge\" fill=\"none\" opacity=\"0.5\" stroke=\"#0072B2\" \
                 stroke-width=\"1\" stroke-dasharray=\"4 3\" points=\"0,20 50,30 \"/>",
                "polyline class=\"running\" fill=\"none\" opacity=\"1\" stroke=\"#090909\" \
                 stroke-width=\"2\" stroke-dasharray=\"6 4\" points=\"0,50 50,50 90,70 \"/>",
            ],
            "{svg}"
        );
        assert!(!svg.contains(STAND_IN), "{svg}");
        // The solid line between them stays where it was drawn, between them.
        let bridge = svg.find("class=\"bridge\"").unwrap_or(usize::MAX);
        let solid = svg.find("points=\"0,40 50,40 \"").unwrap_or(0);
        let running = svg.find("class=\"running\"").unwrap_or(0);
        assert!(bridge < solid && solid < running, "{svg}");
    }
}
