//! Training knobs: the hyperparameters the training engine understands, and their resolution.
//!
//! Every knob can be fixed in the spec's `train:` or `model:` block or searched in
//! `parameters:`. A searched name that is not listed in `KNOBS` is an error at parse time, so a
//! typo never silently does nothing. `Hyperparams::resolve` merges, for one trial, the sampled
//! values over the fixed ones over the defaults.

use crate::words::number_text;
use crate::{ParamValue, Params};

/// What kind of values a knob takes, with its valid range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KnobKind {
    /// A real number in `[min, max]` (`max_open`: excluding `max`).
    Float {
        /// Smallest valid value.
        min: f64,
        /// Largest valid value.
        max: f64,
        /// Whether `max` itself is excluded.
        max_open: bool,
    },
    /// An integer in `min..=max`.
    Int {
        /// Smallest valid value.
        min: i64,
        /// Largest valid value.
        max: i64,
    },
    /// One of a fixed set of names.
    Choice(&'static [&'static str]),
    /// `true` or `false`.
    Bool,
}

/// A knob: its name, where it may be fixed, its kind and its default.
#[derive(Debug, Clone, Copy)]
pub struct Knob {
    /// The name used in `parameters:`, `train:` or `model:`.
    pub name: &'static str,
    /// The spec block where a fixed value goes: `train` or `model`.
    pub block: &'static str,
    /// Valid values.
    pub kind: KnobKind,
    /// The value used when the knob is neither fixed nor searched.
    pub default: KnobDefault,
    /// One line for `--help`-like listings and error messages.
    pub doc: &'static str,
}

/// A knob's default value (a `const`-friendly mirror of `ParamValue`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KnobDefault {
    /// A real default.
    Float(f64),
    /// An integer default.
    Int(i64),
    /// A name default.
    Str(&'static str),
    /// A yes-or-no default.
    Bool(bool),
}

/// Every knob the training engine knows.
pub const KNOBS: &[Knob] = &[
    Knob {
        name: "lr",
        block: "train",
        kind: KnobKind::Float {
            min: 1e-12,
            max: 10.0,
            max_open: false,
        },
        default: KnobDefault::Float(1e-3),
        doc: "learning rate",
    },
    Knob {
        name: "batch_size",
        block: "train",
        kind: KnobKind::Int {
            min: 1,
            max: 1 << 20,
        },
        default: KnobDefault::Int(32),
        doc: "examples per gradient step",
    },
    Knob {
        name: "epochs",
        block: "train",
        kind: KnobKind::Int {
            min: 1,
            max: 100_000,
        },
        default: KnobDefault::Int(20),
        doc: "passes over the training split",
    },
    Knob {
        name: "optimizer",
        block: "train",
        kind: KnobKind::Choice(&["sgd", "adam", "adamw"]),
        default: KnobDefault::Str("adam"),
        doc: "optimizer",
    },
    Knob {
        name: "momentum",
        block: "train",
        kind: KnobKind::Float {
            min: 0.0,
            max: 1.0,
            max_open: true,
        },
        default: KnobDefault::Float(0.9),
        doc: "SGD momentum",
    },
    Knob {
        name: "l2",
        block: "train",
        kind: KnobKind::Float {
            min: 0.0,
            max: 1.0,
            max_open: false,
        },
        default: KnobDefault::Float(0.0),
        doc: "weight decay: coupled (L2 in the gradient) for sgd and adam, decoupled for adamw",
    },
    Knob {
        name: "hidden",
        block: "model",
        kind: KnobKind::Int {
            min: 1,
            max: 65_536,
        },
        default: KnobDefault::Int(64),
        doc: "width of each hidden layer",
    },
    Knob {
        name: "depth",
        block: "model",
        kind: KnobKind::Int { min: 0, max: 16 },
        default: KnobDefault::Int(1),
        doc: "number of hidden layers",
    },
    Knob {
        name: "dropout",
        block: "model",
        kind: KnobKind::Float {
            min: 0.0,
            max: 1.0,
            max_open: true,
        },
        default: KnobDefault::Float(0.0),
        doc: "dropout rate after each hidden layer, in training only",
    },
    Knob {
        name: "activation",
        block: "model",
        kind: KnobKind::Choice(&["relu", "tanh", "gelu", "sigmoid"]),
        default: KnobDefault::Str("relu"),
        doc: "hidden-layer activation",
    },
    Knob {
        name: "layer_norm",
        block: "model",
        kind: KnobKind::Bool,
        default: KnobDefault::Bool(false),
        doc: "layer normalization before each hidden activation",
    },
    Knob {
        name: "channels",
        block: "model",
        kind: KnobKind::Int { min: 1, max: 1024 },
        default: KnobDefault::Int(16),
        doc: "cnn: channels of the first convolution; each later one doubles them",
    },
    Knob {
        name: "conv_layers",
        block: "model",
        kind: KnobKind::Int { min: 1, max: 8 },
        default: KnobDefault::Int(2),
        doc: "cnn: 3x3 convolutions, each followed by 2x2 max-pooling while the image allows",
    },
    Knob {
        name: "schedule",
        block: "train",
        kind: KnobKind::Choice(&["constant", "step", "cosine"]),
        default: KnobDefault::Str("constant"),
        doc: "learning-rate schedule after the warm-up",
    },
    Knob {
        name: "warmup_epochs",
        block: "train",
        kind: KnobKind::Int {
            min: 0,
            max: 100_000,
        },
        default: KnobDefault::Int(0),
        doc: "epochs over which the learning rate rises linearly from near 0 to `lr`",
    },
    Knob {
        name: "step_epochs",
        block: "train",
        kind: KnobKind::Int {
            min: 1,
            max: 100_000,
        },
        default: KnobDefault::Int(10),
        doc: "step schedule: epochs between two decays",
    },
    Knob {
        name: "step_factor",
        block: "train",
        kind: KnobKind::Float {
            min: 0.0,
            max: 1.0,
            max_open: false,
        },
        default: KnobDefault::Float(0.1),
        doc: "step schedule: what each decay multiplies the learning rate by",
    },
    Knob {
        name: "clip_norm",
        block: "train",
        kind: KnobKind::Float {
            min: 0.0,
            max: 1e6,
            max_open: false,
        },
        default: KnobDefault::Float(0.0),
        doc: "largest L2 norm of a step's whole gradient before it is scaled down; 0 is off",
    },
];

/// Names other tools give the knobs (PyTorch, Keras, scikit-learn, Hugging Face, W&B and Optuna
/// examples), each with the knob it is here, so that an experiment written with them is told
/// the name to use instead of only "unknown". Compared ignoring case, `-` read as `_`.
const ALIASES: &[(&str, &str)] = &[
    ("learning_rate", "lr"),
    ("base_lr", "lr"),
    ("initial_lr", "lr"),
    ("init_lr", "lr"),
    ("lr0", "lr"),
    ("batch", "batch_size"),
    ("batchsize", "batch_size"),
    ("bs", "batch_size"),
    ("train_batch_size", "batch_size"),
    ("per_device_train_batch_size", "batch_size"),
    ("num_epochs", "epochs"),
    ("n_epochs", "epochs"),
    ("max_epochs", "epochs"),
    ("epoch", "epochs"),
    ("optim", "optimizer"),
    ("opt", "optimizer"),
    ("solver", "optimizer"),
    ("weight_decay", "l2"),
    ("wd", "l2"),
    ("alpha", "l2"),
    ("l2_reg", "l2"),
    ("l2_penalty", "l2"),
    ("l2_lambda", "l2"),
    ("hidden_size", "hidden"),
    ("hidden_dim", "hidden"),
    ("hidden_units", "hidden"),
    ("n_units", "hidden"),
    ("num_units", "hidden"),
    ("units", "hidden"),
    ("width", "hidden"),
    ("num_layers", "depth"),
    ("n_layers", "depth"),
    ("layers", "depth"),
    ("hidden_layers", "depth"),
    ("num_hidden_layers", "depth"),
    ("dropout_rate", "dropout"),
    ("dropout_prob", "dropout"),
    ("drop_rate", "dropout"),
    ("p_dropout", "dropout"),
    ("act", "activation"),
    ("activation_fn", "activation"),
    ("nonlinearity", "activation"),
    ("layernorm", "layer_norm"),
    ("use_layer_norm", "layer_norm"),
    ("filters", "channels"),
    ("num_filters", "channels"),
    ("n_filters", "channels"),
    ("out_channels", "channels"),
    ("num_conv_layers", "conv_layers"),
    ("n_conv_layers", "conv_layers"),
    ("scheduler", "schedule"),
    ("lr_scheduler", "schedule"),
    ("lr_schedule", "schedule"),
    ("warmup", "warmup_epochs"),
    ("num_warmup_epochs", "warmup_epochs"),
    ("step_size", "step_epochs"),
    ("lr_step", "step_epochs"),
    ("gamma", "step_factor"),
    ("lr_decay", "step_factor"),
    ("decay_rate", "step_factor"),
    ("max_grad_norm", "clip_norm"),
    ("grad_clip", "clip_norm"),
    ("gradient_clip_val", "clip_norm"),
    ("clipnorm", "clip_norm"),
    ("clip_grad_norm", "clip_norm"),
];

/// The aliases whose tool's knob is on another scale than Sweep's, each with what the hint that
/// names the knob adds: the value to write, and why it differs.
const ALIAS_SCALES: &[(&str, &str)] = &[(
    "alpha",
    "at about alpha / batch_size: scikit-learn divides `alpha`'s penalty by the batch's rows and \
     spares biases, where `l2` decays biases too",
)];

/// Which optimizer updates the weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptimizerKind {
    /// Stochastic gradient descent with classic momentum.
    Sgd,
    /// Adam with L2 weight decay added to the gradient.
    Adam,
    /// Adam with decoupled weight decay.
    AdamW,
}

/// The hidden-layer nonlinearity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// max(0, x).
    Relu,
    /// Hyperbolic tangent.
    Tanh,
    /// Gaussian error linear unit (tanh approximation).
    Gelu,
    /// Logistic sigmoid.
    Sigmoid,
}

/// How the learning rate changes over the epochs after the warm-up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Schedule {
    /// `lr` throughout.
    Constant,
    /// `lr` times `factor` after every `every` epochs.
    Step {
        /// Epochs between two decays.
        every: u32,
        /// What each decay multiplies the learning rate by.
        factor: f64,
    },
    /// Half a cosine from `lr` down to 0 at the last epoch.
    Cosine,
}

/// The resolved training configuration of one trial.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hyperparams {
    /// Learning rate.
    pub lr: f64,
    /// Examples per gradient step.
    pub batch_size: usize,
    /// Maximum number of epochs.
    pub epochs: u32,
    /// Optimizer.
    pub optimizer: OptimizerKind,
    /// SGD momentum.
    pub momentum: f64,
    /// Weight decay coefficient.
    pub l2: f64,
    /// Hidden-layer width.
    pub hidden: usize,
    /// Number of hidden layers.
    pub depth: usize,
    /// Dropout rate.
    pub dropout: f64,
    /// Hidden-layer activation.
    pub activation: Activation,
    /// Whether hidden layers are layer-normalized before their activation.
    pub layer_norm: bool,
    /// Channels of a CNN's first convolution.
    pub channels: usize,
    /// Convolutions of a CNN.
    pub conv_layers: usize,
    /// The learning-rate schedule.
    pub schedule: Schedule,
    /// Epochs of linear learning-rate warm-up.
    pub warmup_epochs: u32,
    /// Gradient-norm clipping threshold; 0 is off.
    pub clip_norm: f64,
}

impl Knob {
    /// Returns the knob called `name`.
    pub fn find(name: &str) -> Option<&'static Knob> {
        KNOBS.iter().find(|k| k.name == name)
    }

    /// Returns the knob that `name` stands for, as other tools call it (`weight_decay` is `l2`)
    /// or in another case (`LR`), reading `-` as `_`; `None` when it stands for none.
    pub(crate) fn known_as(name: &str) -> Option<&'static Knob> {
        let name = name.to_ascii_lowercase().replace('-', "_");
        let own = ALIASES
            .iter()
            .find(|(alias, _)| *alias == name)
            .map(|(_, knob)| *knob)
            .or_else(|| KNOBS.iter().find(|k| k.name == name).map(|k| k.name))?;
        Knob::find(own)
    }

    /// Returns what to add where `name` (as `known_as` reads it) is told the knob it stands for,
    /// when that tool's knob is on another scale than Sweep's: scikit-learn's `alpha` is about
    /// `l2` times the batch size. Empty for any other name.
    pub(crate) fn alias_scale(name: &str) -> String {
        let name = name.to_ascii_lowercase().replace('-', "_");
        ALIAS_SCALES
            .iter()
            .find(|(alias, _)| *alias == name)
            .map_or_else(String::new, |(_, scale)| format!(", {scale}"))
    }

    /// Checks that `value` is valid for this knob and returns it normalized (integers for integer
    /// knobs), or a message saying what was expected.
    pub fn check(&self, value: &ParamValue) -> std::result::Result<ParamValue, String> {
        match self.kind {
            KnobKind::Float { min, max, max_open } => {
                let x = value.as_f64().ok_or_else(|| {
                    format!(
                        "expected a number for `{}`, found {} `{value}`",
                        self.name,
                        value.type_name()
                    )
                })?;
                let above = if max_open { x >= max } else { x > max };
                if !x.is_finite() || x < min || above {
                    let close = if max_open { ")" } else { "]" };
                    return Err(format!(
                        "`{}` must be in [{}, {}{close}, found {}",
                        self.name,
                        number_text(min),
                        number_text(max),
                        crate::words::found_number(x, &[min, max])
                    ));
                }
                Ok(ParamValue::Float(x))
            }
            KnobKind::Int { min, max } => {
                let i = value.as_i64().ok_or_else(|| match value {
                    // A whole number too large for an integer reads as a float.
                    ParamValue::Float(x) if x.is_finite() && x.fract() == 0.0 => format!(
                        "`{}` must be an integer from {min} to {max}, found {}",
                        self.name,
                        crate::words::found_number(*x, &[])
                    ),
                    _ => format!(
                        "expected an integer for `{}`, found {} `{value}`",
                        self.name,
                        value.type_name()
                    ),
                })?;
                if i < min || i > max {
                    return Err(format!(
                        "`{}` must be an integer from {min} to {max}, found {i}",
                        self.name
                    ));
                }
                Ok(ParamValue::Int(i))
            }
            KnobKind::Bool => match value {
                ParamValue::Bool(_) => Ok(value.clone()),
                _ => Err(format!(
                    "expected true or false for `{}`, found {} `{value}`",
                    self.name,
                    value.type_name()
                )),
            },
            KnobKind::Choice(names) => match value.as_str() {
                Some(s) if names.contains(&s) => Ok(value.clone()),
                found => Err(format!(
                    "`{}` must be one of {}, found `{value}`{}",
                    self.name,
                    names.join(", "),
                    found
                        .and_then(|s| crate::suggest(s, names.iter().copied()))
                        .map_or_else(String::new, |s| format!("; did you mean `{s}`?"))
                )),
            },
        }
    }

    pub(crate) fn default_value(&self) -> ParamValue {
        match self.default {
            KnobDefault::Float(x) => ParamValue::Float(x),
            KnobDefault::Int(i) => ParamValue::Int(i),
            KnobDefault::Str(s) => ParamValue::Str(s.to_string()),
            KnobDefault::Bool(b) => ParamValue::Bool(b),
        }
    }
}

/// Returns the value a trial is given for knob `name`: `sampled` over `fixed`; `None` where it
/// takes the knob's default.
pub(crate) fn given<'p>(
    name: &str,
    fixed: &'p Params,
    sampled: &'p Params,
) -> Option<&'p ParamValue> {
    sampled.get(name).or_else(|| fixed.get(name))
}

impl Hyperparams {
    /// Resolves one trial's configuration: `sampled` over `fixed` over each knob's default.
    ///
    /// A knob absent from `sampled` (not searched, or searched under a `when:` that did not hold
    /// in this trial) takes its fixed value, else its default. Sampled names that are not knobs,
    /// such as a `regularization` parameter that only conditions test, are ignored: the spec's
    /// parser has already refused every other unknown name.
    ///
    /// Returns a message naming the knob when a value is out of range, which can happen when a
    /// distribution such as `normal` draws outside the knob's valid values.
    pub fn resolve(fixed: &Params, sampled: &Params) -> std::result::Result<Hyperparams, String> {
        let value = |name: &str| -> std::result::Result<ParamValue, String> {
            let knob = Knob::find(name).ok_or_else(|| format!("unknown knob `{name}`"))?;
            match given(name, fixed, sampled) {
                Some(v) => knob.check(v),
                None => Ok(knob.default_value()),
            }
        };
        let float = |name: &str| -> std::result::Result<f64, String> {
            value(name)?
                .as_f64()
                .ok_or_else(|| format!("`{name}` is not a number"))
        };
        let int = |name: &str| -> std::result::Result<i64, String> {
            value(name)?
                .as_i64()
                .ok_or_else(|| format!("`{name}` is not an integer"))
        };
        let name = |knob: &str| -> std::result::Result<String, String> {
            match value(knob)? {
                ParamValue::Str(s) => Ok(s),
                other => Err(format!("`{knob}` is not a name: {other}")),
            }
        };
        let optimizer = match name("optimizer")?.as_str() {
            "sgd" => OptimizerKind::Sgd,
            "adamw" => OptimizerKind::AdamW,
            _ => OptimizerKind::Adam,
        };
        let activation = match name("activation")?.as_str() {
            "tanh" => Activation::Tanh,
            "gelu" => Activation::Gelu,
            "sigmoid" => Activation::Sigmoid,
            _ => Activation::Relu,
        };
        let flag = |knob: &str| -> std::result::Result<bool, String> {
            match value(knob)? {
                ParamValue::Bool(b) => Ok(b),
                other => Err(format!("`{knob}` is not true or false: {other}")),
            }
        };
        let to_usize = |i: i64| usize::try_from(i).map_err(|_| format!("{i} is negative"));
        let to_u32 = |knob: &str| -> std::result::Result<u32, String> {
            u32::try_from(int(knob)?).map_err(|_| format!("`{knob}` is out of range"))
        };
        let schedule = match name("schedule")?.as_str() {
            "step" => Schedule::Step {
                every: to_u32("step_epochs")?,
                factor: float("step_factor")?,
            },
            "cosine" => Schedule::Cosine,
            _ => Schedule::Constant,
        };
        Ok(Hyperparams {
            lr: float("lr")?,
            batch_size: to_usize(int("batch_size")?)?,
            epochs: u32::try_from(int("epochs")?)
                .map_err(|_| "`epochs` is out of range".to_string())?,
            optimizer,
            momentum: float("momentum")?,
            l2: float("l2")?,
            hidden: to_usize(int("hidden")?)?,
            depth: to_usize(int("depth")?)?,
            dropout: float("dropout")?,
            activation,
            layer_norm: flag("layer_norm")?,
            channels: to_usize(int("channels")?)?,
            conv_layers: to_usize(int("conv_layers")?)?,
            schedule,
            warmup_epochs: to_u32("warmup_epochs")?,
            clip_norm: float("clip_norm")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampled_overrides_fixed_overrides_default() {
        let mut fixed = Params::new();
        fixed.insert("lr".into(), ParamValue::Float(0.1));
        fixed.insert("hidden".into(), ParamValue::Int(16));
        let mut sampled = Params::new();
        sampled.insert("lr".into(), ParamValue::Float(0.01));
        let h = Hyperparams::resolve(&fixed, &sampled).unwrap();
        assert_eq!(h.lr, 0.01);
        assert_eq!(h.hidden, 16);
        assert_eq!(h.batch_size, 32);
        assert_eq!(h.optimizer, OptimizerKind::Adam);
    }

    #[test]
    fn names_that_are_not_knobs_are_ignored_and_absent_knobs_fall_back() {
        let fixed = Params::from([("l2".to_string(), ParamValue::Float(1e-4))]);
        let sampled = Params::from([
            ("regularization".to_string(), ParamValue::Str("none".into())),
            ("lr".to_string(), ParamValue::Float(0.01)),
        ]);
        let h = Hyperparams::resolve(&fixed, &sampled).unwrap();
        assert_eq!((h.lr, h.l2, h.dropout), (0.01, 1e-4, 0.0));
    }

    #[test]
    fn out_of_range_values_are_named() {
        let mut sampled = Params::new();
        sampled.insert("dropout".into(), ParamValue::Float(1.5));
        let err = Hyperparams::resolve(&Params::new(), &sampled).unwrap_err();
        assert!(err.contains("dropout"), "{err}");
    }

    #[test]
    fn schedules_flags_and_their_defaults_resolve() {
        let h = Hyperparams::resolve(&Params::new(), &Params::new()).unwrap();
        assert_eq!(h.schedule, Schedule::Constant);
        assert!(!h.layer_norm);
        assert_eq!((h.warmup_epochs, h.clip_norm), (0, 0.0));
        let mut sampled = Params::new();
        sampled.insert("schedule".into(), ParamValue::Str("step".into()));
        sampled.insert("step_epochs".into(), ParamValue::Int(5));
        sampled.insert("layer_norm".into(), ParamValue::Bool(true));
        let h = Hyperparams::resolve(&Params::new(), &sampled).unwrap();
        assert_eq!(
            h.schedule,
            Schedule::Step {
                every: 5,
                factor: 0.1
            }
        );
        assert!(h.layer_norm);
        sampled.insert("layer_norm".into(), ParamValue::Str("yes".into()));
        let err = Hyperparams::resolve(&Params::new(), &sampled).unwrap_err();
        assert!(err.contains("true or false"), "{err}");
    }
}
