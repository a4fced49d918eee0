//! Relay cursor connections: the arguments every list takes, and the connection it
//! returns. Cursors are the row's UUIDv7 in base64url; lists are newest first.

use async_graphql::OutputType;
use async_graphql::connection::{Connection, Edge};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use super::MAX_PAGE_SIZE;
use super::error::{bad_input, to_graphql};
use crate::service::{Page, ServiceError};

/// `first` and `after`, checked.
pub(crate) struct PageArgs {
    pub first: u64,
    pub after: Option<Uuid>,
}

impl PageArgs {
    pub(crate) fn parse(first: i32, after: Option<&str>) -> async_graphql::Result<Self> {
        if !(0..=MAX_PAGE_SIZE as i32).contains(&first) {
            return Err(bad_input(format!(
                "`first` must be between 0 and {MAX_PAGE_SIZE}."
            )));
        }
        Ok(Self {
            first: first as u64,
            after: after.map(decode_cursor).transpose()?,
        })
    }
}

pub(crate) fn encode_cursor(id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(id.as_bytes())
}

pub(crate) fn decode_cursor(cursor: &str) -> async_graphql::Result<Uuid> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| Uuid::from_slice(&bytes).ok())
        .ok_or_else(|| bad_input("`after` is not a cursor from this list."))
}

/// The connection for one page of rows, each shown as a `T`.
pub(crate) fn connection<M, T: OutputType>(
    args: &PageArgs,
    page: Page<M>,
    id: impl Fn(&M) -> Uuid,
    show: impl Fn(M) -> Result<T, ServiceError>,
) -> async_graphql::Result<Connection<String, T>> {
    let mut connection = Connection::new(args.after.is_some(), page.has_next);
    for row in page.items {
        let cursor = encode_cursor(id(&row));
        connection
            .edges
            .push(Edge::new(cursor, show(row).map_err(to_graphql)?));
    }
    Ok(connection)
}
