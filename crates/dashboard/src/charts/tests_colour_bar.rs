//! Tests of the colour bar's end labels of parallel coordinates and the pair plots: drawn whole
//! inside the chart, however long (`colour_bar_margin`).

use super::*;

/// Returns the `<svg>`'s width and, for each text drawn whose content is `label`, where it
/// starts and ends across, by its anchor, at `px` pixels a character.
fn extents(svg: &str, label: &str, px: f64) -> (f64, Vec<(f64, f64)>) {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let rest = tag.split(&format!(" {name}=\"")).nth(1)?;
        Some(rest.split('"').next()?.to_string())
    };
    let width = svg
        .split("<svg")
        .nth(1)
        .and_then(|tag| attr(tag.split('>').next()?, "width"))
        .and_then(|w| w.parse().ok())
        .unwrap_or(0.0);
    let escaped = label.replace('&', "&amp;").replace('<', "&lt;");
    let found = svg
        .split("<text")
        .skip(1)
        .filter_map(|text| {
            let (tag, rest) = text.split_once('>')?;
            let content = rest.split("</text>").next()?.trim();
            (content == escaped).then_some(tag)
        })
        .filter_map(|tag| {
            let x: f64 = attr(tag, "x")?.parse().ok()?;
            let wide = px * label.chars().count() as f64;
            Some(match attr(tag, "text-anchor").as_deref() {
                Some("middle") => (x - wide / 2.0, x + wide / 2.0),
                Some("end") => (x - wide, x),
                _ => (x, x + wide),
            })
        })
        .collect();
    (width, found)
}

/// Labels as the experiment page writes them for a study of two objectives whose trials broke
/// a constraint, pruned, and one with a long objective's name.
const LABELS: [(&str, &str); 3] = [
    (
        "1st by val_accuracy: 0.8357 (pruned)",
        "5th, breaks a constraint: 0.6825 (pruned)",
    ),
    ("rank 1: 0.9800", "rank 8: 0.5125 (pruned)"),
    (
        "1st by validation_top5_accuracy_on_the_held_out_set: 0.9",
        "40th by validation_top5_accuracy_on_the_held_out_set: 0.1",
    ),
];

/// Asserts that `svg` draws each of `labels` once, whole (or, past the most a label takes,
/// cut short with an ellipsis), inside its width.
fn assert_labels_inside(svg: &str, (best, worst): (&str, &str)) {
    for label in [best, worst] {
        let drawn = shorten(label, 53);
        // A digit of the chart font (0.64 em) at the 8.9 px the label is drawn at (`text_style(11)`
        // as the SVG writes it): the widest of its characters but a few capitals.
        let (width, found) = extents(svg, &drawn, 5.7);
        assert_eq!(found.len(), 1, "{drawn} drawn once in {svg}");
        let (from, to) = found[0];
        assert!(
            from >= 0.0 && to <= width,
            "{drawn}: from {from} to {to} of {width} px"
        );
    }
}

#[test]
fn parallel_coordinates_leave_room_for_the_colour_bars_labels() {
    let axes = vec![
        ParAxis {
            title: "hidden".into(),
            scale: Scale::Whole {
                min: 16.0,
                max: 64.0,
            },
        },
        ParAxis {
            title: "val_accuracy".into(),
            scale: Scale::Linear { min: 0.3, max: 0.9 },
        },
    ];
    let lines: Vec<ParLine> = (0..5)
        .map(|i| ParLine {
            trial: i,
            value: Some(0.3 + f64::from(i) / 10.0),
            values: vec![
                Some(16.0 * f64::from(i + 1)),
                Some(0.3 + f64::from(i) / 10.0),
            ],
            goodness: f64::from(i) / 4.0,
            pruned: true,
        })
        .collect();
    for labels in LABELS {
        let svg = parallel(&axes, &lines, 700, labels, "/t/");
        assert_labels_inside(&svg, labels);
    }
}

#[test]
fn the_pair_plots_leave_room_for_the_colour_bars_labels() {
    let axes: Vec<ParAxis> = ["hidden", "lr"]
        .into_iter()
        .map(|title| ParAxis {
            title: title.into(),
            scale: Scale::Linear { min: 0.0, max: 1.0 },
        })
        .collect();
    let points: Vec<ParLine> = (0..5)
        .map(|i| ParLine {
            trial: i,
            value: Some(f64::from(i) / 4.0),
            values: vec![Some(f64::from(i) / 4.0), Some(1.0 - f64::from(i) / 4.0)],
            goodness: f64::from(i) / 4.0,
            pruned: true,
        })
        .collect();
    for labels in LABELS {
        let svg = pairs(&axes, &points, labels, ("val_accuracy", "/t/"));
        assert_labels_inside(&svg, labels);
    }
}
