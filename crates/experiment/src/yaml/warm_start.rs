//! `warm_start:`: the earlier trials a search learns from (`crate::warm_start`): another
//! experiment of the store, or a CSV file of results.

use std::path::{Path, PathBuf};

use crate::{Located, Method, WarmSource, WarmStart};

use super::decoder::Decoder;
use super::tree::{Kind, Node, Scalar};

/// What the rest of the file says that a warm start depends on.
pub(super) struct Around<'a> {
    /// The experiment's own name.
    pub(super) name: Option<&'a str>,
    /// Its sampler.
    pub(super) method: Method,
    /// How many objectives it has.
    pub(super) objectives: usize,
    /// Whether it has a `gate:` block.
    pub(super) gated: bool,
    /// The spec file, whose folder a CSV's name is resolved against.
    pub(super) file: &'a Path,
}

/// Reads `warm_start:` for the search `around` describes.
pub(super) fn warm_start(d: &mut Decoder, node: &Node, around: &Around<'_>) -> Option<WarmStart> {
    let Around {
        name,
        method,
        objectives,
        gated,
        file,
    } = *around;
    // A bare name is either kind of source: say how each is written, or only the file's way
    // for a name that can only be a file (an experiment's name has no `/` and no `.csv`).
    if let Kind::Scalar {
        value: Scalar::Str(text),
        ..
    } = &node.kind
    {
        let file_only = text.contains('/') || text.to_ascii_lowercase().ends_with(".csv");
        let ways = if file_only {
            format!("`{{csv: {text}}}` for a file of results")
        } else {
            format!(
                "`{{csv: {text}}}` for a file of results, or `{{experiment: {text}}}` for another \
                 experiment of the store"
            )
        };
        d.error(
            node.pos,
            "warm_start",
            format!("expected a mapping: {ways}"),
        );
        return None;
    }
    let f = d.fields(node, "warm_start", &["experiment", "csv", "trials"])?;
    let source = match (f.get("experiment"), f.get("csv")) {
        (Some(_), Some(csv)) => {
            d.error(
                csv.pos,
                "warm_start.csv",
                "give either `experiment` (another experiment of the store) or `csv` (a file of \
                 results), not both",
            );
            None
        }
        (Some(n), None) => super::names::name_at(d, n, "warm_start.experiment")
            .map(|e| (WarmSource::Experiment(e), n.pos)),
        (None, Some(n)) => super::data::non_empty_path(d, n, "warm_start.csv").map(|name| {
            let value = match file.parent() {
                Some(dir) => dir.join(name),
                None => PathBuf::from(name),
            };
            let location = super::location(file, n.pos);
            (WarmSource::Csv(Located { value, location }), n.pos)
        }),
        (None, None) => {
            d.error(
                node.pos,
                "warm_start",
                "missing `experiment` (another experiment of the store) or `csv` (a file of \
                 results)",
            );
            None
        }
    };
    let trials = match f.get("trials") {
        None => Some(None),
        Some(n) => super::blocks::count(d, n, "warm_start.trials").map(Some),
    };
    let from_store = matches!(&source, Some((WarmSource::Experiment(_), _)));
    let refusals = [
        (!matches!(method, Method::Tpe(_) | Method::Bayes(_))).then(|| {
            format!(
                "`{}` does not learn from earlier trials; warm-start a `tpe` or `bayes` search",
                method.name()
            )
        }),
        (gated && from_store).then(|| {
            "`sweep gate` runs the experiment in stores of its own, which hold no other \
             experiment to learn from; a gated file cannot warm-start from one (a `csv:` of \
             results can)"
                .to_string()
        }),
        (objectives > 1)
            .then(|| "a warm start takes trials of one objective; this file has several".into()),
    ];
    let mut ok = true;
    for why in refusals.into_iter().flatten() {
        ok = false;
        d.error(node.pos, "warm_start", why);
    }
    let (source, pos) = source?;
    if let WarmSource::Experiment(experiment) = &source {
        if name == Some(experiment.as_str()) {
            ok = false;
            d.error(
                pos,
                "warm_start.experiment",
                format!(
                    "`{experiment}` is this experiment; `sweep run FILE --extend N` adds trials \
                     to it"
                ),
            );
        }
    }
    ok.then_some(WarmStart {
        source,
        trials: trials?,
    })
}
