//! The settings page's webhook endpoints: the list, a form to add one (or change
//! one), and per endpoint: enable/disable, rotate its secret, delete it, and its
//! delivery log. A new endpoint's secret, and a rotated one, is shown once.
//!
//! Kiln switches an endpoint off by itself when it answers 410 Gone or keeps
//! failing; the `webhookEndpointDisabled` feed brings that here as it happens.

use leptos::prelude::*;
use leptos::task::{spawn_local, spawn_local_scoped_with_cancellation};

use crate::api::ApiError;
use crate::api::operations::webhooks::{
    self, DeliverySource, EndpointChanges, EndpointInput, WebhookEndpointDisabled, WithSecret,
};
use crate::api::ws::{self, Flow, LinkState};
use crate::components::settings::secret_once::SecretOnce;
use crate::components::shared::delivery_log::DeliveryLog;
use crate::components::shared::form_actions::{CancelButton, SubmitButton};
use crate::components::shared::load_failed::LoadFailed;
use crate::components::shared::problems::{self, FieldErrors, FormErrors, Problem};
use crate::i18n::{self, Key, use_i18n};
use crate::model::{EventType, Secret, WebhookEndpoint};

/// Fields the endpoint form shows next to their inputs.
const FIELDS: &[&str] = &["url", "description", "eventTypes"];

/// The endpoints as the page holds them.
#[derive(Clone, Copy)]
struct Endpoints {
    list: RwSignal<Option<Vec<WebhookEndpoint>>>,
    /// The secret shown once, and the endpoint it signs for.
    revealed: RwSignal<Option<(String, Secret)>>,
}

impl Endpoints {
    fn upsert(&self, endpoint: WebhookEndpoint) {
        self.list.update(|list| {
            let list = list.get_or_insert_with(Vec::new);
            match list.iter_mut().find(|e| e.id == endpoint.id) {
                Some(current) => *current = endpoint,
                None => list.push(endpoint),
            }
        });
    }

    fn remove(&self, id: &str) {
        self.list.update(|list| {
            if let Some(list) = list {
                list.retain(|e| e.id != id);
            }
        });
        if self
            .revealed
            .with_untracked(|r| r.as_ref().is_some_and(|(e, _)| e == id))
        {
            self.revealed.set(None);
        }
    }

    fn reveal(&self, created: WithSecret) {
        let id = created.endpoint.id.clone();
        self.upsert(created.endpoint);
        self.revealed.set(Some((id, created.secret)));
    }
}

#[component]
pub fn WebhookEndpoints(
    /// The state of the feed that reports endpoints Kiln switched off, for the header.
    link: RwSignal<LinkState>,
) -> impl IntoView {
    let i18n = use_i18n();
    let endpoints = Endpoints {
        list: RwSignal::new(None),
        revealed: RwSignal::new(None),
    };
    let failure = RwSignal::new(None::<ApiError>);
    let adding = RwSignal::new(false);

    let load = move || {
        failure.set(None);
        spawn_local(async move {
            let result = webhooks::fetch_endpoints().await;
            if failure.is_disposed() {
                return;
            }
            match result {
                Ok(found) => endpoints.list.set(Some(found)),
                Err(e) => failure.set(Some(e)),
            }
        });
    };
    load();

    spawn_local_scoped_with_cancellation(ws::run::<WebhookEndpointDisabled>(
        webhooks::webhook_endpoint_disabled::Variables,
        move |data| {
            endpoints.upsert(webhooks::disabled_endpoint(data));
            Flow::Continue
        },
        move |state| link.set(state),
        // An endpoint switched off before the subscription stood (or while the socket
        // was down) shows after a re-read.
        load,
    ));

    let on_created = Callback::new(move |created: WithSecret| {
        adding.set(false);
        endpoints.reveal(created);
    });

    // Whether there is anything to list; the body is rebuilt only when this changes,
    // so a change to one endpoint does not remount the cards (and close their logs).
    let shape = Memo::new(move |_| endpoints.list.with(|l| l.as_ref().map(Vec::is_empty)));
    let failed = Memo::new(move |_| failure.get());
    let body = move || {
        if let Some(e) = failed.get() {
            return view! {
                <LoadFailed what=Key::LoadEndpointsFailed error=e on_retry=move || load() />
            }
            .into_any();
        }
        match shape.get() {
            None => view! { <p class="hint">{move || i18n.t(Key::Loading)}</p> }.into_any(),
            Some(true) => {
                view! { <p class="muted" data-testid="no-endpoints">{move || i18n.t(Key::NoEndpoints)}</p> }
                    .into_any()
            }
            Some(false) => view! {
                <div class="endpoints">
                    <For
                        each=move || {
                            endpoints
                                .list
                                .with(|l| l.iter().flatten().map(|e| e.id.clone()).collect::<Vec<_>>())
                        }
                        key=|id| id.clone()
                        children=move |id| view! { <EndpointCard id=id endpoints=endpoints /> }
                    />
                </div>
            }
            .into_any(),
        }
    };

    view! {
        <section class="panel" data-testid="webhook-endpoints">
            <div class="panel-head">
                <h2>{move || i18n.t(Key::WebhookEndpoints)}</h2>
                <Show when=move || !adding.get()>
                    <button
                        type="button"
                        class="button small"
                        data-testid="add-endpoint"
                        on:click=move |_| adding.set(true)
                    >
                        {move || i18n.t(Key::AddEndpoint)}
                    </button>
                </Show>
            </div>
            <p class="hint">{move || i18n.t(Key::WebhookEndpointsHint)}</p>
            <Show when=move || adding.get()>
                <div class="context-panel">
                    <h3>{move || i18n.t(Key::NewEndpoint)}</h3>
                    <EndpointForm
                        initial=None
                        on_created=on_created
                        on_updated=Callback::new(|_| {})
                        on_cancel=Callback::new(move |()| adding.set(false))
                    />
                </div>
            </Show>
            {body}
        </section>
    }
}

/// What the buttons on a card are doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Busy {
    Toggling,
    Rotating,
    Deleting,
}

#[component]
fn EndpointCard(id: String, endpoints: Endpoints) -> impl IntoView {
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
    let busy = RwSignal::new(None::<Busy>);
    let confirming_delete = RwSignal::new(false);
    let editing = RwSignal::new(false);
    let log_open = RwSignal::new(false);
    let action_problems = RwSignal::new(Vec::<Problem>::new());
    let action_failure = RwSignal::new(None::<ApiError>);
    let enabled = move || endpoint.with(|e| e.enabled);

    let start = move |what: Busy| {
        if busy.get_untracked().is_some() {
            return false;
        }
        busy.set(Some(what));
        action_problems.set(Vec::new());
        action_failure.set(None);
        true
    };
    // Common ending: `None` when the card is gone.
    let finish = move || {
        if busy.is_disposed() {
            return false;
        }
        busy.set(None);
        true
    };

    let toggle = move |_| {
        if !start(Busy::Toggling) {
            return;
        }
        let enable = !endpoint.with_untracked(|e| e.enabled);
        spawn_local(async move {
            let changes = EndpointChanges {
                enabled: Some(enable),
                ..EndpointChanges::default()
            };
            let result = webhooks::update_endpoint(id.get_value(), changes).await;
            if !finish() {
                return;
            }
            match result {
                Ok(Ok(updated)) => endpoints.upsert(updated),
                Ok(Err(errors)) => action_problems.set(problems::from_server(errors)),
                Err(e) => action_failure.set(Some(e)),
            }
        });
    };
    let rotate = move |_| {
        if !start(Busy::Rotating) {
            return;
        }
        spawn_local(async move {
            let result = webhooks::rotate_endpoint_secret(id.get_value()).await;
            if !finish() {
                return;
            }
            match result {
                Ok(Ok(rotated)) => endpoints.reveal(rotated),
                Ok(Err(errors)) => action_problems.set(problems::from_server(errors)),
                Err(e) => action_failure.set(Some(e)),
            }
        });
    };
    let delete = move |_| {
        if !start(Busy::Deleting) {
            return;
        }
        spawn_local(async move {
            let result = webhooks::delete_endpoint(id.get_value()).await;
            if !finish() {
                return;
            }
            match result {
                Ok(Ok(())) => endpoints.remove(&id.get_value()),
                Ok(Err(errors)) => action_problems.set(problems::from_server(errors)),
                Err(e) => action_failure.set(Some(e)),
            }
            if !confirming_delete.is_disposed() {
                confirming_delete.set(false);
            }
        });
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
                    on:click=toggle
                >
                    {move || if enabled() { i18n.t(Key::Disable) } else { i18n.t(Key::Enable) }}
                </button>
                <button
                    type="button"
                    class="button small"
                    data-testid="endpoint-rotate"
                    disabled=move || busy.get().is_some()
                    on:click=rotate
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
                <div class="confirm" role="alertdialog" data-testid="endpoint-delete-confirmation">
                    <span>{move || i18n.t(Key::DeleteEndpointConfirm)}</span>
                    <button
                        type="button"
                        class="button small danger-solid"
                        data-testid="endpoint-delete-confirm"
                        disabled=move || busy.get().is_some()
                        on:click=delete
                    >
                        {move || {
                            if busy.get() == Some(Busy::Deleting) {
                                i18n.t(Key::Deleting)
                            } else {
                                i18n.t(Key::ConfirmDelete)
                            }
                        }}
                    </button>
                    <button
                        type="button"
                        class="button small ghost"
                        on:click=move |_| confirming_delete.set(false)
                    >
                        {move || i18n.t(Key::Cancel)}
                    </button>
                </div>
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

/// Adds an endpoint (`initial` is `None`) or changes one.
#[component]
fn EndpointForm(
    initial: Option<WebhookEndpoint>,
    on_created: Callback<WithSecret>,
    on_updated: Callback<WebhookEndpoint>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let editing = initial.as_ref().map(|e| e.id.clone());
    let url = RwSignal::new(initial.as_ref().map(|e| e.url.clone()).unwrap_or_default());
    let description = RwSignal::new(
        initial
            .as_ref()
            .and_then(|e| e.description.clone())
            .unwrap_or_default(),
    );
    // A new endpoint hears everything until told otherwise.
    let events = RwSignal::new(
        initial
            .as_ref()
            .map(|e| e.event_types.clone())
            .unwrap_or_else(|| EventType::ALL.to_vec()),
    );
    let pending = RwSignal::new(false);
    let problems = RwSignal::new(Vec::<Problem>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let all = Signal::from(problems);
    let editing = StoredValue::new(editing);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        failure.set(None);
        let mut local = Vec::new();
        if url.with_untracked(|u| u.trim().is_empty()) {
            local.push(Problem::Local {
                field: "url",
                key: Key::EndpointUrlRequired,
            });
        }
        if events.with_untracked(Vec::is_empty) {
            local.push(Problem::Local {
                field: "eventTypes",
                key: Key::EventsRequired,
            });
        }
        if !local.is_empty() {
            problems.set(local);
            return;
        }
        problems.set(Vec::new());
        pending.set(true);
        let input = EndpointInput {
            url: url.get_untracked().trim().to_owned(),
            description: Some(description.get_untracked().trim().to_owned())
                .filter(|d| !d.is_empty()),
            event_types: WebhookEndpoint::normalise_events(events.get_untracked()),
        };
        let editing = editing.get_value();
        spawn_local(async move {
            let problems_of = match editing {
                None => match webhooks::create_endpoint(input).await {
                    Ok(Ok(created)) => {
                        on_created.run(created);
                        None
                    }
                    Ok(Err(errors)) => Some(Ok(errors)),
                    Err(e) => Some(Err(e)),
                },
                Some(id) => {
                    let changes = EndpointChanges {
                        url: Some(input.url),
                        // Empty clears it.
                        description: Some(input.description.unwrap_or_default()),
                        event_types: Some(input.event_types),
                        enabled: None,
                    };
                    match webhooks::update_endpoint(id, changes).await {
                        Ok(Ok(updated)) => {
                            on_updated.run(updated);
                            None
                        }
                        Ok(Err(errors)) => Some(Ok(errors)),
                        Err(e) => Some(Err(e)),
                    }
                }
            };
            // The form closes on success.
            if pending.is_disposed() {
                return;
            }
            pending.set(false);
            match problems_of {
                Some(Ok(errors)) => problems.set(problems::from_server(errors)),
                Some(Err(e)) => failure.set(Some(e)),
                None => {}
            }
        });
    };

    let is_new = editing.with_value(Option::is_none);
    view! {
        <form class="endpoint-form" novalidate on:submit=submit data-testid="endpoint-form">
            <div class="inline-form">
                <label class="field">
                    <span class="label">{move || i18n.t(Key::EndpointUrl)}</span>
                    <input
                        type="url"
                        name="url"
                        inputmode="url"
                        autocomplete="off"
                        spellcheck="false"
                        data-testid="endpoint-url-input"
                        placeholder=move || i18n.t(Key::EndpointUrlPlaceholder)
                        class:invalid=move || problems::has(all, "url")
                        aria-invalid=move || problems::has(all, "url").to_string()
                        prop:value=move || url.get()
                        on:input=move |ev| {
                            url.set(event_target_value(&ev));
                            problems.update(|p| p.retain(|p| p.field() != Some("url")));
                        }
                    />
                    <FieldErrors problems=all field="url" />
                </label>
                <label class="field">
                    <span class="label">{move || i18n.t(Key::EndpointDescription)}</span>
                    <input
                        type="text"
                        name="description"
                        data-testid="endpoint-description-input"
                        placeholder=move || i18n.t(Key::EndpointDescriptionPlaceholder)
                        class:invalid=move || problems::has(all, "description")
                        prop:value=move || description.get()
                        on:input=move |ev| description.set(event_target_value(&ev))
                    />
                    <FieldErrors problems=all field="description" />
                </label>
            </div>
            <fieldset class="events" class:invalid=move || problems::has(all, "eventTypes")>
                <legend class="label">{move || i18n.t(Key::Events)}</legend>
                {EventType::ALL
                    .iter()
                    .copied()
                    .map(|event| {
                        view! {
                            <label class="check">
                                <input
                                    type="checkbox"
                                    data-testid="endpoint-event"
                                    value=event.as_str()
                                    prop:checked=move || events.with(|e| e.contains(&event))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        events.update(|e| {
                                            e.retain(|x| *x != event);
                                            if on {
                                                e.push(event);
                                            }
                                        });
                                        problems.update(|p| p.retain(|p| p.field() != Some("eventTypes")));
                                    }
                                />
                                <span>{move || i18n::event_type(i18n.lang(), event)}</span>
                                <code class="hint">{event.body_name()}</code>
                            </label>
                        }
                    })
                    .collect_view()}
                <FieldErrors problems=all field="eventTypes" />
            </fieldset>
            <div class="inline-actions">
                <SubmitButton
                    pending=pending
                    test_id="endpoint-save"
                    idle=if is_new { Key::CreateEndpoint } else { Key::SaveChanges }
                    busy=if is_new { Key::Creating } else { Key::Saving }
                />
                <CancelButton on_cancel=on_cancel />
            </div>
            <FormErrors problems=all fields=FIELDS failure=failure />
        </form>
    }
}
