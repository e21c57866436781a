//! Connections to PostgreSQL and reading its catalogs.

pub mod catalog;
pub mod connect;
pub mod error;
pub mod params;
pub mod passfile;
pub mod privileges;
pub mod resolve;
pub mod scratch;
pub mod writable;

pub use connect::{Session, SessionOptions, connect};
pub use error::{Cause, ConnectError};
pub use params::ConnParams;
pub use resolve::{Env, Resolved, Source, Target, resolve};
