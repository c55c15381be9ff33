//! Grid search: every combination of the parameters' finite values, in a fixed order or
//! shuffled by the experiment's seed.

use experiment::{GridConfig, Params, Seed};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::{Error, Result, Sampler, SuggestContext};

/// Enumerates the grid in mixed-radix order: the last parameter (by name) changes fastest; or,
/// with `shuffle`, trial `k` takes point `shuffled(k)` of that order, a seeded permutation.
///
/// With conditions, a parameter multiplies only the points where it is active
/// (`SearchSpace::grid_point`), so no two trials get the same parameters. Its default runs the
/// grid in its own order.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct GridSampler {
    /// The shuffle's round keys, when the points are shuffled.
    shuffle: Option<Shuffle>,
}

impl GridSampler {
    /// Returns the grid sampler of an experiment seeded with `seed`.
    pub(crate) fn new(seed: Seed, config: GridConfig) -> GridSampler {
        GridSampler {
            shuffle: config.shuffle.then(|| Shuffle::new(seed)),
        }
    }
}

impl Sampler for GridSampler {
    fn suggest_in(&self, ctx: &SuggestContext<'_>) -> Result<Params> {
        let space = ctx.space;
        if let Some(p) = space
            .params()
            .iter()
            .find(|p| p.distribution.grid_values().is_none())
        {
            return Err(Error::NotGriddable(p.name.clone()));
        }
        let size = space.grid_size().unwrap_or(0);
        let trial = u64::from(ctx.trial.0);
        let exhausted = Error::GridExhausted {
            size,
            trial: ctx.trial,
        };
        if trial >= size {
            return Err(exhausted);
        }
        let index = match self.shuffle {
            Some(shuffle) => shuffle.position(trial, size),
            None => trial,
        };
        space.grid_point(index).ok_or(exhausted)
    }

    fn learns_from(&self, _visible: usize) -> bool {
        false
    }
}

/// The rounds of the Feistel network: four make a pseudo-random permutation of a good round
/// function (Luby and Rackoff); two more mix the small grids, whose halves are a few bits.
const ROUNDS: usize = 6;

/// A permutation of `0..size` for any `size`, from a seed, computed one position at a time (a
/// grid may have more points than fit in memory): a balanced Feistel network over the smallest
/// even number of bits that holds `size`, walked along its cycle until it lands inside `0..size`
/// (at most four steps on average, since that domain is less than four times `size`).
#[derive(Debug, Clone, Copy)]
struct Shuffle {
    keys: [u64; ROUNDS],
}

impl Shuffle {
    fn new(seed: Seed) -> Shuffle {
        let mut rng = ChaCha8Rng::seed_from_u64(seed.0);
        // A stream apart from the random sampler's trials (stream k is trial k's).
        rng.set_stream(u64::MAX);
        Shuffle {
            keys: std::array::from_fn(|_| rng.gen()),
        }
    }

    /// Returns where position `k` of `0..size` goes; `k < size`.
    fn position(&self, k: u64, size: u64) -> u64 {
        // Half the bits of the domain 2^(2h) >= size, at least 1.
        let bits = 64 - size.saturating_sub(1).leading_zeros();
        let half = bits.div_ceil(2).max(1);
        let mut x = k;
        loop {
            x = self.permute(x, half);
            if x < size {
                return x;
            }
        }
    }

    /// One pass of the network over `2 * half` bits.
    fn permute(&self, x: u64, half: u32) -> u64 {
        let mask = if half >= 32 {
            u64::from(u32::MAX)
        } else {
            (1u64 << half) - 1
        };
        let (mut left, mut right) = ((x >> half) & mask, x & mask);
        for key in self.keys {
            let mixed = round(right ^ key) & mask;
            (left, right) = (right, left ^ mixed);
        }
        (left << half) | right
    }
}

/// The round function: a multiply-xorshift mix of all 64 bits into the low ones.
fn round(x: u64) -> u64 {
    let mut z = x.wrapping_mul(0xD6E8_FEB8_6659_FD93);
    z ^= z >> 32;
    z = z.wrapping_mul(0xD6E8_FEB8_6659_FD93);
    z ^ (z >> 29)
}

#[cfg(test)]
mod tests {
    use experiment::{Distribution, Param, ParamValue, SearchSpace, TrialId};

    use super::*;

    fn space() -> SearchSpace {
        SearchSpace::new(vec![
            Param {
                condition: None,
                name: "depth".into(),
                distribution: Distribution::IntUniform { min: 1, max: 2 },
            },
            Param {
                condition: None,
                name: "optimizer".into(),
                distribution: Distribution::Categorical {
                    values: vec![
                        ParamValue::Str("sgd".into()),
                        ParamValue::Str("adam".into()),
                        ParamValue::Str("adamw".into()),
                    ],
                    probabilities: None,
                },
            },
        ])
    }

    fn render(params: &Params) -> String {
        params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn enumerates_every_point_once_in_order() {
        let points: Vec<String> = (0..6)
            .map(|i| {
                render(
                    &GridSampler::default()
                        .suggest(&space(), &[], TrialId(i))
                        .unwrap(),
                )
            })
            .collect();
        assert_eq!(
            points,
            [
                "depth=1 optimizer=sgd",
                "depth=1 optimizer=adam",
                "depth=1 optimizer=adamw",
                "depth=2 optimizer=sgd",
                "depth=2 optimizer=adam",
                "depth=2 optimizer=adamw",
            ]
        );
        assert!(matches!(
            GridSampler::default().suggest(&space(), &[], TrialId(6)),
            Err(Error::GridExhausted { size: 6, .. })
        ));
    }

    #[test]
    fn a_shuffle_is_a_permutation_of_every_size_fixed_by_its_seed() {
        for size in [1, 2, 3, 5, 16, 17, 100, 1000, 4097] {
            for seed in 0..4 {
                let shuffle = Shuffle::new(Seed(seed));
                let mut order: Vec<u64> = (0..size).map(|k| shuffle.position(k, size)).collect();
                let again: Vec<u64> = (0..size).map(|k| shuffle.position(k, size)).collect();
                assert_eq!(order, again);
                order.sort_unstable();
                assert!(
                    order.iter().copied().eq(0..size),
                    "size {size}, seed {seed}"
                );
            }
        }
        let order = |seed| -> Vec<u64> {
            let shuffle = Shuffle::new(Seed(seed));
            (0..100).map(|k| shuffle.position(k, 100)).collect()
        };
        assert_ne!(order(1), order(2));
        // Not the grid's order, nor near it: a random permutation fixes one point on average.
        let fixed = order(1).iter().zip(0..).filter(|(p, k)| **p == *k).count();
        assert!(fixed <= 5, "{fixed} fixed points");
        // A grid too large to count is shuffled one position at a time.
        let shuffle = Shuffle::new(Seed(3));
        let far: Vec<u64> = (0..4).map(|k| shuffle.position(k, u64::MAX)).collect();
        assert!(far.iter().all(|p| *p < u64::MAX));
        assert!(far.windows(2).all(|w| w[0] != w[1]), "{far:?}");
    }

    #[test]
    fn a_shuffled_grid_runs_every_point_once_and_a_cut_one_spreads_over_the_grid() {
        let shuffled = GridSampler::new(Seed(7), GridConfig { shuffle: true });
        let points: Vec<String> = (0..6)
            .map(|i| render(&shuffled.suggest(&space(), &[], TrialId(i)).unwrap()))
            .collect();
        // The order is the seed's, the same in every version: stored grids depend on it.
        assert_eq!(
            points,
            [
                "depth=1 optimizer=adamw",
                "depth=2 optimizer=sgd",
                "depth=1 optimizer=adam",
                "depth=2 optimizer=adam",
                "depth=2 optimizer=adamw",
                "depth=1 optimizer=sgd",
            ]
        );
        let mut sorted = points.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 6);
        assert!(matches!(
            shuffled.suggest(&space(), &[], TrialId(6)),
            Err(Error::GridExhausted { size: 6, .. })
        ));
        // Ten trials of a 10 x 10 grid: in order they all take the first `a`.
        let values = |n: i64| Distribution::IntUniform { min: 0, max: n - 1 };
        let square = SearchSpace::new(vec![
            Param {
                condition: None,
                name: "a".into(),
                distribution: values(10),
            },
            Param {
                condition: None,
                name: "b".into(),
                distribution: values(10),
            },
        ]);
        let firsts = |sampler: GridSampler| {
            (0..10)
                .map(|i| sampler.suggest(&square, &[], TrialId(i)).unwrap()["a"].to_string())
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        };
        assert_eq!(firsts(GridSampler::default()), 1);
        assert!(firsts(shuffled) >= 5, "{}", firsts(shuffled));
    }
}
