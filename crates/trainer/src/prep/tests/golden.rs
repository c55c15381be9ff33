//! A golden of the prepared data of the shipped datasets: a digest of every number a trial
//! trains on or is scored against, recorded from the code before targets and features were
//! read in double precision (7f4c8ef), so that stored experiments still reproduce bit for bit,
//! the CI gate's baseline still holds, and README's figures still stand.
//!
//! Each case digests the split's f32 features and scaled targets, the fitted fill values and
//! normalization (which checkpoints keep), the target's scale, and the values in the target's
//! units that the regression metrics compare outputs against.

use std::path::{Path, PathBuf};

use experiment::{ExperimentSpec, MissingValues, Normalize, Seed};

use super::super::*;

/// Returns the folder of the shipped experiments.
fn experiments() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../experiments")
}

/// Returns the shipped spec in `file`, its data read from `experiments/data`.
fn shipped(file: &str) -> ExperimentSpec {
    let path = experiments().join(file);
    let yaml = std::fs::read_to_string(&path).unwrap();
    ExperimentSpec::from_yaml_str(&yaml, &path).unwrap()
}

/// FNV-1a over 64 bits, enough to tell two lists of numbers apart.
#[derive(Debug)]
struct Digest(u64);

impl Digest {
    fn new() -> Digest {
        Digest(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn f32s(&mut self, values: &[f32]) {
        self.bytes(&values.len().to_le_bytes());
        for v in values {
            self.bytes(&v.to_bits().to_le_bytes());
        }
    }

    fn f64s(&mut self, values: &[f64]) {
        self.bytes(&values.len().to_le_bytes());
        for v in values {
            self.bytes(&v.to_bits().to_le_bytes());
        }
    }
}

/// Returns the values, in the target's units, that the regression metrics score a split's
/// outputs against.
fn scored_targets(split: &Split) -> Vec<f64> {
    split.targets.clone()
}

/// Returns the digest of what `prepare` makes of `data` under `seed`.
fn digest(data: &experiment::DataSpec, seed: Seed) -> String {
    let prepared = prepare(data, seed).unwrap();
    let mut d = Digest::new();
    for split in [&prepared.train, &prepared.validation, &prepared.test] {
        d.f32s(&split.features.data);
        d.f32s(&split.values);
        let labels: Vec<u8> = split.labels.iter().flat_map(|l| l.to_le_bytes()).collect();
        d.bytes(&labels);
        d.f64s(&scored_targets(split));
    }
    d.f32s(&prepared.normalization.shift);
    d.f32s(&prepared.normalization.scale);
    d.f32s(prepared.fill.as_deref().unwrap_or_default());
    if let Some(scale) = prepared.target_scale {
        d.f64s(&[scale.mean, scale.std]);
    }
    format!("{:016x}", d.0)
}

/// Returns the name of a case: the file, then what was changed in its data.
fn case(file: &str, normalize: Option<Normalize>, seed: Option<u64>) -> String {
    let mut name = Path::new(file)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    if let Some(kind) = normalize {
        name += &format!(" normalize={kind:?}");
    }
    if let Some(seed) = seed {
        name += &format!(" seed={seed}");
    }
    name
}

#[test]
fn the_shipped_datasets_prepare_to_the_same_bits_as_before_double_precision() {
    let mut files: Vec<String> = std::fs::read_dir(experiments())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".yaml"))
        .collect();
    files.sort();
    let mut got = Vec::new();
    for file in &files {
        let spec = shipped(file);
        got.push(format!(
            "{}: {}",
            case(file, None, None),
            digest(&spec.data, spec.seed)
        ));
    }
    // Each dataset under each scaling and other splits than the shipped files draw.
    let datasets = [
        "digits-mlp-tpe-asha.yaml",
        "breast-cancer-mlp-tpe.yaml",
        "penguins-mlp-tpe.yaml",
        "friedman1-mlp-random.yaml",
    ];
    for file in datasets {
        let spec = shipped(file);
        for kind in [Normalize::None, Normalize::Standard, Normalize::MinMax] {
            for seed in [0, 1, 2024] {
                let mut data = spec.data.clone();
                data.normalize = kind;
                got.push(format!(
                    "{}: {}",
                    case(file, Some(kind), Some(seed)),
                    digest(&data, Seed(seed))
                ));
            }
        }
    }
    let mut data = shipped("penguins-mlp-tpe.yaml").data;
    data.missing = MissingValues::Mean;
    got.push(format!(
        "penguins missing=mean: {}",
        digest(&data, Seed(11))
    ));
    let got = got.join("\n");
    assert_eq!(got, GOLDEN.trim(), "\n{got}\n");
}

/// Recorded from 7f4c8ef, before double precision.
const GOLDEN: &str = "
breast-cancer-mlp-tpe: cf429cccba2f53e4
ci-gate: 31ed1d5e7597bdc6
digits-cnn-tpe: 4ea59e777ab95d79
digits-mlp-bayes: b161a937895633d6
digits-mlp-grid: e125e658ae8e9546
digits-mlp-pareto: 4ea59e777ab95d79
digits-mlp-tpe-asha: 096d1020d8c901dd
friedman1-mlp-bayes: d1d596fbf8b15761
friedman1-mlp-cmaes: d1d596fbf8b15761
friedman1-mlp-random: 66c87c329c733ade
penguins-mlp-tpe: 69cd2a4d8cc72a87
quickstart: 096d1020d8c901dd
digits-mlp-tpe-asha normalize=None seed=0: 50b2a0ff1526592d
digits-mlp-tpe-asha normalize=None seed=1: d24e9fd596d031a1
digits-mlp-tpe-asha normalize=None seed=2024: a81c8212d6a05685
digits-mlp-tpe-asha normalize=Standard seed=0: da9b7af2cd1eacbb
digits-mlp-tpe-asha normalize=Standard seed=1: 2123d8ef9dc56684
digits-mlp-tpe-asha normalize=Standard seed=2024: 31ed1d5e7597bdc6
digits-mlp-tpe-asha normalize=MinMax seed=0: d1b3d8ca540cd7f2
digits-mlp-tpe-asha normalize=MinMax seed=1: 248bd77c29eb32b9
digits-mlp-tpe-asha normalize=MinMax seed=2024: 2ea99626596ccc53
breast-cancer-mlp-tpe normalize=None seed=0: 4806dcd28717fae1
breast-cancer-mlp-tpe normalize=None seed=1: 6a2241b363cf68bd
breast-cancer-mlp-tpe normalize=None seed=2024: da8a8186618bd5fd
breast-cancer-mlp-tpe normalize=Standard seed=0: 25daa0565bd12855
breast-cancer-mlp-tpe normalize=Standard seed=1: ba4e83f6015e0d18
breast-cancer-mlp-tpe normalize=Standard seed=2024: a1cb1b8d2da898f5
breast-cancer-mlp-tpe normalize=MinMax seed=0: c01f15e8b2a76fd4
breast-cancer-mlp-tpe normalize=MinMax seed=1: badaccfbdaa39429
breast-cancer-mlp-tpe normalize=MinMax seed=2024: 621df53f3dc1a6ff
penguins-mlp-tpe normalize=None seed=0: 527cbcc36a9dac47
penguins-mlp-tpe normalize=None seed=1: 26065ccbf7bb9edf
penguins-mlp-tpe normalize=None seed=2024: 76dd0db59a95540a
penguins-mlp-tpe normalize=Standard seed=0: b083d31e5a23d52e
penguins-mlp-tpe normalize=Standard seed=1: e517fceba1f10026
penguins-mlp-tpe normalize=Standard seed=2024: d9959787f1706baf
penguins-mlp-tpe normalize=MinMax seed=0: 290e5bd18c37ab18
penguins-mlp-tpe normalize=MinMax seed=1: c3936d7688f95ce7
penguins-mlp-tpe normalize=MinMax seed=2024: 13a2ca6d0216a626
friedman1-mlp-random normalize=None seed=0: f482e2df26ec5d24
friedman1-mlp-random normalize=None seed=1: fad114b118ee8b62
friedman1-mlp-random normalize=None seed=2024: 135a0025b456969b
friedman1-mlp-random normalize=Standard seed=0: afd89a2414d79028
friedman1-mlp-random normalize=Standard seed=1: 460c31170bae8319
friedman1-mlp-random normalize=Standard seed=2024: cc31ed70d313a83d
friedman1-mlp-random normalize=MinMax seed=0: 9e6df6c8e80cb1f2
friedman1-mlp-random normalize=MinMax seed=1: f4eab19993207d8e
friedman1-mlp-random normalize=MinMax seed=2024: 9c7c4ca3fdcd363a
penguins missing=mean: 7aed9bfa756952b5
";
