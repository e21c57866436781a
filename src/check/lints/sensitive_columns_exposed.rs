//! A table in an exposed schema, without row level security, whose columns with sensitive
//! names (password, token, ssn, api_key…) the API roles or PUBLIC may read.
//!
//! A column counts when its name, lower-cased with `-` read as `_`, is one of [`NAMES`], or
//! ends with `_` and one of them (`user_password`, `stripe_api_key`). Column grants count: a
//! role granted SELECT on `id` only does not read `password`. Partitioned parents and
//! partitions are reported (the reference linter looks at plain tables only, and matches whole
//! names only).

use super::{Lint, LintContext, exposure, table_object};
use crate::check::Finding;
use crate::rules::Severity;
use crate::sql::quote_ident;

pub static LINT: Lint = Lint {
    id: crate::rules::LintId::SensitiveColumnsExposed,
    severity: Severity::Critical,
    title: "Sensitive columns readable through the API",
    why: "Columns named like credentials, identity numbers or card data in a table without row \
          level security are read in full by anyone holding the role's key: for anon, anyone \
          who loads the application.",
    remedy: "ALTER TABLE <table> ENABLE ROW LEVEL SECURITY; with policies for the rows each role \
             may see, and keep secrets out of exposed tables (REVOKE SELECT ON <table> FROM \
             anon; GRANT SELECT (<other columns>) ON <table> TO anon).",
    run,
};

/// Column names that hold secrets or personal data.
pub const NAMES: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "password_hash",
    "secret",
    "secret_key",
    "private_key",
    "api_key",
    "apikey",
    "auth_key",
    "token",
    "jwt",
    "access_token",
    "refresh_token",
    "oauth_token",
    "session_token",
    "bearer_token",
    "auth_code",
    "session_id",
    "session_key",
    "session_secret",
    "recovery_code",
    "backup_code",
    "verification_code",
    "otp",
    "two_factor",
    "2fa_secret",
    "2fa_code",
    "totp_secret",
    "ssn",
    "social_security",
    "social_security_number",
    "driver_license",
    "drivers_license",
    "license_number",
    "passport_number",
    "passport_id",
    "national_id",
    "tax_id",
    "credit_card",
    "card_number",
    "cvv",
    "cvc",
    "cvn",
    "bank_account",
    "account_number",
    "routing_number",
    "iban",
    "swift_code",
    "bic",
    "health_record",
    "medical_record",
    "patient_id",
    "insurance_number",
    "health_insurance",
    "medical_insurance",
    "treatment",
    "mac_address",
    "macaddr",
    "imei",
    "device_uuid",
    "pgp_key",
    "gpg_key",
    "ssh_key",
    "certificate",
    "license_key",
    "activation_key",
    "facial_recognition",
];

/// The column's name says it holds something sensitive.
pub fn is_sensitive(column: &str) -> bool {
    let n = column.to_lowercase().replace('-', "_");
    NAMES.iter().any(|s| {
        n == *s
            || (s.len() > 3
                && n.strip_suffix(s)
                    .is_some_and(|prefix| prefix.ends_with('_')))
    })
}

fn run(ctx: &LintContext<'_>, lint: &Lint) -> Vec<Finding> {
    let mut out = Vec::new();
    for t in ctx.app_tables() {
        if t.rls_enabled || !ctx.is_exposed(&t.schema) {
            continue;
        }
        let sensitive: Vec<&str> = t
            .columns
            .iter()
            .map(|c| c.name.as_str())
            .filter(|c| is_sensitive(c))
            .collect();
        if sensitive.is_empty() {
            continue;
        }
        let readers = exposure::readers(ctx, t);
        let mut read: Vec<String> = Vec::new();
        let mut who: Vec<&str> = Vec::new();
        for c in &sensitive {
            let by: Vec<&str> = readers
                .iter()
                .filter(|e| e.reads_column(c))
                .map(|e| e.who)
                .collect();
            if !by.is_empty() {
                read.push(quote_ident(c));
                for w in by {
                    if !who.contains(&w) {
                        who.push(w);
                    }
                }
            }
        }
        if read.is_empty() {
            continue;
        }
        let severity = if exposure::signed_out(&who) {
            lint.severity
        } else {
            Severity::High
        };
        let object = table_object(t);
        out.push(
            lint.finding_at(
                severity,
                object.clone(),
                format!(
                    "{object} has no row level security and {} can read its sensitive \
                     column(s) {}",
                    who.join(", "),
                    read.join(", ")
                ),
            )
            .expected("sensitive columns not readable without row level security")
            .actual(format!(
                "row level security disabled; readable: {}",
                read.join(", ")
            )),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::is_sensitive;

    #[test]
    fn sensitive_names() {
        for n in [
            "password",
            "API_KEY",
            "api-key",
            "user_password",
            "stripe_api_key",
            "ssn",
        ] {
            assert!(is_sensitive(n), "{n}");
        }
        for n in [
            "id",
            "email_verified",
            "tokens_used",
            "bicycle",
            "passwordless",
            "topic",
        ] {
            assert!(!is_sensitive(n), "{n}");
        }
    }
}
