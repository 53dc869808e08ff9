//! Library half of `xtask`: the checks that tests also run in-process.
//!
//! The binary (`src/main.rs`) holds the tasks that only make sense from the command line
//! (`gen-catalog`) and calls into this library for the others (`check-layers`).

pub mod layers;

pub use layers::check_layers;
