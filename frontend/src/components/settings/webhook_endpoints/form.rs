//! Adding a webhook endpoint, or changing one: its URL, a description, and the
//! events it hears.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::api::operations::webhooks::{self, EndpointChanges, EndpointInput, WithSecret};
use crate::components::shared::form_actions::{CancelButton, SubmitButton};
use crate::components::shared::on_result;
use crate::components::shared::problems::{self, ErrorLink, FieldErrors, FormErrors, Problem};
use crate::components::shared::text_field::TextField;
use crate::i18n::{self, Key, use_i18n};
use crate::model::{EventType, UserError, WebhookEndpoint};

/// Fields the endpoint form shows next to their inputs.
const FIELDS: &[&str] = &["url", "description", "eventTypes"];

/// What a save made.
#[derive(Clone)]
enum Saved {
    Created(WithSecret),
    Updated(WebhookEndpoint),
}

/// Creates the endpoint (`editing` is `None`) or changes the one being edited.
async fn save_endpoint(
    editing: Option<String>,
    input: EndpointInput,
) -> Result<Result<Saved, Vec<UserError>>, ApiError> {
    match editing {
        None => webhooks::create_endpoint(input)
            .await
            .map(|r| r.map(Saved::Created)),
        Some(id) => {
            let changes = EndpointChanges {
                url: Some(input.url),
                // Empty clears it.
                description: Some(input.description.unwrap_or_default()),
                event_types: Some(input.event_types),
                enabled: None,
            };
            webhooks::update_endpoint(id, changes)
                .await
                .map(|r| r.map(Saved::Updated))
        }
    }
}

/// Adds an endpoint (`initial` is `None`) or changes one.
#[component]
pub(super) fn EndpointForm(
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
    let problems = RwSignal::new(Vec::<Problem>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let all = Signal::from(problems);
    let editing = StoredValue::new(editing);
    let save = Action::new_local(|(editing, input): &(Option<String>, EndpointInput)| {
        save_endpoint(editing.clone(), input.clone())
    });
    let pending = save.pending();
    on_result(save, move |outcome| match outcome {
        Ok(Ok(Saved::Created(created))) => on_created.run(created),
        Ok(Ok(Saved::Updated(updated))) => on_updated.run(updated),
        Ok(Err(errors)) => problems.set(problems::from_server(errors)),
        Err(e) => failure.set(Some(e)),
    });

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
        let input = EndpointInput {
            url: url.get_untracked().trim().to_owned(),
            description: Some(description.get_untracked().trim().to_owned())
                .filter(|d| !d.is_empty()),
            event_types: WebhookEndpoint::normalise_events(events.get_untracked()),
        };
        save.dispatch_local((editing.get_value(), input));
    };

    let is_new = editing.with_value(Option::is_none);
    // A group has no `aria-invalid`; each box says it, the group points at the text.
    let event_errors = ErrorLink::new(all, "eventTypes");
    let events_invalid = event_errors.invalid();
    view! {
        <form class="endpoint-form" novalidate on:submit=submit data-testid="endpoint-form">
            <div class="inline-form">
                <TextField
                    label=Key::EndpointUrl
                    value=url
                    problems=all
                    field="url"
                    placeholder=Key::EndpointUrlPlaceholder
                    kind="url"
                    name="url"
                    inputmode="url"
                    autocomplete="off"
                    spellcheck="false"
                    testid="endpoint-url-input"
                    on_input=move |_| problems.update(|p| p.retain(|p| p.field() != Some("url")))
                />
                <TextField
                    label=Key::EndpointDescription
                    value=description
                    problems=all
                    field="description"
                    placeholder=Key::EndpointDescriptionPlaceholder
                    name="description"
                    testid="endpoint-description-input"
                />
            </div>
            <fieldset
                class="events"
                class:invalid=move || problems::has(all, "eventTypes")
                aria-describedby=event_errors.described_by()
            >
                <legend class="label">{move || i18n.t(Key::Events)}</legend>
                {EventType::ALL
                    .iter()
                    .copied()
                    .map(|event| {
                        let invalid = events_invalid.clone();
                        view! {
                            <label class="check">
                                <input
                                    type="checkbox"
                                    data-testid="endpoint-event"
                                    aria-invalid=invalid
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
                <FieldErrors problems=all field="eventTypes" id=event_errors.id() />
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
