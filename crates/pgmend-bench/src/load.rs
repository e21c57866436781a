//! The load harness (issue 19.1): a fixed number of clients on loopback, each on its own
//! session, run an application's typical statements (reads by owner, inserts, updates of the rows
//! being fixed) in turn, bounded in time and in count, while the driver marks the phases
//! (before the fix, during it, after). Each statement is timed by the client itself; errors are
//! counted by SQLSTATE. What a fix costs the application is read from these timings alone.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// What a statement does, for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Read,
    Insert,
    Update,
}

/// One of the application's statements: `$1` is bound to a key drawn from `0..keys`.
#[derive(Debug, Clone)]
pub struct Statement {
    pub kind: Kind,
    pub sql: String,
    pub keys: i64,
}

/// The phases the driver switches between (see [`Phases`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Before = 0,
    During = 1,
    After = 2,
}

const STOP: u8 = 255;

/// The current phase, shared by the driver and the clients.
#[derive(Debug, Clone, Default)]
pub struct Phases(Arc<AtomicU8>);

impl Phases {
    pub fn set(&self, p: Phase) {
        self.0.store(p as u8, Ordering::SeqCst);
    }

    /// Ends the run: each client stops after its current statement.
    pub fn stop(&self) {
        self.0.store(STOP, Ordering::SeqCst);
    }

    fn stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst) == STOP
    }

    fn get(&self) -> Phase {
        match self.0.load(Ordering::SeqCst) {
            0 => Phase::Before,
            1 => Phase::During,
            _ => Phase::After,
        }
    }
}

/// How much load, for how long.
#[derive(Debug, Clone)]
pub struct Load {
    /// Loopback URL the clients connect to.
    pub url: String,
    pub clients: usize,
    pub statements: Vec<Statement>,
    /// Each client stops after this long, or after `max_per_client` statements, or when the
    /// driver calls [`Phases::stop`].
    pub duration: Duration,
    pub max_per_client: u64,
    /// Pause between two statements of a client.
    pub think: Duration,
}

/// One statement's outcome.
#[derive(Debug, Clone)]
struct Sample {
    phase: Phase,
    kind: Kind,
    latency: Duration,
    sqlstate: Option<String>,
}

/// The figures of one phase.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhaseFigures {
    pub statements: u64,
    pub p50: Duration,
    pub p99: Duration,
    /// The longest statement: how long the application waited at worst.
    pub max: Duration,
    /// Errors by SQLSTATE (`connection` when the session itself failed).
    pub errors: BTreeMap<String, u64>,
}

/// The figures of a run, by phase.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub phases: BTreeMap<Phase, PhaseFigures>,
    /// Statements of each kind, in all.
    pub by_kind: BTreeMap<Kind, u64>,
}

impl Figures {
    pub fn phase(&self, p: Phase) -> PhaseFigures {
        self.phases.get(&p).cloned().unwrap_or_default()
    }

    fn from_samples(samples: Vec<Sample>) -> Figures {
        let mut f = Figures::default();
        let mut latencies: BTreeMap<Phase, Vec<Duration>> = BTreeMap::new();
        for s in samples {
            *f.by_kind.entry(s.kind).or_default() += 1;
            let pf = f.phases.entry(s.phase).or_default();
            pf.statements += 1;
            if let Some(code) = s.sqlstate {
                *pf.errors.entry(code).or_default() += 1;
            }
            latencies.entry(s.phase).or_default().push(s.latency);
        }
        for (phase, mut l) in latencies {
            l.sort();
            let at = |q: f64| l[((l.len() - 1) as f64 * q).round() as usize];
            let pf = f.phases.entry(phase).or_default();
            pf.p50 = at(0.50);
            pf.p99 = at(0.99);
            pf.max = *l.last().expect("a phase with samples");
        }
        f
    }
}

/// The scenarios with a workload: Supabase RLS fixes, Prisma index and constraint fixes.
pub const SCENARIOS: [&str; 2] = ["lms", "event-platform"];

/// The `--backfill` arguments a scenario's `fix --all --yes` needs (a NOT NULL column added to
/// a table with rows).
pub fn backfills(scenario: &str) -> &'static [&'static str] {
    match scenario {
        "event-platform" => &["rooms.appManifestVersion='1.0.0'"],
        _ => &[],
    }
}

/// The application's typical statements for a scenario (`scenarios::ids`): reads by owner,
/// inserts, updates of the rows its fixes change. `None` for a scenario without one.
pub fn workload(scenario: &str) -> Option<Vec<Statement>> {
    let st = |kind, sql: &str, keys| Statement {
        kind,
        sql: sql.to_string(),
        keys,
    };
    match scenario {
        // Prisma: the fixes add rooms."appManifestVersion" (backfilled, NOT VALID then
        // VALIDATE), its indexes and three foreign-key indexes (CONCURRENTLY).
        "event-platform" => Some(vec![
            st(
                Kind::Read,
                r#"SELECT s.id, s."expiresAt" FROM sessions s
                    WHERE s."userId" = (SELECT id FROM users ORDER BY id OFFSET $1 LIMIT 1)
                    ORDER BY s."expiresAt" DESC LIMIT 20"#,
                600,
            ),
            st(
                Kind::Insert,
                r#"INSERT INTO token_blacklist (id, "tokenHash", "expiresAt")
                   VALUES (gen_random_uuid()::text, md5(gen_random_uuid()::text || $1),
                           now() + interval '1 day')"#,
                1_000_000_000,
            ),
            st(
                Kind::Update,
                r#"UPDATE rooms SET "updatedAt" = now()
                    WHERE id = (SELECT id FROM rooms ORDER BY id OFFSET $1 LIMIT 1)"#,
                240,
            ),
            st(
                Kind::Read,
                r#"SELECT w.id FROM winners w JOIN prizes p ON p.id = w."prizeId"
                    WHERE p."roomId" = (SELECT id FROM rooms ORDER BY id OFFSET $1 LIMIT 1)"#,
                240,
            ),
        ]),
        // Supabase: the fixes add support_tickets' and live_classes' columns, tables, indexes
        // and RLS policies. (The clients connect as the owner, so RLS does not filter them.)
        "lms" => Some(vec![
            st(
                Kind::Read,
                "SELECT id, title, is_read FROM public.notifications
                  WHERE user_id = md5('lms-user:' || (69 + $1))::uuid
                  ORDER BY created_at DESC LIMIT 20",
                352,
            ),
            st(
                Kind::Insert,
                "INSERT INTO public.notifications (user_id, title, message)
                 VALUES (md5('lms-user:' || (69 + $1))::uuid, 'load', 'a notification')",
                352,
            ),
            st(
                Kind::Update,
                "UPDATE public.support_tickets SET updated_at = now()
                  WHERE id = md5('ticket:' || (1 + $1))::uuid",
                600,
            ),
            st(
                Kind::Update,
                "UPDATE public.live_classes SET updated_at = now()
                  WHERE id = md5('live-class:' || (1 + $1))::uuid",
                240,
            ),
        ]),
        _ => None,
    }
}

/// Grows a scenario's biggest table by `rows` rows, as its application would have written
/// them (the owners are the scenario's own).
pub async fn scale_up(
    conn: &mut PgConnection,
    scenario: &str,
    rows: u64,
) -> Result<(), sqlx::Error> {
    let sql = match scenario {
        "event-platform" => format!(
            r#"WITH u AS (SELECT array_agg(id ORDER BY id) a FROM users)
               INSERT INTO sessions (id, "userId", "refreshToken", "expiresAt", "updatedAt")
               SELECT 'load-' || g, u.a[1 + g % array_length(u.a, 1)], md5('load' || g),
                      now() + (g % 90) * interval '1 day', now()
                 FROM u, generate_series(1, {rows}) g;
               ANALYZE sessions"#
        ),
        "lms" => format!(
            "INSERT INTO public.notifications (user_id, title, message)
             SELECT md5('lms-user:' || (69 + g % 352))::uuid, 'n' || g, 'scaled up'
               FROM generate_series(1, {rows}) g;
             ANALYZE public.notifications"
        ),
        _ => return Ok(()),
    };
    sqlx::raw_sql(AssertSqlSafe(sql))
        .execute(conn)
        .await
        .map(|_| ())
}

/// Runs the load until its time or count is spent; `phases` says which phase each statement
/// belongs to when it starts.
pub async fn run(load: Load, phases: Phases) -> Result<Figures, sqlx::Error> {
    let mut handles = Vec::new();
    for client in 0..load.clients {
        let mut conn = PgConnection::connect(&load.url).await?;
        sqlx::raw_sql("SET application_name = 'pgmend-load'")
            .execute(&mut conn)
            .await?;
        let load = load.clone();
        let phases = phases.clone();
        handles.push(tokio::spawn(async move {
            client_loop(conn, client as u64, &load, &phases).await
        }));
    }
    let mut samples = Vec::new();
    for h in handles {
        samples.extend(h.await.unwrap_or_default());
    }
    Ok(Figures::from_samples(samples))
}

async fn client_loop(
    mut conn: PgConnection,
    client: u64,
    load: &Load,
    phases: &Phases,
) -> Vec<Sample> {
    let mut samples = Vec::new();
    let deadline = Instant::now() + load.duration;
    let mut rng = 0x9E37_79B9_7F4A_7C15u64 ^ (client + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let mut i = client as usize;
    while Instant::now() < deadline
        && (samples.len() as u64) < load.max_per_client
        && !phases.stopped()
    {
        let st = &load.statements[i % load.statements.len()];
        i += 1;
        // xorshift64: a different, repeatable key sequence per client.
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let key = (rng % st.keys.max(1) as u64) as i64;
        let phase = phases.get();
        let t = Instant::now();
        let r = sqlx::query(AssertSqlSafe(st.sql.as_str()))
            .bind(key)
            .execute(&mut conn)
            .await;
        let sqlstate = r.err().map(|e| {
            e.as_database_error()
                .and_then(|d| d.code().map(|c| c.into_owned()))
                .unwrap_or_else(|| "connection".to_string())
        });
        let lost = sqlstate.as_deref() == Some("connection");
        samples.push(Sample {
            phase,
            kind: st.kind,
            latency: t.elapsed(),
            sqlstate,
        });
        if lost {
            match PgConnection::connect(&load.url).await {
                Ok(c) => conn = c,
                Err(_) => break,
            }
        }
        if !load.think.is_zero() {
            tokio::time::sleep(load.think).await;
        }
    }
    let _ = conn.close().await;
    samples
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_by_phase() {
        let s = |phase, ms: u64, code: Option<&str>| Sample {
            phase,
            kind: Kind::Read,
            latency: Duration::from_millis(ms),
            sqlstate: code.map(String::from),
        };
        let mut v: Vec<Sample> = (1..=100).map(|ms| s(Phase::Before, ms, None)).collect();
        v.push(s(Phase::During, 7, Some("55P03")));
        let f = Figures::from_samples(v);
        let before = f.phase(Phase::Before);
        assert_eq!(before.statements, 100);
        assert_eq!(before.p50, Duration::from_millis(51));
        assert_eq!(before.p99, Duration::from_millis(99));
        assert_eq!(before.max, Duration::from_millis(100));
        assert!(before.errors.is_empty());
        assert_eq!(f.phase(Phase::During).errors.get("55P03"), Some(&1));
        assert_eq!(f.phase(Phase::After), PhaseFigures::default());
        assert_eq!(f.by_kind.get(&Kind::Read), Some(&101));
    }
}
