//! Knobs that do nothing: a knob that acts only with some value of another knob, or only in a
//! CNN, is idle where that does not hold. A trial's page says so beside the knob; a spec that
//! searches an idle knob gets a note, since a sampler then learns from values that changed
//! nothing and spends trials on them. A value can leave the difference it names idle too:
//! `optimizer: adamw` with `l2` 0 is `adam` (`adamw`), and a value past the training's scale
//! can leave its knob idle: a step schedule whose first decay comes after the last epoch, a
//! `batch_size` above the training rows (`scale`).

mod adamw;
mod scale;

use crate::knobs::{given, Knob};
use crate::{Distribution, ExperimentSpec, ModelKind, Param, ParamValue, Params};

/// What a knob needs to act.
#[derive(Debug, Clone, Copy)]
enum Needs {
    /// The knob `on` set to one of `any_of`.
    Choice {
        on: &'static str,
        any_of: &'static [&'static str],
    },
    /// The integer knob `on` at 1 or more.
    AtLeastOne { on: &'static str },
    /// A `cnn` model.
    Cnn,
}

/// The knobs that act only sometimes, and what each needs; a knob may need several things.
const RELIANCES: &[(&str, Needs)] = &[
    (
        "momentum",
        Needs::Choice {
            on: "optimizer",
            any_of: &["sgd"],
        },
    ),
    (
        "step_epochs",
        Needs::Choice {
            on: "schedule",
            any_of: &["step"],
        },
    ),
    (
        "step_factor",
        Needs::Choice {
            on: "schedule",
            any_of: &["step"],
        },
    ),
    ("hidden", Needs::AtLeastOne { on: "depth" }),
    ("layer_norm", Needs::AtLeastOne { on: "depth" }),
    ("dropout", Needs::AtLeastOne { on: "depth" }),
    ("channels", Needs::Cnn),
    ("conv_layers", Needs::Cnn),
    ("channels", Needs::AtLeastOne { on: "conv_layers" }),
];

impl Needs {
    /// Whether the knob acts when the knob it needs is `value`; a CNN's need is met by `model`.
    fn met_by(self, value: Option<&ParamValue>, model: ModelKind) -> bool {
        match self {
            Needs::Choice { any_of, .. } => value
                .and_then(ParamValue::as_str)
                .is_some_and(|v| any_of.contains(&v)),
            Needs::AtLeastOne { .. } => {
                value.and_then(ParamValue::as_f64).is_some_and(|v| v >= 1.0)
            }
            Needs::Cnn => model == ModelKind::Cnn,
        }
    }

    /// The knob it needs, if it needs one.
    fn on(self) -> Option<&'static str> {
        match self {
            Needs::Choice { on, .. } | Needs::AtLeastOne { on } => Some(on),
            Needs::Cnn => None,
        }
    }

    /// What the knob needs, in words: "only `optimizer: sgd` uses it".
    fn says(self) -> String {
        match self {
            Needs::Choice { on, any_of } => {
                let values: Vec<String> = any_of.iter().map(|v| format!("`{on}: {v}`")).collect();
                format!("only {} uses it", values.join(" or "))
            }
            Needs::AtLeastOne { on } => format!("it acts only with `{on}` of 1 or more"),
            Needs::Cnn => "only a `cnn` model uses it".to_string(),
        }
    }
}

/// The value a trial uses for `knob`: the one it is given (`knobs::given`), else the default.
fn resolved(knob: &str, fixed: &Params, sampled: &Params) -> Option<ParamValue> {
    given(knob, fixed, sampled)
        .cloned()
        .or_else(|| Knob::find(knob).map(Knob::default_value))
}

/// Returns the knobs a trial with the values `sampled`, over the spec's `fixed` ones, leaves
/// idle with a model of `model`, each with why ("only `optimizer: sgd` uses it"), in the order
/// of `KNOBS`'s listing of them.
#[must_use]
pub fn idle_knobs(
    fixed: &Params,
    sampled: &Params,
    model: ModelKind,
) -> Vec<(&'static str, String)> {
    let mut idle: Vec<(&'static str, String)> = Vec::new();
    for &(knob, needs) in RELIANCES {
        if idle.iter().any(|(k, _)| *k == knob) {
            continue;
        }
        let value = needs.on().and_then(|on| resolved(on, fixed, sampled));
        if !needs.met_by(value.as_ref(), model) {
            idle.push((knob, needs.says()));
        }
    }
    idle
}

impl ExperimentSpec {
    /// Returns the notes on what the file sets that does nothing: each knob (`knob_notes`),
    /// `adamw` where `l2` is 0, which is `adam` (`adamw_without_decay_note`), and a step
    /// schedule that never decays (`step_past_training_note`); empty when there is nothing to
    /// say. A `batch_size` above the training rows needs the data (`batch_past_rows_note`).
    #[must_use]
    pub(crate) fn idle_knob_notes(&self) -> Vec<String> {
        let mut notes = self.knob_notes();
        notes.extend(self.adamw_without_decay_note());
        notes.extend(self.step_past_training_note());
        notes
    }

    /// Returns a note for each knob the file sets that does nothing: one searched or fixed
    /// whose need is never met (the knob it needs is fixed, or searched over values none of
    /// which it needs, or the model is not a CNN), and one searched in some trials that its
    /// `when:` could leave it out of (the knob it needs is searched over several values, some
    /// of which it does not act with); empty when there is nothing to say.
    fn knob_notes(&self) -> Vec<String> {
        let mut notes: Vec<(&str, String)> = Vec::new();
        for &(knob, needs) in RELIANCES {
            if notes.iter().any(|(k, _)| *k == knob) {
                continue;
            }
            let said = match (self.space.param(knob), self.fixed.get(knob)) {
                (Some(param), _) => self.searched_note(knob, needs, param),
                (None, Some(value)) => self.never_acts(needs).map(|why| {
                    let block = Knob::find(knob).map_or("train", |k| k.block);
                    format!("`{knob}: {value}` in `{block}:` does nothing: {why}")
                }),
                (None, None) => None,
            };
            notes.extend(said.map(|note| (knob, note)));
        }
        notes.into_iter().map(|(_, note)| note).collect()
    }

    /// Returns the note on `knob`, searched as `param`, that needs `needs`, if any.
    fn searched_note(&self, knob: &str, needs: Needs, param: &Param) -> Option<String> {
        if let Some(why) = self.never_acts(needs) {
            return Some(format!(
                "`{knob}` is searched but does nothing in any trial: {why}"
            ));
        }
        let on = needs.on()?;
        let values = self.values_of(on)?;
        let (acting, idle): (Vec<&ParamValue>, Vec<&ParamValue>) = values
            .iter()
            .partition(|v| needs.met_by(Some(v), self.model.kind));
        // Idle in some trials: fine where its `when:` admits only values it acts with.
        let admitted: Vec<&ParamValue> = match param.condition.as_ref().and_then(|c| c.when.get(on))
        {
            Some(listed) => idle.into_iter().filter(|v| listed.contains(v)).collect(),
            None => idle,
        };
        // `when:` tests a `values:` list only: a range of integers is listed first.
        let remedy = match self.space.param(on).map(|p| &p.distribution) {
            Some(Distribution::IntUniform { .. }) => format!(
                "listing `{on}` as `values: [{}]` and giving `{knob}` `when: {{{on}: [{}]}}` \
                 leaves it out of them",
                listed(&values.iter().collect::<Vec<_>>()),
                listed(&acting)
            ),
            _ => format!(
                "`when: {{{on}: [{}]}}` leaves it out of them",
                listed(&acting)
            ),
        };
        (!admitted.is_empty()).then(|| {
            format!(
                "`{knob}` is searched also in trials where `{on}` is {}, where it does nothing \
                 ({}): {remedy}, so that the sampler does not learn from values that changed \
                 nothing",
                listed(&admitted),
                needs.says(),
            )
        })
    }

    /// Returns why a knob that needs `needs` acts in no trial: what it needs, and what this file
    /// gives instead; `None` when it acts in some (or the file's values of the knob it needs
    /// are a searched number range, which is not looked at).
    fn never_acts(&self, needs: Needs) -> Option<String> {
        let Some(on) = needs.on() else {
            return (!needs.met_by(None, self.model.kind))
                .then(|| format!("{}, and this model is an `mlp`", needs.says()));
        };
        let values = self.values_of(on)?;
        if values
            .iter()
            .any(|v| needs.met_by(Some(v), self.model.kind))
        {
            return None;
        }
        let all: Vec<&ParamValue> = values.iter().collect();
        let whence = match self.space.param(on).map(|p| &p.distribution) {
            Some(Distribution::Categorical { .. } | Distribution::IntUniform { .. }) => {
                format!("searched over {}", listed(&all))
            }
            Some(_) => format!("always {}", listed(&all)),
            None if self.fixed.contains_key(on) => format!("{} (fixed in the spec)", listed(&all)),
            None => format!("{} (its default)", listed(&all)),
        };
        Some(format!("{}, and `{on}` is {whence}", needs.says()))
    }

    /// Returns the values knob `on` takes in this file's trials: its fixed value or default, a
    /// constant, or a categorical's values; `None` for a searched number range.
    fn values_of(&self, on: &str) -> Option<Vec<ParamValue>> {
        match self.space.param(on).map(|p| &p.distribution) {
            None => Some(
                resolved(on, &self.fixed, &Params::new())
                    .into_iter()
                    .collect(),
            ),
            Some(Distribution::Constant(v)) => Some(vec![v.clone()]),
            Some(Distribution::Categorical { values, .. }) => Some(values.clone()),
            // A short range of integers (a knob's `depth` or `conv_layers`) is its values.
            Some(&Distribution::IntUniform { min, max }) if max - min < MAX_LISTED_RANGE => {
                Some((min..=max).map(ParamValue::Int).collect())
            }
            Some(_) => None,
        }
    }
}

/// The longest integer range whose values a note looks at one by one.
const MAX_LISTED_RANGE: i64 = 64;

/// Lists values for a note: "adam, adamw".
fn listed(values: &[&ParamValue]) -> String {
    values
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests;
