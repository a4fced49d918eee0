//! One webhook endpoint: where it points, which events it hears, whether it is on
//! (and why Kiln switched it off), and its actions: enable/disable, rotate its
//! secret, edit, delete (after asking), and its delivery log.

use leptos::prelude::*;

use super::Endpoints;
use super::form::EndpointForm;
use crate::api::ApiError;
use crate::api::operations::webhooks::{self, DeliverySource, EndpointChanges, WithSecret};
use crate::components::settings::secret_once::SecretOnce;
use crate::components::shared::confirm_dialog::ConfirmDialog;
use crate::components::shared::delivery_log::DeliveryLog;
use crate::components::shared::on_result;
use crate::components::shared::problems::{self, FormErrors, Problem};
use crate::i18n::{self, Key, use_i18n};
use crate::model::{UserError, WebhookEndpoint};

/// What an action on an endpoint achieved.
#[derive(Clone)]
enum Done {
    Updated(WebhookEndpoint),
    Rotated(WithSecret),
    Deleted,
}

type Outcome = (Busy, Result<Result<Done, Vec<UserError>>, ApiError>);

async fn act_on(id: String, what: Busy) -> Outcome {
    let result = match what {
        Busy::Toggling { enable } => {
            let changes = EndpointChanges {
                enabled: Some(enable),
                ..EndpointChanges::default()
            };
            webhooks::update_endpoint(id, changes)
                .await
                .map(|r| r.map(Done::Updated))
        }
        Busy::Rotating => webhooks::rotate_endpoint_secret(id)
            .await
            .map(|r| r.map(Done::Rotated)),
        Busy::Deleting => webhooks::delete_endpoint(id)
            .await
            .map(|r| r.map(|()| Done::Deleted)),
    };
    (what, result)
}

/// What the buttons on a card are doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Busy {
    /// Switching it on (`enable`) or off.
    Toggling {
        enable: bool,
    },
    Rotating,
    Deleting,
}

#[component]
pub(super) fn EndpointCard(id: String, endpoints: Endpoints) -> impl IntoView {
    let i18n = use_i18n();
    let id = StoredValue::new(id);
    let endpoint = Memo::new(move |_| {
        endpoints.list.with(|l| {
            l.iter()
                .flatten()
                .find(|e| id.with_value(|id| e.id == *id))
                .cloned()
                .unwrap_or_default()
        })
    });
    let confirming_delete = RwSignal::new(false);
    let editing = RwSignal::new(false);
    let log_open = RwSignal::new(false);
    let action_problems = RwSignal::new(Vec::<Problem>::new());
    let action_failure = RwSignal::new(None::<ApiError>);
    let enabled = move || endpoint.with(|e| e.enabled);

    let act = Action::new_local(move |what: &Busy| act_on(id.get_value(), *what));
    // What the buttons are doing, while they do it.
    let busy = Signal::derive(move || act.input().get());
    on_result(act, move |(what, result)| {
        if what == Busy::Deleting {
            confirming_delete.set(false);
        }
        match result {
            Ok(Ok(Done::Updated(updated))) => endpoints.upsert(updated),
            Ok(Ok(Done::Rotated(rotated))) => endpoints.reveal(rotated),
            Ok(Ok(Done::Deleted)) => endpoints.remove(&id.get_value()),
            Ok(Err(errors)) => action_problems.set(problems::from_server(errors)),
            Err(e) => action_failure.set(Some(e)),
        }
    });
    let start = move |what: Busy| {
        if busy.get_untracked().is_some() {
            return;
        }
        action_problems.set(Vec::new());
        action_failure.set(None);
        act.dispatch_local(what);
    };

    let secret = move || {
        endpoints
            .revealed
            .with(|r| {
                r.as_ref()
                    .filter(|(endpoint, _)| id.with_value(|id| endpoint == id))
                    .map(|(_, secret)| secret.clone())
            })
            .map(|secret| {
                view! {
                    <SecretOnce
                        secret=secret
                        on_done=Callback::new(move |()| endpoints.revealed.set(None))
                    />
                }
            })
    };

    view! {
        <article
            class="endpoint"
            class:disabled=move || !enabled()
            data-testid="endpoint"
            data-endpoint-id=move || id.get_value()
            data-url=move || endpoint.with(|e| e.url.clone())
            data-enabled=move || enabled().to_string()
        >
            <div class="endpoint-head">
                <div class="endpoint-title">
                    <code class="endpoint-url" data-testid="endpoint-url">
                        {move || endpoint.with(|e| e.url.clone())}
                    </code>
                    {move || {
                        endpoint
                            .with(|e| e.description.clone())
                            .map(|d| view! { <span class="muted">{d}</span> })
                    }}
                </div>
                <span
                    class=move || if enabled() { "badge badge-succeeded" } else { "badge badge-cancelled" }
                    data-testid="endpoint-state"
                >
                    <span class="badge-dot" aria-hidden="true"></span>
                    {move || if enabled() { i18n.t(Key::Enabled) } else { i18n.t(Key::Disabled) }}
                </span>
            </div>
            <div class="chips" aria-label=move || i18n.t(Key::Events)>
                {move || {
                    let lang = i18n.lang();
                    endpoint
                        .with(|e| e.event_types.clone())
                        .into_iter()
                        .map(|event| {
                            view! {
                                <span class="chip" title=event.body_name()>{i18n::event_type(lang, event)}</span>
                            }
                        })
                        .collect_view()
                }}
            </div>
            {move || {
                endpoint
                    .with(|e| {
                        let said = e.disabled_code.is_some() || e.disabled_reason.is_some();
                        (!e.enabled && said)
                            .then(|| (e.disabled_code, e.disabled_reason.clone().unwrap_or_default()))
                    })
                    .map(|(code, reason)| {
                        view! {
                            <p
                                class="alert"
                                role="note"
                                data-testid="endpoint-disabled-reason"
                                data-code=code.map(|c| c.as_str())
                            >
                                <strong>{move || i18n.t(Key::DisabledBecause)}</strong>
                                " "
                                {move || i18n::endpoint_disabled(i18n.lang(), code, &reason)}
                            </p>
                        }
                    })
            }}
            {move || {
                endpoint
                    .with(|e| e.previous_secret_expires_at.clone())
                    .map(|until| {
                        view! { <p class="hint">{move || i18n::previous_secret_until(i18n.lang(), &until)}</p> }
                    })
            }}
            {secret}
            {move || {
                editing
                    .get()
                    .then(|| {
                        view! {
                            <EndpointForm
                                initial=Some(endpoint.get_untracked())
                                on_created=Callback::new(|_| {})
                                on_updated=Callback::new(move |updated: WebhookEndpoint| {
                                    editing.set(false);
                                    endpoints.upsert(updated);
                                })
                                on_cancel=Callback::new(move |()| editing.set(false))
                            />
                        }
                    })
            }}
            <div class="endpoint-actions">
                <button
                    type="button"
                    class="button small"
                    data-testid="endpoint-toggle"
                    disabled=move || busy.get().is_some()
                    on:click=move |_| start(Busy::Toggling { enable: !enabled() })
                >
                    {move || if enabled() { i18n.t(Key::Disable) } else { i18n.t(Key::Enable) }}
                </button>
                <button
                    type="button"
                    class="button small"
                    data-testid="endpoint-rotate"
                    disabled=move || busy.get().is_some()
                    on:click=move |_| start(Busy::Rotating)
                >
                    {move || {
                        if busy.get() == Some(Busy::Rotating) {
                            i18n.t(Key::Rotating)
                        } else {
                            i18n.t(Key::RotateSecret)
                        }
                    }}
                </button>
                <button
                    type="button"
                    class="button small ghost"
                    data-testid="endpoint-edit"
                    disabled=move || editing.get()
                    on:click=move |_| editing.set(true)
                >
                    {move || i18n.t(Key::Edit)}
                </button>
                <button
                    type="button"
                    class="button small ghost danger"
                    data-testid="endpoint-delete"
                    disabled=move || busy.get().is_some() || confirming_delete.get()
                    on:click=move |_| confirming_delete.set(true)
                >
                    {move || i18n.t(Key::Delete)}
                </button>
                <div class="topbar-spacer"></div>
                <button
                    type="button"
                    class="button small ghost"
                    data-testid="endpoint-log-toggle"
                    aria-expanded=move || log_open.get().to_string()
                    on:click=move |_| log_open.update(|o| *o = !*o)
                >
                    {move || if log_open.get() { i18n.t(Key::HideDeliveryLog) } else { i18n.t(Key::DeliveryLog) }}
                </button>
            </div>
            <Show when=move || confirming_delete.get()>
                <ConfirmDialog
                    message=Key::DeleteEndpointConfirm
                    confirm=Key::ConfirmDelete
                    busy=Key::Deleting
                    confirm_class="danger-solid"
                    pending=Signal::derive(move || busy.get() == Some(Busy::Deleting))
                    on_confirm=Callback::new(move |()| start(Busy::Deleting))
                    on_cancel=Callback::new(move |()| confirming_delete.set(false))
                    testid="endpoint-delete-confirmation"
                    confirm_testid="endpoint-delete-confirm"
                />
            </Show>
            <FormErrors problems=action_problems fields=&[] failure=action_failure />
            {move || {
                // A new URL starts a new log: the live feed is matched by it.
                log_open
                    .get()
                    .then(|| {
                        let source = DeliverySource::Endpoint {
                            id: id.get_value(),
                            url: endpoint.with(|e| e.url.clone()),
                        };
                        view! {
                            <div class="endpoint-log">
                                <h3>{move || i18n.t(Key::DeliveryLog)}</h3>
                                <DeliveryLog source=source can_replay=true />
                            </div>
                        }
                    })
            }}
        </article>
    }
}
