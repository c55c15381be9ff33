//! The resolved spec: every setting an experiment runs with, defaults filled in, as text.
//!
//! It is what the reproducibility record stores next to the spec's own text: the YAML says what
//! the user wrote, the resolved spec says what that meant to this version of Sweep (which knob
//! took which default, which sampler settings applied). Its hash changes exactly when the
//! meaning does, so two runs whose resolved hashes match ran the same configuration even when
//! their files differ in comments or order.
//!
//! The form is one `key: value` line per setting, each value in the notation of `notation`
//! (`Tpe(TpeConfig { n_startup_trials: 10, .. })`), which is the `Debug` notation the first
//! records were written in, now written out by hand for each type so that a rename in the code
//! changes no record. The destructurings here and in `notation` name every field of the spec,
//! of its `data:` and `gate:` blocks and of each settings type, so adding one does not compile
//! until it is listed.
//!
//! No position in the spec file is part of it: records of earlier versions held the line and
//! column of an IDX labels file and of a warm start's file of results, so that a comment above
//! them read as another experiment. This version writes those files alone, which changes the
//! text and hash of a spec that has one, and `resolves_as` compares an earlier record without
//! those positions (`notation::without_positions`), so such an experiment stored by an earlier
//! version still resumes, its record kept as it is. Nor does `resolves_as` compare where the
//! files a spec names lie (`file_paths`: its data, a warm start's file of results, a gate's
//! baseline): the same experiment read from a folder moved since is the same experiment; the
//! data's identity is its hash, which the record keeps and its callers compare apart, and a
//! warm start's is the trials it gave, which the store keeps.
//!
//! Rejected: rendering YAML that parses back (every new block would need a writer kept in step
//! with its reader, and a writer bug would silently change what a record says); the derived
//! `Debug` itself, which records used to be written with (a renamed field or variant would
//! silently change every record, and no stored experiment would resume).

mod file_paths;
mod notation;
mod readable;

use std::fmt::Write;

use crate::{
    DataSpec, ExperimentSpec, GateSpec, GatedMetric, KnobDefault, Located, ParamValue, KNOBS,
};

use notation::Notation;

impl ExperimentSpec {
    /// Returns every setting of the experiment with defaults filled in, one `key: value` line
    /// each; paths appear as stored in the spec (resolved against the spec file's folder),
    /// without where the spec file writes them.
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
            wandb_hyperband: _,
            metric_locations: _,
            source: _,
        } = self;
        let mut out = String::new();
        let mut line = |key: &str, value: String| {
            // Writing to a String cannot fail.
            let _ = writeln!(out, "{key}: {value}");
        };
        line("name", name.notation());
        line("description", description.notation());
        line("seed", seed.to_string());
        line("method", method.notation());
        line("pruner", pruner.notation());
        line("run_cap", run_cap.to_string());
        line("parallel", parallel.notation());
        // The target only when given, so that the files written before it resolve as they did.
        let target = target.map_or_else(String::new, |t| {
            format!(", target {} {}", metric.goal.reach_sign(), t.notation())
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
                format!(
                    "patience {}, min_delta {}",
                    p.patience,
                    p.min_delta.notation()
                ),
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
        line("data.file", csv.value.notation());
        line("data.format", format.notation());
        line("data.target", target.value.notation());
        line("data.split", split.notation());
        line("data.normalize", normalize.notation());
        line("data.task", task.notation());
        line("data.image", image.notation());
        line("data.missing", missing.notation());
        let names = |columns: &[Located<String>]| {
            let names: Vec<String> = columns.iter().map(|c| c.value.clone()).collect();
            names.notation()
        };
        line("data.categorical", names(categorical));
        line("data.exclude", names(exclude));
        line("model.kind", model.kind.notation());
        line("early_stopping", early_stopping.notation());
        for knob in KNOBS {
            let value = if let Some(p) = space.param(knob.name) {
                format!("searched {}", p.distribution.notation())
            } else if let Some(v) = fixed.get(knob.name) {
                v.notation()
            } else {
                let default = match knob.default {
                    KnobDefault::Float(x) => ParamValue::Float(x),
                    KnobDefault::Int(i) => ParamValue::Int(i),
                    KnobDefault::Str(s) => ParamValue::Str(s.to_string()),
                    KnobDefault::Bool(b) => ParamValue::Bool(b),
                };
                default.notation()
            };
            line(&format!("{}.{}", knob.block, knob.name), value);
        }
        for p in space.params() {
            if KNOBS.iter().all(|k| k.name != p.name) {
                line(&format!("parameters.{}", p.name), p.distribution.notation());
            }
            if let Some(c) = &p.condition {
                line(&format!("parameters.{}.when", p.name), c.when.notation());
            }
        }
        line("device", device.notation());
        line("checkpoints", checkpoints.notation());
        // Only when given, so that the files written before `enqueue:` resolve as they did.
        for (i, params) in enqueue.iter().enumerate() {
            line(&format!("enqueue[{i}]"), params.notation());
        }
        // The same.
        if let Some(w) = warm_start {
            line("warm_start", w.notation());
        }
        match gate {
            None => line("gate", "None".to_string()),
            Some(GateSpec {
                baseline,
                repeats,
                noise_k,
                metrics,
            }) => {
                line("gate.baseline", baseline.value.notation());
                line("gate.repeats", repeats.to_string());
                line("gate.noise_k", noise_k.notation());
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
                            "{aggregate} ({goal}), max_regression_abs {}, max_regression_rel {}",
                            max_regression_abs.notation(),
                            max_regression_rel.notation()
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
    /// version's; `same_search`), or those the version that wrote it resolved this spec to
    /// (`as_it_ran`); otherwise (a default changed since the run, so that the
    /// settings shown now are not what ran) the settings that differ, one line each: "`method`
    /// `with_margin`: false then, true now".
    pub fn search_changes(&self, resolved: &str) -> Option<Vec<String>> {
        let current = self.resolved();
        let (then, now) = (
            ExperimentSpec::search_lines(resolved),
            ExperimentSpec::search_lines(&current),
        );
        let objectives = self.objectives().len();
        (!crate::same_search::same_search(&then, &now, objectives)
            && self.as_it_ran(resolved).is_none())
        .then(|| crate::same_search::differences(&then, &now, objectives))
    }

    /// Returns this spec as the run whose resolved spec is `resolved` ran it, where that run,
    /// written by an earlier version, resolved the file otherwise than this version does;
    /// `None` where it ran the file as this version reads it.
    ///
    /// Two rules changed so, both read again from the file by the earlier rule
    /// (`EpochsRule::Earlier`). The most epochs a trial trains of a `q_` range of `epochs`
    /// (`stopping::most_epochs`), `max` floored before and now the last multiple of q its draws
    /// round to (`q_uniform` from 3 to 8 with q 3: 8 then, 9 now), which Hyperband's
    /// `max_resource` defaults to where the `pruner:` block leaves it out: a stored experiment
    /// whose record holds the earlier default is the same search (`search_changes`,
    /// `resolves_as`), and goes on under the pruner it ran with, so that its brackets and
    /// decisions stay as they were. And the multiples of q a grid lists for a `q_uniform` range
    /// whose end lies halfway between two (`grid::Multiples`: 0 to 10 with q 4 gave 12 too): a
    /// stored grid whose record holds the earlier grid's size as its `run_cap` (the default,
    /// the file writing none) goes on with the earlier grid and that cap, so that each trial
    /// number keeps its point and the points it has not run are those it would have run. A
    /// file that writes its `run_cap` leaves no trace of the rule in its record, and goes on
    /// with this version's grid. A new experiment gets this version's rules.
    pub fn as_it_ran(&self, resolved: &str) -> Option<ExperimentSpec> {
        let then = ExperimentSpec::search_lines(resolved);
        let objectives = self.objectives().len();
        let same = |spec: &ExperimentSpec| {
            let resolved = spec.resolved();
            crate::same_search::same_search(
                &then,
                &ExperimentSpec::search_lines(&resolved),
                objectives,
            )
        };
        let run_cap = |spec: &ExperimentSpec| format!("run_cap: {}", spec.run_cap);
        let pruned_as_now = same(self);
        let grid_as_now = !matches!(self.method, crate::Method::Grid(_))
            || resolved.lines().any(|l| l == run_cap(self));
        if pruned_as_now && grid_as_now {
            return None;
        }
        // A file that reads otherwise by the earlier rule leaves `max_resource` to the default,
        // or its grid's size to the run cap.
        let earlier = crate::yaml::parse_spec_as(
            &self.source,
            std::path::Path::new("spec.yaml"),
            crate::stopping::EpochsRule::Earlier,
        )
        .ok()?;
        let mut ran = self.clone();
        if !pruned_as_now && earlier.pruner != self.pruner {
            ran.pruner = earlier.pruner.clone();
        }
        if !grid_as_now
            && earlier.run_cap != self.run_cap
            && resolved.lines().any(|l| l == run_cap(&earlier))
        {
            ran.space = earlier.space.clone();
            ran.run_cap = earlier.run_cap;
        }
        (ran != *self && same(&ran)).then_some(ran)
    }

    /// Returns whether `now`, this spec's resolved form (as a run record holds it), means what
    /// `then`, another run record's, does: the same lines but for the sampler and pruner
    /// settings, and those the same search (`same_search`) or the search the earlier version
    /// that wrote `then` resolved this spec to (`as_it_ran`), so that a file edited only to pin
    /// a setting at the value a stored run had resumes it. Positions in the spec file that
    /// records of earlier versions hold (`notation::without_positions`) are left out of both,
    /// and so are the paths of the files it names (`file_paths`: the data, a warm start's file
    /// of results, a gate's baseline; the same file at another path, or written otherwise,
    /// means the same); whether the data is the same is its hash's to say, which the caller
    /// compares apart, and a warm start's trials are those the store keeps.
    pub fn resolves_as(&self, then: &str, now: &str) -> bool {
        let (then, now) = (
            file_paths::without_file_paths(&notation::without_positions(then)),
            file_paths::without_file_paths(&notation::without_positions(now)),
        );
        let (then, now) = (then.as_str(), now.as_str());
        let rest = |resolved: &'_ str| -> Vec<String> {
            let search = ExperimentSpec::search_lines(resolved);
            resolved
                .lines()
                .filter(|l| !search.contains(l))
                .map(str::to_string)
                .collect()
        };
        let same_search = |now: &str| {
            crate::same_search::same_search(
                &ExperimentSpec::search_lines(then),
                &ExperimentSpec::search_lines(now),
                self.objectives().len(),
            )
        };
        if rest(then) == rest(now) && same_search(now) {
            return true;
        }
        // As the earlier version that wrote `then` resolved the file: its pruner, or its grid's
        // size as the run cap. This spec may be the file as this version reads it or as it ran
        // (`as_it_ran`), and `now` the file's reading: the run cap `now` holds is read as the
        // run's.
        let Ok(file) = crate::yaml::parse_spec(&self.source, std::path::Path::new("spec.yaml"))
        else {
            return false;
        };
        let Some(ran) = file.as_it_ran(then) else {
            return false;
        };
        let (cap_now, cap_ran) = (
            format!("run_cap: {}", file.run_cap),
            format!("run_cap: {}", ran.run_cap),
        );
        let now_as_ran: Vec<String> = rest(now)
            .into_iter()
            .map(|l| if l == cap_now { cap_ran.clone() } else { l })
            .collect();
        rest(then) == now_as_ran && same_search(&ran.resolved())
    }

    /// Returns whether the experiment files `then` and `now` (texts, as agents' journal
    /// headers carry them) mean the same experiment: the same text, the same YAML tree
    /// (`crate::same_content`: comments, layout, quoting), or specs that resolve alike
    /// (`resolves_as`), so that copies naming their data, a warm start's file or a gate's
    /// baseline by other paths (a folder moved since, `../data/x.csv` for `./data/x.csv`) are
    /// one experiment, as a single process resuming from them finds. Both are read as if from
    /// one folder, since their paths are not compared; whether their files hold the same is
    /// for the caller to compare (the data's hash, the digest of a warm start's trials). A
    /// text this version cannot read means the same only as the same tree.
    pub fn texts_mean_the_same(then: &str, now: &str) -> bool {
        if crate::same_content(then, now) {
            return true;
        }
        let file = std::path::Path::new("spec.yaml");
        let (Ok(a), Ok(b)) = (
            ExperimentSpec::from_yaml_str(then, file),
            ExperimentSpec::from_yaml_str(now, file),
        ) else {
            return false;
        };
        b.resolves_as(&a.resolved(), &b.resolved())
    }

    /// Returns a run record's resolved spec `resolved` as this version writes it, to compare
    /// line by line with this version's text: an IDX labels file or a warm start's file of
    /// results that records of earlier versions hold with its position in the spec file
    /// (`Located { value: "exp/l.idx", location: Location { .. } }`) as its value alone
    /// (`"exp/l.idx"`); any other text as it is.
    pub fn resolved_without_positions(resolved: &str) -> String {
        notation::without_positions(resolved)
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
mod tests;
