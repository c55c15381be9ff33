//! `when:` conditions: read with each parameter, then checked against all of them at once.
//!
//! Reading keeps every name and value with its position; `resolve` runs once every parameter is
//! known and reports unknown names (with a did-you-mean), tests of parameters that are not
//! categorical, values the tested parameter never takes, and cycles, each at the place in the
//! file where it is written. Only then does a parameter get its `Condition`.

use std::collections::{BTreeMap, BTreeSet};

use crate::{Condition, Distribution, ParamValue};

use super::blocks::Fixed;
use super::decoder::{did_you_mean, Decoder};
use super::params::Searched;
use super::split_values::split_values;
use super::tree::{join, Kind, Node, Pos};

/// A `when:` mapping as written.
#[derive(Debug)]
pub(super) struct RawWhen {
    clauses: Vec<Clause>,
}

/// One `name: [values]` of a `when:` mapping.
#[derive(Debug)]
struct Clause {
    name: String,
    key_pos: Pos,
    path: String,
    /// Each value with where it is written and its dotted path.
    values: Vec<(ParamValue, Pos, String)>,
}

/// Reads `when: {name: [value, ..], ..}`; a single value stands for a list of one.
pub(super) fn read(d: &mut Decoder, node: &Node, path: &str) -> Option<RawWhen> {
    let f = d.mapping(node, path)?;
    if f.entries.is_empty() {
        d.error(
            node.pos,
            path,
            "expected at least one `parameter: [values]`, found `{}`",
        );
        return None;
    }
    let mut clauses = Vec::with_capacity(f.entries.len());
    let split = split_values(f.entries);
    if !split.is_empty() {
        for (entry, message) in split {
            d.error(entry.key_pos, &join(path, &entry.key), message);
        }
        return None;
    }
    let mut ok = true;
    for entry in f.entries {
        let clause_path = join(path, &entry.key);
        let items: &[Node] = match &entry.value.kind {
            Kind::Seq(items) => items,
            Kind::Scalar { .. } => std::slice::from_ref(&entry.value),
            Kind::Map(_) => {
                d.seq(&entry.value, &clause_path);
                ok = false;
                continue;
            }
        };
        if items.is_empty() {
            d.error(
                entry.value.pos,
                &clause_path,
                "expected at least one value, found `[]`",
            );
            ok = false;
            continue;
        }
        let mut values = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let item_path = match entry.value.kind {
                Kind::Seq(_) => format!("{clause_path}[{i}]"),
                _ => clause_path.clone(),
            };
            match d.value(item, &item_path) {
                Some(v) => values.push((v, item.pos, item_path)),
                None => ok = false,
            }
        }
        clauses.push(Clause {
            name: entry.key.clone(),
            key_pos: entry.key_pos,
            path: clause_path,
            values,
        });
    }
    ok.then_some(RawWhen { clauses })
}

/// Checks every parameter's `when:` against the others and turns it into a `Condition`.
///
/// A condition on a parameter that is `written` but broken is dropped without a message: the
/// broken parameter already has one.
pub(super) fn resolve(
    d: &mut Decoder,
    searched: &mut [Searched],
    written: &BTreeSet<String>,
    fixed: &Fixed,
) {
    let names: Vec<String> = searched.iter().map(|s| s.param.name.clone()).collect();
    let mut edges: BTreeMap<usize, Vec<(usize, Pos)>> = BTreeMap::new();
    for i in 0..searched.len() {
        let Some(raw) = searched[i].when.take() else {
            continue;
        };
        let mut when = BTreeMap::new();
        let mut ok = true;
        for clause in &raw.clauses {
            if !names.contains(&clause.name) && written.contains(&clause.name) {
                ok = false;
                continue;
            }
            match check_clause(d, searched, &names, i, clause, fixed) {
                Some((target, values)) => {
                    edges.entry(i).or_default().push((target, clause.key_pos));
                    when.insert(clause.name.clone(), values);
                }
                None => ok = false,
            }
        }
        if ok {
            searched[i].param.condition = Some(Condition { when });
        }
    }
    let errors = d.error_count();
    cycles(d, searched, &edges);
    if d.error_count() == errors {
        never_met(d, searched);
    }
}

/// Reports each parameter whose conditions can never all hold: followed through the parameters
/// they test (which exist only under their own conditions), they need one parameter to take
/// values from sets that share none, so the parameter exists in no trial.
fn never_met(d: &mut Decoder, searched: &[Searched]) {
    let index: BTreeMap<&str, usize> = searched
        .iter()
        .enumerate()
        .map(|(i, s)| (s.param.name.as_str(), i))
        .collect();
    for (i, s) in searched.iter().enumerate() {
        let Some(own) = &s.param.condition else {
            continue;
        };
        // What each tested parameter must be, and the parameter whose condition said so first.
        let mut needs: BTreeMap<&str, (Vec<&ParamValue>, &str)> = BTreeMap::new();
        let mut stack = vec![(i, own)];
        let mut seen = BTreeSet::from([i]);
        let mut clash = None;
        'walk: while let Some((at, condition)) = stack.pop() {
            let by = searched[at].param.name.as_str();
            for (name, values) in &condition.when {
                match needs.get_mut(name.as_str()) {
                    None => {
                        needs.insert(name, (values.iter().collect(), by));
                    }
                    Some((allowed, first)) => {
                        let before = allowed.clone();
                        allowed.retain(|v| values.contains(v));
                        if allowed.is_empty() {
                            clash = Some((name.as_str(), before, *first, values, by));
                            break 'walk;
                        }
                    }
                }
                if let Some(&j) = index.get(name.as_str()) {
                    if let Some(theirs) = &searched[j].param.condition {
                        if seen.insert(j) {
                            stack.push((j, theirs));
                        }
                    }
                }
            }
        }
        let Some((name, a, by_a, b, by_b)) = clash else {
            continue;
        };
        let list = |values: &mut dyn Iterator<Item = &ParamValue>| -> String {
            values
                .map(super::quote::shown)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let said = |by: &str| {
            if by == s.param.name {
                "its own `when:`".to_string()
            } else {
                format!("`{by}`'s `when:`")
            }
        };
        d.error(
            s.key_pos,
            &format!("parameters.{}.when", s.param.name),
            format!(
                "`{}` exists in no trial: for it, `{name}` must be one of [{}] ({}) and one of \
                 [{}] ({}), which share no value",
                s.param.name,
                list(&mut a.into_iter()),
                said(by_a),
                list(&mut b.iter()),
                said(by_b),
            ),
        );
    }
}

/// Checks one clause of parameter `at`; returns the tested parameter's index and the values.
fn check_clause(
    d: &mut Decoder,
    searched: &[Searched],
    names: &[String],
    at: usize,
    clause: &Clause,
    fixed: &Fixed,
) -> Option<(usize, Vec<ParamValue>)> {
    let own = &searched[at].param.name;
    if clause.name == *own {
        d.error(
            clause.key_pos,
            &clause.path,
            format!("`{own}` cannot depend on itself"),
        );
        return None;
    }
    let Some(target) = names.iter().position(|n| *n == clause.name) else {
        let message = match fixed.get(&clause.name) {
            Some(f) => format!(
                "`{}` is fixed in `{}:` on line {}; `when:` can only test searched parameters",
                clause.name, f.block, f.pos.line
            ),
            // A knob's name: not searched here (a misspelt parameter is reported at its line).
            None if crate::Knob::find(&clause.name).is_some() => format!(
                "`{}` is a knob, but not one of `parameters:`; `when:` tests a parameter \
                 searched there",
                clause.name
            ),
            None => {
                let others = names.iter().filter(|n| *n != own).map(String::as_str);
                let hint = did_you_mean(&clause.name, others.clone());
                let list: Vec<&str> = others.collect();
                let searched = match list.is_empty() {
                    true => "no other parameter is searched".to_string(),
                    false => format!("searched parameters: {}", list.join(", ")),
                };
                format!(
                    "unknown parameter `{}` in `when:`{hint}{searched}",
                    clause.name
                )
            }
        };
        d.error(clause.key_pos, &clause.path, message);
        return None;
    };
    let tested = &searched[target];
    let Distribution::Categorical { values, .. } = &tested.param.distribution else {
        d.error(
            clause.key_pos,
            &clause.path,
            format!(
                "`{}` is not categorical ({}); `when:` can only test a parameter with `values: [..]`",
                clause.name,
                tested.param.distribution.name()
            ),
        );
        return None;
    };
    let mut accepted = Vec::with_capacity(clause.values.len());
    for (value, pos, path) in &clause.values {
        // Knob values are normalized when read (`64.0` is the integer 64); so are these.
        let value = match tested.knob.map(|k| k.check(value)) {
            Some(Ok(v)) => v,
            _ => value.clone(),
        };
        if values.contains(&value) {
            accepted.push(value);
        } else {
            let list: Vec<String> = values.iter().map(super::quote::shown).collect();
            // Quoted, a number or `true` is text, and the listed value is not.
            let quoted =
                matches!(&value, ParamValue::Str(t) if values.iter().any(|v| v.to_string() == *t));
            let value = super::quote::shown(&value);
            let message = if quoted {
                format!(
                    "\"{value}\" is quoted, so it is text, and `{}` takes {value} itself (one \
                     of {}): write it without quotes",
                    clause.name,
                    list.join(", ")
                )
            } else {
                format!(
                    "`{value}` is not one of the values of `{}`: {}",
                    clause.name,
                    list.join(", ")
                )
            };
            d.error(*pos, path, message);
        }
    }
    (accepted.len() == clause.values.len()).then_some((target, accepted))
}

/// Reports each cycle of conditions once, at the first of its parameters in the file.
fn cycles(d: &mut Decoder, searched: &[Searched], edges: &BTreeMap<usize, Vec<(usize, Pos)>>) {
    let mut reported: BTreeSet<Vec<usize>> = BTreeSet::new();
    let mut by_position: Vec<usize> = (0..searched.len()).collect();
    by_position.sort_by_key(|&i| searched[i].key_pos);
    for &start in &by_position {
        let Some(path) = cycle_through(start, edges) else {
            continue;
        };
        let mut members = path.clone();
        members.sort_unstable();
        if !reported.insert(members) {
            continue;
        }
        let first = path
            .iter()
            .position(|&i| {
                path.iter()
                    .all(|&j| searched[i].key_pos <= searched[j].key_pos)
            })
            .unwrap_or(0);
        let rotated: Vec<usize> = path[first..]
            .iter()
            .chain(&path[..first])
            .copied()
            .collect();
        let head = rotated[0];
        let next = rotated.get(1).copied().unwrap_or(head);
        let pos = edges
            .get(&head)
            .and_then(|e| e.iter().find(|(t, _)| *t == next))
            .map_or(searched[head].key_pos, |(_, p)| *p);
        let chain: Vec<&str> = rotated
            .iter()
            .chain(std::iter::once(&head))
            .map(|&i| searched[i].param.name.as_str())
            .collect();
        let name = &searched[head].param.name;
        d.error(
            pos,
            &format!("parameters.{name}.when"),
            format!(
                "conditions form a cycle: {}; a parameter cannot depend on itself",
                chain.join(" -> ")
            ),
        );
    }
}

/// Returns the parameters of a cycle through `start`, in order from `start`, if there is one.
fn cycle_through(start: usize, edges: &BTreeMap<usize, Vec<(usize, Pos)>>) -> Option<Vec<usize>> {
    // Depth-first search for a path back to `start`; paths are short (a spec has few parameters).
    let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
    let mut on_path = vec![start];
    let mut seen = BTreeSet::from([start]);
    while let Some((node, next)) = stack.last_mut() {
        let out = edges.get(node).map_or(&[][..], Vec::as_slice);
        let Some(&(target, _)) = out.get(*next) else {
            stack.pop();
            on_path.pop();
            continue;
        };
        *next += 1;
        if target == start {
            return Some(on_path);
        }
        if seen.insert(target) {
            stack.push((target, 0));
            on_path.push(target);
        }
    }
    None
}
