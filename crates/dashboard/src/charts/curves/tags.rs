//! The number tags of the running curves beside an experiment's top trials (`Emphasis::Running`):
//! each curve's latest epoch, its ring (or, off the axis, its hollow arrowhead on the edge), is
//! tagged with its trial's number in the running ink, so that a reader with no pointer to hover
//! (a phone) can tell the dashed curves apart. A tag is kept inside the plot and placed beside
//! its mark where it covers no other tag, ring or the best epoch's label, if any place does.
//! The tags are placed as their curves are drawn, beneath the coloured ones, but drawn after
//! every curve (`draw_placed`): a coloured line that crosses a tag does not hide its number.
//!
//! Rejected: a legend entry per running curve (up to `RUNNING_CURVES` of them, in one ink, would
//! say nothing the tags do not, and crowd out the coloured entries); and the whole label
//! (`trial 12`) beside each ring, five times as wide.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::RUNNING_INK;
use crate::charts::{text_style, Area, DrawResult};

/// The font size of a tag, as `text_style` takes it (that of the best epoch's label).
const TAG_SIZE: u32 = 12;
/// The width in pixels a tag's character is taken to span, a little over a digit's.
const CHAR_WIDTH: i32 = 7;
/// The height in pixels a tag is taken to span.
const TAG_HEIGHT: i32 = 12;

/// A box of pixels: left, top, right, bottom.
type Rect = (i32, i32, i32, i32);

/// The places the tags of a chart's running curves take, and the boxes they keep clear of.
#[derive(Debug)]
pub(super) struct Tags {
    /// The plot's box, which every tag is kept in.
    plot: Rect,
    /// The boxes taken: the tags placed, the rings, the best epoch's label.
    taken: Vec<Rect>,
    /// The tags placed, each its box and text, to be drawn by `draw_placed`.
    placed: Vec<(Rect, String)>,
}

impl Tags {
    /// Returns the tags of a plot whose box is `plot`, with nothing taken yet.
    pub(super) fn new(plot: Rect) -> Tags {
        Tags {
            plot,
            taken: Vec::new(),
            placed: Vec::new(),
        }
    }

    /// Keeps the box `rect` clear of tags (a ring, a label drawn later).
    pub(super) fn reserve(&mut self, rect: Rect) {
        self.taken.push(rect);
    }

    /// Keeps clear of tags the label `text` of `TAG_SIZE` drawn at pixel `at` on its `side`
    /// (`HPos::Left`: its left end; `HPos::Right`: its right end), its top there.
    pub(super) fn reserve_label(&mut self, (x, y): (i32, i32), text: &str, side: HPos) {
        let width = width(text);
        let left = if matches!(side, HPos::Right) {
            x - width
        } else {
            x
        };
        self.reserve((left, y, left + width, y + TAG_HEIGHT + 2));
    }

    /// Keeps the ring, of radius 4 and 2 pixels wide, centred on `(x, y)` clear of tags.
    pub(super) fn reserve_ring(&mut self, (x, y): (i32, i32)) {
        self.reserve((x - 5, y - 5, x + 5, y + 5));
    }

    /// Places the tag `text` beside the mark at pixel `at` (a ring's centre, a point on the
    /// plot's edge): on its right, else its left, else above or below either side, the first
    /// of those in the plot that covers nothing taken; else the first in the plot. It is drawn
    /// by `draw_placed`.
    pub(super) fn add(&mut self, at: (i32, i32), text: &str) {
        let rect = self.place(at, text);
        self.taken.push(rect);
        self.placed.push((rect, text.to_string()));
    }

    /// Draws on `root` every tag placed (`add`), in the order placed: called once every curve
    /// is drawn, so that the tags lie on top of them.
    pub(super) fn draw_placed(&self, root: &Area<'_>) -> DrawResult {
        for (rect, text) in &self.placed {
            let style = text_style(TAG_SIZE)
                .color(&RUNNING_INK)
                .pos(Pos::new(HPos::Left, VPos::Top));
            root.draw(&Text::new(text.clone(), (rect.0, rect.1), style))?;
        }
        Ok(())
    }

    /// Returns the box the tag `text` of the mark at `at` takes (see `draw`).
    fn place(&self, (x, y): (i32, i32), text: &str) -> Rect {
        let w = width(text);
        let h = TAG_HEIGHT;
        let corners = [
            (x + 7, y - h / 2),
            (x - 7 - w, y - h / 2),
            (x + 5, y - 7 - h),
            (x + 5, y + 7),
            (x - 5 - w, y - 7 - h),
            (x - 5 - w, y + 7),
        ];
        let boxes = corners.map(|(l, t)| (l, t, l + w, t + h));
        let (pl, pt, pr, pb) = self.plot;
        let inside = |r: &Rect| r.0 >= pl && r.1 >= pt && r.2 <= pr && r.3 <= pb;
        let clear = |r: &Rect| !self.taken.iter().any(|t| overlap(r, t));
        boxes
            .iter()
            .find(|r| inside(r) && clear(r))
            .or_else(|| boxes.iter().find(|r| inside(r)))
            .copied()
            .unwrap_or_else(|| {
                // A plot too small for any: the first, moved into it as far as it goes.
                let (l, t, _, _) = boxes[0];
                let l = l.min(pr - w).max(pl);
                let t = t.min(pb - h).max(pt);
                (l, t, l + w, t + h)
            })
    }
}

/// Returns the tag of a running curve labelled `label`: its trial's number (`12` of `trial
/// 12`), or the whole label where it names no trial so.
pub(super) fn tag_text(label: &str) -> &str {
    label.strip_prefix("trial ").unwrap_or(label)
}

/// Returns the width in pixels `text` of `TAG_SIZE` is taken to span.
fn width(text: &str) -> i32 {
    CHAR_WIDTH * i32::try_from(text.chars().count()).unwrap_or(i32::MAX / 64)
}

/// Returns whether boxes `a` and `b` share any pixel.
fn overlap(a: &Rect, b: &Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_goes_right_of_its_mark_unless_taken_or_outside_the_plot() {
        let mut tags = Tags::new((0, 0, 200, 100));
        assert_eq!(tags.place((50, 50), "12"), (57, 44, 71, 56));
        // Another tag there: the left.
        tags.reserve((57, 44, 71, 56));
        assert_eq!(tags.place((50, 50), "12"), (29, 44, 43, 56));
        // At the plot's right edge: not past it.
        let r = tags.place((198, 50), "7");
        assert!(r.2 <= 200, "{r:?}");
        // At its top edge (a latest epoch above the axis): below, inside it.
        let r = tags.place((100, 0), "7");
        assert!(r.1 >= 0, "{r:?}");
        // A label drawn later (the best epoch's) where its right would go: its left.
        let mut tags = Tags::new((0, 0, 200, 100));
        tags.reserve_label((60, 40), "best epoch 6", HPos::Left);
        assert_eq!(tags.place((50, 50), "12"), (29, 44, 43, 56));
        assert_eq!(tag_text("trial 12"), "12");
        assert_eq!(tag_text("best so far"), "best so far");
    }
}
