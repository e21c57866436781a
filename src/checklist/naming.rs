//! Names and SQL text as the checks and the fixes compare them: one definition each.

use crate::checklist::{Command, PolicyItem};
use crate::sql::quote_ident;

/// `userId` → `user_id`, `ChatMessage` → `chat_message`, `sessionID` → `session_id`; spaces and
/// hyphens become underscores, never two in a row.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower) {
                out.push('_');
            }
        }
        let c = if c == ' ' || c == '-' { '_' } else { c };
        if c == '_' && out.ends_with('_') {
            continue;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// `user_id` → `userId`, `ChatMessage` → `chatMessage`: the snake_case words joined, each after
/// the first capitalised.
pub fn camel_case(name: &str) -> String {
    let mut out = String::new();
    for (i, word) in snake_case(name)
        .split('_')
        .filter(|w| !w.is_empty())
        .enumerate()
    {
        if i == 0 {
            out.push_str(word);
        } else {
            out.push_str(&capitalised(word));
        }
    }
    out
}

/// `chat_messages` → `ChatMessages`, `userId` → `UserId`.
pub fn pascal_case(name: &str) -> String {
    snake_case(name)
        .split('_')
        .filter(|w| !w.is_empty())
        .map(capitalised)
        .collect()
}

fn capitalised(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A name with case and underscores left out, so the spellings of one name under different
/// conventions meet: `organization_id`, `organizationId` and `OrganizationId` all give
/// `organizationid`.
pub fn normalized(name: &str) -> String {
    name.chars()
        .filter(|&c| c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Lower case without spaces, for "contains" comparisons of SQL text.
pub fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The owner template's roles and commands, with their defaults (authenticated; all four).
pub fn owner_template(spec: &PolicyItem) -> (Vec<String>, Vec<Command>) {
    let roles = spec
        .roles
        .clone()
        .unwrap_or_else(|| vec!["authenticated".to_string()]);
    let commands = spec.commands.clone().unwrap_or_else(|| {
        vec![
            Command::Select,
            Command::Insert,
            Command::Update,
            Command::Delete,
        ]
    });
    (roles, commands)
}

/// A policy expression restricts rows to their owner: it names the owner column and the
/// current user (`auth.uid()`, `current_user`, `current_setting(…)`).
pub fn mentions_owner(expr: Option<&str>, column: &str) -> bool {
    let (plain, quoted) = (squash(column), squash(&quote_ident(column)));
    expr.is_some_and(|e| {
        let s = squash(e);
        (s.contains(&quoted) || s.contains(&plain))
            && (s.contains("uid()") || s.contains("current_user") || s.contains("current_setting("))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_and_pascal_forms() {
        for (a, camel, pascal) in [
            ("user_id", "userId", "UserId"),
            ("organization_id", "organizationId", "OrganizationId"),
            ("chat_members", "chatMembers", "ChatMembers"),
            ("id", "id", "Id"),
            ("userId", "userId", "UserId"),
            ("ChatMessage", "chatMessage", "ChatMessage"),
            ("time_range_start", "timeRangeStart", "TimeRangeStart"),
        ] {
            assert_eq!(camel_case(a), camel, "{a}");
            assert_eq!(pascal_case(a), pascal, "{a}");
            assert_eq!(normalized(a), normalized(camel));
            assert_eq!(normalized(a), normalized(pascal));
        }
        assert_ne!(normalized("user_id"), normalized("users_id"));
    }

    #[test]
    fn snake_case_forms() {
        for (a, b) in [
            ("userId", "user_id"),
            ("ChatMessage", "chat_message"),
            ("sessionID", "session_id"),
            ("createdAt", "created_at"),
            ("id", "id"),
            ("HTTPServer", "http_server"),
            ("time_range_start", "time_range_start"),
            ("Order Items", "order_items"),
        ] {
            assert_eq!(snake_case(a), b);
        }
    }

    #[test]
    fn owner_expressions() {
        assert!(mentions_owner(
            Some("((SELECT auth.uid() AS uid))::text = \"userId\""),
            "userId"
        ));
        assert!(mentions_owner(
            Some("user_id = ( SELECT auth.uid() AS uid)"),
            "user_id"
        ));
        assert!(!mentions_owner(Some("true"), "user_id"));
        assert!(!mentions_owner(None, "user_id"));
    }
}
