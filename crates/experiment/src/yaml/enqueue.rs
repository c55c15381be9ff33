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
//! An entry gives values of some or all searched parameters, each one its distribution can give
//! (so that an enqueued trial stores as a drawn one would), a conditional one only with the
//! parameters its condition tests, and where it holds. The sampler chooses the rest, given
//! these: `{optimizer: sgd}` asks for its best guess of an SGD trial. An entry that gives every
//! parameter its trial has runs as written, without asking the sampler.

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
    if matches!(method, Method::Grid(_)) {
        d.error(
            node.pos,
            "enqueue",
            "a grid runs every point of its space once, in an order of its own; enqueue trials \
             with any other method (`random`, `sobol`, `tpe`, `bayes`, `cmaes`, `nsga2`, `nsga3`)",
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

/// Reads one enqueued trial at `path`: the values it gives, and each `value:` parameter it has.
fn entry(
    d: &mut Decoder,
    node: &Node,
    path: &str,
    space: &SearchSpace,
    fixed: &Fixed,
) -> Option<Params> {
    let f = d.mapping(node, path)?;
    if f.entries.is_empty() {
        d.error(
            f.pos,
            path,
            "gives no parameter; an enqueued trial gives at least one, such as `{lr: 0.001}` \
             (the sampler chooses the rest)",
        );
        return None;
    }
    let mut ok = known_keys(d, &f, space, fixed);
    let mut params = Params::new();
    // Parameters whose value was wrong: whether the ones they condition exist is unknown.
    let mut broken: BTreeSet<&str> = BTreeSet::new();
    for p in space.in_dependency_order() {
        let parents: Vec<&str> = p
            .condition
            .iter()
            .flat_map(|c| c.when.keys().map(String::as_str))
            .collect();
        let Some(n) = f.get(&p.name) else {
            // Left to the sampler, but for a `value:` parameter where it is placed.
            let placed = parents.iter().all(|k| params.contains_key(*k));
            if let (Distribution::Constant(v), true) = (&p.distribution, placed) {
                if space.is_active(p, &params) {
                    params.insert(p.name.clone(), v.clone());
                }
            }
            continue;
        };
        if parents.iter().any(|k| broken.contains(k)) {
            broken.insert(&p.name);
            continue;
        }
        let at = f.path(&p.name);
        let left: Vec<String> = parents
            .iter()
            .filter(|k| !params.contains_key(**k))
            .map(|k| format!("`{k}`"))
            .collect();
        if let Some(c) = p.condition.as_ref().filter(|_| !left.is_empty()) {
            ok = false;
            broken.insert(&p.name);
            d.error(
                n.pos,
                &at,
                format!(
                    "`{}` exists only where {}; give {} too (the sampler might choose \
                     otherwise), or leave `{}` out",
                    p.name,
                    condition_text(c, &params),
                    left.join(" and "),
                    p.name
                ),
            );
            continue;
        }
        if let Some(c) = p.condition.as_ref().filter(|c| !c.holds(&params)) {
            ok = false;
            d.error(
                n.pos,
                &at,
                format!(
                    "`{}` does not exist in this trial: it exists only where {}",
                    p.name,
                    condition_text(c, &params)
                ),
            );
            continue;
        }
        let admitted = d.value(n, &at).and_then(|v| {
            p.distribution
                .admit(&v)
                .map_err(|message| d.error(n.pos, &at, super::quote::as_written(message, n, &v)))
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
    ok.then_some(params)
}

/// Describes where a parameter with `condition` exists, and what the trial's `params` hold of
/// it: "`regularization` is dropout or dropout+l2 (here none)".
fn condition_text(condition: &Condition, params: &Params) -> String {
    let clauses: Vec<String> = condition
        .when
        .iter()
        .map(|(name, values)| {
            let values: Vec<String> = values.iter().map(ToString::to_string).collect();
            let now = params
                .get(name)
                .map_or_else(String::new, |v| format!(" (here {v})"));
            format!("`{name}` is {}{now}", values.join(" or "))
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
                    super::quote::shorten(&e.key),
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
