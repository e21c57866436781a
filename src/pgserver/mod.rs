//! Local throwaway PostgreSQL servers: the test harness and `pgmend demo` share this code.

pub mod bin;
pub mod cluster;
mod standby;

pub use bin::{BinDir, BinError, INSTALL_HINT};
pub use cluster::{Cluster, ClusterError, ClusterOptions, SUPERUSER};
