//! Where a restore may write: the rules, pure. A whole restore goes into a new database (or an
//! existing empty one), never over a database with objects in it, and never over the database
//! the backup came from unless that is spelled out; chosen tables go into a new side schema.

/// What is known of the target before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The database named by `--into`.
    pub database: String,
    /// `None`: it does not exist; `Some(n)`: it exists with `n` relations, functions or
    /// types of its own (outside PostgreSQL's schemas).
    pub objects: Option<u64>,
    /// The database the backup was dumped from (the archive's header).
    pub source: Option<String>,
    /// Tables were chosen (`--table`, `--entry`).
    pub tables: bool,
    /// `--over-source-database` was given.
    pub over_source: bool,
}

/// What the restore will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Create the database, restore into it; drop it again if the restore fails.
    Create,
    /// Restore into the existing, empty database.
    Empty,
    /// Restore the chosen tables into a new schema of the existing database.
    SideSchema,
    /// Drop and create again each object of the backup in the database it came from (after a
    /// fresh backup of it, and a typed confirmation).
    OverSource,
}

/// The rule for `facts`, or why the restore is refused (with what to do instead).
pub fn decide(f: &Facts) -> Result<Mode, String> {
    let is_source = f.source.as_deref() == Some(f.database.as_str());
    let db = &f.database;
    if f.tables {
        return match f.objects {
            Some(_) => Ok(Mode::SideSchema),
            None => Err(format!(
                "database {db} does not exist: --table restores into a new schema of an \
                 existing database (the live one, to compare side by side)"
            )),
        };
    }
    if f.over_source {
        return match (is_source, f.objects) {
            (true, Some(_)) => Ok(Mode::OverSource),
            (true, None) => Err(format!(
                "database {db} does not exist: without --over-source-database the backup is \
                 restored into it as a new database"
            )),
            (false, _) => Err(format!(
                "--over-source-database: the backup came from {}, not {db}",
                f.source.as_deref().unwrap_or("an unknown database")
            )),
        };
    }
    match f.objects {
        None => Ok(Mode::Create),
        Some(_) if is_source => Err(format!(
            "{db} is the database the backup came from: pgmend never restores over it by \
             default; restore into a new database (--into {db}_restored), or chosen tables \
             beside the live ones (--table T), or spell out --over-source-database"
        )),
        Some(0) => Ok(Mode::Empty),
        Some(n) => Err(format!(
            "database {db} exists and is not empty ({n} object(s) of its own): restore into a \
             new database name instead"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(objects: Option<u64>, source: &str) -> Facts {
        Facts {
            database: "app".into(),
            objects,
            source: Some(source.into()),
            tables: false,
            over_source: false,
        }
    }

    #[test]
    fn a_whole_restore_goes_into_a_new_or_empty_database() {
        assert_eq!(decide(&facts(None, "app")), Ok(Mode::Create));
        assert_eq!(decide(&facts(None, "other")), Ok(Mode::Create));
        assert_eq!(decide(&facts(Some(0), "other")), Ok(Mode::Empty));
        let e = decide(&facts(Some(3), "other")).unwrap_err();
        assert!(e.contains("not empty (3 object(s)"), "{e}");
    }

    #[test]
    fn never_over_the_source_unless_spelled_out() {
        for n in [0, 5] {
            let e = decide(&facts(Some(n), "app")).unwrap_err();
            assert!(e.contains("the database the backup came from"), "{e}");
            assert!(e.contains("--over-source-database"), "{e}");
        }
        let over = Facts {
            over_source: true,
            ..facts(Some(5), "app")
        };
        assert_eq!(decide(&over), Ok(Mode::OverSource));
        let elsewhere = Facts {
            over_source: true,
            ..facts(Some(5), "other")
        };
        assert!(decide(&elsewhere).unwrap_err().contains("came from other"));
    }

    #[test]
    fn tables_go_beside_the_live_ones_in_an_existing_database() {
        let t = Facts {
            tables: true,
            ..facts(Some(9), "app")
        };
        assert_eq!(decide(&t), Ok(Mode::SideSchema));
        let missing = Facts {
            tables: true,
            ..facts(None, "app")
        };
        assert!(decide(&missing).unwrap_err().contains("does not exist"));
    }
}
