//! Sending the composer's task, once per form fill: the idempotency key makes a
//! double click or a retry after a lost answer reach the server as the same submit.

use super::form::new_key;
use crate::api::ApiError;
use crate::api::operations::tasks::{self, Submitted, TaskInput};
use crate::model::{ErrorCode, SpendWarning, UserError};

/// One submit: the input, the form fill's idempotency key and the callback URL.
#[derive(Clone)]
pub(super) struct SubmitRequest {
    pub(super) input: TaskInput,
    pub(super) key: String,
    pub(super) callback_url: Option<String>,
    /// Spend warnings the user said yes to.
    pub(super) acknowledged: Vec<SpendWarning>,
}

/// How a submit was answered, and the key it ended up using if it had to replace
/// the form fill's.
pub(super) type SubmitOutcome = (
    Result<Result<Submitted, Vec<UserError>>, ApiError>,
    Option<String>,
);

pub(super) async fn send(request: SubmitRequest) -> SubmitOutcome {
    let SubmitRequest {
        input,
        key,
        callback_url,
        acknowledged,
    } = request;
    let result = tasks::submit_task(
        input.clone(),
        key,
        callback_url.clone(),
        acknowledged.clone(),
    )
    .await;
    // CONFLICT on the key means an earlier attempt with this key did reach the
    // server, but with other parameters: the user changed the form after a
    // failed-looking submit. That task exists already; this is a new one.
    if let Ok(Err(errors)) = &result
        && errors
            .iter()
            .any(|e| e.code == ErrorCode::Conflict && e.field.as_deref() == Some("idempotencyKey"))
    {
        let key = new_key();
        let result = tasks::submit_task(input, key.clone(), callback_url, acknowledged).await;
        return (result, Some(key));
    }
    (result, None)
}
