//! Grids over search spaces, conditional ones included: how many points, and the k-th one.
//!
//! An unconditional grid is one mixed-radix number, the last parameter by name changing fastest.
//! With conditions, the grid is a union of such numbers, one per *branch*: an assignment of the
//! parameters that conditions test. Under a branch only the parameters active there are axes,
//! so an inactive parameter never multiplies the grid with copies of the same point.

use std::collections::BTreeSet;

use crate::{Distribution, Param, ParamValue, Params, SearchSpace};

/// The most branches a conditional grid is enumerated over; past it, its size saturates.
const MAX_BRANCHES: usize = 100_000;

/// The parameters active under one assignment of the tested parameters.
struct Branch<'s> {
    chosen: Params,
    axes: Vec<&'s Param>,
    size: u64,
}

/// Returns the grid's size; see `SearchSpace::grid_size`.
pub(crate) fn size(space: &SearchSpace) -> Option<u64> {
    match branches(space)? {
        Some(branches) => Some(
            branches
                .iter()
                .fold(0u64, |acc, b| acc.saturating_add(b.size)),
        ),
        None => Some(u64::MAX),
    }
}

/// The most values a quantized range is counted out to (`quantized_size`).
const MOST_QUANTIZED_VALUES: f64 = 100_000.0;

/// Returns the number of distinct points of `space` when its quantized ranges (`q_uniform`,
/// `q_log_uniform_values`, `q_log_uniform`) are counted as the multiples of q they round to,
/// with a line for each such range (its name, how many values and what bounds them); `None`
/// when the space has none, or another continuous parameter, or one of them has over
/// `MOST_QUANTIZED_VALUES` values. A grid takes `q_uniform` ranges (`size` counts them so too)
/// and refuses the log ones, but a sampler draws only those points all the same.
pub(crate) fn quantized_size(space: &SearchSpace) -> Option<(u64, Vec<String>)> {
    let mut said = Vec::new();
    let mut params = Vec::with_capacity(space.params().len());
    for p in space.params() {
        // Bounds as written are said as written; e^min and e^max to 5 significant digits
        // (1.0101, not 1.010050167084168).
        let (min, max, q, shown) = match p.distribution {
            Distribution::QUniform { min, max, q }
            | Distribution::QLogUniformValues { min, max, q } => {
                (min, max, q, crate::words::number_text as fn(f64) -> String)
            }
            Distribution::QLogUniform { min, max, q } => {
                (min.exp(), max.exp(), q, short as fn(f64) -> String)
            }
            _ => {
                params.push(p.clone());
                continue;
            }
        };
        // A grid listed by an earlier rule (`Multiples::Earlier`) counts its own points.
        let rule = match p.distribution {
            Distribution::QUniform { .. } => space.multiples(),
            _ => Multiples::Reached,
        };
        let (first, count) = multiples_by(min, max, q, rule)?;
        let values: Vec<ParamValue> = (0..count)
            .map(|k| crate::quantized((first + f64::from(k)) * q, q))
            .collect();
        let takes = match values.as_slice() {
            [one] => format!("only {}", crate::space::shown(one)),
            [a, b] => format!(
                "only {} and {}",
                crate::space::shown(a),
                crate::space::shown(b)
            ),
            _ => crate::counted(u64::from(count), "value", "values"),
        };
        said.push(format!(
            "`{}` takes {takes}: {} rounds its draws to multiples of q ({}{}) from {} to {}",
            p.name,
            p.distribution.name(),
            crate::words::number_text(q),
            if q == 1.0 {
                ", W&B's default where `q:` is not written"
            } else {
                ""
            },
            shown(min),
            shown(max),
        ));
        params.push(Param {
            distribution: Distribution::Categorical {
                values,
                probabilities: None,
            },
            ..p.clone()
        });
    }
    if said.is_empty() {
        return None;
    }
    Some((size(&SearchSpace::new(params))?, said))
}

/// Writes a bound worked out from the file's (e^min) to 5 significant digits.
fn short(x: f64) -> String {
    crate::words::significant_text(x, 5)
}

/// Returns the multiples of `q` that draws from `min` to `max` round to, as the first one's
/// count of q and how many there are: each from the multiple nearest `min` to the one nearest
/// `max`, an end halfway between two multiples giving the one inside (`crate::reached_multiples`,
/// the one rule for what a `q_` range gives): `q_uniform` from 0 to 10 with q 5 gives 0, 5 and
/// 10 (W&B's grid, `np.arange(min, max, q)`, leaves out a `max` that is a multiple); from 0 to
/// 10 with q 4, 0, 4 and 8, as no draw below 10 rounds to 12; from 3 to 8 with q 3, 3, 6 and 9,
/// as draws past 7.5 do. These are the values the distribution gives, so the grid, the notes'
/// counts and the most epochs a trial trains (`crate::stopping::most_epochs`) agree. `None`
/// past `MOST_QUANTIZED_VALUES`, or where the bounds are not finite.
pub(crate) fn multiples(min: f64, max: f64, q: f64) -> Option<(f64, u32)> {
    multiples_by(min, max, q, Multiples::Reached)
}

/// Which multiples of q a grid lists for a `q_uniform` range: those its draws reach, or those
/// the versions before `Reached` listed, which a grid they stored goes on with
/// (`ExperimentSpec::as_it_ran`), so that its trial numbers keep their points.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Multiples {
    /// From the multiple nearest `min` to the one nearest `max`, an end halfway between two
    /// giving the one inside (`crate::reached_multiples`): 0 to 10 with q 4 gives 0, 4 and 8.
    #[default]
    Reached,
    /// As versions before `Reached` listed them: each end rounded half away from zero, so an
    /// end halfway between two multiples gives the one outside too: 0 to 10 with q 4 gives 0,
    /// 4, 8 and 12.
    Earlier,
}

/// Returns the multiples of `q` a grid lists from `min` to `max` by `rule`, as `multiples`.
fn multiples_by(min: f64, max: f64, q: f64, rule: Multiples) -> Option<(f64, u32)> {
    let (first, last) = match rule {
        Multiples::Reached => crate::reached_multiples(min, max, q),
        Multiples::Earlier => ((min / q).round(), (max / q).round()),
    };
    let listed = (0.0..MOST_QUANTIZED_VALUES).contains(&(last - first));
    if !(first.is_finite() && last.is_finite() && listed) {
        return None;
    }
    // Finite, in order and fewer than `MOST_QUANTIZED_VALUES` apart, checked above.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let count = (last - first) as u32 + 1;
    Some((first, count))
}

/// Returns the grid's point `index`; see `SearchSpace::grid_point`.
pub(crate) fn point(space: &SearchSpace, index: u64) -> Option<Params> {
    let rule = space.multiples();
    let mut rest = index;
    for branch in branches(space)?? {
        if rest >= branch.size {
            rest -= branch.size;
            continue;
        }
        let mut params = branch.chosen;
        for p in branch.axes.iter().rev() {
            let len = len(&p.distribution, rule)?;
            params.insert(p.name.clone(), value(&p.distribution, rest % len, rule)?);
            rest /= len;
        }
        return Some(params);
    }
    None
}

/// Returns the branches in order, `None` inside when there are too many to list, or `None` when
/// a parameter cannot be gridded.
fn branches(space: &SearchSpace) -> Option<Option<Vec<Branch<'_>>>> {
    let rule = space.multiples();
    if space
        .params()
        .iter()
        .any(|p| len(&p.distribution, rule).is_none())
    {
        return None;
    }
    let tested: BTreeSet<&str> = space
        .params()
        .iter()
        .filter_map(|p| p.condition.as_ref())
        .flat_map(|c| c.when.keys().map(String::as_str))
        .collect();
    let controllers: Vec<&Param> = space
        .in_dependency_order()
        .filter(|p| tested.contains(p.name.as_str()))
        .collect();
    let mut assignments = Vec::new();
    if !expand(space, &controllers, Params::new(), &mut assignments) {
        return Some(None);
    }
    let branches = assignments
        .into_iter()
        .map(|chosen| {
            let axes: Vec<&Param> = space
                .params()
                .iter()
                .filter(|p| !tested.contains(p.name.as_str()) && space.is_active(p, &chosen))
                .collect();
            let size = axes.iter().fold(1u64, |acc, p| {
                acc.saturating_mul(len(&p.distribution, rule).unwrap_or(1))
            });
            Branch { chosen, axes, size }
        })
        .collect();
    Some(Some(branches))
}

/// Appends every assignment of `controllers` (in dependency order) extending `chosen`; returns
/// false when there are more than `MAX_BRANCHES`.
fn expand(
    space: &SearchSpace,
    controllers: &[&Param],
    chosen: Params,
    out: &mut Vec<Params>,
) -> bool {
    let Some((first, rest)) = controllers.split_first() else {
        out.push(chosen);
        return out.len() <= MAX_BRANCHES;
    };
    if !space.is_active(first, &chosen) {
        return expand(space, rest, chosen, out);
    }
    let rule = space.multiples();
    let n = len(&first.distribution, rule).unwrap_or(0);
    for i in 0..n {
        let Some(v) = value(&first.distribution, i, rule) else {
            return false;
        };
        let mut next = chosen.clone();
        next.insert(first.name.clone(), v);
        if !expand(space, rest, next, out) {
            return false;
        }
    }
    true
}

/// Returns how many values a grid takes from `distribution`, or `None` when it cannot take it
/// (a continuous range, a quantized one other than `q_uniform`).
fn len(distribution: &Distribution, rule: Multiples) -> Option<u64> {
    match distribution {
        Distribution::Constant(_) => Some(1),
        Distribution::Categorical { values, .. } => u64::try_from(values.len()).ok(),
        Distribution::IntUniform { min, max } => {
            u64::try_from(i128::from(*max) - i128::from(*min) + 1).ok()
        }
        Distribution::QUniform { min, max, q } => {
            multiples_by(*min, *max, *q, rule).map(|(_, n)| n.into())
        }
        _ => None,
    }
}

/// Returns value `i` of the grid's values of `distribution`.
fn value(distribution: &Distribution, i: u64, rule: Multiples) -> Option<ParamValue> {
    match distribution {
        Distribution::Constant(v) => Some(v.clone()),
        Distribution::Categorical { values, .. } => values.get(usize::try_from(i).ok()?).cloned(),
        Distribution::IntUniform { min, .. } => {
            let i = i64::try_from(i).ok()?;
            min.checked_add(i).map(ParamValue::Int)
        }
        Distribution::QUniform { min, max, q } => {
            let (first, count) = multiples_by(*min, *max, *q, rule)?;
            let i = u32::try_from(i).ok().filter(|i| *i < count)?;
            Some(crate::quantized((first + f64::from(i)) * q, *q))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::Condition;

    fn strings(values: &[&str]) -> Vec<ParamValue> {
        values
            .iter()
            .map(|v| ParamValue::Str(v.to_string()))
            .collect()
    }

    fn categorical(values: &[&str]) -> Distribution {
        Distribution::Categorical {
            values: strings(values),
            probabilities: None,
        }
    }

    fn when(name: &str, values: &[&str]) -> Option<Condition> {
        Some(Condition {
            when: BTreeMap::from([(name.to_string(), strings(values))]),
        })
    }

    fn render(space: &SearchSpace) -> Vec<String> {
        let size = space.grid_size().unwrap_or(0);
        (0..size)
            .map(|k| {
                let p = space.grid_point(k).unwrap_or_default();
                p.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn a_conditional_grid_lists_each_distinct_point_once() {
        let space = SearchSpace::new(vec![
            Param::new("regularization", categorical(&["none", "dropout", "l2"])),
            Param {
                condition: when("regularization", &["dropout"]),
                ..Param::new("dropout", categorical(&["0.1", "0.2"]))
            },
            Param {
                condition: when("regularization", &["l2"]),
                ..Param::new("l2", categorical(&["a"]))
            },
            Param::new("depth", Distribution::IntUniform { min: 1, max: 2 }),
        ]);
        assert_eq!(space.grid_size(), Some(8));
        assert_eq!(
            render(&space),
            [
                "depth=1 regularization=none",
                "depth=2 regularization=none",
                "depth=1 dropout=0.1 regularization=dropout",
                "depth=1 dropout=0.2 regularization=dropout",
                "depth=2 dropout=0.1 regularization=dropout",
                "depth=2 dropout=0.2 regularization=dropout",
                "depth=1 l2=a regularization=l2",
                "depth=2 l2=a regularization=l2",
            ]
        );
        assert_eq!(space.grid_point(8), None);
    }

    #[test]
    fn nested_conditions_follow_dependency_order() {
        // `b` tests `a`, and `c` tests `b`: `c` exists only when both hold.
        let space = SearchSpace::new(vec![
            Param {
                condition: when("b", &["y"]),
                ..Param::new("a_last", categorical(&["1", "2"]))
            },
            Param {
                condition: when("c", &["on"]),
                ..Param::new("b", categorical(&["x", "y"]))
            },
            Param::new("c", categorical(&["off", "on"])),
        ]);
        let names: Vec<&str> = space
            .in_dependency_order()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, ["c", "b", "a_last"]);
        assert_eq!(
            render(&space),
            [
                "c=off",
                "b=x c=on",
                "a_last=1 b=y c=on",
                "a_last=2 b=y c=on",
            ]
        );
    }

    /// Returns the values `quantized` gives draws strictly between `min` and `max`: a fine
    /// lattice and the floats next to each end.
    fn drawn(min: f64, max: f64, q: f64) -> Vec<ParamValue> {
        let mut xs: Vec<f64> = (0..20_000)
            .map(|i| min + (max - min) * (f64::from(i) + 0.5) / 20_000.0)
            .collect();
        xs.extend([min.next_up(), max.next_down()]);
        let mut values: Vec<ParamValue> = Vec::new();
        let mut sorted: Vec<f64> = xs.iter().map(|x| (x / q).round()).collect();
        sorted.sort_by(f64::total_cmp);
        sorted.dedup();
        for k in sorted {
            values.push(crate::quantized(k * q, q));
        }
        values
    }

    #[test]
    fn a_q_uniform_grid_lists_the_values_draws_inside_its_range_round_to() {
        // Ends halfway between two multiples (16 / 32 and 48 / 32 at k + 1/2, 10 / 4 at 2.5,
        // 0.25 / 0.1 at 2.5, -10 / 4 at -2.5) give the multiple inside, which is all a draw
        // inside the range rounds to; other ends their nearest multiple, past `max` where it
        // is nearer (3 to 8 with q 3: 9).
        for (min, max, q) in [
            (16.0, 48.0, 32.0),
            (16.0, 80.0, 32.0),
            (4.0, 10.0, 4.0),
            (0.0, 10.0, 4.0),
            (0.0, 0.25, 0.1),
            (3.0, 8.0, 3.0),
            (0.0, 10.0, 5.0),
            (-10.0, -2.0, 4.0),
            (0.05, 0.95, 0.1),
            (0.3, 7.7, 1.0),
        ] {
            let d = Distribution::QUniform { min, max, q };
            assert_eq!(d.grid_values(), Some(drawn(min, max, q)), "{min} {max} {q}");
        }
        let values =
            |min: f64, max: f64, q: f64| Distribution::QUniform { min, max, q }.grid_values();
        let ints = |v: &[i64]| Some(v.iter().copied().map(ParamValue::Int).collect::<Vec<_>>());
        assert_eq!(values(16.0, 48.0, 32.0), ints(&[32]));
        assert_eq!(values(0.0, 10.0, 4.0), ints(&[0, 4, 8]));
        assert_eq!(values(16.0, 80.0, 32.0), ints(&[32, 64]));
        assert_eq!(values(-10.0, -2.0, 4.0), ints(&[-8, -4]));
        assert_eq!(values(3.0, 8.0, 3.0), ints(&[3, 6, 9]));
        assert_eq!(
            values(0.0, 0.25, 0.1),
            Some(vec![
                ParamValue::Float(0.0),
                ParamValue::Float(0.1),
                ParamValue::Float(0.2)
            ])
        );
    }

    #[test]
    fn a_cycle_built_by_hand_leaves_its_parameters_inactive() {
        let space = SearchSpace::new(vec![
            Param {
                condition: when("b", &["x"]),
                ..Param::new("a", categorical(&["x"]))
            },
            Param {
                condition: when("a", &["x"]),
                ..Param::new("b", categorical(&["x"]))
            },
            Param::new("c", categorical(&["x"])),
        ]);
        assert_eq!(render(&space), ["c=x"]);
    }
}
