//! The settings page's gateways: each configured provider profile, where its API key
//! comes from, and a write-only form to set (or remove) the key Kiln stores for it.
//! The API never returns a key, and neither does this form: the field starts empty
//! and is cleared once the key is saved.

use leptos::prelude::*;

use crate::api::ApiError;
use crate::api::operations::providers;
use crate::components::shared::form_actions::SubmitButton;
use crate::components::shared::load_failed::LoadFailed;
use crate::components::shared::on_result;
use crate::components::shared::problems::{self, FormErrors, Problem};
use crate::components::shared::text_field::TextField;
use crate::i18n::{self, Key, use_i18n};
use crate::model::Provider;

#[component]
pub fn Gateways() -> impl IntoView {
    let i18n = use_i18n();
    let list = RwSignal::new(None::<Vec<Provider>>);
    let failure = RwSignal::new(None::<ApiError>);

    let read = LocalResource::new(providers::fetch_providers);
    Effect::new(move |_| match read.get() {
        Some(Ok(found)) => list.set(Some(found)),
        Some(Err(e)) => failure.set(Some(e)),
        None => {}
    });
    let load = move || {
        failure.set(None);
        read.refetch();
    };

    let on_saved = Callback::new(move |saved: Provider| {
        list.update(|all| {
            if let Some(all) = all
                && let Some(p) = all.iter_mut().find(|p| p.name == saved.name)
            {
                // A save answers with the gateway alone; its models stay as listed.
                let models = std::mem::take(&mut p.models);
                *p = Provider { models, ..saved };
            }
        });
    });

    // Whether there is anything to list; the body is rebuilt only when this changes,
    // so a saved key does not remount the cards (and lose their notices).
    let shape = Memo::new(move |_| list.with(|l| l.as_ref().map(Vec::is_empty)));
    let failed = Memo::new(move |_| failure.get());
    let body = move || {
        if let Some(e) = failed.get() {
            return view! {
                <LoadFailed what=Key::LoadGatewaysFailed error=e on_retry=move || load() />
            }
            .into_any();
        }
        match shape.get() {
            None => view! { <p class="hint">{move || i18n.t(Key::Loading)}</p> }.into_any(),
            Some(true) => view! { <p class="muted">{move || i18n.t(Key::NoGateways)}</p> }.into_any(),
            Some(false) => view! {
                <For
                    each=move || {
                        list.with(|l| l.iter().flatten().map(|p| p.name.clone()).collect::<Vec<_>>())
                    }
                    key=|name| name.clone()
                    children=move |name| {
                        // The card stays mounted when its provider changes (after a
                        // save), so its "saved" notice survives.
                        let provider = Signal::derive(move || {
                            list.with(|l| {
                                l.iter().flatten().find(|p| p.name == name).cloned().unwrap_or_default()
                            })
                        });
                        view! { <GatewayCard provider=provider on_saved=on_saved /> }
                    }
                />
            }
            .into_any(),
        }
    };

    view! {
        <section class="panel" data-testid="gateways">
            <h2>{move || i18n.t(Key::Gateways)}</h2>
            <p class="hint">{move || i18n.t(Key::GatewaysHint)}</p>
            {body}
        </section>
    }
}

/// What the key form last achieved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Saved {
    Set,
    Removed,
}

#[component]
fn GatewayCard(
    #[prop(into)] provider: Signal<Provider>,
    on_saved: Callback<Provider>,
) -> impl IntoView {
    let i18n = use_i18n();
    // Write-only: never filled from the server, emptied after a save.
    let key = RwSignal::new(String::new());
    let saved = RwSignal::new(None::<Saved>);
    let problems = RwSignal::new(Vec::<Problem>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let all = Signal::from(problems);
    let source = Signal::derive(move || provider.with(Provider::key_source));

    // An empty key removes the stored one.
    let store = Action::new_local(|(name, api_key): &(String, String)| {
        let (name, api_key) = (name.clone(), api_key.clone());
        async move {
            let removing = api_key.is_empty();
            (
                removing,
                providers::set_provider_api_key(name, api_key).await,
            )
        }
    });
    let pending = store.pending();
    on_result(store, move |(removing, result)| match result {
        Ok(Ok(provider)) => {
            key.set(String::new());
            saved.set(Some(if removing { Saved::Removed } else { Saved::Set }));
            on_saved.run(provider);
        }
        Ok(Err(errors)) => problems.set(problems::from_server(errors)),
        Err(e) => failure.set(Some(e)),
    });
    let save = move |api_key: String| {
        if pending.get_untracked() {
            return;
        }
        failure.set(None);
        problems.set(Vec::new());
        saved.set(None);
        store.dispatch_local((provider.with_untracked(|p| p.name.clone()), api_key));
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let api_key = key.get_untracked().trim().to_owned();
        // An empty key would remove the stored one; that has its own button.
        if api_key.is_empty() {
            problems.set(vec![Problem::Local {
                field: "apiKey",
                key: Key::KeyRequired,
            }]);
            return;
        }
        save(api_key);
    };

    let facts = move || {
        let lang = i18n.lang();
        let fact = |label: Key, value: String| {
            view! {
                <div class="fact">
                    <dt>{i18n::t(lang, label)}</dt>
                    <dd>{value}</dd>
                </div>
            }
        };
        provider.with(|p| {
            view! {
                {fact(Key::BaseUrl, p.base_url.clone())}
                {p.video_dialect.map(|d| fact(Key::VideoApi, i18n::video_dialect(lang, d).to_owned()))}
                {fact(Key::Limits, i18n::provider_limits(lang, p.max_concurrency, p.requests_per_minute))}
                {fact(
                    Key::IdempotencyHeader,
                    p.idempotency_header.clone().unwrap_or_else(|| i18n::t(lang, Key::IdempotencyNone).to_owned()),
                )}
                {p.webhook_path.clone().map(|path| fact(Key::InboundWebhook, path))}
                {fact(
                    Key::GatewayModels,
                    if p.models.is_empty() {
                        i18n::t(lang, Key::GatewayNoModels).to_owned()
                    } else {
                        p.models.join(", ")
                    },
                )}
            }
        })
    };

    view! {
        <article
            class="gateway"
            data-testid="gateway"
            data-name=move || provider.with(|p| p.name.clone())
            data-key-source=move || source.get().as_str()
        >
            <h3 class="gateway-name">{move || provider.with(|p| p.name.clone())}</h3>
            <dl class="facts">
                <div class="fact">
                    <dt>{move || i18n.t(Key::ApiKey)}</dt>
                    <dd>
                        <span
                            class=move || format!("chip key-{}", source.get().as_str().to_ascii_lowercase())
                            data-testid="gateway-key-source"
                        >
                            {move || i18n::key_source(i18n.lang(), source.get())}
                        </span>
                    </dd>
                </div>
                {facts}
            </dl>
            <form class="inline-form key-form" novalidate on:submit=submit>
                <TextField
                    label=Key::NewApiKey
                    value=key
                    problems=all
                    field="apiKey"
                    placeholder=Key::NewApiKeyPlaceholder
                    kind="password"
                    name="apiKey"
                    autocomplete="new-password"
                    spellcheck="false"
                    testid="gateway-key-input"
                    on_input=move |_| {
                        saved.set(None);
                        problems.set(Vec::new());
                    }
                />
                <div class="inline-actions">
                    <SubmitButton
                        pending=pending
                        test_id="gateway-key-save"
                        idle=Key::SaveKey
                        busy=Key::Saving
                    />
                    <Show when=move || provider.with(|p| p.api_key_set_in_kiln)>
                        <button
                            type="button"
                            class="button ghost"
                            data-testid="gateway-key-remove"
                            disabled=move || pending.get()
                            on:click=move |_| save(String::new())
                        >
                            {move || i18n.t(Key::RemoveStoredKey)}
                        </button>
                    </Show>
                </div>
                <FormErrors problems=all fields=&["apiKey"] failure=failure />
            </form>
            {move || {
                saved
                    .get()
                    .map(|s| {
                        let key = match s {
                            Saved::Set => Key::KeySaved,
                            Saved::Removed => Key::KeyRemoved,
                        };
                        view! {
                            <p class="notice success" role="status" data-testid="gateway-key-saved">
                                {move || i18n.t(key)}
                            </p>
                        }
                    })
            }}
        </article>
    }
}
