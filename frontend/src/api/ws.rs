//! A small `graphql-transport-ws` client for one subscription at a time.
//!
//! The protocol (as spoken by async-graphql and the `graphql-ws` library):
//! `connection_init {payload: {token}}` → `connection_ack`, then
//! `subscribe {id, payload: {query, variables}}` → `next`* → `complete`, with `ping` /
//! `pong` either way. Browsers cannot set headers on a WebSocket, which is why the
//! token travels in `connection_init`.
//!
//! [`run`] keeps the subscription alive for as long as its future lives: when the
//! socket drops it reconnects with capped, jittered backoff, and after every
//! acknowledged connection it asks the caller to resynchronise, because events sent
//! while it was away are gone for good. A stream the server completes is subscribed
//! again the same way (`taskEvents` completes when its subscriber falls behind);
//! the caller ends the subscription by answering an event with [`Flow::Stop`].

use futures::future::{Either, select};
use futures::{SinkExt, StreamExt};
use gloo_net::websocket::futures::WebSocket;
use gloo_net::websocket::{Message, State, WebSocketError};
use gloo_timers::future::TimeoutFuture;
use graphql_client::GraphQLQuery;
use leptos::logging;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, into_result};

const PROTOCOL: &str = "graphql-transport-ws";
/// One subscription per socket, so the id never needs to vary.
const SUBSCRIPTION_ID: &str = "1";
/// How long the server has to acknowledge `connection_init`.
const ACK_TIMEOUT_MS: u32 = 10_000;
/// Silence after which the client pings; a second silence this long means the
/// connection is dead even if the browser has not noticed (sleeping laptops, proxies).
const KEEPALIVE_MS: u32 = 25_000;
const BACKOFF_START_MS: f64 = 500.0;
const BACKOFF_MAX_MS: f64 = 30_000.0;

/// The connection as the header's indicator shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    Connecting,
    Live,
    Reconnecting,
    /// Nothing left to listen for (e.g. the task on the page has finished).
    Idle,
}

/// What the caller wants after an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Nothing more is wanted: close the socket and return.
    Stop,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ServerMessage {
    ConnectionAck,
    Next {
        id: String,
        payload: Value,
    },
    Error {
        id: String,
        payload: Vec<graphql_client::Error>,
    },
    Complete {
        id: String,
    },
    Ping,
    Pong,
}

/// How one connection ended.
enum Ended {
    /// It worked for a while, then dropped: reconnect soon.
    Dropped,
    /// It never got going: closed before the server acknowledged it, or the
    /// subscription was refused. The server closes like this when it refuses the
    /// token, so the caller checks whether the session is still good and backs off.
    Refused,
    /// The session is over (signed out); stop for good.
    SignedOut,
    /// The caller has what it wanted.
    Finished,
}

/// Subscribes to `Q` and keeps it running until the returned future is dropped (the
/// board spawns it so that it is cancelled when the board unmounts).
///
/// - `on_data`: each `next` payload's data; answering [`Flow::Stop`] ends the
///   subscription.
/// - `on_state`: the connection state, for the UI.
/// - `on_connected`: after each acknowledged connection, to refetch what may have
///   been missed while disconnected.
pub async fn run<Q: GraphQLQuery>(
    variables: Q::Variables,
    mut on_data: impl FnMut(Q::ResponseData) -> Flow,
    mut on_state: impl FnMut(LinkState),
    mut on_connected: impl FnMut(),
) {
    let query = match serde_json::to_value(Q::build_query(variables)) {
        Ok(query) => query,
        Err(e) => {
            logging::error!("cannot encode the subscription: {e}");
            return;
        }
    };
    let Some(url) = endpoint() else {
        logging::error!("cannot tell the page's address; live updates are off");
        return;
    };
    let mut attempt: i32 = 0;
    on_state(LinkState::Connecting);
    loop {
        let Some(token) = super::token() else {
            // Signed out elsewhere (another tab, an expired token seen by a query).
            return;
        };
        match connect::<Q>(
            &url,
            &token,
            &query,
            &mut on_data,
            &mut on_state,
            &mut on_connected,
        )
        .await
        {
            Ended::SignedOut => return,
            Ended::Finished => {
                on_state(LinkState::Idle);
                return;
            }
            Ended::Dropped => attempt = 0,
            Ended::Refused => {
                // Ask over HTTP, which reports a bad token unambiguously (and signs
                // out centrally if so); the socket's close code does not.
                if let Err(ApiError::Unauthenticated(_)) = super::operations::viewer().await {
                    return;
                }
            }
        }
        on_state(LinkState::Reconnecting);
        TimeoutFuture::new(backoff_ms(attempt)).await;
        attempt = attempt.saturating_add(1);
    }
}

/// Doubling from half a second up to 30 s, with jitter so that a restarted server is
/// not hit by every open tab in the same instant.
fn backoff_ms(attempt: i32) -> u32 {
    let base = (BACKOFF_START_MS * 2f64.powi(attempt.min(16))).min(BACKOFF_MAX_MS);
    let jitter = 0.5 + js_sys::Math::random() / 2.0;
    (base * jitter) as u32
}

/// `ws(s)://<host>/graphql/ws` for the page's own origin.
fn endpoint() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = match location.protocol().ok()?.as_str() {
        "https:" => "wss",
        _ => "ws",
    };
    Some(format!("{scheme}://{}/graphql/ws", location.host().ok()?))
}

enum Event {
    Message(Option<Result<Message, WebSocketError>>),
    Quiet,
}

async fn connect<Q: GraphQLQuery>(
    url: &str,
    token: &str,
    query: &Value,
    on_data: &mut impl FnMut(Q::ResponseData) -> Flow,
    on_state: &mut impl FnMut(LinkState),
    on_connected: &mut impl FnMut(),
) -> Ended {
    let mut ws = match WebSocket::open_with_protocol(url, PROTOCOL) {
        Ok(ws) => ws,
        Err(e) => {
            logging::warn!("cannot open the live connection: {e}");
            return Ended::Refused;
        }
    };
    let init = json!({ "type": "connection_init", "payload": { "token": token } });
    if send(&mut ws, &init).await.is_err() {
        return Ended::Refused;
    }
    let mut acked = false;
    let mut awaiting_pong = false;
    loop {
        let wait = if acked { KEEPALIVE_MS } else { ACK_TIMEOUT_MS };
        // Decide what happened first and let go of the borrowed `next()` future
        // before replying on the same socket.
        let event = match select(ws.next(), TimeoutFuture::new(wait)).await {
            Either::Left((message, _)) => Event::Message(message),
            Either::Right(_) => Event::Quiet,
        };
        let ended = if acked {
            Ended::Dropped
        } else {
            Ended::Refused
        };
        let text = match event {
            Event::Quiet if !acked || awaiting_pong => {
                logging::warn!("the live connection went quiet; reconnecting");
                return ended;
            }
            Event::Quiet => {
                awaiting_pong = true;
                if send(&mut ws, &json!({ "type": "ping" })).await.is_err() {
                    return ended;
                }
                continue;
            }
            Event::Message(Some(Ok(Message::Text(text)))) => text,
            // The protocol is text only.
            Event::Message(Some(Ok(Message::Bytes(_)))) => continue,
            Event::Message(Some(Err(WebSocketError::ConnectionClose(close)))) => {
                if !acked {
                    logging::warn!(
                        "the live connection closed before it was accepted ({}: {})",
                        close.code,
                        close.reason
                    );
                }
                return ended;
            }
            // An error event is followed by the close event; wait for that.
            Event::Message(Some(Err(_))) => continue,
            Event::Message(None) => return ended,
        };
        awaiting_pong = false;
        let message: ServerMessage = match serde_json::from_str(&text) {
            Ok(message) => message,
            Err(e) => {
                logging::warn!("ignoring a live message that could not be read: {e}");
                continue;
            }
        };
        match message {
            ServerMessage::ConnectionAck => {
                acked = true;
                let subscribe =
                    json!({ "type": "subscribe", "id": SUBSCRIPTION_ID, "payload": query });
                if send(&mut ws, &subscribe).await.is_err() {
                    return Ended::Dropped;
                }
                on_state(LinkState::Live);
                on_connected();
            }
            ServerMessage::Next { id, payload } if id == SUBSCRIPTION_ID => {
                let response: graphql_client::Response<Q::ResponseData> =
                    match serde_json::from_value(payload) {
                        Ok(response) => response,
                        Err(e) => {
                            logging::warn!("ignoring a live event that could not be read: {e}");
                            continue;
                        }
                    };
                match into_result(response.data, response.errors.unwrap_or_default()) {
                    Ok(data) => {
                        if on_data(data) == Flow::Stop {
                            // Dropping the socket closes it.
                            return Ended::Finished;
                        }
                    }
                    Err(ApiError::Unauthenticated(_)) => return Ended::SignedOut,
                    Err(e) => logging::warn!("a live event carried an error: {e}"),
                }
            }
            ServerMessage::Error { id, payload } if id == SUBSCRIPTION_ID => {
                match into_result::<()>(None, payload) {
                    Err(ApiError::Unauthenticated(_)) => return Ended::SignedOut,
                    Err(e) => logging::warn!("the subscription was refused: {e}"),
                    Ok(()) => {}
                }
                // Retrying on the same socket would only be refused again; a fresh
                // connection at least backs off and rechecks the session.
                return Ended::Refused;
            }
            // The server finished the stream (it is shutting down, or this subscriber
            // fell behind): start over, and let the caller re-read what it missed.
            ServerMessage::Complete { id } if id == SUBSCRIPTION_ID => return Ended::Dropped,
            ServerMessage::Ping => {
                if send(&mut ws, &json!({ "type": "pong" })).await.is_err() {
                    return ended;
                }
            }
            ServerMessage::Pong
            | ServerMessage::Next { .. }
            | ServerMessage::Error { .. }
            | ServerMessage::Complete { .. } => {}
        }
    }
}

async fn send(ws: &mut WebSocket, message: &Value) -> Result<(), WebSocketError> {
    // Readiness also resolves when the socket failed to open; sending then would
    // only make the browser log "already in CLOSING or CLOSED state".
    futures::future::poll_fn(|cx| ws.poll_ready_unpin(cx)).await?;
    if !matches!(ws.state(), State::Open) {
        return Err(WebSocketError::ConnectionError);
    }
    ws.start_send_unpin(Message::Text(message.to_string()))
}
