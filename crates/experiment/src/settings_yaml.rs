//! A sampler's and a pruner's settings written back as the YAML that sets them (flow style, one
//! line), every setting spelled out: what `sweep show` and the dashboard say ran, in a form a
//! file can take as it is (`sampler:` and `pruner:` read it back to the same settings).
//!
//! A setting whose default is a rule rather than a value (`tpe`'s `multivariate` by the number
//! of objectives, `cmaes`'s `popsize` by the number of parameters, `nsga2`'s `mutation_prob` by
//! the number of parameters, `sbx_eta` by the number of objectives) is left out when the rule
//! applies, as it is when the file leaves it out. So is `cmaes`'s `sigma0` at its default, a
//! sixth of each range: its exact text, `0.16666666666666666`, is noise to a reader, and a
//! rounded one (`0.1667`, as experiments/README.md's table gives it) would read back as another
//! step; any other `sigma0` is written as it reads back. Each settings type is taken apart whole, so
//! a setting added to one does not compile until it is written here.

use crate::words::number_text;
use crate::{
    Acquisition, BayesConfig, CmaEsConfig, Crossover, GridConfig, Method, Nsga2Config, Nsga3Config,
    PrunerSpec, SobolConfig, TpeConfig,
};

impl Method {
    /// Returns the settings of the method as its `sampler:` block, e.g. `{scramble: true}`;
    /// `None` for `random`, which has none.
    pub fn sampler_yaml(&self) -> Option<String> {
        let mut s = Settings::default();
        match self {
            Method::Random => return None,
            Method::Grid(GridConfig { shuffle }) => s.flag("shuffle", *shuffle),
            Method::Sobol(SobolConfig { scramble }) => s.flag("scramble", *scramble),
            Method::Tpe(TpeConfig {
                n_startup_trials,
                n_ei_candidates,
                multivariate,
                constant_liar,
                gamma,
                prior_weight,
                magic_clip,
            }) => {
                s.count("n_startup_trials", *n_startup_trials);
                s.count("n_ei_candidates", *n_ei_candidates);
                if let Some(joint) = multivariate {
                    s.flag("multivariate", *joint);
                }
                s.flag("constant_liar", *constant_liar);
                s.real("gamma", *gamma);
                s.real("prior_weight", *prior_weight);
                s.flag("magic_clip", *magic_clip);
            }
            Method::Bayes(BayesConfig {
                n_startup_trials,
                n_candidates,
                n_local_search,
                constant_liar,
                acquisition,
            }) => {
                s.count("n_startup_trials", *n_startup_trials);
                s.count("n_candidates", *n_candidates);
                s.count("n_local_search", *n_local_search);
                s.flag("constant_liar", *constant_liar);
                match *acquisition {
                    Acquisition::LogEi { greedy_tail } => {
                        s.word("acquisition", "log_ei");
                        s.real("greedy_tail", greedy_tail);
                    }
                    Acquisition::Ucb { kappa } => {
                        s.word("acquisition", "ucb");
                        s.real("kappa", kappa);
                    }
                }
            }
            Method::CmaEs(CmaEsConfig {
                n_startup_trials,
                popsize,
                sigma0,
                independent_sampler,
                restart,
                with_margin,
                lr_adapt,
                use_separable_cma,
            }) => {
                s.count("n_startup_trials", *n_startup_trials);
                if let Some(popsize) = popsize {
                    s.count("popsize", *popsize);
                }
                if sigma0.to_bits() != CmaEsConfig::default().sigma0.to_bits() {
                    s.real("sigma0", *sigma0);
                }
                s.word("independent_sampler", independent_sampler.name());
                s.word("restart_strategy", restart.name());
                s.flag("with_margin", *with_margin);
                s.flag("lr_adapt", *lr_adapt);
                s.flag("use_separable_cma", *use_separable_cma);
            }
            Method::Nsga2(c) => s.genetic(c),
            Method::Nsga3(Nsga3Config {
                genetic,
                dividing_parameter,
            }) => {
                s.genetic(genetic);
                s.count("dividing_parameter", *dividing_parameter);
            }
        }
        Some(s.written())
    }
}

impl PrunerSpec {
    /// Returns the rule as its `pruner:` block, e.g. `{type: asha, min_resource: 2,
    /// reduction_factor: 3}`.
    pub fn yaml(&self) -> String {
        let mut s = Settings::default();
        s.word("type", self.name());
        match self {
            PrunerSpec::None => {}
            PrunerSpec::Median {
                n_startup_trials,
                n_warmup_steps,
            } => {
                s.count("n_startup_trials", *n_startup_trials);
                s.count("n_warmup_steps", *n_warmup_steps);
            }
            PrunerSpec::Percentile {
                percentile,
                n_startup_trials,
                n_warmup_steps,
            } => {
                s.real("percentile", *percentile);
                s.count("n_startup_trials", *n_startup_trials);
                s.count("n_warmup_steps", *n_warmup_steps);
            }
            PrunerSpec::Threshold {
                lower,
                upper,
                n_warmup_steps,
            } => {
                if let Some(lower) = lower {
                    s.real("lower", *lower);
                }
                if let Some(upper) = upper {
                    s.real("upper", *upper);
                }
                s.count("n_warmup_steps", *n_warmup_steps);
            }
            PrunerSpec::Asha {
                min_resource,
                reduction_factor,
            } => {
                s.count("min_resource", *min_resource);
                s.count("reduction_factor", *reduction_factor);
            }
            PrunerSpec::Hyperband {
                min_resource,
                max_resource,
                reduction_factor,
                strict,
            } => {
                s.count("min_resource", *min_resource);
                s.count("max_resource", *max_resource);
                s.count("reduction_factor", *reduction_factor);
                s.flag("strict", *strict);
            }
            PrunerSpec::Patience {
                patience,
                min_delta,
                wrapped,
            } => {
                s.count("patience", *patience);
                s.real("min_delta", *min_delta);
                s.word("wrapped", &wrapped.yaml());
            }
        }
        s.written()
    }
}

/// Settings written one after another.
#[derive(Default)]
struct Settings(Vec<String>);

impl Settings {
    fn word(&mut self, key: &str, value: &str) {
        self.0.push(format!("{key}: {value}"));
    }

    fn flag(&mut self, key: &str, value: bool) {
        self.word(key, if value { "true" } else { "false" });
    }

    fn count(&mut self, key: &str, value: u32) {
        self.word(key, &value.to_string());
    }

    fn real(&mut self, key: &str, value: f64) {
        self.word(key, &number_text(value));
    }

    /// The settings `nsga2` and `nsga3` share.
    fn genetic(&mut self, c: &Nsga2Config) {
        let Nsga2Config {
            population_size,
            mutation_prob,
            crossover_prob,
            crossover,
            swapping_prob,
        } = *c;
        self.count("population_size", population_size);
        if let Some(p) = mutation_prob {
            self.real("mutation_prob", p);
        }
        self.real("crossover_prob", crossover_prob);
        self.word("crossover", crossover.name());
        match crossover {
            Crossover::Uniform | Crossover::Sbx { eta: None } => {}
            Crossover::Sbx { eta: Some(eta) } => self.real("sbx_eta", eta),
            Crossover::Blx { alpha } => self.real("blx_alpha", alpha),
        }
        self.real("swapping_prob", swapping_prob);
    }

    fn written(self) -> String {
        format!("{{{}}}", self.0.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ExperimentSpec;

    /// Returns the method of a file that sets `method: cmaes` with `sampler` as its block.
    fn cmaes_with(sampler: &str) -> Method {
        let text = format!(
            "name: t\nmethod: cmaes\nsampler: {sampler}\nmetric: {{name: val_loss, goal: \
             minimize}}\ndata: {{csv: d.csv, target: y}}\nparameters:\n  lr: {{min: 0.001, \
             max: 0.1}}\n"
        );
        ExperimentSpec::from_yaml_str(&text, std::path::Path::new("t.yaml"))
            .unwrap()
            .method
    }

    /// Issue: `sweep validate` (and `sweep show`, the dashboard) wrote `cmaes`'s default step as
    /// `sigma0: 0.16666666666666666`; the default is left out, as a file leaves it out, and
    /// what is written still reads back as the settings that ran.
    #[test]
    fn issue_cmaes_default_sigma0_is_not_written_as_seventeen_digits() {
        let default = Method::CmaEs(CmaEsConfig::default());
        let yaml = default.sampler_yaml().unwrap();
        assert_eq!(
            yaml,
            "{n_startup_trials: 0, independent_sampler: tpe, restart_strategy: ipop, \
             with_margin: true, lr_adapt: false, use_separable_cma: false}"
        );
        assert_eq!(cmaes_with(&yaml), default);
        // Another step is written, and reads back as itself.
        let set = cmaes_with("{sigma0: 0.3}");
        let yaml = set.sampler_yaml().unwrap();
        assert!(yaml.contains("sigma0: 0.3,"), "{yaml}");
        assert_eq!(cmaes_with(&yaml), set);
    }
}
