//! The end-to-end test binary: every test that runs the real `sweep` binary or checks the
//! workspace as a whole lives in one of these modules.

mod agents;
mod bad_specs;
mod cli;
mod dashboard;
mod engine;
mod examples;
mod exit_codes;
mod gate;
mod record;
mod remove;
mod resume;
mod tidy;
mod trace;
