//! `enqueue:`, trials whose parameters the file gives, run before any the sampler chooses (as
//! Optuna's `enqueue_trial` and Ray Tune's `points_to_evaluate`): settings known to work, or a
//! baseline the search must beat. The samplers then learn from them as from any other trial.
//!
//! ```yaml
//! enqueue:
//!   - {lr: 0.001, hidden: 128, regularization: none}
//!   - {lr: 0.003, hidden: 64, regularization: dropout, dropout: 0.2}
//! ```
//!
//! An entry names a value for every searched parameter its trial has (a conditional one only
//! where its condition holds, a `value:` one may be left out), each a value its distribution can
//! give: so an enqueued trial is one the sampler could have drawn, and stores like one.

use std::collections::BTreeSet;

use crate::{Condition, Distribution, Method, Params, SearchSpace};

use super::blocks::Fixed;
use super::decoder::{describe, did_you_mean, Decoder, Fields};
use super::tree::{Kind, Node};

/// Reads `enqueue:` for a search over `space` with `method` and `run_cap` trials.
pub(super) fn enqueue(
    d: &mut Decoder,
    node: &Node,
    space: &SearchSpace,
    fixed: &Fixed,
    (method, run_cap): (Method, u32),
) -> Option<Vec<Params>> {
    let Kind::Seq(items) = &node.kind else {
        d.error(
            node.pos,
            "enqueue",
            format!(
                "expected a list of trials, each a mapping such as `{{lr: 0.001, hidden: 64}}`, \
                 found {}",
                describe(node)
            ),
        );
        return None;
    };
    if matches!(method, Method::Grid) {
        d.error(
            node.pos,
            "enqueue",
            "a grid runs every point of its space in order; enqueue trials with `random`, \
             `sobol`, `tpe` or `bayes`",
        );
        return None;
    }
    let count = u32::try_from(items.len()).unwrap_or(u32::MAX);
    if count > run_cap {
        d.error(
            node.pos,
            "enqueue",
            format!(
                "lists {count} trials, more than the {run_cap} of `run_cap`; raise `run_cap` to \
                 at least {count}"
            ),
        );
        return None;
    }
    // Every entry is read, so that each one's mistakes are reported.
    let trials: Vec<Option<Params>> = items
        .iter()
        .enumerate()
        .map(|(i, item)| entry(d, item, &format!("enqueue[{i}]"), space, fixed))
        .collect();
    trials.into_iter().collect()
}

/// Reads one enqueued trial at `path`.
fn entry(
    d: &mut Decoder,
    node: &Node,
    path: &str,
    space: &SearchSpace,
    fixed: &Fixed,
) -> Option<Params> {
    let f = d.mapping(node, path)?;
    let mut ok = known_keys(d, &f, space, fixed);
    let mut params = Params::new();
    // Parameters whose value was wrong: whether the ones they condition exist is unknown.
    let mut broken: BTreeSet<&str> = BTreeSet::new();
    let mut missing: Vec<&str> = Vec::new();
    for p in space.in_dependency_order() {
        let tests_broken = p
            .condition
            .as_ref()
            .is_some_and(|c| c.when.keys().any(|k| broken.contains(k.as_str())));
        if tests_broken {
            broken.insert(&p.name);
            continue;
        }
        let active = space.is_active(p, &params);
        match (active, f.get(&p.name)) {
            (true, Some(n)) => {
                let admitted = d.value(n, &f.path(&p.name)).and_then(|v| {
                    p.distribution
                        .admit(&v)
                        .map_err(|message| d.error(n.pos, &f.path(&p.name), message))
                        .ok()
                });
                match admitted {
                    Some(v) => {
                        params.insert(p.name.clone(), v);
                    }
                    None => {
                        ok = false;
                        broken.insert(&p.name);
                    }
                }
            }
            (true, None) => match &p.distribution {
                Distribution::Constant(v) => {
                    params.insert(p.name.clone(), v.clone());
                }
                _ => missing.push(&p.name),
            },
            (false, Some(n)) => {
                ok = false;
                let when = p
                    .condition
                    .as_ref()
                    .map_or_else(String::new, |c| condition_text(c, &params));
                d.error(
                    n.pos,
                    &f.path(&p.name),
                    format!(
                        "`{}` does not exist in this trial: it exists only where {when}",
                        p.name
                    ),
                );
            }
            (false, None) => {}
        }
    }
    if !missing.is_empty() {
        ok = false;
        let names: Vec<String> = missing.iter().map(|n| format!("`{n}`")).collect();
        d.error(
            f.pos,
            path,
            format!(
                "no value for {}; an enqueued trial gives every searched parameter it has",
                names.join(", ")
            ),
        );
    }
    ok.then_some(params)
}

/// Describes where a parameter with `condition` exists, and what the trial's `params` hold:
/// "`regularization` is dropout or dropout+l2 (here none)".
fn condition_text(condition: &Condition, params: &Params) -> String {
    let clauses: Vec<String> = condition
        .when
        .iter()
        .map(|(name, values)| {
            let values: Vec<String> = values.iter().map(ToString::to_string).collect();
            let now = params
                .get(name)
                .map_or_else(|| "absent".to_string(), ToString::to_string);
            format!("`{name}` is {} (here {now})", values.join(" or "))
        })
        .collect();
    clauses.join(" and ")
}

/// Records each key of `f` that is not a searched parameter; returns whether all are.
fn known_keys(d: &mut Decoder, f: &Fields<'_>, space: &SearchSpace, fixed: &Fixed) -> bool {
    let mut ok = true;
    for e in f.entries {
        if space.param(&e.key).is_some() {
            continue;
        }
        ok = false;
        let message = match fixed.get(&e.key) {
            Some(knob) => format!(
                "`{}` is fixed in `{}:`, not searched; an enqueued trial gives values of \
                 `parameters:` only",
                e.key, knob.block
            ),
            None => {
                let names = space.params().iter().map(|p| p.name.as_str());
                format!(
                    "unknown parameter `{}`{}the searched ones are {}",
                    e.key,
                    did_you_mean(&e.key, names.clone()),
                    names
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        };
        d.error(e.key_pos, &f.path(&e.key), message);
    }
    ok
}
