//! The `metric:` block: one objective as a mapping, or several as a list of mappings (a
//! multi-objective study, as Optuna's `directions`), and what a study with several refuses.

use crate::{
    out_of_range, Direction, Method, MetricSpec, Nsga3Config, PrunerSpec, WALL_TIME_METRIC,
};

use super::blocks::{metric_name, wall_time_refused};
use super::decoder::{describe, shorten, Decoder, Fields};
use super::tree::{join, Kind, Node, Pos, Scalar};

/// The objectives read from `metric:`, each with where it is written and its dotted path.
pub(super) struct Objectives {
    pub(super) list: Vec<(MetricSpec, Pos, String)>,
    /// `metric.target`, of a single objective only.
    pub(super) target: Option<f64>,
}

/// The goals a spec asks for in Optuna's words at its top level, which the forms its errors
/// show for `metric:` take, so that they say what the file asks for.
pub(super) struct Asked {
    /// The goal of `direction:` (Optuna's, for one objective).
    direction: Option<&'static str>,
    /// The goals of `directions:` (Optuna's, for several), in order, `None` for one that
    /// reads as no goal; empty where it is not written.
    directions: Vec<Option<&'static str>>,
}

impl Asked {
    /// Returns the goals that the spec `root` asks for with `direction:` and `directions:`.
    pub(super) fn of(root: &Node) -> Asked {
        Asked {
            direction: goal_of(root.get("direction").and_then(text)),
            directions: written_goals(root),
        }
    }

    /// Returns the goal asked for one objective: `direction:`'s, else the first of
    /// `directions:` (paired with the one objective there is).
    fn one(&self) -> Option<&'static str> {
        self.direction
            .or(self.directions.first().copied().flatten())
    }
}

/// Reads `metric: {name, goal, target}`, or a list of at least two `{name, goal}`; a goal
/// defaults to the metric's own direction, and the target (W&B's: the sweep ends once a trial
/// reaches it) to none. The forms shown for one written otherwise (a bare name, a list of
/// names) take the goals `asked` where the file writes none in `metric:`.
pub(super) fn objectives(d: &mut Decoder, node: &Node, asked: &Asked) -> Option<Objectives> {
    let Kind::Seq(items) = &node.kind else {
        if let Kind::Scalar { text, .. } = &node.kind {
            // A bare name (`metric: val_loss`): the mapping it stands for, with the goal the
            // file asks for, else the metric's own.
            let goal = asked
                .one()
                .or_else(|| Direction::of_metric(text).map(Direction::as_str))
                .unwrap_or("maximize` or `minimize");
            d.error(
                node.pos,
                "metric",
                format!(
                    "expected a mapping, found {}; the objective is written `{{name: {}, goal: \
                     {goal}}}`",
                    describe(node),
                    shorten(text)
                ),
            );
            return None;
        }
        let (objective, target) = objective(d, node, "metric")?;
        if objective.name == WALL_TIME_METRIC {
            d.error(
                node.pos,
                "metric.name",
                wall_time_refused(
                    ", so a search that learns from it would too; `param_count` measures a \
                     model's cost reproducibly",
                ),
            );
            return None;
        }
        return Some(Objectives {
            list: vec![(objective, node.pos, "metric".to_string())],
            target,
        });
    };
    if items.len() < 2 {
        // The one written, with the goal it or `directions:` sets (else its own, which a
        // mapping without `goal` takes), so that a top-level `direction:` is not contradicted.
        let one = items.first().and_then(|item| {
            let goal = goal_set(item).or(asked.one());
            one_objective(item, goal)
        });
        let one = one.map_or_else(
            || "such as `metric: {name: val_accuracy, goal: maximize}`".to_string(),
            |one| format!("`metric: {one}`"),
        );
        d.error(
            node.pos,
            "metric",
            format!(
                "a list of objectives needs at least two, found {}; write one objective as a \
                 mapping, {one}",
                items.len()
            ),
        );
        return None;
    }
    // Names alone (`metric: [val_accuracy, param_count]`): one message with the form.
    let names: Vec<&str> = items
        .iter()
        .filter_map(|item| match &item.kind {
            Kind::Scalar {
                value: Scalar::Str(_),
                text,
            } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    if names.len() == items.len() {
        let written: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let goal = asked.directions.get(i).copied().flatten();
                format!(
                    "{{name: {}, goal: {}}}",
                    shorten(name),
                    own_goal(name, goal)
                )
            })
            .collect();
        d.error(
            node.pos,
            "metric",
            format!(
                "expected a list of objectives, each a mapping with its goal, found a list of \
                 names; write `metric: [{}]`",
                written.join(", ")
            ),
        );
        return None;
    }
    let mut list: Vec<(MetricSpec, Pos, String)> = Vec::new();
    let mut broken = false;
    for (i, item) in items.iter().enumerate() {
        let path = format!("metric[{i}]");
        let Some((objective, target)) = objective(d, item, &path) else {
            broken = true;
            continue;
        };
        if target.is_some() {
            d.error(
                item.pos,
                &join(&path, "target"),
                "`target` needs a single objective: a study with several ends with a front of \
                 trials, not one value that reaches a target",
            );
            broken = true;
        }
        if objective.name == WALL_TIME_METRIC {
            d.error(
                item.pos,
                &join(&path, "name"),
                wall_time_refused(
                    ", so the front would too; `param_count` measures a model's cost reproducibly",
                ),
            );
            broken = true;
        }
        if let Some((_, _, first)) = list.iter().find(|(o, _, _)| o.name == objective.name) {
            d.error(
                item.pos,
                &join(&path, "name"),
                format!("`{}` is already the objective {first}", objective.name),
            );
            broken = true;
        }
        list.push((objective, item.pos, path));
    }
    (!broken).then_some(Objectives { list, target: None })
}

/// Returns why a top-level `direction:` (Optuna's) has no place in the spec `root`, with the
/// form it takes here, built from the file's own metric: its goal in the direction written
/// (`metric: {name: val_loss, goal: minimize}`); beside a goal `metric:` sets already, that
/// one (and that the two disagree where they do); beside a list of objectives, each goal in
/// its entry, as `direction:` cannot say several; beside a list of one, that one as a mapping
/// (a list needs at least two).
pub(super) fn direction(root: &Node) -> String {
    let goal = goal_of(root.get("direction").and_then(text));
    let mut metric = root.get("metric");
    if let Some(Kind::Seq(items)) = metric.map(|m| &m.kind) {
        if let [one] = items.as_slice() {
            let set = goal_set(one);
            let name = metric_written(one);
            let disagree = match (set, goal) {
                (Some(set), Some(goal)) if set != goal => format!(
                    "; `metric:` says `goal: {set}` where `direction:` says {goal}, so keep \
                     the goal you mean"
                ),
                _ => String::new(),
            };
            let goal = name.map(|name| own_goal(name, set.or(goal)));
            if let Some(mapping) = one_objective(one, goal) {
                return format!(
                    "is Optuna's; here the goal is the metric's, and one objective is a \
                     mapping, not a list: delete `direction:` and write `metric: {mapping}`\
                     {disagree}"
                );
            }
            metric = None;
        } else if let Some(shown) = shown_goals(items, &[]) {
            // One goal for several objectives: each keeps the goal its entry sets, else its
            // metric's own, and those that differ from the one written are named.
            let other: Vec<String> = shown
                .iter()
                .filter(|(_, shown)| goal.is_some_and(|goal| goal != *shown))
                .map(|(name, shown)| format!("`{}`'s is {shown}", shorten(name)))
                .collect();
            let other = match (goal, other.is_empty()) {
                (Some(goal), false) => format!(
                    "; `direction:` writes one goal, {goal}, for {} objectives, and here {}: \
                     keep in each entry the goal you mean",
                    shown.len(),
                    other.join(", ")
                ),
                _ => String::new(),
            };
            return format!(
                "is Optuna's; with several objectives each goal is in its entry of `metric:`: \
                 delete `direction:` and write `metric: {}`{other}",
                list_of(&shown)
            );
        }
    }
    let set = metric.and_then(goal_set);
    match (set, goal) {
        (Some(set), Some(goal)) if set != goal => {
            return format!(
                "is Optuna's; here the goal is the metric's, and `metric:` says `goal: {set}` \
                 where `direction:` says {goal}: delete `direction:`, and keep in `metric:` \
                 the goal you mean"
            )
        }
        (Some(set), _) => {
            return format!(
                "is Optuna's; here the goal is the metric's, and `metric:` sets it already \
                 (`goal: {set}`): delete `direction:`"
            )
        }
        _ => {}
    }
    let name = metric.and_then(metric_written);
    let name = name.unwrap_or(match goal {
        Some("minimize") => "val_loss",
        _ => "val_accuracy",
    });
    format!(
        "is Optuna's; here the goal is the metric's: delete `direction:` and write `metric: \
         {{name: {}, goal: {}}}` (with several objectives, a list of them)",
        shorten(name),
        goal.unwrap_or("maximize` or `minimize")
    )
}

/// Returns why a top-level `directions:` (Optuna's) has no place in the spec `root`: the list
/// of objectives it is here, the file's own metrics paired in order with the directions
/// written; where `metric:` names one objective, that one as a mapping with the first
/// direction written (a list needs at least two, and no second name is the file's).
pub(super) fn directions(root: &Node) -> String {
    let goals = written_goals(root);
    let metric = root.get("metric");
    let one = match metric.map(|m| &m.kind) {
        Some(Kind::Seq(items)) if items.len() >= 2 => {
            if let Some(shown) = shown_goals(items, &goals) {
                return format!(
                    "is Optuna's; here several objectives are a list in `metric:`, each with \
                     its goal{}: delete `directions:` and write `metric: {}`{}",
                    counts_differ(goals.len(), items.len()),
                    list_of(&shown),
                    unpaired(&goals, &shown)
                );
            }
            None
        }
        Some(Kind::Seq(items)) => items.first(),
        _ => metric,
    };
    let first = goals.first().copied().flatten();
    let goal = one.and_then(|m| Some(own_goal(metric_written(m)?, goal_set(m).or(first))));
    if let Some(mapping) = one.and_then(|m| one_objective(m, goal)) {
        let but = if goals.len() == 1 { "and" } else { "but" };
        return format!(
            "is Optuna's; `directions:` writes {} {but} `metric:` names one objective, \
             whose goal is in it: delete `directions:` and write `metric: {mapping}` (with \
             several objectives, a list of at least two, each with its goal)",
            directions_counted(goals.len())
        );
    }
    let list = "[{name: val_accuracy, goal: maximize}, {name: param_count, goal: minimize}]";
    format!("is Optuna's; here several objectives are a list in `metric:`, each with its goal: delete `directions:` and write `metric: {list}`")
}

/// Returns the one objective written `node` (a name or a mapping) as the mapping it is here,
/// `{name: val_loss, goal: minimize}`, with `goal` where given and the target it writes;
/// `None` where it names no metric.
fn one_objective(node: &Node, goal: Option<&str>) -> Option<String> {
    let name = metric_written(node)?;
    let goal = goal.map(|g| format!(", goal: {g}")).unwrap_or_default();
    let target = node
        .get("target")
        .and_then(text)
        .map(|t| format!(", target: {}", shorten(t)))
        .unwrap_or_default();
    Some(format!("{{name: {}{goal}{target}}}", shorten(name)))
}

/// Returns the goal that the objective written `node` sets (`goal: minimize`), if any.
fn goal_set(node: &Node) -> Option<&'static str> {
    goal_of(node.get("goal").and_then(text))
}

/// Returns the goals that a top-level `directions:` (Optuna's) writes in the spec `root`, in
/// order, `None` for one that reads as no goal (a direction written without brackets,
/// `directions: maximize`, is one); empty where it has none.
fn written_goals(root: &Node) -> Vec<Option<&'static str>> {
    match root.get("directions").map(|n| &n.kind) {
        Some(Kind::Seq(items)) => items.iter().map(|i| goal_of(text(i))).collect(),
        Some(Kind::Scalar { text, .. }) if !text.is_empty() => vec![goal_of(Some(text))],
        _ => Vec::new(),
    }
}

/// Returns the objectives of a list written as names or mappings, each with the goal this
/// file takes for it: the one its entry sets, else the one of `goals` at its place, else the
/// metric's own; `None` where an entry names no metric, or the list is empty.
fn shown_goals<'n>(
    items: &'n [Node],
    goals: &[Option<&'static str>],
) -> Option<Vec<(&'n str, &'static str)>> {
    let shown: Option<Vec<(&str, &str)>> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let name = metric_written(item)?;
            let goal = goal_set(item).or(goals.get(i).copied().flatten());
            Some((name, own_goal(name, goal)))
        })
        .collect();
    shown.filter(|s| !s.is_empty())
}

/// Returns objectives with their goals as a list of this file
/// (`[{name: val_loss, goal: minimize}, ...]`).
fn list_of(shown: &[(&str, &str)]) -> String {
    let entries: Vec<String> = shown
        .iter()
        .map(|(name, goal)| format!("{{name: {}, goal: {goal}}}", shorten(name)))
        .collect();
    format!("[{}]", entries.join(", "))
}

/// Returns "one direction" or "3 directions".
fn directions_counted(n: usize) -> String {
    match n {
        1 => "one direction".to_string(),
        n => format!("{n} directions"),
    }
}

/// Returns, where `directions:` writes a number of goals other than the `objectives` of
/// `metric:`, the clause that says both ("; `directions:` writes 3 directions but `metric:`
/// names 2 objectives, paired in order"); else nothing.
fn counts_differ(directions: usize, objectives: usize) -> String {
    if directions == objectives {
        return String::new();
    }
    format!(
        "; `directions:` writes {} but `metric:` names {objectives} objectives, paired in order",
        directions_counted(directions)
    )
}

/// Returns what the pairing in order of `goals` with the objectives `shown` leaves over, as a
/// closing note: objectives past the last direction (which take the goal their entry sets, or
/// their metric's own), or directions past the last objective (which name none); nothing where
/// the two are as many.
fn unpaired(goals: &[Option<&str>], shown: &[(&str, &str)]) -> String {
    if let Some(rest) = shown.get(goals.len()..).filter(|r| !r.is_empty()) {
        let names: Vec<String> = rest
            .iter()
            .map(|(name, _)| format!("`{}`", shorten(name)))
            .collect();
        return format!(
            "; no direction is written for {}, shown with the goal its entry sets, else its \
             metric's own: keep in each entry the goal you mean",
            names.join(", ")
        );
    }
    let Some(rest) = goals.get(shown.len()..).filter(|r| !r.is_empty()) else {
        return String::new();
    };
    let left: Vec<&str> = rest
        .iter()
        .map(|g| g.unwrap_or("a direction that reads as no goal"))
        .collect();
    let (them, name, each, those) = match rest.len() {
        1 => ("the last direction".to_string(), "names", "it", "it"),
        n => (format!("the last {n} directions"), "name", "each", "them"),
    };
    format!(
        "; {them}, {}, {name} no objective: add one to `metric:` for {each}, with its goal, \
         or leave {those} out",
        left.join(", ")
    )
}

/// Returns the metric an objective written `node` names: its text (`val_loss`) or its `name`.
fn metric_written(node: &Node) -> Option<&str> {
    match &node.kind {
        Kind::Scalar {
            value: Scalar::Str(_),
            text,
        } => Some(text),
        _ => node.get("name").and_then(text),
    }
}

/// Returns `goal` where given, else the goal of the known metric `name`, else `maximize`.
fn own_goal<'a>(name: &str, goal: Option<&'a str>) -> &'a str {
    goal.unwrap_or_else(|| crate::Direction::of_metric(name).map_or("maximize", |d| d.as_str()))
}

/// Returns the text of a scalar node.
fn text(node: &Node) -> Option<&str> {
    match &node.kind {
        Kind::Scalar { text, .. } => Some(text),
        _ => None,
    }
}

/// Returns the goal that a direction written `text` (Optuna's `maximize`, `MAXIMIZE`,
/// `StudyDirection.MINIMIZE`, or `max`, `min`) stands for.
fn goal_of(text: Option<&str>) -> Option<&'static str> {
    let lower = text?.to_ascii_lowercase();
    let word = lower.rsplit('.').next().unwrap_or_default();
    if word.starts_with("max") {
        Some("maximize")
    } else if word.starts_with("min") {
        Some("minimize")
    } else {
        None
    }
}

/// Keys of W&B's `metric:` that have no place in an objective here, and what Sweep does
/// instead (the samplers' handling of failed and running trials, in `search`).
const WANDB_METRIC_KEYS: &[(&str, &str)] = &[
    (
        "impute",
        "is W&B's value for a run that logs no metric; here such a trial is failed, and the \
         samplers rank it below every completed one (`tpe` counts it among the bad trials, \
         `bayes` at the worst value seen, `cmaes` ranks it last), so remove it",
    ),
    (
        "impute_while_running",
        "is W&B's switch to give running runs an imputed value; here a running trial is left \
         out of the model, or counted as a bad one with constant_liar (`tpe`'s and `bayes`'s \
         `sampler: {constant_liar: true}`, the default; `bayes` counts it at the model's \
         prediction), so remove it",
    ),
];

/// Reads one objective, `{name, goal, target}`, at `path`.
fn objective(d: &mut Decoder, node: &Node, path: &str) -> Option<(MetricSpec, Option<f64>)> {
    let why = node.get("direction").map(|written| {
        format!(
            "is Optuna's word: that is `goal` here (`goal: {}`)",
            goal_of(text(written)).unwrap_or("maximize` or `goal: minimize")
        )
    });
    let mut refused: Vec<(&str, &str)> = why
        .as_deref()
        .map(|w| ("direction", w))
        .into_iter()
        .collect();
    refused.extend(WANDB_METRIC_KEYS);
    let f = d.fields_refusing(node, path, &["name", "goal", "target"], &refused)?;
    let name = d
        .required(&f, "name")
        .and_then(|n| metric_name(d, n, &join(path, "name")));
    let goal = match f.get("goal") {
        None => Some(None),
        Some(n) => d
            .choice(n, &join(path, "goal"), "goal", &["maximize", "minimize"])
            .map(|g| match g {
                "maximize" => Some(Direction::Maximize),
                _ => Some(Direction::Minimize),
            }),
    };
    let name = name?;
    // A known metric always has a direction, so the fallback is never used.
    let goal = goal?
        .or_else(|| Direction::of_metric(name))
        .unwrap_or(Direction::Minimize);
    let target = match f.get("target") {
        None => None,
        Some(n) => Some(target(d, n, name, &join(path, "target"))?),
    };
    Some((
        MetricSpec {
            name: name.to_string(),
            goal,
        },
        target,
    ))
}

/// Reads a target for the metric `name`: a number its values can reach.
fn target(d: &mut Decoder, node: &Node, name: &str, path: &str) -> Option<f64> {
    let x = d.number(node, path)?;
    let outside = out_of_range(name, x);
    match outside {
        Some(message) => {
            d.error(node.pos, path, message);
            None
        }
        None => Some(x),
    }
}

/// Records what a study with several objectives cannot have: a pruner (its rules compare one
/// objective's curves; Optuna's `trial.report` refuses it there too), the `cmaes` method (one objective
/// only, as Optuna's), and a gate (which guards the one best trial's metrics).
pub(super) fn refuse_for_several(
    d: &mut Decoder,
    f: &Fields<'_>,
    method: Option<Method>,
    pruner: Option<&PrunerSpec>,
) {
    let why = "with several objectives (`metric:` is a list)";
    if matches!(pruner, Some(p) if *p != PrunerSpec::None) {
        let key = if f.get("pruner").is_some() {
            "pruner"
        } else {
            "early_terminate"
        };
        let pos = f.get(key).map_or(f.pos, |n| n.pos);
        d.error(
            pos,
            key,
            format!(
                "no pruner {why}: pruning compares one objective's learning curves, and a \
                 trial weak on one may be on the front for another; remove `{key}:` or give \
                 `metric:` one objective"
            ),
        );
    }
    if matches!(method, Some(Method::CmaEs(_))) {
        let pos = f.get("method").map_or(f.pos, |n| n.pos);
        d.error(
            pos,
            "method",
            format!(
                "`cmaes` adapts to one objective; {why} use `tpe` (which ranks trials by Pareto \
                 front), `bayes`, `nsga2`, `nsga3` (for three objectives or more), `random`, \
                 `sobol` or `grid`"
            ),
        );
    }
    if let Some(gate) = f.get("gate") {
        d.error(
            gate.pos,
            "gate",
            format!(
                "a gate guards the metrics of the one best trial; {why} a study ends with a \
                 front of trials: gate a copy of the experiment with one objective"
            ),
        );
    }
}

/// Records a `nsga3` study whose reference directions would be too many for its objectives.
pub(super) fn refuse_too_many_references(
    d: &mut Decoder,
    f: &Fields<'_>,
    method: Option<Method>,
    objectives: usize,
) {
    let Some(Method::Nsga3(config)) = method else {
        return;
    };
    let count = config.reference_points(objectives);
    if count <= Nsga3Config::MAX_REFERENCE_POINTS {
        return;
    }
    let at = f
        .get("sampler")
        .and_then(|s| s.get("dividing_parameter"))
        .map(|n| (n.pos, "sampler.dividing_parameter"))
        .or_else(|| f.get("method").map(|n| (n.pos, "method")))
        .unwrap_or((f.pos, "method"));
    let many = if count == u64::MAX {
        "18446744073709551615 or more".to_string()
    } else {
        count.to_string()
    };
    d.error(
        at.0,
        at.1,
        format!(
            "`nsga3` with {objectives} objectives and `dividing_parameter: {}` makes {many} \
             reference directions, more than the {} it allows; lower `dividing_parameter`",
            config.dividing_parameter,
            Nsga3Config::MAX_REFERENCE_POINTS
        ),
    );
}
