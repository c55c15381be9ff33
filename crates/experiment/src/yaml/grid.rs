//! `method: grid`: which parameters a grid takes, as W&B's grid does (`values`, `value`,
//! `int_uniform` and `q_uniform`, whose values are the multiples of q its draws round to), and
//! the grid's size. A grid tries each point once, so `probabilities:` has nothing to weigh:
//! noted (W&B's grid refuses it; a refusal here would leave experiments stored with it
//! unreadable).

use crate::{Distribution, SearchSpace};

use super::decoder::Decoder;
use super::params::Searched;
use super::tree::Pos;

/// What a grid takes, for the messages that refuse other shapes.
const GRID_TAKES: &str = "a grid takes `values`, `value`, int_uniform or q_uniform";

/// Checks that every parameter can be gridded and returns the grid's number of points.
pub(super) fn grid_size(
    d: &mut Decoder,
    searched: &[Searched],
    space: &SearchSpace,
    method_pos: Pos,
) -> Option<u32> {
    let mut refused = false;
    for s in searched {
        let name = &s.param.name;
        let path = format!("parameters.{name}");
        let shape = s.param.distribution.name();
        match &s.param.distribution {
            Distribution::Constant(_)
            | Distribution::Categorical {
                probabilities: None,
                ..
            }
            | Distribution::IntUniform { .. } => {}
            // Weighs nothing in a grid, which tries each value once: noted
            // (`ExperimentSpec::grid_probability_notes`), not refused, so that experiments
            // stored before this rule still read.
            Distribution::Categorical {
                probabilities: Some(_),
                ..
            } => {}
            Distribution::QUniform { min, max, q } => {
                if crate::grid::multiples(*min, *max, *q).is_none() {
                    refused = true;
                    d.error(
                        s.pos,
                        &path,
                        format!(
                            "parameter `{name}` (q_uniform) takes more values than a grid can \
                             list: multiples of q ({}) from {} to {}; give a larger q",
                            crate::words::number_text(*q),
                            crate::words::number_text(*min),
                            crate::words::number_text(*max)
                        ),
                    );
                }
            }
            // Finite, but only in what the draws round to: a grid would list the multiples of
            // q of a log or normal law as if each were as likely, and W&B's grid refuses them.
            Distribution::QLogUniform { .. }
            | Distribution::QLogUniformValues { .. }
            | Distribution::QNormal { .. }
            | Distribution::QLogNormal { .. }
            | Distribution::QBeta { .. } => {
                refused = true;
                d.error(
                    s.pos,
                    &path,
                    format!(
                        "parameter `{name}` is {shape}, which a grid does not take: {GRID_TAKES} \
                         (as W&B's does); list the values to try as `values: [..]`"
                    ),
                );
            }
            _ => {
                refused = true;
                d.error(
                    s.pos,
                    &path,
                    format!(
                        "parameter `{name}` is continuous ({shape}); a grid needs `values`, \
                         `value`, int_uniform or q_uniform"
                    ),
                );
            }
        }
    }
    if refused {
        return None;
    }
    match space.grid_size().and_then(|n| u32::try_from(n).ok()) {
        Some(n) => Some(n),
        None => {
            d.error(
                method_pos,
                "method",
                format!(
                    "the grid has more than {} points; search fewer values",
                    u32::MAX
                ),
            );
            None
        }
    }
}
