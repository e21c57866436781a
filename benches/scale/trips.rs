//! Round trips of one snapshot (statements, and real network exchanges through a counting
//! proxy) and inventory over a simulated 50 ms round-trip link.

use std::net::SocketAddr;
use std::time::Duration;

use pgmend::db::catalog::{ReadOptions, read_snapshot};
use pgmend::db::{ConnParams, Env, SessionOptions, Source};
use pgmend_bench::{Proxy, child};

use crate::setup::{Db, pgmend};
use crate::{Args, median, secs, verdict};

fn upstream(url: &str) -> anyhow::Result<SocketAddr> {
    let u = url::Url::parse(url)?;
    let host = u.host_str().unwrap_or("127.0.0.1");
    let port = u.port().unwrap_or(5432);
    Ok(format!("{host}:{port}").parse()?)
}

/// One pgmend session through `proxy`: (connect exchanges, statements, snapshot exchanges,
/// bytes received during the snapshot).
pub async fn one_snapshot(proxy: &Proxy, url: &str) -> anyhow::Result<(u64, u32, u64, u64)> {
    use std::sync::atomic::Ordering;
    let resolved = pgmend::db::resolve(
        Source::Argument(ConnParams::parse(&proxy.url_for(url))?),
        &Env::from_process(),
    )?;
    let before = proxy.exchanges();
    let mut s = pgmend::db::connect(&resolved, &SessionOptions::default()).await?;
    let connected = proxy.exchanges();
    let bytes = proxy.stats().bytes_down.load(Ordering::SeqCst);
    let opts = ReadOptions {
        persistent_statements: !s.pooled,
        ..Default::default()
    };
    let snap = read_snapshot(&mut s.conn, &opts).await?;
    let exchanges = proxy.exchanges() - connected;
    let down = proxy.stats().bytes_down.load(Ordering::SeqCst) - bytes;
    Ok((connected - before, snap.round_trips, exchanges, down))
}

pub async fn round_trips(small: &Db, large: &Db) -> anyhow::Result<()> {
    println!("\n== Round trips of one snapshot (counting proxy) ==");
    println!(
        "  {:<28} {:>10} {:>20} {:>16} {:>12}",
        "database", "statements", "network exchanges", "connect exch.", "bytes down"
    );
    let mut worst = 0;
    let mut seen = Vec::new();
    for db in [small, large] {
        let proxy = Proxy::start(upstream(&db.url)?, Duration::ZERO).await?;
        let (connect, statements, exchanges, down) = one_snapshot(&proxy, &db.url).await?;
        println!(
            "  {:<28} {statements:>10} {exchanges:>20} {connect:>16} {:>9.1} MiB",
            format!("{} ({} tables)", db.name, db.expected.tables),
            down as f64 / 1048576.0
        );
        worst = worst.max(exchanges);
        seen.push(exchanges);
    }
    println!(
        "  constant and ≤ 15 (target): {}",
        verdict(seen.windows(2).all(|w| w[0] == w[1]) && worst <= 15)
    );
    Ok(())
}

/// `pgmend inventory` through `url`, median wall time of `runs`.
async fn inventory(url: &str, runs: usize) -> anyhow::Result<Duration> {
    let mut walls = Vec::new();
    for _ in 0..runs.max(1) {
        let mut c = pgmend();
        c.args(["inventory", url]);
        let o = tokio::task::spawn_blocking(move || child::run(&c, None)).await??;
        anyhow::ensure!(o.code == Some(0), "pgmend inventory failed: {:?}", o.code);
        walls.push(o.wall);
    }
    Ok(median(walls))
}

pub async fn wan(args: &Args, db: &Db) -> anyhow::Result<()> {
    let delay = Duration::from_millis(args.delay_ms);
    println!(
        "\n== pgmend inventory over a simulated {} ms round-trip link (delaying proxy) on {} ==",
        args.delay_ms * 2,
        db.name
    );
    let direct = Proxy::start(upstream(&db.url)?, Duration::ZERO).await?;
    let loopback = inventory(&direct.url_for(&db.url), args.runs).await?;
    let runs = args.runs.max(1) as u64;
    let loop_ex = direct.exchanges() / runs;
    let slow = Proxy::start(upstream(&db.url)?, delay).await?;
    let wan = inventory(&slow.url_for(&db.url), args.runs).await?;
    let wan_ex = slow.exchanges() / runs;
    let extra = wan.saturating_sub(loopback);
    println!(
        "  loopback (proxy, no delay)  {:>10}   {loop_ex} exchanges",
        secs(loopback)
    );
    println!(
        "  {} ms RTT                   {:>10}   {wan_ex} exchanges",
        args.delay_ms * 2,
        secs(wan)
    );
    println!(
        "  difference: +{} (target < +1 s: {}; the floor is {} exchanges × {} ms = {})",
        secs(extra),
        verdict(extra < Duration::from_secs(1)),
        wan_ex,
        args.delay_ms * 2,
        secs(delay * 2 * wan_ex as u32)
    );
    Ok(())
}
