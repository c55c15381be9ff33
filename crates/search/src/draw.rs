//! One draw from a distribution, with W&B's semantics for each distribution name.

use experiment::{quantized, Distribution, ParamValue};
use rand::Rng;
use rand_distr::{Beta, Distribution as _, Normal};

/// Returns one value drawn from `distribution`.
pub(crate) fn draw(distribution: &Distribution, rng: &mut impl Rng) -> ParamValue {
    match distribution {
        Distribution::Constant(v) => v.clone(),
        Distribution::Categorical {
            values,
            probabilities,
        } => {
            let index = match probabilities {
                Some(p) => weighted_index(p, rng),
                None => rng.gen_range(0..values.len().max(1)),
            };
            values
                .get(index)
                .or_else(|| values.last())
                .cloned()
                .unwrap_or(ParamValue::Int(0))
        }
        Distribution::Uniform { min, max } => ParamValue::Float(uniform(*min, *max, rng)),
        Distribution::IntUniform { min, max } => ParamValue::Int(rng.gen_range(*min..=*max)),
        Distribution::QUniform { min, max, q } => quantized(uniform(*min, *max, rng), *q),
        Distribution::LogUniform { min, max } => ParamValue::Float(uniform(*min, *max, rng).exp()),
        Distribution::LogUniformValues { min, max } => {
            ParamValue::Float(uniform(min.ln(), max.ln(), rng).exp())
        }
        Distribution::QLogUniformValues { min, max, q } => {
            quantized(uniform(min.ln(), max.ln(), rng).exp(), *q)
        }
        Distribution::Normal { mu, sigma } => ParamValue::Float(normal(*mu, *sigma, rng)),
        Distribution::LogNormal { mu, sigma } => ParamValue::Float(normal(*mu, *sigma, rng).exp()),
        Distribution::QLogUniform { min, max, q } => quantized(uniform(*min, *max, rng).exp(), *q),
        Distribution::InvLogUniform { min, max } => {
            ParamValue::Float((-uniform(*min, *max, rng)).exp())
        }
        Distribution::InvLogUniformValues { min, max } => {
            // log(1/x) uniform on [log(1/max), log(1/min)].
            ParamValue::Float(1.0 / uniform((1.0 / max).ln(), (1.0 / min).ln(), rng).exp())
        }
        Distribution::QNormal { mu, sigma, q } => quantized(normal(*mu, *sigma, rng), *q),
        Distribution::QLogNormal { mu, sigma, q } => quantized(normal(*mu, *sigma, rng).exp(), *q),
        Distribution::Beta { a, b } => ParamValue::Float(beta(*a, *b, rng)),
        Distribution::QBeta { a, b, q } => quantized(beta(*a, *b, rng), *q),
    }
}

fn beta(a: f64, b: f64, rng: &mut impl Rng) -> f64 {
    match Beta::new(a, b) {
        Ok(beta) => beta.sample(rng),
        Err(_) => a / (a + b),
    }
}

fn uniform(min: f64, max: f64, rng: &mut impl Rng) -> f64 {
    if max > min {
        min + (max - min) * rng.gen::<f64>()
    } else {
        min
    }
}

fn normal(mu: f64, sigma: f64, rng: &mut impl Rng) -> f64 {
    match Normal::new(mu, sigma) {
        Ok(n) => n.sample(rng),
        Err(_) => mu,
    }
}

fn weighted_index(probabilities: &[f64], rng: &mut impl Rng) -> usize {
    let u: f64 = rng.gen::<f64>() * probabilities.iter().sum::<f64>();
    let mut acc = 0.0;
    for (i, p) in probabilities.iter().enumerate() {
        acc += p;
        if u < acc {
            return i;
        }
    }
    probabilities.len().saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    fn draws(d: &Distribution, n: usize) -> Vec<ParamValue> {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        (0..n).map(|_| draw(d, &mut rng)).collect()
    }

    #[test]
    fn draws_stay_in_their_ranges() {
        for v in draws(
            &Distribution::LogUniformValues {
                min: 1e-4,
                max: 1e-1,
            },
            500,
        ) {
            let x = v.as_f64().unwrap();
            assert!((1e-4..=1e-1).contains(&x), "{x}");
        }
        for v in draws(
            &Distribution::LogUniform {
                min: -2.0,
                max: 0.0,
            },
            500,
        ) {
            let x = v.as_f64().unwrap();
            assert!(((-2.0f64).exp()..=1.0).contains(&x), "{x}");
        }
        for v in draws(&Distribution::IntUniform { min: 1, max: 3 }, 200) {
            assert!(matches!(v, ParamValue::Int(1..=3)), "{v:?}");
        }
        for v in draws(
            &Distribution::QUniform {
                min: 0.0,
                max: 10.0,
                q: 2.0,
            },
            200,
        ) {
            assert!(
                matches!(v, ParamValue::Int(0 | 2 | 4 | 6 | 8 | 10)),
                "{v:?}"
            );
        }
    }

    #[test]
    fn the_w_and_b_laws_keep_their_ranges_and_steps() {
        let inv = draws(&Distribution::InvLogUniform { min: 1.0, max: 4.0 }, 500);
        let inv_values = draws(
            &Distribution::InvLogUniformValues {
                min: 1e-3,
                max: 1e-1,
            },
            500,
        );
        for (v, w) in inv.iter().zip(&inv_values) {
            let (x, y) = (v.as_f64().unwrap(), w.as_f64().unwrap());
            assert!(((-4.0f64).exp()..=(-1.0f64).exp()).contains(&x), "{x}");
            assert!((1e-3..=1e-1 * (1.0 + 1e-12)).contains(&y), "{y}");
        }
        // Log-uniform: about half the draws below the geometric middle.
        let below = inv_values
            .iter()
            .filter(|v| v.as_f64().unwrap() < 1e-2)
            .count();
        assert!((200..300).contains(&below), "{below}");
        let q_log = Distribution::QLogUniform {
            min: 2.0,
            max: 5.0,
            q: 4.0,
        };
        for v in draws(&q_log, 300) {
            let ParamValue::Int(i) = v else {
                panic!("{v:?}")
            };
            assert!(i % 4 == 0 && (8..=148).contains(&i), "{i}");
        }
        let q_normal = Distribution::QNormal {
            mu: 0.0,
            sigma: 1.0,
            q: 0.5,
        };
        for v in draws(&q_normal, 300) {
            let x = v.as_f64().unwrap();
            assert_eq!((x * 2.0).fract(), 0.0, "{x}");
        }
        let q_log_normal = Distribution::QLogNormal {
            mu: 0.0,
            sigma: 1.0,
            q: 1.0,
        };
        assert!(draws(&q_log_normal, 300)
            .iter()
            .all(|v| matches!(v, ParamValue::Int(0..))));
        let beta = draws(&Distribution::Beta { a: 2.0, b: 8.0 }, 2000);
        let mean = beta.iter().map(|v| v.as_f64().unwrap()).sum::<f64>() / 2000.0;
        assert!((mean - 0.2).abs() < 0.01, "{mean}");
        assert!(beta
            .iter()
            .all(|v| (0.0..=1.0).contains(&v.as_f64().unwrap())));
        for v in draws(
            &Distribution::QBeta {
                a: 1.0,
                b: 1.0,
                q: 0.25,
            },
            300,
        ) {
            let x = v.as_f64().unwrap();
            assert!([0.0, 0.25, 0.5, 0.75, 1.0].contains(&x), "{x}");
        }
    }

    #[test]
    fn probabilities_are_respected() {
        let d = Distribution::Categorical {
            values: vec![ParamValue::Int(0), ParamValue::Int(1)],
            probabilities: Some(vec![0.9, 0.1]),
        };
        let ones = draws(&d, 2000)
            .iter()
            .filter(|v| **v == ParamValue::Int(1))
            .count();
        assert!((120..280).contains(&ones), "{ones}");
    }

    #[test]
    fn every_int_uniform_value_appears() {
        let values = draws(&Distribution::IntUniform { min: 1, max: 3 }, 100);
        for k in 1..=3 {
            assert!(values.contains(&ParamValue::Int(k)));
        }
    }
}
