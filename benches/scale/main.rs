//! The scale benchmark (issue 7): builds an N × M table database on a throwaway cluster (or a
//! server you name) and measures pgmend against pg_dump and psql on it, in one run.
//!
//! ```sh
//! cargo bench --bench scale                            # 20 × 500 = 10,000 tables
//! cargo bench --bench scale -- --schemas 2 --tables 50 # a quick run
//! cargo bench --bench scale -- --only trips,render     # some sections
//! cargo bench --bench scale -- --only roundtrip        # snapshot, check, fix against it
//! cargo bench --bench scale -- --only access           # the access matrix, 3 roles
//! cargo bench --bench scale -- --only ladder --ladder 1000,10000 --shapes lint
//! ```
//!
//! Targets are printed next to the figures; nothing here fails when one is missed.

mod access;
mod backup;
mod cli_runs;
mod fleet;
mod ladder;
mod load;
mod phases;
mod render;
mod roundtrip;
mod setup;
mod trips;
mod tui;

use std::time::Duration;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "scale",
    about = "pgmend at scale: 10,000 tables, WAN links, fleets"
)]
pub struct Args {
    /// Schemas in the large database.
    #[arg(long, default_value_t = 20)]
    pub schemas: usize,
    /// Tables per schema.
    #[arg(long, default_value_t = 500)]
    pub tables: usize,
    /// An existing server to use (a superuser URL, any database): its databases
    /// `pgmend_bench_*` are created (and kept with --reuse). Default: a throwaway cluster.
    #[arg(long)]
    pub url: Option<String>,
    /// Keep the generated databases and use them when they already exist (with --url).
    #[arg(long)]
    pub reuse: bool,
    /// Runs of each timed command; the median is shown.
    #[arg(long, default_value_t = 1)]
    pub runs: usize,
    /// Sections to run (comma-separated): cli, roundtrip, phases, trips, wan, render,
    /// tui, fleet, ladder, access, backup, load. Default: all.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Databases in the fleet section.
    #[arg(long, default_value_t = 50)]
    pub fleet: usize,
    /// One-way delay of the simulated WAN link, in milliseconds.
    #[arg(long, default_value_t = 25)]
    pub delay_ms: u64,
    /// Sizes of the ladder section, in tables (split over --schemas schemas).
    #[arg(long, value_delimiter = ',', default_values_t = [1_000, 10_000, 30_000])]
    pub ladder: Vec<usize>,
    /// Shapes of the ladder section: plain, lint (the lint-heavy one). Default: both.
    #[arg(long, value_delimiter = ',')]
    pub shapes: Vec<String>,
    /// MiB of table data in the backup section's database (1024: the issue's 1 GB).
    #[arg(long, default_value_t = 256)]
    pub backup_mb: usize,
    /// Rows in the load section's biggest table.
    #[arg(long, default_value_t = 1_000_000)]
    pub load_rows: u64,
    /// Application clients in the load section.
    #[arg(long, default_value_t = 8)]
    pub load_clients: usize,
    /// `cargo bench` passes this; ignored.
    #[arg(long, hide = true)]
    pub bench: bool,
}

impl Args {
    pub fn shapes(&self) -> Vec<setup::Shape> {
        let all = [setup::Shape::Plain, setup::Shape::LintHeavy];
        if self.shapes.is_empty() {
            return all.to_vec();
        }
        all.into_iter()
            .filter(|s| {
                let word = if *s == setup::Shape::Plain {
                    "plain"
                } else {
                    "lint"
                };
                self.shapes.iter().any(|w| w == word)
            })
            .collect()
    }

    fn wants(&self, section: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|s| s == section)
    }
}

/// The median of some durations.
pub fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

pub fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// "met" or "MISSED" for a target.
pub fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "pgmend scale benchmark: {} schemas × {} tables = {} tables; {cores} cores; {}",
        args.schemas,
        args.tables,
        args.schemas * args.tables,
        setup::today()
    );
    let env = setup::Env::start(&args).await?;
    if args.only.len() == 1 && args.wants("ladder") {
        return ladder::run(&args, &env).await;
    }
    if args.only.len() == 1 && args.wants("backup") {
        return backup::run(&args, &env).await;
    }
    if args.only.len() == 1 && args.wants("load") {
        return load::run(&args, &env).await;
    }
    let large = env.database(&args, args.schemas, args.tables).await?;
    if args.wants("cli") {
        cli_runs::run(&args, &env, &large).await?;
    }
    if args.wants("access") {
        access::run(&args, &env, &large).await?;
    }
    if args.wants("roundtrip") {
        roundtrip::run(&args, &env, &large).await?;
    }
    if args.wants("phases") {
        phases::run(&large).await?;
    }
    if args.wants("trips") {
        let small = env.database(&args, 1, 10).await?;
        trips::round_trips(&small, &large).await?;
    }
    if args.wants("wan") {
        trips::wan(&args, &large).await?;
    }
    if args.wants("render") {
        render::run(&large).await?;
    }
    if args.wants("tui") {
        tui::run(&large)?;
    }
    if args.wants("fleet") {
        fleet::run(&args, &env).await?;
    }
    if args.wants("ladder") {
        ladder::run(&args, &env).await?;
    }
    if args.wants("backup") {
        backup::run(&args, &env).await?;
    }
    if args.wants("load") {
        load::run(&args, &env).await?;
    }
    Ok(())
}
