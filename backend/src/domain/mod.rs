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
pub(crate) mod campaign;
pub mod catalogue;
pub(crate) mod money;
pub(crate) mod reference;
pub mod task;

use std::fmt;

/// Why a user-supplied value was refused. Becomes a `userErrors` entry in the API, where
/// clients branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
#[graphql(name = "UserErrorCode")]
pub enum ErrorCode {
    /// A value is missing.
    Required,
    /// A value has the wrong form.
    Invalid,
    /// A value is longer than allowed.
    TooLong,
    /// A number is outside the allowed range.
    OutOfRange,
    /// The e-mail or password is not correct.
    InvalidCredentials,
    /// The value clashes with existing data (e.g. a reused idempotency key).
    Conflict,
    /// Something the input refers to does not exist.
    NotFound,
    /// The model or upstream does not offer this.
    Unsupported,
    /// A draft asked for more than the draft policy allows; promote to a final.
    StageLimit,
    /// The campaign's budget would be exceeded.
    BudgetExceeded,
    /// The object is not in a state that allows this (e.g. cancelling an ended task).
    InvalidState,
    /// Too many attempts in a short time (e.g. signing in); the message says when to
    /// try again.
    RateLimited,
    /// The request would spend money on something the team already has or paid for;
    /// send it again with the warning in `acknowledgedWarnings` to go ahead.
    ConfirmationRequired,
    /// Sending the same again cannot succeed (e.g. the provider's safety filter refused
    /// the prompt): change the input and submit it as a new task.
    EditRequired,
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

    pub(crate) fn general(code: ErrorCode, message: impl Into<String>) -> Self {
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

// Every stored enum derives its forms from one list of variants:
// - strum: the stored spelling (`Display` / `FromStr`, `IntoStaticStr`, `VariantArray`);
// - serde: the same spelling inside stored JSON (parameters, events);
// - sea-orm `DeriveValueType`: a typed entity column, read and written through strum;
// - async-graphql `Enum`: the API's spelling and descriptions (doc comments).
// The derives carry no I/O; they let the API and the database use the domain type
// itself instead of a hand-written mirror. `enum_spellings_agree` (below) checks that
// the stored and JSON spellings are one and the same.

/// Declares an enum that is stored, carried in JSON and exposed in the API, with every
/// derive listed above. Spelling attributes go on the enum and its variants as usual:
/// `#[strum(serialize_all = "…")]` / `#[serde(rename_all = "…")]` for the stored form,
/// `#[graphql(name = "…")]` where the API spells a name differently.
macro_rules! stored_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($body:tt)* }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[derive(strum::EnumString, strum::IntoStaticStr, strum::Display, strum::VariantArray)]
        #[derive(async_graphql::Enum, sea_orm::DeriveValueType)]
        #[sea_orm(value_type = "String")]
        $(#[$meta])*
        pub enum $name { $($body)* }
    };
}
pub(crate) use stored_enum;

#[cfg(test)]
mod tests {
    use serde::Serialize;
    use serde::de::DeserializeOwned;
    use std::fmt::Display;
    use std::str::FromStr;

    fn agree<T>()
    where
        T: strum::VariantArray
            + Serialize
            + DeserializeOwned
            + Display
            + FromStr
            + Copy
            + PartialEq
            + std::fmt::Debug,
        <T as FromStr>::Err: std::fmt::Debug,
    {
        for &variant in T::VARIANTS {
            let stored = variant.to_string();
            let json = serde_json::to_value(variant).unwrap();
            assert_eq!(
                json,
                serde_json::Value::String(stored.clone()),
                "{variant:?}"
            );
            assert_eq!(stored.parse::<T>().unwrap(), variant);
            assert_eq!(serde_json::from_value::<T>(json).unwrap(), variant);
        }
    }

    #[test]
    fn enum_spellings_agree() {
        use super::*;
        agree::<account::Role>();
        agree::<campaign::BriefStatus>();
        agree::<catalogue::Quality>();
        agree::<catalogue::Resolution>();
        agree::<catalogue::CameraMotion>();
        agree::<catalogue::Audio>();
        agree::<catalogue::OutputFormat>();
        agree::<reference::LicenceStatus>();
        agree::<task::TaskKind>();
        agree::<task::InputType>();
        agree::<task::Stage>();
        agree::<task::TaskStatus>();
        agree::<task::FailureReason>();
        agree::<task::SpendWarning>();
        agree::<task::AspectRatio>();
        agree::<task::TransitionCause>();
        agree::<task::LineageKind>();
        agree::<task::MediaKind>();
        agree::<task::DownloadStatus>();
        agree::<crate::webhook::events::EventType>();
        agree::<crate::webhook::events::DisabledBecause>();
        agree::<crate::webhook::events::DeliveryStatus>();
    }
}
