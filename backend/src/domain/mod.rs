//! The vocabulary of Kiln and the rules that hold whatever stores or serves it.
//! Nothing here does I/O; every input type is built through a `parse` that explains
//! what is wrong in words a user can act on.
//!
//! # Layout
//! - [`account`]: roles, e-mail addresses and password rules.
//! - [`campaign`]: campaigns, budgets and briefs.
//! - [`catalogue`]: the models, their parameters and prices, and the draft policy.
//! - [`money`]: amounts as integer micros.
//! - [`reference`]: licence statuses and what a reference upload may be.
//! - [`task`]: generation task kinds, stages, statuses and their transitions, and the
//!   validated parameters of a submission.

pub mod account;
pub mod campaign;
pub mod catalogue;
pub mod money;
pub mod reference;
pub mod task;

use std::fmt;

/// Why a user-supplied value was refused. Becomes a `userErrors` entry in the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Required,
    Invalid,
    TooLong,
    OutOfRange,
    InvalidCredentials,
    Conflict,
    NotFound,
    /// The model or upstream does not offer this.
    Unsupported,
    /// A draft asked for more than the draft policy allows.
    StageLimit,
    /// The campaign's budget would be exceeded.
    BudgetExceeded,
    /// The object is not in a state that allows this.
    InvalidState,
    /// Too many attempts in a short time; try again later.
    RateLimited,
}

/// A value a user can fix: which field, what kind of problem, and a sentence about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The input field, in the API's camelCase; `None` when no single field is at fault.
    pub field: Option<&'static str>,
    pub code: ErrorCode,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            field: Some(field),
            code,
            message: message.into(),
        }
    }

    pub fn general(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            field: None,
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field {
            Some(field) => write!(f, "{field}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Declares a string-backed enum with `as_str`/`FromStr`, the form it takes in the
/// database. The GraphQL layer mirrors these with `#[graphql(remote = …)]`.
macro_rules! string_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::domain::UnknownVariant;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(crate::domain::UnknownVariant {
                        type_name: stringify!($name),
                        value: other.to_owned(),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;

/// A stored value that names no variant: the database holds something this build does
/// not know, which is a server fault, not a user's.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown {type_name} value {value:?}")]
pub struct UnknownVariant {
    pub type_name: &'static str,
    pub value: String,
}
