//! The legend of a line chart of curves, in its margin on the right: an entry per coloured
//! curve (dashed for a running one, `dashes`), the curves with no values, the dimmed and the
//! running ones' entries (with the running curves' hollow arrowhead, where one's latest epoch
//! lies off the axis), and a note of what the axis cuts off.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::marks::hollow_arrowhead;
use super::{absent_entry, Curve, Emphasis, RUNNING_INK, RUNNING_LABEL};
use crate::charts::axis::Past;
use crate::charts::dashes::{Dashes, RUNNING};
use crate::charts::{
    draw_symbol, legend_entry, palette, symbol, text_style, Area, DrawResult, Marker, DIM,
};

/// What a curve chart's legend lists.
#[derive(Debug)]
pub(super) struct Legend<'a> {
    /// The curves drawn, each with its points drawn, in the chart's order.
    pub(super) lines: &'a [(&'a Curve, Vec<(f64, f64)>)],
    /// The coloured curves with no values to draw.
    pub(super) absent: &'a [&'a Curve],
    /// The entry of the dimmed curves (pruned trials).
    pub(super) dimmed_label: &'a str,
    /// Which way the axis cuts the curves off (`above`, `below`, `above and below`): the
    /// coloured curves, and the running ones but for their latest epochs.
    pub(super) cut: Option<&'a str>,
    /// How far the values far past the other curves' run (`up to 3e30`), where the axis cuts
    /// those off rather than first epochs; empty where it does not.
    pub(super) far_ends: &'a [String],
    /// Which way the running curves' latest epochs lie off the axis, each marked by a hollow
    /// arrowhead on its edge (`above`, `below`, `above and below`).
    pub(super) running_off: Option<&'a str>,
    /// What the x axis counts (`epoch`).
    pub(super) x_label: &'a str,
}

/// Draws the legend `listed` in `legend`, the margin of `root` (the chart's whole area): a
/// running curve's entry is dashed as its curve is, through `dashes`.
pub(super) fn draw_legend(
    root: &Area<'_>,
    legend: &Area<'_>,
    dashes: &mut Dashes,
    listed: &Legend<'_>,
) -> DrawResult {
    let Legend {
        lines,
        absent,
        dimmed_label,
        cut,
        far_ends,
        running_off,
        x_label,
    } = *listed;
    // A legend entry's dashes, where `Marker::Line` draws its line.
    let (bx, by) = legend.get_base_pixel();
    let mut dash = |y: i32, colour: RGBColor| {
        dashes.draw(
            root,
            &[(bx + 6, by + y), (bx + 24, by + y)],
            colour,
            RUNNING,
        )
    };
    let mut y = 24;
    for (curve, _) in lines {
        match curve.emphasis {
            Emphasis::Colour(i) => {
                let marker = Marker::Series(symbol(i));
                legend_entry(legend, (6, y), palette(i), marker, &curve.label)?;
            }
            Emphasis::RunningColour(i) => {
                let label = format!("{} (running)", curve.label);
                legend_entry(legend, (6, y), palette(i), Marker::Blank, &label)?;
                dash(y, palette(i))?;
                draw_symbol(legend, (15, y), symbol(i), palette(i), 4, false)?;
            }
            Emphasis::Dimmed | Emphasis::Running => continue,
        }
        y += 20;
    }
    let small = text_style(12).pos(Pos::new(HPos::Left, VPos::Center));
    for curve in absent {
        y = absent_entry(legend, y, &curve.label)?;
    }
    if lines.iter().any(|(c, _)| c.emphasis == Emphasis::Dimmed) {
        legend_entry(legend, (6, y), DIM, Marker::Line(1), dimmed_label)?;
        y += 20;
    }
    if lines.iter().any(|(c, _)| c.emphasis == Emphasis::Running) {
        legend_entry(legend, (6, y), RUNNING_INK, Marker::Blank, RUNNING_LABEL)?;
        dash(y, RUNNING_INK)?;
        y += 20;
    }
    if let Some(way) = running_off {
        // The hollow arrowhead that marks it, pointing the way it lies (up where both do).
        let side = if way == "below" {
            Past::Below
        } else {
            Past::Above
        };
        let tip = if side == Past::Above { 4 } else { -4 };
        hollow_arrowhead(legend, (15, y + tip), side, RUNNING_INK)?;
        for line in [
            format!("running, latest {x_label}"),
            format!("{way} the axis"),
        ] {
            legend.draw(&Text::new(line, (30, y), small.clone()))?;
            y += 16;
        }
        y += 4;
    }
    if let Some(way) = cut {
        let arrow = match way {
            "above" => "▲",
            "below" => "▼",
            _ => "▲▼",
        };
        // The values far past the others that the chart cuts, or else its first epochs.
        let note: Vec<String> = if far_ends.is_empty() {
            vec![
                format!("{arrow} first {x_label}s cut"),
                format!("off {way} the axis;"),
                "a trial's page shows".to_string(),
                "its whole curve".to_string(),
            ]
        } else {
            [
                format!("{arrow} cut off {way}"),
                "the axis: values far".to_string(),
                "past the other curves'".to_string(),
            ]
            .into_iter()
            .chain(far_ends.iter().cloned())
            .collect()
        };
        y += 10;
        for line in note {
            legend.draw(&Text::new(line, (6, y), small.clone()))?;
            y += 16;
        }
    }
    Ok(())
}
