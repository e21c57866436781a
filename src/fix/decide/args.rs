//! The headless decisions: `fix --backfill` and `fix --duplicates`, parsed and matched.

use super::{Backfill, DupChoice, Duplicates};

/// `--backfill 'schema.table.column=EXPR'` (the schema may be left out): the target and the
/// expression.
pub fn parse_backfill(arg: &str) -> Result<(Vec<String>, String), String> {
    let (target, expr) = arg
        .split_once('=')
        .ok_or_else(|| format!("--backfill {arg}: write it as table.column=EXPRESSION"))?;
    let parts: Vec<String> = target.trim().split('.').map(str::to_string).collect();
    if !(2..=3).contains(&parts.len()) || expr.trim().is_empty() {
        return Err(format!(
            "--backfill {arg}: write it as [schema.]table.column=EXPRESSION"
        ));
    }
    Ok((parts, expr.trim().to_string()))
}

/// `--duplicates 'schema.table(col, …)=keep-newest'`: the target and the choice.
pub fn parse_duplicates(arg: &str) -> Result<(String, DupChoice), String> {
    let (target, choice) = arg
        .rsplit_once('=')
        .ok_or_else(|| format!("--duplicates {arg}: write it as table(columns)=CHOICE"))?;
    let c = DupChoice::parse(choice).ok_or_else(|| {
        format!("--duplicates {arg}: the choice is keep-newest, keep-oldest, by-hand or partial")
    })?;
    Ok((target.trim().replace(' ', ""), c))
}

impl Backfill {
    /// `parts` (from [`parse_backfill`]) name this column.
    pub fn named(&self, parts: &[String]) -> bool {
        match parts {
            [t, c] => *t == self.table && *c == self.column,
            [s, t, c] => *s == self.schema && *t == self.table && *c == self.column,
            _ => false,
        }
    }
}

impl Duplicates {
    /// `target` (from [`parse_duplicates`], spaces removed) names this key.
    pub fn named(&self, target: &str) -> bool {
        let full = self.name().replace(' ', "");
        target == full || format!("{}.{target}", self.schema) == full
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_parse() {
        let (p, e) = parse_backfill("public.rooms.ownerId=coalesce(1, 2)").unwrap();
        assert_eq!(p, ["public", "rooms", "ownerId"]);
        assert_eq!(e, "coalesce(1, 2)");
        assert!(parse_backfill("rooms=1").is_err());
        assert!(parse_backfill("rooms.x=").is_err());
        let (t, c) = parse_duplicates("members(email, org)=keep-oldest").unwrap();
        assert_eq!(
            (t.as_str(), c),
            ("members(email,org)", DupChoice::KeepOldest)
        );
        assert!(parse_duplicates("members(email)=newest").is_err());
    }
}
