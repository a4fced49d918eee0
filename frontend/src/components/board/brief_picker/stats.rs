//! The chosen campaign's figures: tasks, duplicates avoided, and spend against the
//! budget.

use leptos::prelude::*;

use crate::i18n::{self, Key, use_i18n};
use crate::model::Campaign;

/// Tasks, duplicates avoided, and spend against the budget, with a meter that turns
/// amber at the alert threshold and red past the budget.
#[component]
pub(super) fn CampaignStats(campaign: Campaign) -> impl IntoView {
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
