//! Sobol search: trial `k` takes point `k` of a scrambled Sobol sequence.
//!
//! A Sobol sequence fills the unit cube far more evenly than independent draws: every prefix of
//! 2^m points puts exactly one point in each of 2^m equal slices of every axis. Scrambling
//! (Owen's nested uniform scramble, computed with Burley's hash instead of a stored tree) keeps
//! that property, removes the sequence's alignment to the cube's corner, and makes the points
//! depend on the experiment's seed. Each parameter owns one axis, given in name order, whether or
//! not its condition holds in a trial, so one trial's conditions never shift another parameter's
//! points. The direction numbers are Joe and Kuo's (`new-joe-kuo-6.21201`, 2008) for the first
//! 64 axes; a space with more coded parameters draws the rest from ChaCha8 on the trial's stream.

use experiment::{
    number_text, significant_text, Distribution, ExperimentSpec, Method, ParamValue, Params,
    SearchSpace, Seed, SobolConfig,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::unit::Coding;
use crate::{Result, Sampler, SuggestContext};

/// Axes with direction numbers.
pub(crate) const MAX_AXES: usize = 64;

/// Axes 2 to 64: the degree `s` of the primitive polynomial, its inner coefficients `a` as bits,
/// and the initial direction numbers m_1..m_s (S. Joe and F. Y. Kuo, "Constructing Sobol
/// sequences with better two-dimensional projections", SIAM J. Sci. Comput. 30, 2008). Axis 1
/// is the van der Corput sequence and needs none.
const JOE_KUO: [(u32, u32, &[u32]); MAX_AXES - 1] = [
    (1, 0, &[1]),
    (2, 1, &[1, 3]),
    (3, 1, &[1, 3, 1]),
    (3, 2, &[1, 1, 1]),
    (4, 1, &[1, 1, 3, 3]),
    (4, 4, &[1, 3, 5, 13]),
    (5, 2, &[1, 1, 5, 5, 17]),
    (5, 4, &[1, 1, 5, 5, 5]),
    (5, 7, &[1, 1, 7, 11, 19]),
    (5, 11, &[1, 1, 5, 1, 1]),
    (5, 13, &[1, 1, 1, 3, 11]),
    (5, 14, &[1, 3, 5, 5, 31]),
    (6, 1, &[1, 3, 3, 9, 7, 49]),
    (6, 13, &[1, 1, 1, 15, 21, 21]),
    (6, 16, &[1, 3, 1, 13, 27, 49]),
    (6, 19, &[1, 1, 1, 15, 7, 5]),
    (6, 22, &[1, 3, 1, 15, 13, 25]),
    (6, 25, &[1, 1, 5, 5, 19, 61]),
    (7, 1, &[1, 3, 7, 11, 23, 15, 103]),
    (7, 4, &[1, 3, 7, 13, 13, 15, 69]),
    (7, 7, &[1, 1, 3, 13, 7, 35, 63]),
    (7, 8, &[1, 3, 5, 9, 1, 25, 53]),
    (7, 14, &[1, 3, 1, 13, 9, 35, 107]),
    (7, 19, &[1, 3, 1, 5, 27, 61, 31]),
    (7, 21, &[1, 1, 5, 11, 19, 41, 61]),
    (7, 28, &[1, 3, 5, 3, 3, 13, 69]),
    (7, 31, &[1, 1, 7, 13, 1, 19, 1]),
    (7, 32, &[1, 3, 7, 5, 13, 19, 59]),
    (7, 37, &[1, 1, 3, 9, 25, 29, 41]),
    (7, 41, &[1, 3, 5, 13, 23, 1, 55]),
    (7, 42, &[1, 3, 7, 3, 13, 59, 17]),
    (7, 50, &[1, 3, 1, 3, 5, 53, 69]),
    (7, 55, &[1, 1, 5, 5, 23, 33, 13]),
    (7, 56, &[1, 1, 7, 7, 1, 61, 123]),
    (7, 59, &[1, 1, 7, 9, 13, 61, 49]),
    (7, 62, &[1, 3, 3, 5, 3, 55, 33]),
    (8, 14, &[1, 3, 1, 15, 31, 13, 49, 245]),
    (8, 21, &[1, 3, 5, 15, 31, 59, 63, 97]),
    (8, 22, &[1, 3, 1, 11, 11, 11, 77, 249]),
    (8, 38, &[1, 3, 1, 11, 27, 43, 71, 9]),
    (8, 47, &[1, 1, 7, 15, 21, 11, 81, 45]),
    (8, 49, &[1, 3, 7, 3, 25, 31, 65, 79]),
    (8, 50, &[1, 3, 1, 1, 19, 11, 3, 205]),
    (8, 52, &[1, 1, 5, 9, 19, 21, 29, 157]),
    (8, 56, &[1, 3, 7, 11, 1, 33, 89, 185]),
    (8, 67, &[1, 3, 3, 3, 15, 9, 79, 71]),
    (8, 70, &[1, 3, 7, 11, 15, 39, 119, 27]),
    (8, 84, &[1, 1, 3, 1, 11, 31, 97, 225]),
    (8, 97, &[1, 1, 1, 3, 23, 43, 57, 177]),
    (8, 103, &[1, 3, 7, 7, 17, 17, 37, 71]),
    (8, 115, &[1, 3, 1, 5, 27, 63, 123, 213]),
    (8, 122, &[1, 1, 3, 5, 11, 43, 53, 133]),
    (9, 8, &[1, 3, 5, 5, 29, 17, 47, 173, 479]),
    (9, 13, &[1, 3, 3, 11, 3, 1, 109, 9, 69]),
    (9, 16, &[1, 1, 1, 5, 17, 39, 23, 5, 343]),
    (9, 22, &[1, 3, 1, 5, 25, 15, 31, 103, 499]),
    (9, 25, &[1, 1, 1, 11, 11, 17, 63, 105, 183]),
    (9, 44, &[1, 1, 5, 11, 9, 29, 97, 231, 363]),
    (9, 47, &[1, 1, 5, 15, 19, 45, 41, 7, 383]),
    (9, 52, &[1, 3, 7, 7, 31, 19, 83, 137, 221]),
    (9, 55, &[1, 1, 1, 3, 23, 15, 111, 223, 83]),
    (9, 59, &[1, 1, 5, 13, 31, 15, 55, 25, 161]),
    (9, 62, &[1, 1, 3, 13, 25, 47, 39, 87, 257]),
];

/// Proposes the points of a scrambled Sobol sequence, one per trial.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SobolSampler {
    seed: Seed,
    config: SobolConfig,
}

impl SobolSampler {
    /// Returns a sampler for an experiment seeded with `seed`.
    pub(crate) fn new(seed: Seed, config: SobolConfig) -> SobolSampler {
        SobolSampler { seed, config }
    }

    /// Returns point `index` of this sampler's sequence in `axes` dimensions, each in [0, 1).
    pub(crate) fn point(&self, index: u32, axes: usize) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed.0);
        rng.set_stream(u64::from(index));
        (0..axes)
            .map(|axis| {
                if axis >= MAX_AXES {
                    return rng.gen::<f64>();
                }
                let mut x = coordinate(&directions(axis), index);
                if self.config.scramble {
                    x = owen_scramble(x, axis_seed(self.seed, axis));
                }
                f64::from(x) / 4_294_967_296.0
            })
            .collect()
    }
}

impl Sampler for SobolSampler {
    fn suggest_in(&self, ctx: &SuggestContext<'_>) -> Result<Params> {
        let u = self.point(ctx.trial.0, axes(ctx.space));
        Ok(sample(ctx.space, &u, ctx.pinned))
    }

    fn learns_from(&self, _visible: usize) -> bool {
        false
    }
}

/// Returns the note `sweep validate` and `sweep run` give a `sobol` search with `scramble:
/// false` whose trial 0 puts a prior-shaped parameter (`normal`, `log_normal`, `beta` and their
/// `q_` forms) at the corner of the unit cube: point 0 of the unscrambled sequence is 0 on every
/// axis with direction numbers, its prior's 1e-12 quantile (mu - 7.03 sigma; a beta's 0), a
/// value the prior never gives, and such trials typically fail (scipy's `qmc.Sobol` warns of
/// the unscrambled sequence). The values are trial 0's, drawn as the sampler draws them (the
/// parameters `enqueue:` gives trial 0 are not drawn); `None` for any other search.
pub fn corner_start_note(spec: &ExperimentSpec) -> Option<String> {
    let Method::Sobol(config) = spec.method else {
        return None;
    };
    if config.scramble {
        return None;
    }
    let space = &spec.space;
    let u = SobolSampler::new(spec.seed, config).point(0, axes(space));
    let pinned = spec.enqueue.first().cloned().unwrap_or_default();
    let trial = sample(space, &u, &pinned);
    let coded = space
        .params()
        .iter()
        .filter(|p| !matches!(Coding::of(&p.distribution), Coding::Fixed(_)));
    let mut named = Vec::new();
    for (p, x) in coded.zip(&u) {
        let Some((prior, quantile)) = prior_text(&p.distribution) else {
            continue;
        };
        let value = trial.get(&p.name).and_then(ParamValue::as_f64);
        let (Some(value), false, true) = (value, pinned.contains_key(&p.name), *x == 0.0) else {
            continue;
        };
        named.push(format!(
            "`{}` ({prior}) at {}, its prior's {quantile} quantile",
            p.name,
            significant_text(value, 3)
        ));
    }
    let (puts, never) = match named.len() {
        0 => return None,
        1 => (named.remove(0), "a value the prior never gives"),
        _ => (named.join("; "), "values their priors never give"),
    };
    Some(format!(
        "`scramble: false` starts the Sobol sequence at the corner of the space: trial 0 puts \
         {puts}, {never}; leave `scramble` at its default, true"
    ))
}

/// Returns a prior-shaped distribution as the corner note names it, "normal, mu 5, sigma 1",
/// and the quantile of it that the corner is; `None` for any other distribution.
fn prior_text(d: &Distribution) -> Option<(String, &'static str)> {
    let n = number_text;
    let (settings, quantile) = match *d {
        Distribution::Normal { mu, sigma } | Distribution::LogNormal { mu, sigma } => {
            (format!("mu {}, sigma {}", n(mu), n(sigma)), "1e-12")
        }
        Distribution::QNormal { mu, sigma, q } | Distribution::QLogNormal { mu, sigma, q } => (
            format!("mu {}, sigma {}, q {}", n(mu), n(sigma), n(q)),
            "1e-12",
        ),
        Distribution::Beta { a, b } => (format!("a {}, b {}", n(a), n(b)), "0"),
        Distribution::QBeta { a, b, q } => (format!("a {}, b {}, q {}", n(a), n(b), n(q)), "0"),
        _ => return None,
    };
    Some((format!("{}, {settings}", d.name()), quantile))
}

/// Returns how many axes `space` needs: one per parameter that is not fixed.
pub(crate) fn axes(space: &SearchSpace) -> usize {
    space
        .params()
        .iter()
        .filter(|p| !matches!(Coding::of(&p.distribution), Coding::Fixed(_)))
        .count()
}

/// Returns the parameters at unit point `u` (one coordinate per axis, in name order), the
/// `pinned` ones at their pinned values, leaving out those whose condition does not hold.
pub(crate) fn sample(space: &SearchSpace, u: &[f64], pinned: &Params) -> Params {
    let mut axis_of = Vec::with_capacity(space.params().len());
    let mut next = 0;
    for p in space.params() {
        let coding = Coding::of(&p.distribution);
        let axis = (!matches!(coding, Coding::Fixed(_))).then(|| {
            next += 1;
            next - 1
        });
        axis_of.push((p.name.as_str(), coding, axis));
    }
    let mut params = Params::new();
    for p in space.in_dependency_order() {
        if !space.is_active(p, &params) {
            continue;
        }
        if let Some(v) = pinned.get(&p.name) {
            params.insert(p.name.clone(), v.clone());
        } else if let Some((_, coding, axis)) = axis_of.iter().find(|(n, ..)| *n == p.name) {
            let x = axis.and_then(|a| u.get(a).copied()).unwrap_or(0.5);
            params.insert(p.name.clone(), coding.at_unit(x));
        }
    }
    params
}

/// Returns the 32 direction numbers of `axis` (from 0), as 32-bit fractions.
fn directions(axis: usize) -> [u32; 32] {
    let mut v = [0u32; 32];
    if axis == 0 {
        for (j, d) in v.iter_mut().enumerate() {
            *d = 1 << (31 - j);
        }
        return v;
    }
    let (s, a, m) = JOE_KUO[axis - 1];
    let s = s as usize;
    for j in 0..32 {
        if j < s {
            v[j] = m[j] << (31 - j);
            continue;
        }
        // Bratley and Fox's recurrence over the primitive polynomial's coefficients.
        let mut x = v[j - s] ^ (v[j - s] >> s);
        for k in 1..s {
            if (a >> (s - 1 - k)) & 1 == 1 {
                x ^= v[j - k];
            }
        }
        v[j] = x;
    }
    v
}

/// Returns coordinate `index` of the sequence with direction numbers `v`, in natural order.
fn coordinate(v: &[u32; 32], index: u32) -> u32 {
    let mut x = 0;
    let mut i = index;
    let mut j = 0;
    while i > 0 {
        if i & 1 == 1 {
            x ^= v[j];
        }
        i >>= 1;
        j += 1;
    }
    x
}

/// Returns `x` after a nested uniform (Owen) scramble in base 2, keyed by `seed`: Burley's
/// Laine–Karras-style hash applied to the reversed bits, so that each bit flips depending only on
/// the bits above it.
fn owen_scramble(x: u32, seed: u32) -> u32 {
    let mut x = x.reverse_bits();
    x ^= x.wrapping_mul(0x3d20_adea);
    x = x.wrapping_add(seed);
    x = x.wrapping_mul((seed >> 16) | 1);
    x ^= x.wrapping_mul(0x0552_6c56);
    x ^= x.wrapping_mul(0x53a2_2864);
    x.reverse_bits()
}

/// Returns the scramble's key for `axis` under the experiment's `seed`.
fn axis_seed(seed: Seed, axis: usize) -> u32 {
    let mut z =
        seed.0 ^ (u64::try_from(axis).unwrap_or(u64::MAX)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    // The high half of the mixed word.
    u32::try_from(z >> 32).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use experiment::{Distribution, Param, ParamValue, TrialId};

    use super::*;

    #[test]
    fn the_direction_table_is_well_formed() {
        for (i, (s, a, m)) in JOE_KUO.iter().enumerate() {
            assert_eq!(m.len(), *s as usize, "axis {}", i + 2);
            assert!(*a < 1 << (s - 1).max(1) || *s == 1, "axis {}", i + 2);
            for (k, mk) in m.iter().enumerate() {
                assert!(
                    mk % 2 == 1 && *mk < 1 << (k + 1),
                    "axis {} m{}",
                    i + 2,
                    k + 1
                );
            }
        }
    }

    #[test]
    fn every_prefix_of_two_to_the_m_points_stratifies_every_axis() {
        for scramble in [false, true] {
            let s = SobolSampler::new(Seed(11), SobolConfig { scramble });
            let points: Vec<Vec<f64>> = (0..64).map(|k| s.point(k, MAX_AXES)).collect();
            for axis in 0..MAX_AXES {
                for m in [1u32, 3, 6] {
                    let n = 1usize << m;
                    let mut hit = vec![0; n];
                    for p in &points[..n] {
                        let cell = (p[axis] * crate::unit::count(n)).floor();
                        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                        let cell = cell as usize;
                        hit[cell] += 1;
                    }
                    assert!(
                        hit.iter().all(|h| *h == 1),
                        "axis {axis}, 2^{m}, {scramble}"
                    );
                }
            }
            // The first two axes form a (0, 2)-sequence: 16 points, one per 4 x 4 cell.
            let mut cells = [[0; 4]; 4];
            for p in &points[..16] {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let (i, j) = ((p[0] * 4.0) as usize, (p[1] * 4.0) as usize);
                cells[i][j] += 1;
            }
            assert!(cells.iter().flatten().all(|c| *c == 1), "{cells:?}");
        }
    }

    #[test]
    fn golden_sequence_for_seed_7() {
        let space = SearchSpace::new(vec![
            Param::new(
                "lr",
                Distribution::LogUniformValues {
                    min: 1e-4,
                    max: 1e-1,
                },
            ),
            Param::new(
                "hidden",
                Distribution::Categorical {
                    values: vec![ParamValue::Int(32), ParamValue::Int(64)],
                    probabilities: None,
                },
            ),
        ]);
        let s = SobolSampler::new(Seed(7), SobolConfig::default());
        let drawn: Vec<String> = (0..4)
            .map(|i| {
                let p = s.suggest(&space, &[], TrialId(i)).unwrap();
                format!(
                    "{} {:.6e}",
                    p["hidden"],
                    p["lr"].as_f64().unwrap_or(f64::NAN)
                )
            })
            .collect();
        assert_eq!(
            drawn,
            [
                "64 5.611536e-2",
                "32 2.180337e-3",
                "64 1.616380e-4",
                "32 3.628283e-3",
            ]
        );
        let plain = SobolSampler::new(Seed(7), SobolConfig { scramble: false });
        assert_eq!(plain.point(0, 3), [0.0, 0.0, 0.0]);
        assert_eq!(plain.point(1, 3), [0.5, 0.5, 0.5]);
        assert_eq!(plain.point(2, 2), [0.25, 0.75]);
    }

    /// Issue: unscrambled, point 0 is the cube's corner, so trial 0 put every prior-shaped
    /// parameter at its prior's 1e-12 quantile (mu - 7.03 sigma; a beta's 0), a value the prior
    /// never gives, without a word. A note names each, with trial 0's value as drawn.
    #[test]
    fn issue_unscrambled_sobol_notes_the_prior_shaped_parameters_trial_0_puts_at_the_corner() {
        let note = |sampler: &str, params: &str| {
            let text = format!(
                "name: t\nmetric: {{name: val_loss}}\ndata: {{csv: d.csv, target: y}}\n\
                 method: sobol\n{sampler}parameters:\n{params}"
            );
            let spec = ExperimentSpec::from_yaml_str(&text, std::path::Path::new("s.yaml"))
                .unwrap_or_else(|e| panic!("{e}"));
            let drawn = SobolSampler::new(spec.seed, SobolConfig { scramble: false })
                .suggest(&spec.space, &[], TrialId(0))
                .unwrap();
            (corner_start_note(&spec), drawn)
        };
        let plain = "sampler: {scramble: false}\n";
        let normal = "  clip_norm: {distribution: normal, mu: 5, sigma: 1}\n";
        let (said, drawn) = note(plain, normal);
        assert_eq!(
            said.as_deref(),
            Some(
                "`scramble: false` starts the Sobol sequence at the corner of the space: trial 0 \
                 puts `clip_norm` (normal, mu 5, sigma 1) at -2.03, its prior's 1e-12 quantile, a \
                 value the prior never gives; leave `scramble` at its default, true"
            )
        );
        let x = drawn["clip_norm"].as_f64().unwrap();
        assert_eq!(significant_text(x, 3), "-2.03", "the value drawn: {x}");
        let (said, drawn) = note(
            plain,
            &format!(
                "{normal}  lr: {{distribution: log_uniform_values, min: 0.001, max: 0.1}}\n  \
                 dropout: {{distribution: beta, a: 2, b: 5}}\n"
            ),
        );
        assert_eq!(drawn["dropout"], ParamValue::Float(0.0));
        assert_eq!(
            said.as_deref(),
            Some(
                "`scramble: false` starts the Sobol sequence at the corner of the space: trial 0 \
                 puts `clip_norm` (normal, mu 5, sigma 1) at -2.03, its prior's 1e-12 quantile; \
                 `dropout` (beta, a 2, b 5) at 0, its prior's 0 quantile, values their priors \
                 never give; leave `scramble` at its default, true"
            )
        );
        // Scrambled (the default), or without a prior-shaped parameter: nothing to say.
        assert_eq!(note("sampler: {scramble: true}\n", normal).0, None);
        assert_eq!(note("", normal).0, None);
        let bounded = "  lr: {distribution: log_uniform_values, min: 0.001, max: 0.1}\n";
        assert_eq!(note(plain, bounded).0, None);
    }
}
