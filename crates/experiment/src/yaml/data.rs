//! The `data:` block: the file (CSV, or IDX images and labels), the target, the split, the
//! scaling, missing values, and the columns that are categorical or left out.

use std::path::{Path, PathBuf};

use crate::{
    DataFormat, DataSpec, ImageShape, Located, MissingValues, Normalize, ParamValue, SplitSpec,
    Task,
};

use super::blocks::count;
use super::decoder::{describe, Decoder, Fields};
use super::tree::{Kind, Node, Pos, Scalar};

/// What `data.label` and its like are called here.
const NAMES_THE_TARGET: &str = "is not a key here: the column to predict is `target:`";

/// Reads `data:`; file names are resolved against the folder of `file`, without touching the
/// disk. The data is either a CSV file (`csv` and `target`) or a pair of IDX files (`idx`).
pub(super) fn block(d: &mut Decoder, node: &Node, file: &Path) -> Option<DataSpec> {
    let f = d.fields_refusing(
        node,
        "data",
        &[
            "csv",
            "idx",
            "target",
            "task",
            "image",
            "split",
            "normalize",
            "missing",
            "categorical",
            "exclude",
        ],
        &[
            ("label", NAMES_THE_TARGET),
            ("labels", NAMES_THE_TARGET),
            ("y", NAMES_THE_TARGET),
            ("path", "is not a key here: a CSV file is named by `csv:`"),
            ("file", "is not a key here: a CSV file is named by `csv:`"),
        ],
    )?;
    let located_file = |d: &mut Decoder, n: &Node, path: &str| {
        let name = non_empty_path(d, n, path)?;
        let value = match file.parent() {
            Some(dir) => dir.join(name),
            None => PathBuf::from(name),
        };
        Some(Located {
            value,
            location: super::location(file, n.pos),
        })
    };
    let (csv, format, target) = match (f.get("csv"), f.get("idx")) {
        (Some(_), Some(idx)) => {
            d.error(idx.pos, "data.idx", "give either `csv` or `idx`, not both");
            (None, None, None)
        }
        (None, Some(idx)) => {
            let files = d.fields(idx, "data.idx", &["images", "labels"]);
            let (images, labels) = match files {
                Some(files) => (
                    d.required(&files, "images")
                        .and_then(|n| located_file(d, n, "data.idx.images")),
                    d.required(&files, "labels")
                        .and_then(|n| located_file(d, n, "data.idx.labels")),
                ),
                None => (None, None),
            };
            let target = match f.get("target") {
                Some(n) => non_empty_text(d, n, "data.target").map(|value| Located {
                    value,
                    location: super::location(file, n.pos),
                }),
                None => Some(Located {
                    value: "label".to_string(),
                    location: super::location(file, idx.pos),
                }),
            };
            (
                images,
                labels.map(|labels| DataFormat::Idx { labels }),
                target,
            )
        }
        (csv, None) => {
            let csv = match csv {
                Some(n) => located_file(d, n, "data.csv"),
                None => {
                    d.required(&f, "csv");
                    None
                }
            };
            let target = d.required(&f, "target").and_then(|n| {
                Some(Located {
                    value: non_empty_text(d, n, "data.target")?,
                    location: super::location(file, n.pos),
                })
            });
            (csv, Some(DataFormat::Csv), target)
        }
    };
    let task = match f.get("task") {
        None => Some(None),
        Some(n) => d
            .choice(n, "data.task", "task", &["classification", "regression"])
            .map(|t| match t {
                "regression" => Some(Task::Regression),
                _ => Some(Task::Classification),
            }),
    };
    let image = match f.get("image") {
        None => Some(None),
        Some(n) => image(d, n).map(Some),
    };
    let split = match f.get("split") {
        None => Some(SplitSpec {
            validation: 0.2,
            test: 0.2,
            stratify: true,
        }),
        Some(n) => split(d, n),
    };
    let normalize = match f.get("normalize") {
        None => Some(Normalize::Standard),
        Some(n) => d
            .choice(
                n,
                "data.normalize",
                "normalization",
                &["none", "standard", "minmax"],
            )
            .map(|s| match s {
                "none" => Normalize::None,
                "minmax" => Normalize::MinMax,
                _ => Normalize::Standard,
            }),
    };
    let missing = match f.get("missing") {
        None => Some(MissingValues::Error),
        Some(n) => d
            .choice(
                n,
                "data.missing",
                "missing-value rule",
                &["error", "drop", "mean", "median"],
            )
            .map(|s| match s {
                "drop" => MissingValues::Drop,
                "mean" => MissingValues::Mean,
                "median" => MissingValues::Median,
                _ => MissingValues::Error,
            }),
    };
    let categorical = column_list(d, f.get("categorical"), "data.categorical");
    let exclude = column_list(d, f.get("exclude"), "data.exclude");
    if let Some(DataFormat::Idx { .. }) = &format {
        for key in ["missing", "categorical", "exclude"] {
            if let Some(n) = f.get(key) {
                d.error(n.pos, &f.path(key), "applies only to `csv` data");
            }
        }
    }
    if let (Some(_), Some(n)) = (f.get("image"), f.get("categorical")) {
        d.error(
            n.pos,
            "data.categorical",
            "image data has only pixel features; leave other columns out with `exclude`",
        );
    }
    let (categorical, exclude) = (categorical?, exclude?);
    let is_target = |name: &str| target.as_ref().is_some_and(|t| t.value == name);
    for (columns, key) in [
        (&categorical, "data.categorical"),
        (&exclude, "data.exclude"),
    ] {
        for (name, pos) in columns.iter().filter(|(name, _)| is_target(name)) {
            d.error(*pos, key, format!("`{name}` is the target column"));
        }
    }
    for (name, pos) in &exclude {
        if !is_target(name) && categorical.iter().any(|(c, _)| c == name) {
            d.error(
                *pos,
                "data.exclude",
                format!("`{name}` is also in `data.categorical`; a column is one or the other"),
            );
        }
    }
    let located = |columns: Vec<(String, Pos)>| -> Vec<Located<String>> {
        columns
            .into_iter()
            .map(|(value, pos)| Located {
                value,
                location: super::location(file, pos),
            })
            .collect()
    };
    Some(DataSpec {
        csv: csv?,
        target: target?,
        split: split?,
        normalize: normalize?,
        task: task?,
        image: image?,
        format: format?,
        missing: missing?,
        categorical: located(categorical),
        exclude: located(exclude),
    })
}

/// Reads a list of column names, such as `data.categorical`, with where each is written; each
/// must be non-empty text and named once. An absent key is an empty list.
fn column_list(d: &mut Decoder, node: Option<&Node>, path: &str) -> Option<Vec<(String, Pos)>> {
    let Some(node) = node else {
        return Some(Vec::new());
    };
    let Kind::Seq(items) = &node.kind else {
        // A single name is written as a list of one.
        let example = match &node.kind {
            Kind::Scalar { value, text } if !text.is_empty() && *value != Scalar::Null => {
                format!("[{text}]")
            }
            // `~`: no list, written as an empty one.
            Kind::Scalar { .. } => "[]` (none) or `[a, b]".to_string(),
            _ => "[a, b]".to_string(),
        };
        d.error(
            node.pos,
            path,
            format!(
                "expected a list of column names such as `{example}`, found {}",
                describe(node)
            ),
        );
        return None;
    };
    let mut columns: Vec<(String, Pos)> = Vec::with_capacity(items.len());
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{i}]");
        let Some(name) = non_empty_text(d, item, &item_path) else {
            ok = false;
            continue;
        };
        if columns.iter().any(|(c, _)| *c == name) {
            d.error(item.pos, &item_path, format!("`{name}` is listed twice"));
            ok = false;
            continue;
        }
        columns.push((name, item.pos));
    }
    ok.then_some(columns)
}

/// Reads `data.image: {height, width, channels}`; `channels` defaults to 1.
fn image(d: &mut Decoder, node: &Node) -> Option<ImageShape> {
    let f = d.fields(node, "data.image", &["height", "width", "channels"])?;
    let mut side = |key: &str, default: Option<u32>| {
        let n = match (f.get(key), default) {
            (Some(n), _) => n,
            (None, Some(default)) => return Some(default),
            (None, None) => {
                d.required(&f, key);
                return None;
            }
        };
        let x = count(d, n, &f.path(key))?;
        if x > 65_536 {
            d.error(
                n.pos,
                &f.path(key),
                format!("must be at most 65536, found {x}"),
            );
            return None;
        }
        Some(x)
    };
    let (height, width, channels) = (
        side("height", None),
        side("width", None),
        side("channels", Some(1)),
    );
    let to_usize = |x: u32| usize::try_from(x).unwrap_or(usize::MAX);
    Some(ImageShape {
        height: to_usize(height?),
        width: to_usize(width?),
        channels: to_usize(channels?),
    })
}

fn split(d: &mut Decoder, node: &Node) -> Option<SplitSpec> {
    let f = d.fields(node, "data.split", &["validation", "test", "stratify"])?;
    let validation = fraction(d, &f, "validation", 0.2, false);
    let test = fraction(d, &f, "test", 0.2, true);
    let stratify = d.flag(&f, "stratify", true);
    let (validation, test) = (validation?, test?);
    if validation + test >= 1.0 {
        d.error(
            f.pos,
            "data.split",
            format!(
                "validation + test must be below 1 to leave rows for training, found {} + {}",
                ParamValue::Float(validation),
                ParamValue::Float(test)
            ),
        );
        return None;
    }
    Some(SplitSpec {
        validation,
        test,
        stratify: stratify?,
    })
}

/// Reads a fraction in (0, 1), or [0, 1) when `zero_ok`.
fn fraction(
    d: &mut Decoder,
    f: &Fields<'_>,
    key: &str,
    default: f64,
    zero_ok: bool,
) -> Option<f64> {
    let Some(node) = f.get(key) else {
        return Some(default);
    };
    let path = f.path(key);
    let x = d.number(node, &path)?;
    let low_ok = if zero_ok { x >= 0.0 } else { x > 0.0 };
    if !low_ok || x >= 1.0 {
        let open = if zero_ok { "[" } else { "(" };
        d.error(
            node.pos,
            &path,
            format!("must be in {open}0, 1), found {}", ParamValue::Float(x)),
        );
        return None;
    }
    Some(x)
}

/// Reads a file's path that must not be empty (`Decoder::path_text`).
pub(super) fn non_empty_path(d: &mut Decoder, node: &Node, path: &str) -> Option<String> {
    let text = d.path_text(node, path)?;
    if text.trim().is_empty() {
        d.error(node.pos, path, "expected text, found an empty string");
        return None;
    }
    Some(text)
}

pub(super) fn non_empty_text(d: &mut Decoder, node: &Node, path: &str) -> Option<String> {
    let text = d.text(node, path)?;
    if text.trim().is_empty() {
        d.error(node.pos, path, "expected text, found an empty string");
        return None;
    }
    Some(text)
}
