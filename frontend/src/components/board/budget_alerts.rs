//! Banners for campaigns whose committed spend crossed their alert threshold, from
//! the `budgetAlerts` subscription. Each stays until dismissed: an alert goes out
//! once per campaign, so hiding it by itself would lose it.

use leptos::prelude::*;
use leptos::task::spawn_local_scoped_with_cancellation;

use crate::api::operations::campaigns::{self, BudgetAlert, BudgetAlerts, budget_alerts};
use crate::api::ws::{self, Flow};
use crate::i18n::{self, Key, use_i18n};

#[component]
pub fn BudgetAlertBanners(
    /// Told about each alert, e.g. to refresh the campaign's figures.
    #[prop(into)]
    on_alert: Callback<BudgetAlert>,
) -> impl IntoView {
    let i18n = use_i18n();
    let alerts = RwSignal::new(Vec::<BudgetAlert>::new());

    // Its own connection: the board's task events restart whenever the filters
    // change, and an alert must not be lost in such a gap. Nothing needs re-reading
    // after a reconnect: the campaign figures are refreshed with the task list.
    spawn_local_scoped_with_cancellation(ws::run::<BudgetAlerts>(
        budget_alerts::Variables,
        move |data| {
            let alert = campaigns::budget_alert(data);
            alerts.update(|all| {
                all.retain(|a| a.campaign_id != alert.campaign_id);
                all.push(alert.clone());
            });
            on_alert.run(alert);
            Flow::Continue
        },
        |_| {},
        || {},
    ));

    view! {
        <For
            each=move || alerts.get()
            key=|a| (a.campaign_id.clone(), a.committed.amount.clone())
            children=move |alert| {
                let id = alert.campaign_id.clone();
                view! {
                    <div class="banner warn" role="alert" data-testid="budget-alert">
                        <span>
                            {move || {
                                i18n::budget_alert(
                                    i18n.lang(),
                                    &alert.campaign_name,
                                    &alert.committed,
                                    alert.budget.as_ref(),
                                    alert.threshold_percent,
                                )
                            }}
                        </span>
                        <button
                            type="button"
                            class="button small ghost"
                            data-testid="dismiss-alert"
                            aria-label=move || i18n.t(Key::Dismiss)
                            on:click=move |_| alerts.update(|all| all.retain(|a| a.campaign_id != id))
                        >
                            {move || i18n.t(Key::Dismiss)}
                        </button>
                    </div>
                }
            }
        />
    }
}
