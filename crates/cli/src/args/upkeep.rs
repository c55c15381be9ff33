//! The flags of the commands that change what a store holds: `sweep rm` and `compact`.

use super::StoreArgs;

/// `sweep rm`.
#[derive(Debug, clap::Args)]
pub(crate) struct RmArgs {
    /// Names of the experiments to remove
    #[arg(required = true, value_name = "EXPERIMENT")]
    pub(crate) experiments: Vec<String>,
    #[command(flatten)]
    pub(crate) store: StoreArgs,
    /// Remove without asking (otherwise the answer is read from standard input)
    #[arg(long, short = 'y')]
    pub(crate) yes: bool,
}

/// `sweep compact`.
#[derive(Debug, clap::Args)]
pub(crate) struct CompactArgs {
    #[command(flatten)]
    pub(crate) store: StoreArgs,
}
