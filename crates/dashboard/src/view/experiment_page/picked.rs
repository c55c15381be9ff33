//! What a request's query picks beside the cached analysis, drawn for that request alone: the
//! Pareto chart of a pair of objectives (`picked_front`, with a link to each pair's,
//! `front_links`) and the pair plots of parameters named (`picked_pairs`), or what is wrong
//! with the pick (`pairs_problem`).

use experiment::MetricSpec;

use super::charts::pareto_chart;
use super::ranked::{pairs_chart, Pairing, Placing, PAIRED};
use super::{charted, sample, ObjectiveLink};
use crate::data::ExperimentData;
use crate::view::leaderboard::Selection;
use crate::view::space::param_axes;

/// What the query picked for one request, drawn apart from the cached analysis.
#[derive(Debug, Clone, Default)]
pub(crate) struct Picked {
    /// The pair plots of the picked parameters and their note, or what is wrong with the pick
    /// (`picked_pairs`), which the page says in place, beside the default plots.
    pub(crate) pairs: Option<std::result::Result<(String, String), String>>,
    /// The picked pair of objectives (indices) and its Pareto chart (`picked_front`).
    pub(crate) front: Option<((usize, usize), String)>,
}

/// Returns the pair of objectives (indices) named in `names` (comma-separated, two different
/// objectives of a study with three or more) and its Pareto chart, for one request;
/// `Error::BadRequest` names the objectives when the pick is not such a pair.
pub(crate) fn picked_front(
    data: &ExperimentData,
    names: &str,
) -> crate::Result<((usize, usize), String)> {
    let objectives = data.objectives();
    let index = |name: &str| objectives.iter().position(|o| o.name == name.trim());
    let pair = match names.split(',').collect::<Vec<_>>().as_slice() {
        [a, b] => index(a).zip(index(b)).filter(|(i, j)| i != j),
        _ => None,
    };
    let Some(pair) = pair.filter(|_| objectives.len() > 2) else {
        let all: Vec<&str> = objectives.iter().map(|o| o.name.as_str()).collect();
        return Err(crate::Error::BadRequest(format!(
            "front takes two different objectives, comma-separated, of a study with three or \
             more; this one has: {}; found {names:?}",
            all.join(", ")
        )));
    };
    Ok((pair, pareto_chart(data, pair)))
}

/// Returns a link to the Pareto chart of each pair of `objectives` when there are three or
/// more (none otherwise), the one of `shown` active.
pub(super) fn front_links(
    objectives: &[MetricSpec],
    shown: (usize, usize),
    sel: &Selection,
) -> Vec<ObjectiveLink> {
    if objectives.len() < 3 {
        return Vec::new();
    }
    let mut links = Vec::new();
    for (i, x) in objectives.iter().enumerate() {
        for (j, y) in objectives.iter().enumerate().skip(i + 1) {
            let pick = format!("{},{}", x.name, y.name);
            links.push(ObjectiveLink {
                name: format!("{} × {}", x.name, y.name),
                href: format!("{}#pareto", sel.query(|s| s.front = Some(pick))),
                active: shown == (i, j) || shown == (j, i),
            });
        }
    }
    links
}

/// Returns what is wrong with the parameters `picked` (as written: `names`) for the pair plots
/// of an experiment whose parameters are `all`: the rule, the list, and for a name that is not
/// a parameter, the closest that is ("did you mean `hidden`?").
fn pairs_problem(picked: &[String], all: &[&str], names: &str) -> String {
    let unknown = picked.iter().find(|n| !all.contains(&n.as_str()));
    let hint = unknown
        .and_then(|n| {
            experiment::suggest(n, all.iter().copied())
                .map(|s| format!("; `{n}` is not a parameter: did you mean `{s}`?"))
        })
        .or_else(|| unknown.map(|n| format!("; `{n}` is not a parameter")))
        .unwrap_or_default();
    format!(
        "pairs takes 2 or {PAIRED} different parameters, comma-separated, of: {}; found \
         {names:?}{hint}",
        all.join(", ")
    )
}

/// Returns the pair plots of the parameters named in `names` (comma-separated, 2 or `PAIRED`
/// of the experiment's) for `chosen`, for one request, with their note; when the pick is not
/// such a list, what is wrong with it (`pairs_problem`), which the page shows in place.
pub(crate) fn picked_pairs(
    data: &ExperimentData,
    chosen: &MetricSpec,
    names: &str,
) -> std::result::Result<(String, String), String> {
    let axes = param_axes(data.spec.as_ref(), &data.trials);
    let picked: Vec<String> = names
        .split(',')
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    let known = |n: &String| axes.iter().any(|a| a.name == *n);
    let distinct = picked
        .iter()
        .enumerate()
        .all(|(i, n)| !picked[..i].contains(n));
    if !(2..=PAIRED).contains(&picked.len()) || !distinct || !picked.iter().all(known) {
        let all: Vec<&str> = axes.iter().map(|a| a.name.as_str()).collect();
        return Err(pairs_problem(&picked, &all, names));
    }
    let charted = charted(data, chosen);
    let (chart, note, _) = pairs_chart(
        &data.info.name,
        &axes,
        &sample(&charted),
        Pairing::Picked(&picked),
        (&chosen.name, Placing::of(data)),
    );
    Ok((chart, note))
}
