//! Judging the models a search space can draw before anything trains, for `sweep validate`:
//! whether every trial, or only some, will fail at its start with a model (or a pass's
//! activations) past what the trainer builds.
//!
//! Six knobs decide a model's size and its activations: `hidden`, `channels`, `batch_size` and
//! `layer_norm` never make a smaller model by growing, so only their least and greatest drawn
//! values are judged; `depth` and `conv_layers` do not (a hidden layer narrower than the
//! outputs, a pooling that shrinks what the dense layers read), so each of their drawn values
//! is. A knob comes from the model block when not searched, from a constant (`value:`) or
//! listed parameter, or from an `int_uniform` range. Other distributions are not judged (no
//! note, as before: the trials say it). The combinations judged are every pairing of the knobs'
//! values, more than a space with `when:` conditions may draw: so a model judged too large for
//! every pairing is too large for every trial, and the note on some trials is left out under
//! conditions.
//!
//! Rejected: sampling the space (the sampler's draws depend on the history, and a few draws
//! prove nothing about every trial); judging every value of a wide range (a `hidden` of 1 to
//! 65,536 is two values to judge, not 65,536).

use experiment::{Distribution, Hyperparams, ModelKind, ParamValue, Params, SearchSpace};

use crate::prep::Prepared;

/// A knob that decides how large a model or a pass's activations are.
#[derive(Debug)]
struct SizeKnob {
    /// The knob's name, as a parameter or in the model block.
    name: &'static str,
    /// Its value once resolved, for ordering its drawn values.
    value: fn(&Hyperparams) -> usize,
    /// Whether a greater value never makes a smaller model nor smaller activations.
    growing: bool,
}

/// The knobs that decide a model's size and its activations, in the order a note names them.
const SIZE_KNOBS: [SizeKnob; 6] = [
    SizeKnob {
        name: "hidden",
        value: |hp| hp.hidden,
        growing: true,
    },
    SizeKnob {
        name: "depth",
        value: |hp| hp.depth,
        growing: false,
    },
    SizeKnob {
        name: "layer_norm",
        value: |hp| usize::from(hp.layer_norm),
        growing: true,
    },
    SizeKnob {
        name: "channels",
        value: |hp| hp.channels,
        growing: true,
    },
    SizeKnob {
        name: "conv_layers",
        value: |hp| hp.conv_layers,
        growing: false,
    },
    SizeKnob {
        name: "batch_size",
        value: |hp| hp.batch_size,
        growing: true,
    },
];

/// The most values of a knob that is judged value by value (`depth`, `conv_layers`); the knobs'
/// own ranges hold at most 17.
const MAX_JUDGED_VALUES: usize = 64;

/// Which end of the growing knobs' drawn values a combination takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Least,
    Greatest,
}

/// The values a space can give each size knob.
#[derive(Debug)]
struct Drawn {
    /// Per knob of `SIZE_KNOBS`: its values, each as sampled (`None`: the fixed value or the
    /// default, for a knob not searched or searched under a condition), least first.
    values: Vec<Vec<Option<ParamValue>>>,
    /// Whether any size knob comes from the space.
    searched: bool,
    /// Whether any size knob is searched under a `when:` condition.
    conditional: bool,
}

/// What the models a space draws come to, when some are too large.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TooLarge {
    /// Every trial fails at its start: the error of the first model judged, named by its
    /// drawn knobs when any are drawn.
    Every(String),
    /// Only some trials fail: the note that says which model fails and which builds.
    Some(String),
}

/// Judges the models `space` can draw over the fixed knobs `fixed` for `kind` on `data`;
/// `None` when every one builds, or the space is not judged (a size knob drawn from a
/// distribution other than a constant, a list or an integer range, or a value the knob
/// refuses).
pub(super) fn too_large(
    data: &Prepared,
    kind: ModelKind,
    fixed: &Params,
    space: &SearchSpace,
) -> Option<TooLarge> {
    let drawn = Drawn::of(space, fixed)?;
    let judge = |sampled: &Params| -> Option<Result<(), String>> {
        let hp = Hyperparams::resolve(fixed, sampled).ok()?;
        Some(
            crate::train::check_model(data, kind, &hp)
                .map(|_| ())
                .map_err(|e| e.to_string()),
        )
    };
    let least = drawn.combinations(End::Least);
    let mut builds = None;
    let mut first_error = None;
    for sampled in &least {
        match judge(sampled)? {
            Ok(()) => {
                builds = Some(sampled);
                break;
            }
            Err(why) => {
                first_error.get_or_insert((sampled, why));
            }
        }
    }
    let Some(builds) = builds else {
        let (sampled, why) = first_error?;
        return Some(TooLarge::Every(match drawn.searched {
            false => why,
            true => format!(
                "every model the space can draw is too large; with {}: {why}",
                shown(sampled)
            ),
        }));
    };
    if drawn.conditional {
        return None;
    }
    let greatest = drawn.combinations(End::Greatest);
    for sampled in greatest.iter().rev() {
        if let Err(why) = judge(sampled)? {
            return Some(TooLarge::Some(format!(
                "some trials will fail at their start: some models the space can draw are too \
                 large; with {}: {why}; with {} the model builds",
                shown(sampled),
                shown(builds)
            )));
        }
    }
    None
}

impl Drawn {
    /// Returns the values `space` can give each size knob over `fixed`, or `None` when a knob's
    /// distribution is not judged or one of its values does not resolve.
    fn of(space: &SearchSpace, fixed: &Params) -> Option<Drawn> {
        let mut drawn = Drawn {
            values: Vec::with_capacity(SIZE_KNOBS.len()),
            searched: false,
            conditional: false,
        };
        for knob in &SIZE_KNOBS {
            let Some(param) = space.param(knob.name) else {
                drawn.values.push(vec![None]);
                continue;
            };
            let listed: Vec<ParamValue> = match &param.distribution {
                Distribution::Constant(v) => vec![v.clone()],
                Distribution::Categorical { values, .. } => values.clone(),
                Distribution::IntUniform { min, max } if knob.growing => {
                    vec![ParamValue::Int(*min), ParamValue::Int(*max)]
                }
                Distribution::IntUniform { min, max } => {
                    let count = max.checked_sub(*min)?.checked_add(1)?;
                    if usize::try_from(count).ok()? > MAX_JUDGED_VALUES {
                        return None;
                    }
                    (*min..=*max).map(ParamValue::Int).collect()
                }
                _ => return None,
            };
            drawn.searched = true;
            let mut values: Vec<Option<ParamValue>> = listed.into_iter().map(Some).collect();
            if param.condition.is_some() {
                drawn.conditional = true;
                values.push(None);
            }
            // Each value ordered by what it resolves to; one the knob refuses is not judged.
            let mut ordered = Vec::with_capacity(values.len());
            for value in values {
                let sampled: Params = value
                    .iter()
                    .map(|v| (knob.name.to_string(), v.clone()))
                    .collect();
                let hp = Hyperparams::resolve(fixed, &sampled).ok()?;
                ordered.push(((knob.value)(&hp), value));
            }
            ordered.sort_by_key(|(resolved, _)| *resolved);
            ordered.dedup_by_key(|(resolved, _)| *resolved);
            drawn
                .values
                .push(ordered.into_iter().map(|(_, v)| v).collect());
        }
        Some(drawn)
    }

    /// Returns every combination of the judged-by-value knobs' values, each with the growing
    /// knobs at `end`, as sampled parameters: the least first.
    fn combinations(&self, end: End) -> Vec<Params> {
        let mut combinations = vec![Params::new()];
        for (knob, values) in SIZE_KNOBS.iter().zip(&self.values) {
            let taken: Vec<&Option<ParamValue>> = match (knob.growing, end) {
                (false, _) => values.iter().collect(),
                (true, End::Least) => values.first().into_iter().collect(),
                (true, End::Greatest) => values.last().into_iter().collect(),
            };
            combinations = combinations
                .iter()
                .flat_map(|sampled| {
                    taken.iter().map(move |value| {
                        let mut sampled = sampled.clone();
                        if let Some(v) = value {
                            sampled.insert(knob.name.to_string(), v.clone());
                        }
                        sampled
                    })
                })
                .collect();
        }
        combinations
    }
}

/// Returns the drawn knobs of `sampled` as a note names them: `hidden 65536, depth 8`.
fn shown(sampled: &Params) -> String {
    SIZE_KNOBS
        .iter()
        .filter_map(|knob| sampled.get(knob.name).map(|v| format!("{} {v}", knob.name)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use experiment::ExperimentSpec;

    use crate::objective::MlpObjective;

    /// Returns the spec of a sweep on the shipped penguins data with the model block `model`
    /// and the `parameters:` lines `parameters` (each indented by two spaces).
    fn penguins(model: &str, parameters: &str) -> ExperimentSpec {
        crate::objective::tests::parse(
            &format!(
                "name: big\nseed: 1\nrun_cap: 2\nparallel: 1\n\
                 metric: {{name: val_accuracy, goal: maximize}}\n\
                 data: {{csv: data/penguins.csv, target: species, categorical: [island, sex], \
                 exclude: [year], missing: median}}\n\
                 model: {model}\nparameters:\n  lr: {{values: [0.01]}}\n{parameters}"
            ),
            "big.yaml",
        )
    }

    /// Returns what `sweep validate` is told of `spec`'s models: every trial's failure, and
    /// some trials'.
    fn judged(spec: &ExperimentSpec) -> (Option<String>, Option<String>) {
        let objective = MlpObjective::new(spec).unwrap();
        (
            objective.fixed_model_problem(&spec.space),
            objective.drawn_model_problem(&spec.space),
        )
    }

    /// What a trial says of the model 65536 wide and 8 deep on penguins' features.
    const HUGE: &str = "the model would have 30066081795 trained values (about 448 GiB with \
                        their gradients and the optimizer's state), past the 200000000 this \
                        trainer builds; lower `hidden`, `depth`, `channels` or `conv_layers`";

    #[test]
    fn a_model_too_large_is_said_though_the_batch_size_is_searched() {
        let spec = penguins(
            "{kind: mlp, hidden: 65536, depth: 8}",
            "  batch_size: {values: [16, 32, 64, 128]}\n",
        );
        let (every, some) = judged(&spec);
        let every = every.expect("every trial fails");
        assert_eq!(
            every,
            format!("every model the space can draw is too large; with batch_size 16: {HUGE}")
        );
        assert_eq!(some, None);
    }

    #[test]
    fn constant_parameters_fix_the_model_as_the_model_block_does() {
        let spec = penguins(
            "{kind: mlp}",
            "  hidden: {value: 65536}\n  depth: {value: 8}\n",
        );
        let every = judged(&spec).0.expect("every trial fails");
        assert_eq!(
            every,
            format!(
                "every model the space can draw is too large; with hidden 65536, depth 8: {HUGE}"
            )
        );
        // Fixed by the model block alone, the error is said as the trials say it.
        let spec = penguins("{kind: mlp, hidden: 65536, depth: 8}", "");
        let every = judged(&spec).0.expect("every trial fails");
        assert_eq!(every, HUGE);
    }

    #[test]
    fn searched_sizes_are_judged_from_the_least_to_the_greatest() {
        // One hidden layer 65536 wide builds on penguins' few features; two do not.
        let spec = penguins(
            "{kind: mlp}",
            "  hidden: {values: [16, 65536]}\n  depth: {distribution: int_uniform, min: 1, max: 8}\n",
        );
        let (every, some) = judged(&spec);
        assert_eq!(every, None);
        let some = some.expect("some trials fail");
        assert_eq!(
            some,
            format!(
                "some trials will fail at their start: some models the space can draw are too \
                 large; with hidden 65536, depth 8: {HUGE}; with hidden 16, depth 1 the model \
                 builds"
            )
        );
        // Every model too large, the least wide of them too.
        let spec = penguins(
            "{kind: mlp}",
            "  hidden: {distribution: int_uniform, min: 40000, max: 65536}\n  \
             depth: {values: [3, 8]}\n",
        );
        let every = judged(&spec).0.expect("every trial fails");
        assert!(
            every.starts_with(
                "every model the space can draw is too large; with hidden 40000, depth 3: the \
                 model would have"
            ),
            "{every}"
        );
        // Models that all build say nothing.
        let spec = penguins(
            "{kind: mlp}",
            "  hidden: {values: [16, 64]}\n  depth: {distribution: int_uniform, min: 1, max: 3}\n",
        );
        assert_eq!(judged(&spec), (None, None));
    }

    #[test]
    fn a_size_drawn_from_a_distribution_not_judged_says_nothing() {
        let spec = penguins(
            "{kind: mlp, depth: 8}",
            "  hidden: {distribution: q_uniform, min: 60000, max: 65536, q: 16}\n",
        );
        assert_eq!(judged(&spec), (None, None));
    }
}
