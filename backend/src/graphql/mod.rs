//! The GraphQL API: the schema, its limits, and thin resolvers over [`crate::service`].
//!
//! # Layout
//! - [`error`]: `userErrors`, coded GraphQL errors, and how service errors become either.
//! - [`node`]: opaque global ids and the `Node` interface.
//! - [`page`]: Relay cursor connections shared by every list.
//! - [`account`]: `login`, `viewer`, users and teams.
//! - [`campaign`]: campaigns, budgets, briefs, `Money`.
//! - [`catalogue`]: `models` and `draftPolicy`, what can be asked for.
//! - [`reference`]: reference uploads (GraphQL multipart) and listing.
//! - [`task`]: generation tasks, their outputs and history; `submitTask`,
//!   `estimateTask`, `promoteTask`, `retryTask`, `cancelTask`, `task`, `tasks`.
//! - [`subscription`]: `taskUpdated`, `taskEvents`, `budgetAlerts` and
//!   `webhookEndpointDisabled`.
//! - [`webhook`]: outbound webhook endpoints, deliveries, replay and secrets (admins).
//! - [`provider`]: the configured gateways and their write-only API keys (admins).

pub(crate) mod account;
pub(crate) mod campaign;
pub(crate) mod catalogue;
pub(crate) mod error;
pub mod node;
pub(crate) mod page;
pub(crate) mod provider;
pub(crate) mod reference;
pub(crate) mod subscription;
pub(crate) mod task;
pub(crate) mod webhook;

use async_graphql::{MergedObject, Schema};

use crate::state::AppState;

/// Deepest selection accepted; Kiln's own operations stay well under it.
pub(crate) const MAX_DEPTH: usize = 12;
/// Largest query complexity: async-graphql counts every selected field once, in every
/// operation of the document, whatever a list's `first` asks for. It bounds a query's
/// shape, not the size of its answer; `MAX_PAGE_SIZE` bounds that.
pub(crate) const MAX_COMPLEXITY: usize = 1_000;
/// Largest page any connection returns.
pub(crate) const MAX_PAGE_SIZE: usize = 100;

#[derive(MergedObject, Default)]
pub(crate) struct Query(
    account::AccountQuery,
    task::TaskQuery,
    task::EstimateQuery,
    campaign::CampaignQuery,
    reference::ReferenceQuery,
    catalogue::CatalogueQuery,
    webhook::WebhookQuery,
    provider::ProviderQuery,
    node::NodeQuery,
);

#[derive(MergedObject, Default)]
pub(crate) struct Mutation(
    account::AccountMutation,
    task::TaskMutation,
    campaign::CampaignMutation,
    reference::ReferenceMutation,
    webhook::WebhookMutation,
    provider::ProviderMutation,
);

pub(crate) type KilnSchema = Schema<Query, Mutation, subscription::Subscription>;

fn builder() -> async_graphql::SchemaBuilder<Query, Mutation, subscription::Subscription> {
    Schema::build(
        Query::default(),
        Mutation::default(),
        subscription::Subscription,
    )
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY)
    .limit_recursive_depth(32)
    .limit_directives(16)
    .extension(error::ErrorCodes)
}

/// The schema, serving with `state`.
pub(crate) fn schema(state: AppState) -> KilnSchema {
    builder().data(state).finish()
}

/// The schema as SDL, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    builder().finish().sdl()
}
