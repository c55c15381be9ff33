//! The shapes that tell a chart's series apart beside their colours (`Symbol`): drawn along a
//! line and at its marked point (`draw_symbol`, `symbol_points`), in a legend entry
//! (`legend_entry`, `Marker`) and as a swatch on the page (`swatch`).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{palette, shorten_middle, text_style, Area, DrawResult, PALETTE};

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
pub(super) const SYMBOLS: [Symbol; 8] = [
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
    pub(super) fn corners(self, r: i32) -> Option<Vec<(i32, i32)>> {
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
pub(super) fn draw_symbol(
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

/// The symbol of a legend entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Marker {
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
pub(super) fn legend_entry(
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
