//! A TCP proxy on 127.0.0.1 that counts real network round trips and can delay each direction
//! (a simulated WAN link: 25 ms each way is a 50 ms round trip).
//!
//! A round trip ("exchange") is counted each time the client sends after the server last
//! spoke (or for the first time on a connection): the client can only be waiting for an answer
//! that many times, however many statements or protocol messages each exchange carries.
//! Bandwidth is not limited: every chunk is delayed by the same amount, so a long answer costs
//! one delay, not one per chunk.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// What went through the proxy, over all its connections.
#[derive(Debug, Default)]
pub struct Stats {
    pub exchanges: AtomicU64,
    pub connections: AtomicU64,
    pub bytes_up: AtomicU64,
    pub bytes_down: AtomicU64,
}

/// A running proxy; dropping it stops it and closes its connections.
pub struct Proxy {
    addr: SocketAddr,
    stats: Arc<Stats>,
    task: JoinHandle<()>,
}

impl Proxy {
    /// Listens on a free 127.0.0.1 port and forwards every connection to `upstream`, delaying
    /// each direction by `one_way` (zero: no delay, just counting).
    pub async fn start(upstream: SocketAddr, one_way: Duration) -> std::io::Result<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let stats = Arc::new(Stats::default());
        let st = stats.clone();
        let task = tokio::spawn(async move {
            // Dropped (aborting every connection's tasks) when the proxy is.
            let mut conns = tokio::task::JoinSet::new();
            while let Ok((client, _)) = listener.accept().await {
                st.connections.fetch_add(1, Ordering::Relaxed);
                let st = st.clone();
                conns.spawn(async move {
                    if let Ok(server) = TcpStream::connect(upstream).await {
                        relay(client, server, one_way, st).await;
                    }
                });
                while conns.try_join_next().is_some() {}
            }
        });
        Ok(Proxy { addr, stats, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Round trips so far, over every connection.
    pub fn exchanges(&self) -> u64 {
        self.stats.exchanges.load(Ordering::SeqCst)
    }

    /// `url` with its port replaced by the proxy's (the host must be 127.0.0.1 or localhost).
    pub fn url_for(&self, url: &str) -> String {
        match url::Url::parse(url) {
            Ok(mut u) => {
                let _ = u.set_host(Some("127.0.0.1"));
                let _ = u.set_port(Some(self.port()));
                u.to_string()
            }
            Err(_) => url.to_string(),
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn relay(client: TcpStream, server: TcpStream, one_way: Duration, stats: Arc<Stats>) {
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    // Whether the server spoke last: the client's next send is then a new exchange.
    let server_spoke = Arc::new(AtomicBool::new(true));
    let up = pump(
        cr,
        sw,
        one_way,
        Direction::Up,
        server_spoke.clone(),
        stats.clone(),
    );
    let down = pump(sr, cw, one_way, Direction::Down, server_spoke, stats);
    tokio::join!(up, down);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Up,
    Down,
}

/// Copies `from` to `to`, every chunk `delay` late; counts exchanges on the way up.
async fn pump(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    delay: Duration,
    dir: Direction,
    server_spoke: Arc<AtomicBool>,
    stats: Arc<Stats>,
) {
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let writer = async move {
        while let Some((due, chunk)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            if to.write_all(&chunk).await.is_err() {
                break;
            }
        }
        let _ = to.shutdown().await;
    };
    let reader = async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            match dir {
                Direction::Up => {
                    if server_spoke.swap(false, Ordering::SeqCst) {
                        stats.exchanges.fetch_add(1, Ordering::SeqCst);
                    }
                    stats.bytes_up.fetch_add(n as u64, Ordering::Relaxed);
                }
                Direction::Down => {
                    server_spoke.store(true, Ordering::SeqCst);
                    stats.bytes_down.fetch_add(n as u64, Ordering::Relaxed);
                }
            }
            if tx
                .send((Instant::now() + delay, buf[..n].to_vec()))
                .is_err()
            {
                break;
            }
        }
    };
    tokio::join!(reader, writer);
}
