//! Human-readable and machine-readable output of the headless commands.

pub mod check_text;
pub mod inventory;
pub mod sarif;
pub mod style;
