//! Opaque global ids (`base64url("Task:<uuid>")`) and the `Node` interface, so that any
//! object can be fetched again by its id alone.

use async_graphql::{Context, ID, Interface, Object};
use uuid::Uuid;

use super::account::{Team, User};
use super::campaign::{Brief, Campaign};
use super::error::{bad_input, state, to_graphql, viewer};
use super::reference::ReferenceAsset;
use super::task::{OutputAsset, Task};
use crate::service::{account, asset, campaign, reference, task};

pub use crate::ids::NodeType;

pub(crate) fn encode(node_type: NodeType, id: Uuid) -> ID {
    ID(crate::ids::encode(node_type, id))
}

/// Reads a global id of any type.
pub(crate) fn decode_any(id: &ID) -> Option<(NodeType, Uuid)> {
    crate::ids::decode(id.as_str())
}

/// Reads a global id that must be of `expected` type; anything else is the client's
/// mistake, reported as `BAD_USER_INPUT`.
pub fn decode(id: &ID, expected: NodeType) -> async_graphql::Result<Uuid> {
    match decode_any(id) {
        Some((node_type, uuid)) if node_type == expected => Ok(uuid),
        _ => Err(bad_input(format!(
            "{:?} is not a {} id.",
            id.as_str(),
            expected.name()
        ))),
    }
}

#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "A global id, opaque to clients."))]
pub(crate) enum Node {
    Task(Task),
    OutputAsset(OutputAsset),
    User(User),
    Team(Team),
    Campaign(Campaign),
    Brief(Brief),
    ReferenceAsset(ReferenceAsset),
}

#[derive(Default)]
pub(crate) struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global id; null when it does not exist or belongs to another
    /// team.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        let state = state(ctx)?;
        let viewer = viewer(ctx)?;
        let Some((node_type, uuid)) = decode_any(&id) else {
            return Err(bad_input(format!("{:?} is not a Kiln id.", id.as_str())));
        };
        let found = match node_type {
            NodeType::Task => task::get(&state.db, viewer, uuid)
                .await
                .map(|t| Task::new(t).map(Node::Task)),
            NodeType::OutputAsset => asset::get(&state.db, viewer, uuid)
                .await
                .map(|a| Ok(Node::OutputAsset(OutputAsset::new(a)))),
            NodeType::User => account::get_user(&state.db, viewer, uuid)
                .await
                .map(|u| Ok(Node::User(User::new(u)))),
            NodeType::Team if uuid == viewer.team_id => account::get_team(&state.db, viewer)
                .await
                .map(|t| Ok(Node::Team(Team::new(t)))),
            NodeType::Team | NodeType::WebhookEndpoint | NodeType::WebhookDelivery => {
                return Ok(None);
            }
            NodeType::Campaign => campaign::get_campaign(&state.db, viewer, uuid)
                .await
                .map(|c| Ok(Node::Campaign(Campaign::new(c)))),
            NodeType::Brief => campaign::get_brief(&state.db, viewer, uuid)
                .await
                .map(|b| Ok(Node::Brief(Brief::new(b)))),
            NodeType::ReferenceAsset => reference::get(&state.db, viewer, uuid)
                .await
                .map(|r| Ok(Node::ReferenceAsset(ReferenceAsset::new(r)))),
        };
        match found {
            Ok(node) => node.map(Some).map_err(to_graphql),
            Err(crate::service::ServiceError::NotFound) => Ok(None),
            Err(other) => Err(to_graphql(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    #[test]
    fn a_global_id_round_trips_and_keeps_its_type() {
        let uuid = Uuid::now_v7();
        let id = encode(NodeType::Task, uuid);
        assert_eq!(decode(&id, NodeType::Task).unwrap(), uuid);
        assert!(decode(&id, NodeType::User).is_err());
    }

    #[test]
    fn every_node_type_round_trips() {
        let uuid = Uuid::now_v7();
        for node_type in [
            NodeType::Task,
            NodeType::OutputAsset,
            NodeType::User,
            NodeType::Team,
            NodeType::Campaign,
            NodeType::Brief,
            NodeType::ReferenceAsset,
        ] {
            assert_eq!(
                decode_any(&encode(node_type, uuid)),
                Some((node_type, uuid)),
                "{node_type:?}"
            );
        }
    }

    #[test]
    fn garbage_is_not_an_id() {
        assert!(decode_any(&ID::from("not base64 !!")).is_none());
        assert!(decode_any(&ID::from(URL_SAFE_NO_PAD.encode("Task:nope"))).is_none());
        assert!(
            decode_any(&ID::from(
                URL_SAFE_NO_PAD.encode("Spaceship:0195b2a4-0000-7000-8000-000000000000")
            ))
            .is_none()
        );
    }
}
