//! Opaque global ids, `base64url("Task:<uuid>")`: what API clients and webhook
//! receivers see of Kiln's rows, whatever the transport.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

/// The object types that have global ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeType {
    Task,
    OutputAsset,
    User,
    Team,
    Campaign,
    Brief,
    ReferenceAsset,
    WebhookEndpoint,
    WebhookDelivery,
}

impl NodeType {
    pub fn name(self) -> &'static str {
        match self {
            NodeType::Task => "Task",
            NodeType::OutputAsset => "OutputAsset",
            NodeType::User => "User",
            NodeType::Team => "Team",
            NodeType::Campaign => "Campaign",
            NodeType::Brief => "Brief",
            NodeType::ReferenceAsset => "ReferenceAsset",
            NodeType::WebhookEndpoint => "WebhookEndpoint",
            NodeType::WebhookDelivery => "WebhookDelivery",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "Task" => NodeType::Task,
            "OutputAsset" => NodeType::OutputAsset,
            "User" => NodeType::User,
            "Team" => NodeType::Team,
            "Campaign" => NodeType::Campaign,
            "Brief" => NodeType::Brief,
            "ReferenceAsset" => NodeType::ReferenceAsset,
            "WebhookEndpoint" => NodeType::WebhookEndpoint,
            "WebhookDelivery" => NodeType::WebhookDelivery,
            _ => return None,
        })
    }
}

pub(crate) fn encode(node_type: NodeType, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{id}", node_type.name()))
}

/// Reads a global id of any type.
pub(crate) fn decode(id: &str) -> Option<(NodeType, Uuid)> {
    let bytes = URL_SAFE_NO_PAD.decode(id).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (name, uuid) = text.split_once(':')?;
    Some((NodeType::from_name(name)?, Uuid::parse_str(uuid).ok()?))
}
