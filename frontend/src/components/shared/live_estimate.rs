//! The price of what a form would submit, asked for as the user types: the input is
//! debounced, and the estimate is a resource that follows it, so an answer for an
//! input the user has already changed is never shown.

use leptos::prelude::*;
use leptos_use_signal_debounce_throttle::signal_debounced;

use crate::api::ApiError;
use crate::api::operations::tasks::{self, Estimate, TaskInput};

/// Typing pauses shorter than this do not ask for an estimate.
const DEBOUNCE_MS: f64 = 300.0;

/// What is priced: the input, and how often it was asked to be priced again.
type Request = (u64, Option<TaskInput>);

#[derive(Clone, Copy)]
pub struct LiveEstimate {
    /// The figures for the input, or the last ones while asking again failed;
    /// `None` while there is nothing to price.
    pub estimate: Memo<Option<Estimate>>,
    /// The answer for the latest input is still to come.
    pub estimating: Signal<bool>,
    /// The last request failed.
    pub failure: Signal<Option<ApiError>>,
}

/// Prices `input` whenever it settles, and again whenever `refresh` changes (tasks
/// changed elsewhere, so a duplicate may have started or ended).
pub fn use_live_estimate(input: Signal<Option<TaskInput>>, refresh: Signal<u64>) -> LiveEstimate {
    let request = Signal::derive(move || (refresh.get(), input.get()));
    let settled = signal_debounced(request, DEBOUNCE_MS);
    let answer = LocalResource::new(move || {
        let (tick, input) = settled.get();
        async move {
            let input = input?;
            let result = tasks::estimate_task(input.clone()).await;
            Some(((tick, Some(input)), result))
        }
    });
    let latest = move || answer.get().flatten();
    let estimate = Memo::new(move |previous: Option<&Option<Estimate>>| {
        if input.with(Option::is_none) {
            return None;
        }
        match latest() {
            Some((_, Ok(estimate))) => Some(estimate),
            // Keep the last figures; the failure says they could not be updated.
            _ => previous.cloned().flatten(),
        }
    });
    let estimating = Signal::derive(move || {
        let current: Request = request.get();
        current.1.is_some() && latest().is_none_or(|(answered, _)| answered != current)
    });
    let failure = Signal::derive(move || latest().and_then(|(_, result)| result.err()));
    LiveEstimate {
        estimate,
        estimating,
        failure,
    }
}
