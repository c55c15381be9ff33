//! View-model tests on fixed inputs.
