//! The board's context bar: which campaign and brief new tasks are for, the
//! campaign's spend, and the forms to start a campaign or add a brief.
//!
//! Every task belongs to a brief, so the board cannot submit anything until one is
//! picked. The choice is remembered in `localStorage`, so a reload (or tomorrow)
//! opens the same brief. A team without campaigns gets the "first campaign" form
//! in place of the picker.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiError;
use crate::api::operations::campaigns::{self, NewBrief, NewCampaign};
use crate::components::shared::form_actions::{CancelButton, SubmitButton};
use crate::components::shared::load_failed::LoadFailed;
use crate::components::shared::problems::{self, FieldErrors, FormErrors, Problem};
use crate::i18n::{self, Key, use_i18n};
use crate::model::{Brief, Campaign};

const CAMPAIGN_KEY: &str = "kiln.campaign";
const BRIEF_KEY: &str = "kiln.brief";

fn remembered(key: &str) -> Option<String> {
    LocalStorage::raw().get_item(key).ok().flatten()
}

fn remember(key: &str, value: Option<&str>) {
    // Losing the choice only costs picking it again after a reload.
    let storage = LocalStorage::raw();
    let _ = match value {
        Some(value) => storage.set_item(key, value),
        None => storage.remove_item(key),
    };
}

/// The campaigns, the briefs of the chosen one, and the choice.
#[derive(Clone, Copy)]
pub struct BriefContext {
    pub campaigns: RwSignal<Vec<Campaign>>,
    pub campaign_id: RwSignal<Option<String>>,
    pub briefs: RwSignal<Vec<Brief>>,
    pub brief_id: RwSignal<Option<String>>,
    /// The campaigns have been read at least once.
    pub loaded: RwSignal<bool>,
    /// The chosen campaign's briefs have been read.
    pub briefs_loaded: RwSignal<bool>,
    pub error: RwSignal<Option<ApiError>>,
    /// Bumped on every campaign switch, so briefs of the previous campaign that
    /// arrive late are dropped.
    generation: StoredValue<u64>,
}

impl BriefContext {
    pub fn new() -> Self {
        Self {
            campaigns: RwSignal::new(Vec::new()),
            campaign_id: RwSignal::new(None),
            briefs: RwSignal::new(Vec::new()),
            brief_id: RwSignal::new(None),
            loaded: RwSignal::new(false),
            briefs_loaded: RwSignal::new(false),
            error: RwSignal::new(None),
            generation: StoredValue::new(0),
        }
    }

    /// Whether the choice has settled, so the board can list tasks for it. Tracked.
    pub fn ready(&self) -> bool {
        self.loaded.get() && (self.campaign_id.with(Option::is_none) || self.briefs_loaded.get())
    }

    /// The chosen campaign. Tracked.
    pub fn campaign(&self) -> Option<Campaign> {
        let id = self.campaign_id.get()?;
        self.campaigns
            .with(|all| all.iter().find(|c| c.id == id).cloned())
    }

    /// The chosen brief. Tracked.
    pub fn brief(&self) -> Option<Brief> {
        let id = self.brief_id.get()?;
        self.briefs
            .with(|all| all.iter().find(|b| b.id == id).cloned())
    }

    /// Reads the campaigns and picks the remembered one, else the newest.
    pub fn load(&self) {
        let this = *self;
        spawn_local(async move {
            let result = campaigns::fetch_campaigns().await;
            if this.campaigns.is_disposed() {
                return;
            }
            match result {
                Ok(list) => {
                    let wanted = remembered(CAMPAIGN_KEY);
                    let pick = wanted
                        .filter(|id| list.iter().any(|c| &c.id == id))
                        .or_else(|| list.first().map(|c| c.id.clone()));
                    this.campaigns.set(list);
                    this.error.set(None);
                    this.loaded.set(true);
                    match pick {
                        Some(id) => this.select_campaign(id),
                        None => this.campaign_id.set(None),
                    }
                }
                Err(e) => this.error.set(Some(e)),
            }
        });
    }

    /// Re-reads the campaigns for fresh spend figures, keeping the choice.
    pub fn refresh_stats(&self) {
        let this = *self;
        spawn_local(async move {
            if let Ok(list) = campaigns::fetch_campaigns().await
                && !this.campaigns.is_disposed()
            {
                this.campaigns.set(list);
            }
        });
    }

    pub fn select_campaign(&self, id: String) {
        remember(CAMPAIGN_KEY, Some(&id));
        let generation = self.generation.get_value() + 1;
        self.generation.set_value(generation);
        self.campaign_id.set(Some(id.clone()));
        self.briefs.set(Vec::new());
        self.brief_id.set(None);
        self.briefs_loaded.set(false);
        let this = *self;
        spawn_local(async move {
            let result = campaigns::fetch_briefs(id).await;
            if this.generation.try_get_value() != Some(generation) {
                return;
            }
            match result {
                Ok(list) => {
                    let wanted = remembered(BRIEF_KEY);
                    let pick = wanted
                        .filter(|id| list.iter().any(|b| &b.id == id))
                        .or_else(|| list.first().map(|b| b.id.clone()));
                    this.briefs.set(list);
                    this.brief_id.set(pick.clone());
                    if pick.is_some() {
                        remember(BRIEF_KEY, pick.as_deref());
                    }
                    this.briefs_loaded.set(true);
                }
                Err(e) => this.error.set(Some(e)),
            }
        });
    }

    pub fn select_brief(&self, id: String) {
        remember(BRIEF_KEY, Some(&id));
        self.brief_id.set(Some(id));
    }

    /// A campaign just created, with its first brief if that worked too.
    fn add_campaign(&self, campaign: Campaign, brief: Option<Brief>) {
        remember(CAMPAIGN_KEY, Some(&campaign.id));
        self.generation.set_value(self.generation.get_value() + 1);
        self.campaign_id.set(Some(campaign.id.clone()));
        self.campaigns.update(|all| all.insert(0, campaign));
        self.briefs.set(brief.iter().cloned().collect());
        self.briefs_loaded.set(true);
        self.loaded.set(true);
        match brief {
            Some(brief) => self.select_brief(brief.id),
            None => self.brief_id.set(None),
        }
    }

    fn add_brief(&self, brief: Brief) {
        let id = brief.id.clone();
        self.briefs.update(|all| all.insert(0, brief));
        self.select_brief(id);
    }
}

impl Default for BriefContext {
    fn default() -> Self {
        Self::new()
    }
}

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
                                on_retry=move || context.load()
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

/// Tasks, duplicates avoided, and spend against the budget, with a meter that turns
/// amber at the alert threshold and red past the budget.
#[component]
fn CampaignStats(campaign: Campaign) -> impl IntoView {
    let i18n = use_i18n();
    let stats = campaign.stats.clone();
    let share = campaign
        .budget
        .as_ref()
        .and_then(|b| b.value())
        .filter(|b| *b > 0.0)
        .and_then(|budget| Some(stats.committed.value()? / budget));
    let level = match share {
        Some(s) if s >= 1.0 => "over",
        Some(s) if s * 100.0 >= campaign.alert_threshold_percent as f64 => "warn",
        _ => "ok",
    };
    let (committed, budget) = (stats.committed.clone(), campaign.budget.clone());
    view! {
        <dl class="stats" data-testid="campaign-stats">
            <div class="stat">
                <dt>{move || i18n.t(Key::StatTasks)}</dt>
                <dd data-testid="stat-tasks">{stats.task_count}</dd>
            </div>
            <div class="stat" title=move || i18n.t(Key::StatDuplicatesHint)>
                <dt>{move || i18n.t(Key::StatDuplicates)}</dt>
                <dd data-testid="stat-duplicates">{stats.duplicate_submissions}</dd>
            </div>
            <div class="stat spend">
                <dt>{move || i18n.t(Key::StatCommitted)}</dt>
                <dd data-testid="stat-committed">
                    {move || {
                        let lang = i18n.lang();
                        match &budget {
                            Some(b) => i18n::committed_of(lang, &committed, b),
                            None => {
                                format!(
                                    "{} · {}",
                                    i18n::money(&committed),
                                    i18n::t(lang, Key::NoBudget),
                                )
                            }
                        }
                    }}
                </dd>
                {share
                    .map(|s| {
                        view! {
                            <div class=format!("meter meter-{level}") aria-hidden="true">
                                <div
                                    class="meter-fill"
                                    style:width=format!("{:.1}%", (s * 100.0).clamp(0.0, 100.0))
                                ></div>
                            </div>
                        }
                    })}
            </div>
        </dl>
    }
}

/// Name, budget (admins only) and the first brief's title: a campaign is of no use
/// until it has a brief, so both are made in one go.
#[component]
fn CampaignForm(
    context: BriefContext,
    #[prop(into)] is_admin: Signal<bool>,
    /// Called after success, e.g. to close the panel.
    on_done: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let budget = RwSignal::new(String::new());
    let threshold = RwSignal::new("80".to_owned());
    let title = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let problems = RwSignal::new(Vec::<Problem>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let all = Signal::from(problems);

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
        pending.set(true);
        let new = NewCampaign {
            name: name.get_untracked(),
            budget: (admin && !budget_text.is_empty()).then_some(budget_text),
            alert_threshold_percent: if admin { threshold_value } else { None },
        };
        let brief_title = title.get_untracked();
        spawn_local(async move {
            let created = campaigns::create_campaign(new).await;
            if pending.is_disposed() {
                return;
            }
            let campaign = match created {
                Ok(Ok(campaign)) => campaign,
                Ok(Err(errors)) => {
                    problems.set(problems::from_server(errors));
                    pending.set(false);
                    return;
                }
                Err(e) => {
                    failure.set(Some(e));
                    pending.set(false);
                    return;
                }
            };
            let brief = campaigns::create_brief(NewBrief {
                campaign_id: campaign.id.clone(),
                title: brief_title,
                purpose: None,
                channel: None,
            })
            .await;
            if pending.is_disposed() {
                return;
            }
            // The campaign exists either way; a brief that failed can be added from
            // the bar, which asks for one when a campaign has none.
            match brief {
                Ok(Ok(brief)) => context.add_campaign(campaign, Some(brief)),
                Ok(Err(_)) | Err(_) => context.add_campaign(campaign, None),
            }
            if let Some(done) = on_done {
                done.run(());
            }
            // The form may be gone now (the first-campaign card is replaced).
            if !pending.is_disposed() {
                pending.set(false);
                name.set(String::new());
                budget.set(String::new());
                title.set(String::new());
            }
        });
    };

    view! {
        <form class="inline-form" novalidate on:submit=submit>
            <label class="field">
                <span class="label">{move || i18n.t(Key::CampaignName)}</span>
                <input
                    type="text"
                    data-testid="new-campaign-name"
                    placeholder=move || i18n.t(Key::CampaignNamePlaceholder)
                    class:invalid=move || problems::has(all, "name")
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
                <FieldErrors problems=all field="name" />
            </label>
            <Show when=move || is_admin.get()>
                <label class="field narrow">
                    <span class="label">{move || i18n.t(Key::Budget)}</span>
                    <input
                        type="text"
                        inputmode="decimal"
                        data-testid="new-campaign-budget"
                        placeholder=move || i18n.t(Key::BudgetPlaceholder)
                        class:invalid=move || problems::has(all, "budget")
                        prop:value=move || budget.get()
                        on:input=move |ev| budget.set(event_target_value(&ev))
                    />
                    <FieldErrors problems=all field="budget" />
                </label>
                <label class="field narrow">
                    <span class="label">{move || i18n.t(Key::AlertThreshold)}</span>
                    <input
                        type="number"
                        min="1"
                        max="100"
                        inputmode="numeric"
                        data-testid="new-campaign-threshold"
                        class:invalid=move || problems::has(all, "alertThresholdPercent")
                        prop:value=move || threshold.get()
                        on:input=move |ev| threshold.set(event_target_value(&ev))
                    />
                    <FieldErrors problems=all field="alertThresholdPercent" />
                </label>
            </Show>
            <label class="field">
                <span class="label">{move || i18n.t(Key::FirstBriefTitle)}</span>
                <input
                    type="text"
                    data-testid="new-brief-title"
                    placeholder=move || i18n.t(Key::BriefTitlePlaceholder)
                    class:invalid=move || problems::has(all, "title")
                    prop:value=move || title.get()
                    on:input=move |ev| title.set(event_target_value(&ev))
                />
                <FieldErrors problems=all field="title" />
            </label>
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

/// A brief for the chosen campaign: a title, and optionally what it is for and where
/// the results will run.
#[component]
fn BriefForm(context: BriefContext, on_done: Option<Callback<()>>) -> impl IntoView {
    let i18n = use_i18n();
    let title = RwSignal::new(String::new());
    let purpose = RwSignal::new(String::new());
    let channel = RwSignal::new(String::new());
    let pending = RwSignal::new(false);
    let problems = RwSignal::new(Vec::<Problem>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let all = Signal::from(problems);

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
        pending.set(true);
        let optional = |s: RwSignal<String>| {
            let text = s.get_untracked().trim().to_owned();
            (!text.is_empty()).then_some(text)
        };
        let new = NewBrief {
            campaign_id,
            title: title.get_untracked(),
            purpose: optional(purpose),
            channel: optional(channel),
        };
        spawn_local(async move {
            let result = campaigns::create_brief(new).await;
            if pending.is_disposed() {
                return;
            }
            match result {
                Ok(Ok(brief)) => {
                    context.add_brief(brief);
                    if let Some(done) = on_done {
                        done.run(());
                    }
                    if pending.is_disposed() {
                        return;
                    }
                    title.set(String::new());
                    purpose.set(String::new());
                    channel.set(String::new());
                }
                Ok(Err(errors)) => problems.set(problems::from_server(errors)),
                Err(e) => failure.set(Some(e)),
            }
            pending.set(false);
        });
    };

    view! {
        <form class="inline-form" novalidate on:submit=submit>
            <label class="field">
                <span class="label">{move || i18n.t(Key::BriefTitle)}</span>
                <input
                    type="text"
                    data-testid="new-brief-title"
                    placeholder=move || i18n.t(Key::BriefTitlePlaceholder)
                    class:invalid=move || problems::has(all, "title")
                    prop:value=move || title.get()
                    on:input=move |ev| title.set(event_target_value(&ev))
                />
                <FieldErrors problems=all field="title" />
            </label>
            <label class="field">
                <span class="label">{move || i18n.t(Key::BriefPurpose)}</span>
                <input
                    type="text"
                    data-testid="new-brief-purpose"
                    placeholder=move || i18n.t(Key::BriefPurposePlaceholder)
                    prop:value=move || purpose.get()
                    on:input=move |ev| purpose.set(event_target_value(&ev))
                />
                <FieldErrors problems=all field="purpose" />
            </label>
            <label class="field narrow">
                <span class="label">{move || i18n.t(Key::BriefChannel)}</span>
                <input
                    type="text"
                    data-testid="new-brief-channel"
                    placeholder=move || i18n.t(Key::BriefChannelPlaceholder)
                    prop:value=move || channel.get()
                    on:input=move |ev| channel.set(event_target_value(&ev))
                />
                <FieldErrors problems=all field="channel" />
            </label>
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
