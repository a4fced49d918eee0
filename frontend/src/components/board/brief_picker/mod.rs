//! The board's context bar: which campaign and brief new tasks are for, the
//! campaign's spend, and the forms to start a campaign or add a brief.
//!
//! Every task belongs to a brief, so the board cannot submit anything until one is
//! picked. A team without campaigns gets the "first campaign" form in place of the
//! picker.
//!
//! - [`context`]: the campaigns, the briefs and the choice.
//! - [`forms`]: the campaign and brief forms.
//! - [`stats`]: the chosen campaign's figures.

mod context;
mod forms;
mod stats;

pub use context::BriefContext;

use leptos::prelude::*;

use crate::components::shared::load_failed::LoadFailed;
use crate::i18n::{Key, use_i18n};
use forms::{BriefForm, CampaignForm};
use stats::CampaignStats;

/// Which of the bar's forms is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Open {
    None,
    Campaign,
    Brief,
}

#[component]
pub fn BriefPicker(
    context: BriefContext,
    /// Budgets are for admins; others do not see the field.
    #[prop(into)]
    is_admin: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(Open::None);
    let no_campaigns = move || context.loaded.get() && context.campaigns.with(Vec::is_empty);
    let no_briefs = move || {
        context.briefs_loaded.get()
            && context.campaign_id.with(Option::is_some)
            && context.briefs.with(Vec::is_empty)
    };
    let close = Callback::new(move |()| open.set(Open::None));

    view! {
        <section class="context-bar" aria-label=move || i18n.t(Key::BriefContext)>
            {move || {
                context
                    .error
                    .get()
                    .map(|e| {
                        view! {
                            <LoadFailed
                                what=Key::LoadCampaignsFailed
                                error=e
                                on_retry=move || context.retry()
                            />
                        }
                    })
            }}
            // Nothing to choose from until the campaigns are in; guessing would flash
            // the wrong form.
            <Show
                when=move || context.loaded.get()
                fallback=|| view! { <div class="context-row skeleton-row" aria-hidden="true"></div> }
            >
            <Show
                when=move || !no_campaigns()
                fallback=move || {
                    view! {
                        <div class="setup-card" data-testid="campaign-setup">
                            <h2>{move || i18n.t(Key::FirstCampaignTitle)}</h2>
                            <p class="muted">{move || i18n.t(Key::FirstCampaignHint)}</p>
                            <CampaignForm context=context is_admin=is_admin on_done=None />
                        </div>
                    }
                }
            >
                <div class="context-row">
                    <label class="context-field">
                        <span class="label">{move || i18n.t(Key::Campaign)}</span>
                        <select
                            data-testid="campaign-select"
                            on:change=move |ev| {
                                open.set(Open::None);
                                context.select_campaign(event_target_value(&ev));
                            }
                        >
                            <For
                                each=move || context.campaigns.get()
                                key=|c| (c.id.clone(), c.name.clone())
                                children=move |c| {
                                    let id = c.id.clone();
                                    view! {
                                        <option
                                            value=c.id.clone()
                                            prop:selected=move || {
                                                context.campaign_id.with(|s| s.as_ref() == Some(&id))
                                            }
                                        >
                                            {c.name}
                                        </option>
                                    }
                                }
                            />
                        </select>
                    </label>
                    <label class="context-field">
                        <span class="label">{move || i18n.t(Key::Brief)}</span>
                        <select
                            data-testid="brief-select"
                            disabled=move || context.briefs.with(Vec::is_empty)
                            on:change=move |ev| context.select_brief(event_target_value(&ev))
                        >
                            <Show when=no_briefs>
                                <option value="" selected>
                                    {move || i18n.t(Key::NoBriefYet)}
                                </option>
                            </Show>
                            <For
                                each=move || context.briefs.get()
                                key=|b| b.id.clone()
                                children=move |b| {
                                    let id = b.id.clone();
                                    view! {
                                        <option
                                            value=b.id.clone()
                                            prop:selected=move || {
                                                context.brief_id.with(|s| s.as_ref() == Some(&id))
                                            }
                                        >
                                            {b.title}
                                        </option>
                                    }
                                }
                            />
                        </select>
                    </label>
                    <div class="context-actions">
                        <button
                            type="button"
                            class="button small"
                            data-testid="new-brief"
                            aria-expanded=move || (open.get() == Open::Brief).to_string()
                            disabled=move || context.campaign_id.with(Option::is_none)
                            on:click=move |_| {
                                open.update(|o| {
                                    *o = if *o == Open::Brief { Open::None } else { Open::Brief };
                                })
                            }
                        >
                            {move || i18n.t(Key::AddBrief)}
                        </button>
                        <button
                            type="button"
                            class="button small ghost"
                            data-testid="new-campaign"
                            aria-expanded=move || (open.get() == Open::Campaign).to_string()
                            on:click=move |_| {
                                open.update(|o| {
                                    *o = if *o == Open::Campaign { Open::None } else { Open::Campaign };
                                })
                            }
                        >
                            {move || i18n.t(Key::AddCampaign)}
                        </button>
                    </div>
                    <div class="context-spacer"></div>
                    {move || context.campaign().map(|c| view! { <CampaignStats campaign=c /> })}
                </div>
                {move || {
                    match open.get() {
                        Open::Campaign => {
                            view! {
                                <div class="context-panel">
                                    <h3>{move || i18n.t(Key::NewCampaign)}</h3>
                                    <CampaignForm context=context is_admin=is_admin on_done=Some(close) />
                                </div>
                            }
                                .into_any()
                        }
                        Open::Brief => {
                            view! {
                                <div class="context-panel">
                                    <h3>{move || i18n.t(Key::NewBrief)}</h3>
                                    <BriefForm context=context on_done=Some(close) />
                                </div>
                            }
                                .into_any()
                        }
                        Open::None if no_briefs() => {
                            view! {
                                <div class="context-panel">
                                    <h3>{move || i18n.t(Key::NoBriefTitle)}</h3>
                                    <p class="muted">{move || i18n.t(Key::NoBriefHint)}</p>
                                    <BriefForm context=context on_done=None />
                                </div>
                            }
                                .into_any()
                        }
                        Open::None => ().into_any(),
                    }
                }}
            </Show>
            </Show>
        </section>
    }
}
