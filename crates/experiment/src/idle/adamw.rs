//! `optimizer: adamw` without weight decay: AdamW differs from Adam only by its decoupled weight
//! decay, `l2`, so a trial that draws `adamw` with `l2` 0 trains bit for bit as one with `adam`.
//! PyTorch's AdamW decays by 0.01 unless told otherwise, so a file that names `adamw` reads as
//! if it decayed; `sweep validate` and `sweep run` say in which trials it does not.
//!
//! Rejected: giving `adamw` a default `l2` of its own (PyTorch's 0.01). An experiment stored
//! with `adamw` and no `l2` would then train otherwise on resume than it did.

use crate::{Distribution, ExperimentSpec, Param, ParamValue, Params};

use super::{listed, resolved};

/// What takes `l2` to 0 in the trials that draw `adamw`.
enum Undecayed {
    /// `l2` is 0 in every such trial; the words say why: "its default".
    Always(String),
    /// `l2` is searched and can be 0 there.
    Drawn,
    /// `l2` is searched under a `when:` that leaves it out of the trials these words name
    /// ("`regularization` is none or dropout"), where it is 0, its default.
    LeftOut(String),
}

impl ExperimentSpec {
    /// Returns a note when a trial can train with `optimizer: adamw` and `l2` 0, which is
    /// `adam`: fixed so, or searched, naming the trials; `None` when every `adamw` trial decays.
    pub(crate) fn adamw_without_decay_note(&self) -> Option<String> {
        let optimizer = self.space.param("optimizer");
        let adamw = ParamValue::Str("adamw".to_string());
        let values = self.values_of("optimizer")?;
        if !values.contains(&adamw) {
            return None;
        }
        // Drawn only where the sampler chooses among other values too.
        let searched = values.len() > 1;
        let undecayed = self.undecayed_with(optimizer.is_some(), &adamw)?;
        let mut trials: Vec<String> = Vec::new();
        if searched {
            trials.push("`optimizer` is adamw".to_string());
        }
        let zero = match undecayed {
            Undecayed::Always(why) => format!("`l2` is 0 ({why})"),
            Undecayed::Drawn => {
                trials.push("`l2` is 0".to_string());
                "`l2` is 0".to_string()
            }
            Undecayed::LeftOut(which) => {
                trials.push(which);
                "its `when:` leaves `l2` out, so it is 0 (its default)".to_string()
            }
        };
        let differs = "AdamW differs from Adam only by its decoupled weight decay, `l2` \
                       (PyTorch's AdamW defaults to 0.01, `l2` to 0)";
        if trials.is_empty() {
            let written = match optimizer {
                Some(_) => "`optimizer: {value: adamw}`",
                None => "`optimizer: adamw` in `train:`",
            };
            return Some(format!(
                "{written} trains as `adam`: {zero}, and {differs}; set `l2` (such as 0.01) for \
                 a decay, or write `adam`"
            ));
        }
        // A searched `l2` is one entry: the constant that decays only `adamw` would replace it.
        let decay = match self.space.param("l2") {
            None => "give them a decay, as `l2: {value: 0.01, when: {optimizer: [adamw]}}` does",
            Some(_) => "give `l2` a value above 0 in them",
        };
        Some(format!(
            "trials where {} train as `adam`: {zero} there, and {differs}; {decay}, or leave \
             adamw out, so that the search does not compare Adam with itself",
            trials.join(" and ")
        ))
    }

    /// Returns how `l2` comes to be 0 in the trials that draw `adamw` (the optimizer searched
    /// where `searched`), if it can.
    fn undecayed_with(&self, searched: bool, adamw: &ParamValue) -> Option<Undecayed> {
        let Some(param) = self.space.param("l2") else {
            let l2 = resolved("l2", &self.fixed, &Params::new())?;
            let why = match self.fixed.get("l2") {
                Some(_) => "fixed in the spec",
                None => "its default",
            };
            return (l2.as_f64() == Some(0.0)).then(|| Undecayed::Always(why.to_string()));
        };
        let when = param.condition.as_ref().map(|c| &c.when);
        // Left out of every `adamw` trial by a `when:` on the optimizer that does not list it.
        let listed_adamw = when
            .and_then(|w| w.get("optimizer"))
            .is_none_or(|values| values.contains(adamw));
        if !listed_adamw && searched {
            return Some(Undecayed::Always(
                "its default: its `when:` leaves it out".to_string(),
            ));
        }
        // Left out of the trials whose other tested parameters take values it does not list.
        let left_out: Vec<String> = when
            .into_iter()
            .flatten()
            .filter(|(on, _)| on.as_str() != "optimizer")
            .filter_map(|(on, admitted)| {
                let others: Vec<ParamValue> = self
                    .values_of(on)?
                    .into_iter()
                    .filter(|v| !admitted.contains(v))
                    .collect();
                let others: Vec<&ParamValue> = others.iter().collect();
                (!others.is_empty())
                    .then(|| format!("`{on}` is {}", listed(&others).replace(", ", " or ")))
            })
            .collect();
        if !left_out.is_empty() {
            return Some(Undecayed::LeftOut(left_out.join(" or ")));
        }
        can_draw_zero(param).then_some(Undecayed::Drawn)
    }
}

/// Returns whether `param` can take the value 0: a constant, a listed value or an integer range
/// that holds it (a range of reals draws exactly 0 almost never).
fn can_draw_zero(param: &Param) -> bool {
    let zero = |v: &ParamValue| v.as_f64() == Some(0.0);
    match &param.distribution {
        Distribution::Constant(v) => zero(v),
        Distribution::Categorical { values, .. } => values.iter().any(zero),
        Distribution::IntUniform { min, max } => (*min..=*max).contains(&0),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::ExperimentSpec;

    /// Returns the note `sweep validate` prints on `adamw` trained as `adam`, if any.
    fn note(train: &str, parameters: &str) -> Option<String> {
        let text = format!(
            "name: t\nmetric: {{name: val_loss}}\ndata: {{csv: d.csv, target: y}}\n\
             train: {train}\nparameters:\n{parameters}"
        );
        match ExperimentSpec::from_yaml_str(&text, Path::new("s.yaml")) {
            Ok(spec) => spec
                .notes(spec.run_cap)
                .into_iter()
                .find(|n| n.contains("as `adam`")),
            Err(e) => panic!("{e}\n--- in:\n{text}"),
        }
    }

    #[test]
    fn issue_f5_adamw_fixed_without_l2_is_said_to_train_as_adam() {
        assert_eq!(
            note("{optimizer: adamw}", "  lr: {min: 0.001, max: 0.1}\n").as_deref(),
            Some(
                "`optimizer: adamw` in `train:` trains as `adam`: `l2` is 0 (its default), and \
                 AdamW differs from Adam only by its decoupled weight decay, `l2` (PyTorch's \
                 AdamW defaults to 0.01, `l2` to 0); set `l2` (such as 0.01) for a decay, or \
                 write `adam`"
            )
        );
        let fixed_zero = note(
            "{optimizer: adamw, l2: 0}",
            "  lr: {min: 0.001, max: 0.1}\n",
        );
        assert!(
            fixed_zero
                .as_deref()
                .is_some_and(|n| n.contains("`l2` is 0 (fixed in the spec)")),
            "{fixed_zero:?}"
        );
        let constant = note("{}", "  optimizer: {value: adamw}\n");
        assert!(
            constant
                .as_deref()
                .is_some_and(|n| n.starts_with("`optimizer: {value: adamw}` trains as `adam`")),
            "{constant:?}"
        );
        // A decay, fixed or searched away from 0, and an optimizer that is not adamw: nothing.
        assert_eq!(
            note("{optimizer: adamw, l2: 0.01}", "  lr: {value: 0.1}\n"),
            None
        );
        assert_eq!(
            note(
                "{optimizer: adamw}",
                "  l2: {distribution: log_uniform_values, min: 1.0e-6, max: 1.0e-2}\n"
            ),
            None
        );
        assert_eq!(note("{}", "  optimizer: {values: [sgd, adam]}\n"), None);
    }

    #[test]
    fn issue_f5_a_searched_adamw_without_l2_names_the_trials_that_train_as_adam() {
        let grid = "  optimizer: {values: [sgd, adam, adamw]}\n";
        assert_eq!(
            note("{}", grid).as_deref(),
            Some(
                "trials where `optimizer` is adamw train as `adam`: `l2` is 0 (its default) \
                 there, and AdamW differs from Adam only by its decoupled weight decay, `l2` \
                 (PyTorch's AdamW defaults to 0.01, `l2` to 0); give them a decay, as `l2: \
                 {value: 0.01, when: {optimizer: [adamw]}}` does, or leave adamw out, so that \
                 the search does not compare Adam with itself"
            )
        );
        // The remedy it offers says nothing more; a `when:` that leaves adamw out is told.
        let decayed = format!("{grid}  l2: {{value: 0.01, when: {{optimizer: [adamw]}}}}\n");
        assert_eq!(note("{}", &decayed), None);
        let elsewhere = format!("{grid}  l2: {{value: 0.01, when: {{optimizer: [sgd, adam]}}}}\n");
        assert!(
            note("{}", &elsewhere)
                .as_deref()
                .is_some_and(|n| n.starts_with(
                    "trials where `optimizer` is adamw train as `adam`: `l2` is 0 (its default: \
                 its `when:` leaves it out) there"
                )),
            "{:?}",
            note("{}", &elsewhere)
        );
        // A listed 0, and a `when:` on another parameter, name those trials.
        let listed = format!("{grid}  l2: {{values: [0.0, 0.01]}}\n");
        assert!(
            note("{}", &listed).as_deref().is_some_and(|n| {
                n.starts_with(
                "trials where `optimizer` is adamw and `l2` is 0 train as `adam`: `l2` is 0 there"
            )
            }),
            "{:?}",
            note("{}", &listed)
        );
        let conditional = format!(
            "{grid}  regularization: {{values: [none, dropout, l2]}}\n  l2: {{min: 0.001, max: \
             0.01, when: {{regularization: [l2]}}}}\n"
        );
        assert!(
            note("{}", &conditional)
                .as_deref()
                .is_some_and(|n| n.starts_with(
                    "trials where `optimizer` is adamw and `regularization` is none or dropout \
                 train as `adam`: its `when:` leaves `l2` out, so it is 0 (its default) there"
                ) && n
                    .contains("; give `l2` a value above 0 in them, or leave adamw out,")),
            "{:?}",
            note("{}", &conditional)
        );
    }
}
