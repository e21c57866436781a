//! Human-readable and machine-readable output of the headless commands.

pub mod inventory;
