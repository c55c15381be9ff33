//! The YAML front end: spec text in, a validated `ExperimentSpec` or every problem out.
//!
//! Reading is two phases, like ripgrep's low and high arguments. `tree` turns the text into a
//! small tree whose nodes know their line and column (and is the only place that names the YAML
//! crate); the decoders then walk that tree by hand, checking each rule and recording every
//! problem with its location instead of stopping at the first. Hand decoding rather than serde
//! is deliberate: it gives exact positions, "did you mean" hints and cross-field checks (a grid
//! over a continuous range, a knob both fixed and searched) in one pass.

mod blocks;
mod brackets;
mod conditions;
mod constraints;
mod data;
mod decoder;
mod distribution;
mod enqueue;
mod gate;
mod grid;
mod misread_key;
mod names;
mod objectives;
mod other_samplers;
mod other_tools;
mod params;
mod pruner;
pub(crate) mod quote;
mod sampler;
mod scan;
mod split_values;
mod syntax;
mod tree;
mod warm_start;
mod whole_bounds;

use std::path::Path;

pub(crate) use whole_bounds::whole_bound_notes;

use crate::{
    stopping::EpochsRule, CheckpointSpec, DeviceChoice, Error, ExperimentSpec, Location, Method,
    ModelKind, ModelSpec, PrunerSpec, SearchSpace, Seed, SpecError, SpecErrors,
};

use blocks::Fixed;
use decoder::{describe, scalar, shorten, Decoder};
use names::{name, seed};
use other_tools::{counts_written, WANDB_ONLY};
use params::Searched;
use tree::{Kind, Node, Pos, Problem, Scalar};

/// Returns whether two experiment files' texts say the same, comments, layout and quoting
/// aside (`1e-4` and `0.0001` alike); false where either does not parse.
pub fn same_content(a: &str, b: &str) -> bool {
    a == b || tree::content(a).is_some_and(|x| tree::content(b).is_some_and(|y| x == y))
}

/// The keys of a spec's top level.
const ROOT_KEYS: &[&str] = &[
    "name",
    "description",
    "seed",
    "method",
    "sampler",
    "run_cap",
    "parallel",
    "metric",
    "plateau",
    "constraints",
    "data",
    "model",
    "train",
    "parameters",
    "gate",
    "device",
    "checkpoints",
    "pruner",
    "early_terminate",
    "enqueue",
    "warm_start",
];

/// Trials of a search other than a grid when `run_cap` is not given.
const DEFAULT_RANDOM_RUN_CAP: u32 = 20;

/// Parses and validates a spec; see `ExperimentSpec::from_yaml_str`.
pub(crate) fn parse_spec(text: &str, file: &Path) -> crate::Result<ExperimentSpec> {
    parse_spec_as(text, file, EpochsRule::Reached)
}

/// Parses and validates a spec as `parse_spec` does, the most epochs a trial trains (which
/// Hyperband's `max_resource` defaults to) read by `rule`: `EpochsRule::Earlier` gives the spec
/// as versions before this one resolved it (`ExperimentSpec::as_it_ran`).
pub(crate) fn parse_spec_as(
    text: &str,
    file: &Path,
    rule: EpochsRule,
) -> crate::Result<ExperimentSpec> {
    // A byte order mark (Windows editors write one) is not part of the first key; editors hide
    // it, so columns on line 1 are counted without it too.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (root, mut problems) = tree::read(text);
    let spec = match root {
        None if problems.is_empty() => {
            problems.push(Problem::new(
                Pos::START,
                "",
                "the spec is empty; expected a mapping with at least `name`, `metric` and `data`",
            ));
            None
        }
        None => None,
        Some(root) => {
            let mut d = Decoder::default();
            let spec = document(&mut d, &root, text, (file, rule));
            problems.append(&mut d.problems);
            spec
        }
    };
    match spec {
        Some(spec) if problems.is_empty() => Ok(spec),
        _ => {
            if problems.is_empty() {
                // Every decoder records a problem before giving up; this is a safety net.
                problems.push(Problem::new(Pos::START, "", "the spec is not valid"));
            }
            let explained = look_alikes_explaining(text, &problems);
            problems.extend(explained);
            problems.sort_by_key(|p| p.pos);
            // A file that is mostly wrong (another tool's format, a file pasted twice) gets its
            // first problems, and how many more follow, not a screenful of each.
            if problems.len() > MOST_PROBLEMS_SHOWN {
                let more = problems.len() - MOST_PROBLEMS_SHOWN;
                problems.truncate(MOST_PROBLEMS_SHOWN);
                if let Some(last) = problems.last_mut() {
                    last.message
                        .push_str(&format!(" (and {more} more problems after this one)"));
                }
            }
            let errors = problems
                .into_iter()
                .map(|p| SpecError {
                    location: location(file, p.pos),
                    field: p.field,
                    message: p.message,
                })
                .collect();
            Err(Error::Spec(SpecErrors(errors)))
        }
    }
}

/// Returns the problems of the characters that look like YAML's own or are invisible (see
/// `syntax::look_alikes`) on the lines of `problems`, which they may explain (`random` with a
/// zero-width space after it is no method), except those a problem of their line names
/// already (an unknown key that holds one). Never a problem of its own: a file that holds them
/// and reads without problems is valid.
fn look_alikes_explaining(text: &str, problems: &[Problem]) -> Vec<Problem> {
    let found = syntax::look_alikes(text)
        .into_iter()
        .filter(|found| {
            let code = format!("U+{:04X}", u32::from(found.ch));
            let line = found.problem.pos.line;
            let mut same_line = problems.iter().filter(|p| p.pos.line == line).peekable();
            same_line.peek().is_some() && same_line.all(|p| !p.message.contains(&code))
        })
        .map(|found| found.problem)
        .collect();
    syntax::counted(found)
}

/// The most problems of one file said; the count of the rest follows the last.
const MOST_PROBLEMS_SHOWN: usize = 25;

/// Returns the location of `pos` in `file`.
fn location(file: &Path, pos: Pos) -> Location {
    Location {
        file: file.to_path_buf(),
        line: pos.line,
        column: pos.column,
    }
}

fn document(
    d: &mut Decoder,
    root: &Node,
    text: &str,
    (file, rule): (&Path, EpochsRule),
) -> Option<ExperimentSpec> {
    if !matches!(root.kind, Kind::Map(_)) {
        d.error(
            root.pos,
            "",
            format!(
                "expected the spec to be a mapping with keys such as `name:` and `data:`, found {}",
                describe(root)
            ),
        );
        return None;
    }
    let (direction, directions) = (objectives::direction(root), objectives::directions(root));
    let counts = counts_written(root);
    let mut refused: Vec<(&str, &str)> = counts.iter().map(|(k, why)| (*k, why.as_str())).collect();
    refused.extend(WANDB_ONLY);
    refused.push(("direction", direction.as_str()));
    refused.push(("directions", directions.as_str()));
    let f = d.fields_refusing(root, "", ROOT_KEYS, &refused)?;
    let name = d.required(&f, "name").and_then(|n| name(d, n));
    let description = match f.get("description") {
        None => Some(String::new()),
        Some(n) if matches!(scalar(n), Some(Scalar::Null)) => Some(String::new()),
        Some(n) => d.free_text(n, "description"),
    };
    let seed = f.get("seed").map_or(Some(Seed(0)), |n| seed(d, n));
    let method = f
        .get("method")
        .map_or(Some(Method::Random), |n| sampler::method(d, n));
    let run_cap = f
        .get("run_cap")
        .map_or(Some(None), |n| blocks::count(d, n, "run_cap").map(Some));
    let parallel = f.get("parallel").map_or(Some(None), |n| {
        d.count_in(n, "parallel", (1, crate::MAX_PARALLEL))
            .map(Some)
    });
    let objectives = d
        .required(&f, "metric")
        .and_then(|n| objectives::objectives(d, n, &objectives::Asked::of(root)));
    let metric = objectives
        .as_ref()
        .and_then(|o| o.list.first())
        .map(|o| o.0.clone());
    let data = d.required(&f, "data").and_then(|n| data::block(d, n, file));
    // An optional block left empty (`parameters:` with every entry commented out) is absent.
    let block = |key: &str| {
        f.get(key)
            .filter(|n| !matches!(scalar(n), Some(Scalar::Null)))
    };
    let mut fixed = Fixed::new();
    let model = block("model").map_or(
        Some(ModelSpec {
            kind: ModelKind::Mlp,
        }),
        |n| blocks::model(d, n, &mut fixed),
    );
    let early_stopping = block("train").map_or(Some(None), |n| blocks::train(d, n, &mut fixed));
    let (mut searched, written) =
        block("parameters").map_or_else(Default::default, |n| params::parameters(d, n));
    fixed_and_searched(d, &fixed, &searched);
    conditions::resolve(d, &mut searched, &written, &fixed);
    let method = match (method, block("sampler")) {
        (Some(m), Some(n)) => sampler::settings(d, m, n),
        (m, _) => m,
    };
    let (pruner, wandb_hyperband) = match (block("pruner"), block("early_terminate")) {
        (Some(_), Some(n)) => {
            d.error(
                n.pos,
                "early_terminate",
                "give either `pruner:` or W&B's `early_terminate:`, not both",
            );
            (None, None)
        }
        (Some(n), None) => (
            pruner::pruner(d, n, "pruner", most_epochs(&fixed, &searched, rule)),
            None,
        ),
        (None, Some(n)) => match pruner::early_terminate(d, n) {
            Some((pruner, written)) => (Some(pruner), Some(written)),
            None => (None, None),
        },
        (None, None) => (Some(PrunerSpec::None), None),
    };
    let constraints =
        block("constraints").map_or(Some(Vec::new()), |n| constraints::constraints(d, n));
    let plateau = block("plateau").map_or(Some(None), |n| blocks::plateau(d, n).map(Some));
    let gate = block("gate").map_or(Some(None), |n| {
        gate::gate(d, n, file, metric.as_ref()).map(Some)
    });
    let device = block("device").map_or(Some(DeviceChoice::Cpu), |n| blocks::device(d, n));
    let checkpoints = block("checkpoints").map_or(
        Some(CheckpointSpec {
            keep: blocks::DEFAULT_CHECKPOINTS_KEPT,
        }),
        |n| blocks::checkpoints(d, n),
    );
    // Judged by the list as written, so that a mistake inside one objective does not hide them.
    if f.get("metric")
        .is_some_and(|n| matches!(&n.kind, Kind::Seq(items) if items.len() > 1))
    {
        objectives::refuse_for_several(d, &f, method, pruner.as_ref());
    }
    if let Some(objectives) = &objectives {
        objectives::refuse_too_many_references(d, &f, method, objectives.list.len());
    }
    if let (Some(data), Some(objectives), Some(es)) = (&data, &objectives, &early_stopping) {
        let at = |key: &str| f.get(key).map_or(f.pos, |n| n.pos);
        blocks::task_metrics(
            d,
            data,
            &objectives.list,
            es.as_ref().map(|es| (es, at("train"))),
            constraints.as_deref().unwrap_or_default(),
        );
        if let Some(model) = &model {
            blocks::model_fits_data(d, model, data, at("model"));
        }
    }
    let method = method?;
    let method_pos = f.get("method").map_or(f.pos, |n| n.pos);
    // The earlier rule lists a grid's multiples of q as those versions did too.
    let space = SearchSpace::new(searched.iter().map(|s| s.param.clone()).collect())
        .with_multiples(match rule {
            EpochsRule::Reached => crate::grid::Multiples::Reached,
            EpochsRule::Earlier => crate::grid::Multiples::Earlier,
        });
    let grid_size = |d: &mut Decoder| grid::grid_size(d, &searched, &space, method_pos);
    let run_cap = match (run_cap?, method) {
        (Some(n), Method::Grid(_)) => grid_size(d).map(|_| n),
        (None, Method::Grid(_)) => grid_size(d),
        (Some(n), _) => Some(n),
        (None, _) => Some(DEFAULT_RANDOM_RUN_CAP),
    };
    let enqueue = match (block("enqueue"), run_cap) {
        (None, _) => Some(Vec::new()),
        (Some(n), Some(cap)) => enqueue::enqueue(d, n, &space, &fixed, (method, cap)),
        (Some(_), None) => None,
    };
    let around = warm_start::Around {
        name: name.as_deref(),
        method,
        objectives: objectives.as_ref().map_or(1, |o| o.list.len()),
        gated: block("gate").is_some(),
        file,
    };
    let warm_start = block("warm_start").map_or(Some(None), |n| {
        warm_start::warm_start(d, n, &around).map(Some)
    });
    Some(ExperimentSpec {
        name: name?,
        description: description?,
        seed: seed?,
        method,
        pruner: pruner?,
        run_cap: run_cap?,
        parallel: parallel?,
        metric: metric?,
        more_objectives: objectives
            .as_ref()
            .map(|o| o.list.iter().skip(1).map(|(m, _, _)| m.clone()).collect())
            .unwrap_or_default(),
        target: objectives?.target,
        plateau: plateau?,
        constraints: constraints?.into_iter().map(|(c, _)| c).collect(),
        data: data?,
        model: model?,
        early_stopping: early_stopping?,
        fixed: fixed.into_iter().map(|(k, f)| (k, f.value)).collect(),
        space,
        device: device?,
        checkpoints: checkpoints?,
        gate: gate?,
        enqueue: enqueue?,
        warm_start: warm_start?,
        wandb_hyperband,
        metric_locations: d
            .located
            .iter()
            .map(|(field, pos)| (field.clone(), location(file, *pos)))
            .collect(),
        source: text.to_string(),
    })
}

/// Returns the most epochs a trial can train (`crate::stopping::most_epochs`) as the file reads,
/// by `rule`.
fn most_epochs(fixed: &Fixed, searched: &[Searched], rule: EpochsRule) -> u32 {
    crate::stopping::most_epochs(
        searched
            .iter()
            .find(|s| s.param.name == "epochs")
            .map(|s| &s.param.distribution),
        fixed.get("epochs").map(|f| &f.value),
        rule,
    )
}

/// Reports knobs that are both fixed in `train:`/`model:` and searched in `parameters:`.
fn fixed_and_searched(d: &mut Decoder, fixed: &Fixed, searched: &[Searched]) {
    for s in searched {
        if let Some(f) = fixed.get(&s.param.name) {
            d.error(
                s.key_pos,
                &format!("parameters.{}", s.param.name),
                format!(
                    "`{}` is fixed in `{}:` on line {} and also searched here; keep one",
                    s.param.name, f.block, f.pos.line
                ),
            );
        }
    }
}

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests;
