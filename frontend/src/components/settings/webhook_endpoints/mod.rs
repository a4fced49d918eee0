//! The settings page's webhook endpoints: the list, a form to add one (or change
//! one), and per endpoint: enable/disable, rotate its secret, delete it, and its
//! delivery log. A new endpoint's secret, and a rotated one, is shown once.
//!
//! Kiln switches an endpoint off by itself when it answers 410 Gone or keeps
//! failing; the `webhookEndpointDisabled` feed brings that here as it happens.

//!
//! - [`card`]: one endpoint, its actions and its delivery log.
//! - [`form`]: adding or changing an endpoint.

mod card;
mod form;

use leptos::prelude::*;
use leptos::task::spawn_local_scoped_with_cancellation;

use crate::api::ApiError;
use crate::api::operations::webhooks::{self, WebhookEndpointDisabled, WithSecret};
use crate::api::ws::{self, Flow, LinkState};
use crate::components::shared::load_failed::LoadFailed;
use crate::i18n::{Key, use_i18n};
use crate::model::{Secret, WebhookEndpoint};
use card::EndpointCard;
use form::EndpointForm;

/// The endpoints as the page holds them.
#[derive(Clone, Copy)]
pub(super) struct Endpoints {
    pub(super) list: RwSignal<Option<Vec<WebhookEndpoint>>>,
    /// The secret shown once, and the endpoint it signs for.
    pub(super) revealed: RwSignal<Option<(String, Secret)>>,
}

impl Endpoints {
    pub(super) fn upsert(&self, endpoint: WebhookEndpoint) {
        self.list.update(|list| {
            let list = list.get_or_insert_with(Vec::new);
            match list.iter_mut().find(|e| e.id == endpoint.id) {
                Some(current) => *current = endpoint,
                None => list.push(endpoint),
            }
        });
    }

    pub(super) fn remove(&self, id: &str) {
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

    pub(super) fn reveal(&self, created: WithSecret) {
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

    let read = LocalResource::new(webhooks::fetch_endpoints);
    Effect::new(move |_| match read.get() {
        Some(Ok(found)) => endpoints.list.set(Some(found)),
        Some(Err(e)) => failure.set(Some(e)),
        None => {}
    });
    let load = move || {
        failure.set(None);
        read.refetch();
    };

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
