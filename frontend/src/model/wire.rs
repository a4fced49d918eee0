//! How the model's enums meet the wire.
//!
//! Each enum the schema also has derives serde with the schema's names
//! (`SCREAMING_SNAKE_CASE`, spelled out where the rule does not give them); those
//! attributes are the one place the names are written. [`name`] and [`parse`] read
//! them back for `data-*` attributes and form values, and the GraphQL operations
//! decode straight into these types.
//!
//! A server newer than this build may send a value the build does not know. Enums
//! with a fallback of their own (`Unknown`, `Other`) take it through serde; the
//! closed ones are read as [`OrUnknown`], which the model turns into `None`, so one
//! new value leaves a blank rather than failing the whole response.

use serde::de::{DeserializeOwned, IntoDeserializer, value};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The schema's name for a unit variant, e.g. `"LANDSCAPE_16_9"`.
pub fn name<T: Serialize>(value: &T) -> &'static str {
    // Only variants with data have no such name, and the enums that use this have none.
    serde_variant::to_variant_name(value).unwrap_or_default()
}

/// The value the schema calls `name`, if this build knows one.
pub fn parse<T: DeserializeOwned>(name: &str) -> Option<T> {
    let name: value::StrDeserializer<'_, value::Error> = name.into_deserializer();
    T::deserialize(name).ok()
}

/// A value of a closed enum as it arrives: one this build knows, or the name of one
/// it does not (kept for logs and debugging).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrUnknown<T> {
    Known(T),
    Unknown(String),
}

impl<T> OrUnknown<T> {
    pub fn known(self) -> Option<T> {
        match self {
            OrUnknown::Known(value) => Some(value),
            OrUnknown::Unknown(_) => None,
        }
    }
}

impl<T> From<T> for OrUnknown<T> {
    fn from(value: T) -> Self {
        OrUnknown::Known(value)
    }
}

impl<T> From<OrUnknown<T>> for Option<T> {
    fn from(value: OrUnknown<T>) -> Self {
        value.known()
    }
}

impl<T: Serialize> Serialize for OrUnknown<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            OrUnknown::Known(value) => value.serialize(serializer),
            OrUnknown::Unknown(name) => serializer.serialize_str(name),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for OrUnknown<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(match parse(&name) {
            Some(value) => OrUnknown::Known(value),
            None => OrUnknown::Unknown(name),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        AspectRatio, ErrorCode, FailureReason, Kind, OutputFormat, Status, TransitionCause,
        VideoDialect,
    };
    // Run in Node by wasm-bindgen-test-runner: the crate only builds for wasm32.
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn decode<T: DeserializeOwned>(json: &str) -> T {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{json} does not decode: {e}"))
    }

    #[test]
    fn a_known_value_of_a_closed_enum_decodes_as_itself() {
        assert_eq!(
            decode::<OrUnknown<Kind>>(r#""VIDEO""#),
            OrUnknown::Known(Kind::Video)
        );
    }

    #[test]
    fn an_unknown_value_of_a_closed_enum_decodes_as_unknown_and_reads_as_none() {
        let kind = decode::<OrUnknown<Kind>>(r#""AUDIO""#);
        assert_eq!(kind, OrUnknown::Unknown("AUDIO".to_owned()));
        assert_eq!(kind.known(), None);
    }

    #[test]
    fn an_unknown_task_status_decodes_as_the_unknown_status() {
        assert_eq!(decode::<Status>(r#""ARCHIVED""#), Status::Unknown);
        assert_eq!(decode::<Status>(r#""QUEUED""#), Status::Queued);
        // What `data-status` shows for it.
        assert_eq!(Status::Unknown.as_str(), "UNKNOWN");
    }

    #[test]
    fn an_unknown_failure_reason_decodes_as_the_unknown_reason() {
        assert_eq!(
            decode::<FailureReason>(r#""MODERATION""#),
            FailureReason::Unknown
        );
        assert_eq!(
            decode::<FailureReason>(r#""QUEUE_TIMEOUT""#),
            FailureReason::QueueTimeout
        );
    }

    #[test]
    fn an_unknown_error_code_decodes_as_the_unknown_code() {
        assert_eq!(decode::<ErrorCode>(r#""TEAPOT""#), ErrorCode::Unknown);
        assert_eq!(decode::<ErrorCode>(r#""TOO_LONG""#), ErrorCode::TooLong);
    }

    #[test]
    fn an_unknown_transition_cause_keeps_its_name() {
        assert_eq!(
            decode::<TransitionCause>(r#""OPERATOR_REQUEST""#),
            TransitionCause::Other("OPERATOR_REQUEST".to_owned())
        );
        assert_eq!(
            decode::<TransitionCause>(r#""DEADLINE_PASSED""#),
            TransitionCause::DeadlinePassed
        );
    }

    #[test]
    fn values_are_sent_with_the_schemas_names() {
        let sent = serde_json::to_string(&[
            OrUnknown::from(AspectRatio::Landscape16x9),
            OrUnknown::from(AspectRatio::Square1x1),
        ])
        .unwrap_or_default();
        assert_eq!(sent, r#"["LANDSCAPE_16_9","SQUARE_1_1"]"#);
        assert_eq!(
            serde_json::to_string(&Status::Cancelled).unwrap_or_default(),
            r#""CANCELLED""#
        );
    }

    #[test]
    fn names_that_the_case_rule_does_not_give_are_spelled_out() {
        assert_eq!(OutputFormat::Mp4.as_str(), "MP_4");
        assert_eq!(VideoDialect::OpenAi.as_str(), "OPENAI");
        assert_eq!(AspectRatio::Portrait9x16.as_str(), "PORTRAIT_9_16");
        assert_eq!(
            AspectRatio::parse("LANDSCAPE_21_9"),
            Some(AspectRatio::Landscape21x9)
        );
        assert_eq!(AspectRatio::parse("LANDSCAPE21X9"), None);
    }
}
