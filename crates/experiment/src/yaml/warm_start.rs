//! `warm_start:`: the other experiment a search learns from (`crate::warm_start`).

use crate::{Method, WarmStart};

use super::decoder::Decoder;
use super::tree::Node;

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
}

/// Reads `warm_start:` for the search `around` describes.
pub(super) fn warm_start(d: &mut Decoder, node: &Node, around: &Around<'_>) -> Option<WarmStart> {
    let Around {
        name,
        method,
        objectives,
        gated,
    } = *around;
    let f = d.fields(node, "warm_start", &["experiment", "trials"])?;
    let experiment = d
        .required(&f, "experiment")
        .and_then(|n| super::name_at(d, n, "warm_start.experiment").map(|e| (e, n.pos)));
    let trials = match f.get("trials") {
        None => Some(None),
        Some(n) => super::blocks::count(d, n, "warm_start.trials").map(Some),
    };
    let refusals = [
        (!matches!(method, Method::Tpe(_) | Method::Bayes(_))).then(|| {
            format!(
                "`{}` does not learn from earlier trials; warm-start a `tpe` or `bayes` search",
                method.name()
            )
        }),
        gated.then(|| {
            "`sweep gate` runs the experiment in stores of its own, which hold no other \
             experiment to learn from; a gated file cannot warm-start"
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
    let (experiment, pos) = experiment?;
    if name == Some(experiment.as_str()) {
        ok = false;
        d.error(
            pos,
            "warm_start.experiment",
            format!(
                "`{experiment}` is this experiment; `sweep run FILE --extend N` adds trials to \
                 it"
            ),
        );
    }
    ok.then_some(WarmStart {
        experiment,
        trials: trials?,
    })
}
