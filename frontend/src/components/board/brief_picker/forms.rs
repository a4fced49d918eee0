//! The context bar's forms: a campaign with its first brief, and a brief for the
//! chosen campaign.

use leptos::prelude::*;

use super::BriefContext;
use crate::api::ApiError;
use crate::api::operations::campaigns::{self, NewBrief, NewCampaign};
use crate::components::shared::form_actions::{CancelButton, SubmitButton};
use crate::components::shared::problems::{self, FormErrors, Problem};
use crate::components::shared::text_field::TextField;
use crate::i18n::Key;
use crate::model::{Brief, Campaign, UserError};

/// What a campaign form sends.
#[derive(Clone)]
struct CampaignRequest {
    name: String,
    budget: Option<String>,
    alert_threshold_percent: Option<i64>,
    brief_title: String,
}

/// How creating a campaign (and its first brief) went.
#[derive(Clone)]
enum CampaignOutcome {
    /// The campaign exists; the brief too unless it failed, in which case the bar
    /// asks for one.
    Created(Campaign, Option<Brief>),
    Refused(Vec<UserError>),
    Failed(ApiError),
}

async fn create_campaign(request: CampaignRequest) -> CampaignOutcome {
    let new = NewCampaign {
        name: request.name,
        budget: request.budget,
        alert_threshold_percent: request.alert_threshold_percent,
    };
    let campaign = match campaigns::create_campaign(new).await {
        Ok(Ok(campaign)) => campaign,
        Ok(Err(errors)) => return CampaignOutcome::Refused(errors),
        Err(e) => return CampaignOutcome::Failed(e),
    };
    let brief = campaigns::create_brief(NewBrief {
        campaign_id: campaign.id.clone(),
        title: request.brief_title,
        purpose: None,
        channel: None,
    })
    .await;
    CampaignOutcome::Created(campaign, brief.ok().and_then(Result::ok))
}

/// Name, budget (admins only) and the first brief's title: a campaign is of no use
/// until it has a brief, so both are made in one go.
#[component]
pub(super) fn CampaignForm(
    context: BriefContext,
    #[prop(into)] is_admin: Signal<bool>,
    /// Called after success, e.g. to close the panel.
    on_done: Option<Callback<()>>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let budget = RwSignal::new(String::new());
    let threshold = RwSignal::new("80".to_owned());
    let title = RwSignal::new(String::new());
    let problems = RwSignal::new(Vec::<Problem>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let all = Signal::from(problems);
    let create = Action::new_local(|request: &CampaignRequest| create_campaign(request.clone()));
    let pending = create.pending();

    Effect::new(move |_| match create.value().get() {
        Some(CampaignOutcome::Created(campaign, brief)) => {
            context.add_campaign(campaign, brief);
            if let Some(done) = on_done {
                done.run(());
            }
            // The form may be gone now (the first-campaign card is replaced); a
            // signal that is gone ignores these.
            name.set(String::new());
            budget.set(String::new());
            title.set(String::new());
        }
        Some(CampaignOutcome::Refused(errors)) => problems.set(problems::from_server(errors)),
        Some(CampaignOutcome::Failed(e)) => failure.set(Some(e)),
        None => {}
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        failure.set(None);
        let mut local = Vec::new();
        if title.get_untracked().trim().is_empty() {
            local.push(Problem::Local {
                field: "title",
                key: Key::BriefTitleRequired,
            });
        }
        let admin = is_admin.get_untracked();
        let budget_text = budget.get_untracked().trim().to_owned();
        let threshold_value = match threshold.get_untracked().trim().parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) if !admin => None,
            Err(_) => {
                local.push(Problem::Local {
                    field: "alertThresholdPercent",
                    key: Key::ThresholdInvalid,
                });
                None
            }
        };
        if !local.is_empty() {
            problems.set(local);
            return;
        }
        problems.set(Vec::new());
        create.dispatch_local(CampaignRequest {
            name: name.get_untracked(),
            budget: (admin && !budget_text.is_empty()).then_some(budget_text),
            alert_threshold_percent: if admin { threshold_value } else { None },
            brief_title: title.get_untracked(),
        });
    };

    view! {
        <form class="inline-form" novalidate on:submit=submit>
            <TextField
                label=Key::CampaignName
                value=name
                problems=all
                field="name"
                placeholder=Key::CampaignNamePlaceholder
                testid="new-campaign-name"
            />
            <Show when=move || is_admin.get()>
                <TextField
                    label=Key::Budget
                    value=budget
                    problems=all
                    field="budget"
                    placeholder=Key::BudgetPlaceholder
                    inputmode="decimal"
                    testid="new-campaign-budget"
                    class="narrow"
                />
                <TextField
                    label=Key::AlertThreshold
                    value=threshold
                    problems=all
                    field="alertThresholdPercent"
                    kind="number"
                    min="1"
                    max="100"
                    inputmode="numeric"
                    testid="new-campaign-threshold"
                    class="narrow"
                />
            </Show>
            <TextField
                label=Key::FirstBriefTitle
                value=title
                problems=all
                field="title"
                placeholder=Key::BriefTitlePlaceholder
                testid="new-brief-title"
            />
            <div class="inline-actions">
                <SubmitButton
                    pending=pending
                    test_id="create-campaign"
                    idle=Key::CreateCampaign
                    busy=Key::Creating
                />
                {on_done.map(|done| view! { <CancelButton on_cancel=done /> })}
            </div>
            <FormErrors
                problems=all
                fields=&["name", "budget", "alertThresholdPercent", "title"]
                failure=failure
            />
        </form>
    }
}

/// What a brief form sends.
#[derive(Clone)]
struct BriefRequest {
    campaign_id: String,
    title: String,
    purpose: Option<String>,
    channel: Option<String>,
}

/// A brief for the chosen campaign: a title, and optionally what it is for and where
/// the results will run.
#[component]
pub(super) fn BriefForm(context: BriefContext, on_done: Option<Callback<()>>) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let purpose = RwSignal::new(String::new());
    let channel = RwSignal::new(String::new());
    let problems = RwSignal::new(Vec::<Problem>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let all = Signal::from(problems);
    let create = Action::new_local(|request: &BriefRequest| {
        let request = request.clone();
        campaigns::create_brief(NewBrief {
            campaign_id: request.campaign_id,
            title: request.title,
            purpose: request.purpose,
            channel: request.channel,
        })
    });
    let pending = create.pending();

    Effect::new(move |_| match create.value().get() {
        Some(Ok(Ok(brief))) => {
            context.add_brief(brief);
            if let Some(done) = on_done {
                done.run(());
            }
            title.set(String::new());
            purpose.set(String::new());
            channel.set(String::new());
        }
        Some(Ok(Err(errors))) => problems.set(problems::from_server(errors)),
        Some(Err(e)) => failure.set(Some(e)),
        None => {}
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let Some(campaign_id) = context.campaign_id.get_untracked() else {
            return;
        };
        failure.set(None);
        problems.set(Vec::new());
        let optional = |s: RwSignal<String>| {
            let text = s.get_untracked().trim().to_owned();
            (!text.is_empty()).then_some(text)
        };
        create.dispatch_local(BriefRequest {
            campaign_id,
            title: title.get_untracked(),
            purpose: optional(purpose),
            channel: optional(channel),
        });
    };

    view! {
        <form class="inline-form" novalidate on:submit=submit>
            <TextField
                label=Key::BriefTitle
                value=title
                problems=all
                field="title"
                placeholder=Key::BriefTitlePlaceholder
                testid="new-brief-title"
            />
            <TextField
                label=Key::BriefPurpose
                value=purpose
                problems=all
                field="purpose"
                placeholder=Key::BriefPurposePlaceholder
                testid="new-brief-purpose"
            />
            <TextField
                label=Key::BriefChannel
                value=channel
                problems=all
                field="channel"
                placeholder=Key::BriefChannelPlaceholder
                testid="new-brief-channel"
                class="narrow"
            />
            <div class="inline-actions">
                <SubmitButton
                    pending=pending
                    test_id="create-brief"
                    idle=Key::CreateBrief
                    busy=Key::Creating
                />
                {on_done.map(|done| view! { <CancelButton on_cancel=done /> })}
            </div>
            <FormErrors
                problems=all
                fields=&["title", "purpose", "channel"]
                failure=failure
            />
        </form>
    }
}
