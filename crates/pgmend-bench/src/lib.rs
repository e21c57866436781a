//! The benchmark kit (issue 7): generators of large schemas (a plain shape and a lint-heavy
//! one), a TCP proxy that counts round trips and simulates a slow link, and child-process
//! measurement, and a load generator (the load harness). A dev-only crate: used by
//! `benches/scale` and by the tests, never by pgmend.

pub mod child;
pub mod generate;
pub mod lint_heavy;
pub mod load;
pub mod proxy;

pub use generate::{Expected, expected, generate};
pub use proxy::Proxy;
