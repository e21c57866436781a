//! Scoped backups and refusals before the backup, on small databases.
