//! The model-based test of `Store`.
