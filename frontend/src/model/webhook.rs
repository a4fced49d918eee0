//! Gateways, webhook endpoints and the deliveries Kiln sends to them, as the
//! settings page and the task page's callback log show them.

use serde::{Deserialize, Serialize};
use strum::VariantArray;

use super::timestamp_ms;

/// How a gateway's video API is shaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, VariantArray)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VideoDialect {
    #[serde(rename = "OPENAI")]
    OpenAi,
    Task,
}

/// Why an endpoint was turned off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, VariantArray)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DisabledCode {
    Gone,
    KeptFailing,
    ByAdmin,
}

/// A configured gateway. Its API key is never readable, only whether there is one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Provider {
    pub name: String,
    pub base_url: String,
    /// `None` for a dialect this build does not know.
    pub video_dialect: Option<VideoDialect>,
    pub has_api_key: bool,
    pub api_key_set_in_kiln: bool,
    /// The header the gateway takes idempotency keys in, if it takes them.
    pub idempotency_header: Option<String>,
    pub max_concurrency: i64,
    pub requests_per_minute: i64,
    /// Path on Kiln's own origin where the gateway posts its webhooks; `None` when no
    /// webhook secret is configured for it.
    pub webhook_path: Option<String>,
    /// Labels of the catalogue's models that run on it.
    pub models: Vec<String>,
}

/// Where a gateway's key comes from, which decides what removing Kiln's copy does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// Set in Kiln; it wins over the configured file or environment variable.
    Kiln,
    /// From the configured file or environment variable.
    Config,
    Missing,
}

impl KeySource {
    /// Kept in `data-key-source` for tests and styling.
    pub fn as_str(self) -> &'static str {
        match self {
            KeySource::Kiln => "KILN",
            KeySource::Config => "CONFIG",
            KeySource::Missing => "MISSING",
        }
    }
}

/// Lists each model's label under the gateway it runs on, given `(provider, label)`
/// pairs in catalogue order; models of a provider not listed (the simulated one) are
/// left out.
pub fn attach_models(
    providers: &mut [Provider],
    models: impl IntoIterator<Item = (String, String)>,
) {
    for (name, label) in models {
        if let Some(provider) = providers.iter_mut().find(|p| p.name == name) {
            provider.models.push(label);
        }
    }
}

impl Provider {
    pub fn key_source(&self) -> KeySource {
        match (self.api_key_set_in_kiln, self.has_api_key) {
            (true, _) => KeySource::Kiln,
            (false, true) => KeySource::Config,
            (false, false) => KeySource::Missing,
        }
    }
}

/// What a webhook endpoint can listen to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, VariantArray)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventType {
    TaskQueued,
    TaskProcessing,
    TaskSucceeded,
    TaskFailed,
    TaskCancelled,
}

impl EventType {
    /// The name receivers see in the body's `type`, e.g. `task.succeeded`.
    pub fn body_name(self) -> &'static str {
        match self {
            EventType::TaskQueued => "task.queued",
            EventType::TaskProcessing => "task.processing",
            EventType::TaskSucceeded => "task.succeeded",
            EventType::TaskFailed => "task.failed",
            EventType::TaskCancelled => "task.cancelled",
        }
    }
}

/// A signing secret (`whsec_…`) the server shows once. Kept out of `Debug` output so
/// that it cannot end up in a log line by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(secret: String) -> Self {
        Self(secret)
    }

    /// The secret itself, for the one place that shows it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// A team's receiver of webhook events. Its secret is shown once, never stored here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WebhookEndpoint {
    pub id: String,
    pub url: String,
    pub description: Option<String>,
    /// In the order forms offer them.
    pub event_types: Vec<EventType>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    /// Why it is off, when the server says in a way this build knows.
    pub disabled_code: Option<DisabledCode>,
    /// Until when the secret replaced by the last rotation still signs (RFC 3339).
    pub previous_secret_expires_at: Option<String>,
    pub created_at: String,
}

impl WebhookEndpoint {
    /// Sorts and de-duplicates, so two endpoints with the same events compare equal.
    pub fn normalise_events(mut events: Vec<EventType>) -> Vec<EventType> {
        events.sort_by_key(|e| EventType::ALL.iter().position(|a| a == e));
        events.dedup();
        events
    }
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, VariantArray)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

/// One try at sending a delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// RFC 3339.
    pub at: String,
    /// The receiver's HTTP status, if it answered.
    pub status_code: Option<i64>,
    pub latency_ms: i64,
    /// The start of the receiver's answer.
    pub response_excerpt: Option<String>,
    /// Why no answer came (timeout, refused address, …).
    pub error: Option<String>,
    pub next_retry_at: Option<String>,
}

impl Attempt {
    /// A 2xx answer.
    pub fn succeeded(&self) -> bool {
        self.status_code.is_some_and(|c| (200..300).contains(&c))
    }
}

/// One event sent (or being sent) to one URL, with every attempt.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    pub id: String,
    /// The task the event is about.
    pub task_id: Option<String>,
    /// The `webhook-id` header, the same on every attempt.
    pub message_id: String,
    /// As sent in the body's `type`, e.g. `task.succeeded`.
    pub event_type: String,
    pub url: String,
    /// `None` for a status this build does not know.
    pub status: Option<DeliveryStatus>,
    pub next_attempt_at: Option<String>,
    /// The JSON body.
    pub payload: String,
    /// RFC 3339.
    pub created_at: String,
    /// Oldest first.
    pub attempts: Vec<Attempt>,
}

impl Delivery {
    /// Whether `incoming` should replace `self`. Live events and pages can arrive in
    /// any order; attempts are only ever added, so a copy that knows fewer of them is
    /// older. A copy with as many is taken: a replay changes the status without
    /// adding an attempt.
    pub fn is_superseded_by(&self, incoming: &Delivery) -> bool {
        incoming.attempts.len() >= self.attempts.len()
    }

    /// The payload indented for reading; as it came if it is not JSON.
    pub fn pretty_payload(&self) -> String {
        pretty_json(&self.payload)
    }

    pub fn created_ms(&self) -> f64 {
        timestamp_ms(&self.created_at).unwrap_or(f64::MAX)
    }
}

/// Where a delivery stands, as the log shows it: [`DeliveryStatus`] with `PENDING`
/// split by whether a receiver has been tried yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryPhase {
    /// Waiting for its first try, or for a replay sent just now.
    Sending,
    /// Tried and failed; another try is scheduled.
    Retrying,
    Delivered,
    /// Given up, or refused (a private address, a disabled endpoint).
    Failed,
    /// A status this build does not know.
    Unknown,
}

impl DeliveryPhase {
    /// Kept in `data-phase` for tests and styling.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryPhase::Sending => "SENDING",
            DeliveryPhase::Retrying => "RETRYING",
            DeliveryPhase::Delivered => "DELIVERED",
            DeliveryPhase::Failed => "FAILED",
            DeliveryPhase::Unknown => "UNKNOWN",
        }
    }
}

impl Delivery {
    /// `now_ms` decides whether a pending delivery's next try is still ahead (a retry)
    /// or due (being sent).
    pub fn phase(&self, now_ms: f64) -> DeliveryPhase {
        match self.status {
            Some(DeliveryStatus::Delivered) => DeliveryPhase::Delivered,
            Some(DeliveryStatus::Failed) => DeliveryPhase::Failed,
            Some(DeliveryStatus::Pending) => {
                let later = self
                    .next_attempt_at
                    .as_deref()
                    .and_then(timestamp_ms)
                    .is_some_and(|at| at > now_ms);
                if later && !self.attempts.is_empty() {
                    DeliveryPhase::Retrying
                } else {
                    DeliveryPhase::Sending
                }
            }
            None => DeliveryPhase::Unknown,
        }
    }

    /// The event, from the name receivers see; `None` for one this build does not know.
    pub fn event(&self) -> Option<EventType> {
        EventType::ALL
            .iter()
            .copied()
            .find(|e| e.body_name() == self.event_type)
    }

    pub fn last_attempt(&self) -> Option<&Attempt> {
        self.attempts.last()
    }
}

/// What [`merge_delivery`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Merged {
    /// The log's copy was older and was replaced.
    Replaced,
    /// The log's copy was as new or newer; nothing changed.
    Kept,
    /// The delivery was new to the log and was put in its place.
    Inserted,
    /// The delivery was new to the log and `insert` was false.
    Absent,
}

/// Brings `incoming` into a newest-first log: pages, replays and live events all go
/// through here, so a delivery is listed once and a stale copy never rolls a newer
/// one back. A delivery the log does not hold is added only when `insert`: a caller
/// that cannot tell whether it belongs (the live feed does not say which endpoint a
/// delivery is for) re-reads the log instead.
pub fn merge_delivery(log: &mut Vec<Delivery>, incoming: Delivery, insert: bool) -> Merged {
    if let Some(current) = log.iter_mut().find(|d| d.id == incoming.id) {
        if current.is_superseded_by(&incoming) {
            *current = incoming;
            return Merged::Replaced;
        }
        return Merged::Kept;
    }
    if !insert {
        return Merged::Absent;
    }
    let created: Vec<f64> = log.iter().map(Delivery::created_ms).collect();
    let at = newest_first_position(&created, incoming.created_ms());
    log.insert(at, incoming);
    Merged::Inserted
}

/// JSON text indented for reading; the text as it came if it is not JSON.
pub fn pretty_json(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| text.to_owned())
}

/// Where in a newest-first list a delivery created at `created_ms` belongs: before the
/// first one that is older. Equal times keep arrival order.
pub fn newest_first_position(created: &[f64], created_ms: f64) -> usize {
    created
        .iter()
        .position(|&c| c < created_ms)
        .unwrap_or(created.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    // Run in Node by wasm-bindgen-test-runner: the crate only builds for wasm32.
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn attempt(code: i64) -> Attempt {
        Attempt {
            at: "2026-01-01T00:00:00Z".to_owned(),
            status_code: Some(code),
            latency_ms: 12,
            response_excerpt: None,
            error: None,
            next_retry_at: None,
        }
    }

    fn delivery(status: DeliveryStatus, attempts: usize) -> Delivery {
        Delivery {
            id: "d1".to_owned(),
            status: Some(status),
            attempts: (0..attempts).map(|_| attempt(500)).collect(),
            ..Delivery::default()
        }
    }

    #[test]
    fn a_copy_that_knows_fewer_attempts_does_not_replace_a_newer_one() {
        let current = delivery(DeliveryStatus::Failed, 3);
        assert!(!current.is_superseded_by(&delivery(DeliveryStatus::Pending, 2)));
        assert!(current.is_superseded_by(&delivery(DeliveryStatus::Delivered, 4)));
    }

    #[test]
    fn a_replay_replaces_the_status_without_a_new_attempt() {
        let current = delivery(DeliveryStatus::Failed, 3);
        assert!(current.is_superseded_by(&delivery(DeliveryStatus::Pending, 3)));
    }

    #[test]
    fn newer_deliveries_go_above_older_ones() {
        let created = [300.0, 200.0, 100.0];
        assert_eq!(newest_first_position(&created, 400.0), 0);
        assert_eq!(newest_first_position(&created, 250.0), 1);
        assert_eq!(newest_first_position(&created, 200.0), 2);
        assert_eq!(newest_first_position(&created, 50.0), 3);
    }

    #[test]
    fn payloads_are_indented_and_text_that_is_not_json_is_kept() {
        assert_eq!(pretty_json(r#"{"a":1}"#), "{\n  \"a\": 1\n}");
        assert_eq!(pretty_json("not json"), "not json");
    }

    #[test]
    fn only_a_2xx_answer_counts_as_delivered() {
        assert!(attempt(204).succeeded());
        assert!(!attempt(410).succeeded());
    }

    #[test]
    fn a_key_set_in_kiln_wins_over_the_configured_one() {
        let mut provider = Provider {
            name: "openai".to_owned(),
            base_url: String::new(),
            video_dialect: None,
            has_api_key: true,
            api_key_set_in_kiln: true,
            idempotency_header: None,
            max_concurrency: 1,
            requests_per_minute: 1,
            webhook_path: None,
            models: Vec::new(),
        };
        assert_eq!(provider.key_source(), KeySource::Kiln);
        provider.api_key_set_in_kiln = false;
        assert_eq!(provider.key_source(), KeySource::Config);
        provider.has_api_key = false;
        assert_eq!(provider.key_source(), KeySource::Missing);
    }

    #[test]
    fn models_are_listed_under_their_gateway_in_catalogue_order() {
        let gateway = |name: &str| Provider {
            name: name.to_owned(),
            ..Provider::default()
        };
        let mut providers = vec![gateway("openai"), gateway("newapi")];
        let pair = |p: &str, l: &str| (p.to_owned(), l.to_owned());
        attach_models(
            &mut providers,
            [
                pair("simulated", "Simulated image"),
                pair("openai", "GPT Image"),
                pair("newapi", "Kling"),
                pair("openai", "Sora"),
            ],
        );
        assert_eq!(providers[0].models, ["GPT Image", "Sora"]);
        assert_eq!(providers[1].models, ["Kling"]);
    }

    #[test]
    fn a_secret_never_shows_in_debug_output() {
        let secret = Secret::new("whsec_abc".to_owned());
        assert_eq!(format!("{secret:?}"), "Secret(…)");
        assert_eq!(secret.expose(), "whsec_abc");
    }

    fn logged(id: &str, created_at: &str, attempts: usize) -> Delivery {
        Delivery {
            id: id.to_owned(),
            created_at: created_at.to_owned(),
            status: Some(DeliveryStatus::Pending),
            attempts: (0..attempts).map(|_| attempt(500)).collect(),
            ..Delivery::default()
        }
    }

    #[test]
    fn a_pending_delivery_is_retrying_only_when_tried_and_due_later() {
        let now = timestamp_ms("2026-01-01T00:00:10Z").unwrap_or_default();
        let mut d = delivery(DeliveryStatus::Pending, 0);
        assert_eq!(d.phase(now), DeliveryPhase::Sending);
        d.attempts.push(attempt(503));
        d.next_attempt_at = Some("2026-01-01T00:01:00Z".to_owned());
        assert_eq!(d.phase(now), DeliveryPhase::Retrying);
        // A replay makes it due now, although it was tried before.
        d.next_attempt_at = Some("2026-01-01T00:00:05Z".to_owned());
        assert_eq!(d.phase(now), DeliveryPhase::Sending);
        assert_eq!(
            delivery(DeliveryStatus::Delivered, 1).phase(now),
            DeliveryPhase::Delivered
        );
        assert_eq!(
            delivery(DeliveryStatus::Failed, 8).phase(now),
            DeliveryPhase::Failed
        );
        let unknown = Delivery {
            status: None,
            ..Delivery::default()
        };
        assert_eq!(unknown.phase(now), DeliveryPhase::Unknown);
    }

    #[test]
    fn an_event_type_this_build_does_not_know_has_none() {
        let mut d = Delivery {
            event_type: "task.succeeded".to_owned(),
            ..Delivery::default()
        };
        assert_eq!(d.event(), Some(EventType::TaskSucceeded));
        d.event_type = "endpoint.tested".to_owned();
        assert_eq!(d.event(), None);
    }

    #[test]
    fn a_merged_delivery_replaces_an_older_copy_and_new_ones_go_in_order() {
        let mut log = vec![
            logged("c", "2026-01-01T00:00:30Z", 1),
            logged("a", "2026-01-01T00:00:10Z", 1),
        ];
        assert_eq!(
            merge_delivery(&mut log, logged("a", "2026-01-01T00:00:10Z", 2), true),
            Merged::Replaced
        );
        assert_eq!(log[1].attempts.len(), 2);
        assert_eq!(
            merge_delivery(&mut log, logged("a", "2026-01-01T00:00:10Z", 1), true),
            Merged::Kept
        );
        assert_eq!(log[1].attempts.len(), 2);
        assert_eq!(
            merge_delivery(&mut log, logged("b", "2026-01-01T00:00:20Z", 0), false),
            Merged::Absent
        );
        assert_eq!(log.len(), 2);
        assert_eq!(
            merge_delivery(&mut log, logged("b", "2026-01-01T00:00:20Z", 0), true),
            Merged::Inserted
        );
        let order: Vec<&str> = log.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(order, ["c", "b", "a"]);
    }

    #[test]
    fn event_lists_are_kept_in_form_order_without_repeats() {
        let events = WebhookEndpoint::normalise_events(vec![
            EventType::TaskFailed,
            EventType::TaskQueued,
            EventType::TaskFailed,
        ]);
        assert_eq!(events, vec![EventType::TaskQueued, EventType::TaskFailed]);
    }
}
