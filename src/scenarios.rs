//! The seeded scenario databases in `assets/scenarios/`: each platform's intended and broken
//! database as SQL, compiled in, with a loader shared by the test suite and `pgmend demo`.

use serde::Deserialize;
use sqlx::{Connection, PgConnection};

const INDEX: &str = include_str!("../assets/scenarios/index.toml");
/// What a Supabase project provides before any application migration (roles, `auth`, `storage`,
/// `supabase_migrations`, default grants); loaded before a Supabase scenario.
pub const SUPABASE_STANDIN: &str = include_str!("../assets/scenarios/supabase-standin.sql");

/// One seeded platform, as listed in `assets/scenarios/index.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Also the name of its checklist preset.
    pub id: String,
    pub title: String,
    /// What the application is built on (`typeorm`, `supabase`, `postgres-passport`, …).
    pub platform: String,
    /// The write-up in `shared/seeds/` the scenario is built from.
    pub seed: String,
    pub description: String,
    /// `supabase-standin.sql` must be loaded first.
    pub needs_supabase_standin: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Index {
    #[allow(dead_code)]
    supabase_standin: String,
    scenario: Vec<Scenario>,
}

/// Which of a scenario's two databases to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// The production database as found (with data).
    Broken,
    /// The database as it should be.
    Intended,
}

impl State {
    pub fn file_name(self) -> &'static str {
        match self {
            State::Broken => "broken.sql",
            State::Intended => "intended.sql",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("unknown scenario `{id}`; scenarios: {}", ids().join(", "))]
    Unknown { id: String },
    /// The server rejected a script; nothing of it was kept.
    #[error("loading scenario `{id}` ({file}) failed: {message}")]
    Sql {
        id: String,
        file: &'static str,
        message: String,
    },
}

/// Every scenario, in the order of `index.toml`.
pub fn all() -> Vec<Scenario> {
    // The index is compiled in and covered by a unit test: failing to parse it is a build bug.
    toml::from_str::<Index>(INDEX)
        .expect("assets/scenarios/index.toml is valid")
        .scenario
}

pub fn get(id: &str) -> Option<Scenario> {
    all().into_iter().find(|s| s.id == id)
}

/// Every scenario id.
pub fn ids() -> Vec<String> {
    all().into_iter().map(|s| s.id).collect()
}

/// The SQL of a scenario's database.
pub fn sql(id: &str, state: State) -> Option<&'static str> {
    macro_rules! pair {
        ($dir:literal) => {
            match state {
                State::Broken => include_str!(concat!("../assets/scenarios/", $dir, "/broken.sql")),
                State::Intended => {
                    include_str!(concat!("../assets/scenarios/", $dir, "/intended.sql"))
                }
            }
        };
    }
    Some(match id {
        "virtual-audience" => pair!("virtual-audience"),
        "chat-system" => pair!("chat-system"),
        "lms" => pair!("lms"),
        "mood-journal" => pair!("mood-journal"),
        "event-platform" => pair!("event-platform"),
        _ => return None,
    })
}

/// Loads scenario `id` in `state` into the database `conn` is connected to (which should be
/// empty): the Supabase stand-in first when the scenario needs it (in a transaction of its
/// own), then the scenario's script in one transaction, so a failure leaves nothing of it.
pub async fn load(conn: &mut PgConnection, id: &str, state: State) -> Result<(), ScenarioError> {
    let scenario = get(id).ok_or_else(|| ScenarioError::Unknown { id: id.to_string() })?;
    let script = sql(id, state).ok_or_else(|| ScenarioError::Unknown { id: id.to_string() })?;
    if scenario.needs_supabase_standin {
        run_script(conn, id, "supabase-standin.sql", SUPABASE_STANDIN).await?;
    }
    run_script(conn, id, state.file_name(), script).await
}

async fn run_script(
    conn: &mut PgConnection,
    id: &str,
    file: &'static str,
    script: &'static str,
) -> Result<(), ScenarioError> {
    let fail = |e: sqlx::Error| ScenarioError::Sql {
        id: id.to_string(),
        file,
        message: server_message(&e),
    };
    let mut tx = conn.begin().await.map_err(fail)?;
    sqlx::raw_sql(script)
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
    tx.commit().await.map_err(fail)
}

/// The server's own words (with SQLSTATE, detail and hint) for a database error.
fn server_message(e: &sqlx::Error) -> String {
    let Some(db) = e.as_database_error() else {
        return e.to_string();
    };
    let mut msg = db.message().to_string();
    if let Some(code) = db.code() {
        msg = format!("{msg} (SQLSTATE {code})");
    }
    if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        if let Some(d) = pg.detail() {
            msg.push_str(&format!("; detail: {d}"));
        }
        if let Some(h) = pg.hint() {
            msg.push_str(&format!("; hint: {h}"));
        }
        if let Some(w) = pg.r#where() {
            msg.push_str(&format!("; where: {w}"));
        }
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_lists_five_scenarios_with_sql_and_presets() {
        let all = all();
        let ids: Vec<&str> = all.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "virtual-audience",
                "chat-system",
                "lms",
                "mood-journal",
                "event-platform"
            ]
        );
        let presets = crate::checklist::presets::names();
        for s in &all {
            for state in [State::Broken, State::Intended] {
                let text = sql(&s.id, state).unwrap_or_else(|| panic!("no SQL for {}", s.id));
                assert!(text.len() > 1000, "{} {state:?} looks empty", s.id);
            }
            assert!(presets.contains(&s.id.as_str()), "no preset {}", s.id);
            assert_eq!(
                s.needs_supabase_standin,
                s.platform == "supabase",
                "{}",
                s.id
            );
            assert_eq!(get(&s.id).as_ref(), Some(s));
        }
        assert!(get("nope").is_none());
        assert!(sql("nope", State::Broken).is_none());
    }
}
