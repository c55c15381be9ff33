//! Parameter importance as horizontal bars, most important first.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{render, shorten, text_style, DrawResult, GRID, PALETTE};
use crate::importance::{TopSet, GAMMA, MIN_TOP};

const WIDTH: u32 = 900;
const ROW: i32 = 28;
const LABEL: i32 = 140;

/// Returns the importance chart of `(parameter, share)` pairs (shares in [0, 1]), or the empty
/// state `empty_message` when there are none; its caption names the top set by its rule.
pub(crate) fn importance(items: &[(String, f64)], empty_message: &str) -> String {
    drawn(items, None, empty_message)
}

/// Returns the importance chart `importance` draws, its caption naming the `top` set the shares
/// compared with all trials (`top 5 of 10 trials`).
pub(crate) fn importance_of_top(
    items: &[(String, f64)],
    top: TopSet,
    empty_message: &str,
) -> String {
    drawn(items, Some(top), empty_message)
}

fn drawn(items: &[(String, f64)], top: Option<TopSet>, empty_message: &str) -> String {
    let label = "parameter importance";
    let rows = i32::try_from(items.len()).unwrap_or(0);
    let height = u32::try_from(50 + ROW * rows.max(3)).unwrap_or(200);
    if items.is_empty() {
        return super::empty((WIDTH, height), label, empty_message);
    }
    let mut sorted: Vec<&(String, f64)> = items.iter().collect();
    sorted.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    // The shares in words too: a screen reader reads the chart's label, not its drawing.
    let shares: Vec<String> = sorted
        .iter()
        .map(|(name, share)| format!("{name} {:.0}%", share * 100.0))
        .collect();
    // Which trials the shares compare with all of them.
    let compared = match top {
        Some(TopSet { top, of }) => format!("top {top} of {of} trials"),
        None => format!("top {:.0}% of trials, at least {MIN_TOP}", GAMMA * 100.0),
    };
    let label = if stands_out(items) {
        format!("{label}: {} ({compared})", shares.join(", "))
    } else {
        format!("{label}: no parameter stands out ({compared})")
    };
    let w = i32::try_from(WIDTH).unwrap_or(500);
    let bar_max = w - LABEL - 70;
    render((WIDTH, height), &label, |root| -> DrawResult {
        for (k, (name, share)) in sorted.iter().enumerate() {
            let y = 12 + ROW * i32::try_from(k).unwrap_or(0);
            let share = if share.is_finite() {
                share.clamp(0.0, 1.0)
            } else {
                0.0
            };
            // A bar length in pixels.
            #[allow(clippy::cast_possible_truncation)]
            let len = (share * f64::from(bar_max)).round() as i32;
            root.draw(&Rectangle::new(
                [(LABEL, y + 3), (LABEL + bar_max, y + ROW - 5)],
                GRID.filled(),
            ))?;
            root.draw(&Rectangle::new(
                [(LABEL, y + 3), (LABEL + len.max(1), y + ROW - 5)],
                PALETTE[0].filled(),
            ))?;
            let mid = y + ROW / 2 - 1;
            root.draw(&Text::new(
                shorten(name, 18),
                (LABEL - 8, mid),
                text_style(13).pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            root.draw(&Text::new(
                format!("{:.0}%", share * 100.0),
                (LABEL + bar_max + 8, mid),
                text_style(12).pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        let y = 12 + ROW * rows + 14;
        let caption = if stands_out(items) {
            format!("share of importance (PED-ANOVA, {compared})")
        } else {
            format!("no parameter stands out (PED-ANOVA, {compared}: none beats chance)")
        };
        root.draw(&Text::new(
            caption,
            (LABEL + bar_max / 2, y),
            text_style(12).pos(Pos::new(HPos::Center, VPos::Center)),
        ))?;
        Ok(())
    })
}

/// Returns whether any parameter has a share: with none beating chance every share is 0, and
/// there are no shares that sum to 100%.
pub(crate) fn stands_out(items: &[(String, f64)]) -> bool {
    items.iter().any(|(_, share)| *share > 0.0)
}
