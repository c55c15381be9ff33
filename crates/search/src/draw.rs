//! One draw from a distribution, with W&B's semantics for each distribution name.

use experiment::{quantized, Distribution, ParamValue};
use rand::Rng;
use rand_distr::{Distribution as _, Normal};

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
