//! Who may do what: roles, and the rules for e-mail addresses and passwords.

use std::collections::BTreeSet;

use super::stored_enum;
use super::{ErrorCode, FieldError};

stored_enum! {
    /// What a member may do in a team. A member may hold several.
    #[derive(PartialOrd, Ord)]
    #[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub enum Role {
        /// Manages users, keys, providers, prices and budgets.
        Admin,
        /// Writes briefs and submits tasks.
        Creator,
        /// Approves or rejects outputs.
        Reviewer,
    }
}

/// The roles a member holds in one team.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoleSet(BTreeSet<Role>);

impl RoleSet {
    pub fn new(roles: impl IntoIterator<Item = Role>) -> Self {
        Self(roles.into_iter().collect())
    }

    pub(crate) fn contains(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    /// Creating tasks is for creators; admins may do anything in their team.
    pub(crate) fn can_create(&self) -> bool {
        self.contains(Role::Creator) || self.contains(Role::Admin)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    /// The stored form: `ADMIN,CREATOR`.
    pub(crate) fn to_db(&self) -> String {
        self.0
            .iter()
            .map(<&str>::from)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads the stored form, ignoring names this build does not know.
    pub(crate) fn from_db(text: &str) -> Self {
        Self(
            text.split(',')
                .filter_map(|part| part.trim().parse().ok())
                .collect(),
        )
    }
}

/// An e-mail address, trimmed and lower-cased so that look-ups ignore case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Email(String);

impl Email {
    pub(crate) fn parse(raw: &str) -> Result<Self, FieldError> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(FieldError::new(
                "email",
                ErrorCode::Required,
                "Enter an e-mail address.",
            ));
        }
        if email.len() > 254 {
            return Err(FieldError::new(
                "email",
                ErrorCode::TooLong,
                "An e-mail address has at most 254 characters.",
            ));
        }
        let valid = match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !email.chars().any(char::is_whitespace)
                    && !domain.contains('@')
            }
            None => false,
        };
        if !valid {
            return Err(FieldError::new(
                "email",
                ErrorCode::Invalid,
                format!("{raw:?} is not an e-mail address."),
            ));
        }
        Ok(Self(email))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// Shortest password Kiln accepts; length beats composition rules (NIST SP 800-63B).
pub(crate) const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password: argon2 would hash more, but nobody types more.
pub(crate) const MAX_PASSWORD_CHARS: usize = 256;

/// Checks a new password against the policy.
pub(crate) fn check_new_password(password: &str) -> Result<(), FieldError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(FieldError::new(
            "password",
            ErrorCode::Invalid,
            format!("A password needs at least {MIN_PASSWORD_CHARS} characters."),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(FieldError::new(
            "password",
            ErrorCode::TooLong,
            format!("A password has at most {MAX_PASSWORD_CHARS} characters."),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
    }

    #[test]
    fn an_email_without_a_domain_is_rejected() {
        for raw in [
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a da@example.com",
        ] {
            let err = Email::parse(raw).unwrap_err();
            assert_eq!(err.code, ErrorCode::Invalid, "{raw}");
        }
    }

    #[test]
    fn an_empty_email_is_required() {
        assert_eq!(Email::parse("   ").unwrap_err().code, ErrorCode::Required);
    }

    #[test]
    fn a_short_password_is_rejected() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("long enough pass").is_ok());
    }

    #[test]
    fn roles_round_trip_through_their_stored_form() {
        let roles = RoleSet::new([Role::Reviewer, Role::Admin]);
        assert_eq!(roles.to_db(), "ADMIN,REVIEWER");
        assert_eq!(RoleSet::from_db("ADMIN,REVIEWER"), roles);
        assert!(!roles.can_create() || roles.contains(Role::Admin));
    }

    #[test]
    fn only_creators_and_admins_may_create() {
        assert!(RoleSet::new([Role::Creator]).can_create());
        assert!(RoleSet::new([Role::Admin]).can_create());
        assert!(!RoleSet::new([Role::Reviewer]).can_create());
    }
}
