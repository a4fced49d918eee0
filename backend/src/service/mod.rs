//! Persistence and orchestration: what the API and the workers do, in terms of the
//! domain. Every function checks what the [`Viewer`](crate::auth::Viewer) may do itself,
//! so no caller can forget a team or role check.
//!
//! # Layout
//! - [`account`]: teams, users, sign-in, the first administrator.
//! - [`campaign`]: campaigns, budgets and committed spend, briefs.
//! - [`reference`]: reference uploads and files fetched from links, sniffed and stored.
//! - [`task`]: submitting (priced, budget-checked, de-duplicated), reading, listing,
//!   promoting, retrying, cancelling and moving generation tasks.
//! - [`asset`]: output files: keeping a task's results and finding them again.
//! - [`download`]: what downloads are called (campaign, brief, stage, position) and a
//!   task's outputs as one ZIP.
//! - [`job`]: the durable job queue with leases.
//! - [`provider`]: gateway profiles and the API key an admin sets for one.
//! - [`upstream_webhook`]: what a gateway's webhook changes: recorded once, polled now.
//! - [`webhook`]: outbound webhook endpoints, deliveries, attempts and secrets.

pub mod account;
pub(crate) mod asset;
pub(crate) mod campaign;
pub(crate) mod download;
pub(crate) mod job;
pub(crate) mod provider;
pub(crate) mod reference;
pub mod task;
pub(crate) mod upstream_webhook;
pub(crate) mod webhook;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PrimaryKeyTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use crate::auth::password::PasswordError;
use crate::auth::token::TokenError;
use crate::domain::{ErrorCode, FieldError};
use crate::entity::TeamScoped;
use crate::net::{FetchError, SafeHttp};
use crate::storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No valid sign-in.
    #[error("sign in first")]
    Unauthenticated,
    /// Signed in, but the role does not allow it.
    #[error("your role does not allow this: {0}")]
    Forbidden(&'static str),
    /// Missing, or belongs to another team (which must look the same).
    #[error("not found")]
    NotFound,
    /// Something the user can fix.
    #[error("invalid input: {}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    /// The request would spend again on something the team already has or paid for;
    /// nothing was done. Sent again with these warnings acknowledged, it goes ahead.
    #[error("confirmation required: {}", .0.iter().map(|n| n.warning.message()).collect::<Vec<_>>().join(" "))]
    Unconfirmed(Vec<task::SpendNotice>),
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Sealed(#[from] crate::auth::sealed::SealError),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

/// Checks a URL Kiln is asked to call: http(s), and not to a private address.
pub(crate) async fn check_url(
    http: &SafeHttp,
    field: &'static str,
    url: &str,
) -> Result<String, FieldError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(FieldError::new(field, ErrorCode::Required, "Enter a URL."));
    }
    if url.len() > 2_000 {
        return Err(FieldError::new(
            field,
            ErrorCode::TooLong,
            "A URL has at most 2000 characters.",
        ));
    }
    match http.check_resolving(url).await {
        Ok(parsed) => Ok(parsed.to_string()),
        Err(FetchError::Refused(why)) => Err(FieldError::new(
            field,
            ErrorCode::Unsupported,
            format!("Kiln will not call this URL: {why}."),
        )),
        Err(other) => Err(FieldError::new(
            field,
            ErrorCode::Invalid,
            other.to_string(),
        )),
    }
}

impl From<FieldError> for ServiceError {
    fn from(error: FieldError) -> Self {
        ServiceError::Invalid(vec![error])
    }
}

/// A stored value that names no variant: the database holds something this build does
/// not know, which is a server fault, not a user's.
impl From<strum::ParseError> for ServiceError {
    fn from(error: strum::ParseError) -> Self {
        ServiceError::Corrupt(format!("a stored value names no known variant: {error}"))
    }
}

impl From<serde_json::Error> for ServiceError {
    fn from(error: serde_json::Error) -> Self {
        ServiceError::Corrupt(error.to_string())
    }
}

/// The row `id` of table `E` if it belongs to team `team_id`. A row of another team is
/// [`ServiceError::NotFound`] exactly like a missing one, so that its existence does not
/// leak.
pub(crate) async fn find_in_team<E>(
    db: &impl ConnectionTrait,
    team_id: Uuid,
    id: Uuid,
) -> Result<E::Model, ServiceError>
where
    E: TeamScoped,
    E::PrimaryKey: PrimaryKeyTrait<ValueType = Uuid>,
{
    E::find_by_id(id)
        .filter(E::TEAM_ID.eq(team_id))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// One page of a list, newest first.
pub(crate) struct Page<T> {
    pub items: Vec<T>,
    pub has_next: bool,
}

/// `first` rows of `query` after the cursor `after`, newest first. Ids are UUIDv7, so
/// ordering by id is ordering by creation, and an id is a stable cursor.
pub(crate) async fn paginate<E: EntityTrait>(
    db: &DatabaseConnection,
    query: Select<E>,
    id: E::Column,
    first: u64,
    after: Option<Uuid>,
) -> Result<Page<E::Model>, ServiceError> {
    let query = match after {
        Some(after) => query.filter(id.lt(after)),
        None => query,
    };
    let mut items = query.order_by_desc(id).limit(first + 1).all(db).await?;
    let has_next = items.len() as u64 > first;
    items.truncate(first as usize);
    Ok(Page { items, has_next })
}

/// True when `err` is a violated unique constraint, e.g. a concurrent insert of the same
/// idempotency key, which the caller resolves by reading the winner's row.
pub(crate) fn is_unique_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
