//! The resolved spec: every setting an experiment runs with, defaults filled in, as text.
//!
//! It is what the reproducibility record stores next to the spec's own text: the YAML says what
//! the user wrote, the resolved spec says what that meant to this version of Sweep (which knob
//! took which default, which sampler settings applied). Its hash changes exactly when the
//! meaning does, so two runs whose resolved hashes match ran the same configuration even when
//! their files differ in comments or order.
//!
//! The form is one `key: value` line per setting, with values in Rust's `Debug` notation, rather
//! than YAML: every type of the spec already has a faithful `Debug`, so a setting added to the
//! spec cannot be left out of the record by a renderer that forgot it. The destructurings below
//! name every field of the spec and of its `data:` and `gate:` blocks, so adding one does not
//! compile until it is listed here.
//!
//! Rejected: rendering YAML that parses back (every new block would need a writer kept in step
//! with its reader, and a writer bug would silently change what a record says).

use std::fmt::Write;

use crate::{
    DataSpec, ExperimentSpec, GateSpec, GatedMetric, KnobDefault, Located, ParamValue, KNOBS,
};

impl ExperimentSpec {
    /// Returns every setting of the experiment with defaults filled in, one `key: value` line
    /// each; paths appear as stored in the spec (resolved against the spec file's folder).
    pub fn resolved(&self) -> String {
        let ExperimentSpec {
            name,
            description,
            seed,
            method,
            pruner,
            run_cap,
            parallel,
            metric,
            more_objectives,
            target,
            plateau,
            constraints,
            data,
            model,
            early_stopping,
            fixed,
            space,
            device,
            checkpoints,
            gate,
            enqueue,
            warm_start,
            // How the pruner was written changes nothing it does.
            wandb_pruner: _,
            metric_locations: _,
            source: _,
        } = self;
        let mut out = String::new();
        let mut line = |key: &str, value: String| {
            // Writing to a String cannot fail.
            let _ = writeln!(out, "{key}: {value}");
        };
        line("name", format!("{name:?}"));
        line("description", format!("{description:?}"));
        line("seed", seed.to_string());
        line("method", format!("{method:?}"));
        line("pruner", format!("{pruner:?}"));
        line("run_cap", run_cap.to_string());
        line("parallel", format!("{parallel:?}"));
        // The target only when given, so that the files written before it resolve as they did.
        let target = target.map_or_else(String::new, |t| {
            format!(", target {} {t:?}", metric.goal.reach_sign())
        });
        line(
            "metric",
            format!("{} ({}){target}", metric.name, metric.goal),
        );
        // Further objectives only when given, for the same reason.
        for (i, objective) in more_objectives.iter().enumerate() {
            line(
                &format!("metric[{}]", i + 1),
                format!("{} ({})", objective.name, objective.goal),
            );
        }
        // The plateau rule only when given, for the same reason.
        if let Some(p) = plateau {
            line(
                "plateau",
                format!("patience {}, min_delta {:?}", p.patience, p.min_delta),
            );
        }
        // Constraints only when given, for the same reason.
        if !constraints.is_empty() {
            let list: Vec<String> = constraints.iter().map(ToString::to_string).collect();
            line("constraints", list.join(", "));
        }
        let DataSpec {
            csv,
            target,
            split,
            normalize,
            task,
            image,
            format,
            missing,
            categorical,
            exclude,
        } = data;
        line("data.file", format!("{:?}", csv.value));
        line("data.format", format!("{format:?}"));
        line("data.target", format!("{:?}", target.value));
        line("data.split", format!("{split:?}"));
        line("data.normalize", format!("{normalize:?}"));
        line("data.task", format!("{task:?}"));
        line("data.image", format!("{image:?}"));
        line("data.missing", format!("{missing:?}"));
        let names = |columns: &[Located<String>]| {
            let names: Vec<&str> = columns.iter().map(|c| c.value.as_str()).collect();
            format!("{names:?}")
        };
        line("data.categorical", names(categorical));
        line("data.exclude", names(exclude));
        line("model.kind", format!("{:?}", model.kind));
        line("early_stopping", format!("{early_stopping:?}"));
        for knob in KNOBS {
            let value = if let Some(p) = space.param(knob.name) {
                format!("searched {:?}", p.distribution)
            } else if let Some(v) = fixed.get(knob.name) {
                format!("{v:?}")
            } else {
                let default = match knob.default {
                    KnobDefault::Float(x) => ParamValue::Float(x),
                    KnobDefault::Int(i) => ParamValue::Int(i),
                    KnobDefault::Str(s) => ParamValue::Str(s.to_string()),
                    KnobDefault::Bool(b) => ParamValue::Bool(b),
                };
                format!("{default:?}")
            };
            line(&format!("{}.{}", knob.block, knob.name), value);
        }
        for p in space.params() {
            if KNOBS.iter().all(|k| k.name != p.name) {
                line(
                    &format!("parameters.{}", p.name),
                    format!("{:?}", p.distribution),
                );
            }
            if let Some(c) = &p.condition {
                line(
                    &format!("parameters.{}.when", p.name),
                    format!("{:?}", c.when),
                );
            }
        }
        line("device", format!("{device:?}"));
        line("checkpoints", format!("{checkpoints:?}"));
        // Only when given, so that the files written before `enqueue:` resolve as they did.
        for (i, params) in enqueue.iter().enumerate() {
            line(&format!("enqueue[{i}]"), format!("{params:?}"));
        }
        // The same.
        if let Some(w) = warm_start {
            line("warm_start", format!("{w:?}"));
        }
        match gate {
            None => line("gate", "None".to_string()),
            Some(GateSpec {
                baseline,
                repeats,
                noise_k,
                metrics,
            }) => {
                line("gate.baseline", format!("{:?}", baseline.value));
                line("gate.repeats", repeats.to_string());
                line("gate.noise_k", format!("{noise_k:?}"));
                for GatedMetric {
                    name,
                    aggregate,
                    goal,
                    max_regression_abs,
                    max_regression_rel,
                } in metrics
                {
                    line(
                        &format!("gate.metrics.{name}"),
                        format!(
                            "{aggregate} ({goal}), max_regression_abs {max_regression_abs:?}, \
                             max_regression_rel {max_regression_rel:?}"
                        ),
                    );
                }
            }
        }
        out
    }

    /// Returns the hex SHA-256 of `resolved()`.
    pub fn resolved_hash(&self) -> String {
        crate::sha256_hex(self.resolved().as_bytes())
    }

    /// Returns `None` when the sampler and pruner settings of this spec, as this version reads
    /// it, are those of `resolved`, the resolved spec of a run (its record's, maybe another
    /// version's; `same_search`); otherwise (a default changed since the run, so that the
    /// settings shown now are not what ran) the settings that differ, one line each: "`method`
    /// `with_margin`: false then, true now".
    pub fn search_changes(&self, resolved: &str) -> Option<Vec<String>> {
        let current = self.resolved();
        let (then, now) = (
            ExperimentSpec::search_lines(resolved),
            ExperimentSpec::search_lines(&current),
        );
        let objectives = self.objectives().len();
        (!crate::same_search::same_search(&then, &now, objectives))
            .then(|| crate::same_search::differences(&then, &now, objectives))
    }

    /// Returns whether `now`, this spec's resolved form (as a run record holds it), means what
    /// `then`, another run record's, does: the same lines but for the sampler and pruner
    /// settings, and those the same search (`same_search`), so that a file edited only to pin
    /// a setting at the value a stored run had resumes it.
    pub fn resolves_as(&self, then: &str, now: &str) -> bool {
        let rest = |resolved: &'_ str| -> Vec<String> {
            let search = ExperimentSpec::search_lines(resolved);
            resolved
                .lines()
                .filter(|l| !search.contains(l))
                .map(str::to_string)
                .collect()
        };
        rest(then) == rest(now)
            && crate::same_search::same_search(
                &ExperimentSpec::search_lines(then),
                &ExperimentSpec::search_lines(now),
                self.objectives().len(),
            )
    }

    /// Returns the `method:` and `pruner:` lines of the resolved spec `resolved`: the settings
    /// that decide which trials run and which are pruned.
    pub fn search_lines(resolved: &str) -> Vec<&str> {
        resolved
            .lines()
            .filter(|l| l.starts_with("method: ") || l.starts_with("pruner: "))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::ExperimentSpec;

    fn parse(text: &str) -> ExperimentSpec {
        ExperimentSpec::from_yaml_str(text, Path::new("exp/s.yaml")).unwrap()
    }

    #[test]
    fn defaults_are_filled_in_and_meaning_not_layout_is_hashed() {
        let a = parse(
            "name: t\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
             train: {lr: 0.01}\nparameters:\n  hidden: {values: [8, 16]}\n",
        );
        let text = a.resolved();
        for want in [
            "name: \"t\"\n",
            "seed: 0\n",
            "method: Random\n",
            "metric: val_loss (minimize)\n",
            "data.file: \"exp/d.csv\"\n",
            "train.lr: Float(0.01)\n",
            "train.batch_size: Int(32)\n",
            "model.hidden: searched Categorical { values: [Int(8), Int(16)], probabilities: None }\n",
            "gate: None\n",
        ] {
            assert!(text.contains(want), "no `{want}` in\n{text}");
        }
        // Comments and key order change the text and its hash, not the resolved spec.
        let b = parse(
            "# same experiment\ndata: {target: y, csv: d.csv}\nmetric: {name: val_loss}\nname: t\n\
             parameters:\n  hidden: {values: [8, 16]}\ntrain: {lr: 0.01}\n",
        );
        assert_ne!(a.hash(), b.hash());
        assert_eq!(a.resolved_hash(), b.resolved_hash());
        // Writing a default out does not change the meaning either; changing a value does.
        let c = parse(
            "name: t\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
             train: {lr: 0.01, batch_size: 32}\nparameters:\n  hidden: {values: [8, 16]}\n",
        );
        assert_eq!(a.resolved(), c.resolved());
        let d = parse(
            "name: t\nmetric: {name: val_loss}\ndata: {csv: d.csv, target: y}\n\
             train: {lr: 0.02}\nparameters:\n  hidden: {values: [8, 16]}\n",
        );
        assert_ne!(a.resolved_hash(), d.resolved_hash());
        // A target is part of the meaning, and shown only when given.
        let e = parse(
            "name: t\nmetric: {name: val_loss, target: 0.05}\ndata: {csv: d.csv, target: y}\n\
             train: {lr: 0.01}\nparameters:\n  hidden: {values: [8, 16]}\n",
        );
        assert!(e
            .resolved()
            .contains("metric: val_loss (minimize), target ≤ 0.05\n"));
        assert_ne!(a.resolved_hash(), e.resolved_hash());
    }

    #[test]
    fn every_data_setting_is_part_of_the_meaning() {
        let with = |data: &str| {
            parse(&format!(
                "name: t\nmetric: {{name: val_loss}}\ndata: {{csv: d.csv, target: y{data}}}\n"
            ))
            .resolved_hash()
        };
        let plain = with("");
        for data in [
            ", missing: drop",
            ", missing: median",
            ", normalize: minmax",
            ", task: regression",
            ", split: {validation: 0.3}",
            ", split: {stratify: false}",
            ", image: {height: 1, width: 1}",
            ", categorical: [a]",
            ", exclude: [a]",
        ] {
            assert_ne!(
                with(data),
                plain,
                "`{data}` left the resolved spec unchanged"
            );
        }
        assert_ne!(with(", missing: mean"), with(", missing: median"));
        assert_eq!(with(", missing: error"), plain, "the default written out");
    }
}
