//! Team isolation: nothing of one team is visible to another, through any door.

use kiln::domain::account::Role;

use crate::helpers::{both_engines, code};
use crate::ops::{self, task_and_node, task_input};

both_engines! {
    async fn another_team_can_neither_read_nor_list_nor_download_a_task(app) {
        let owner = app.admin_token().await;
        let id = app.submit_ok(&owner, task_input("confidential launch visual")).await;
        let task = app.wait_until_finished(&owner, &id).await;
        let output = &task.outputs[0];

        let stranger = app.member(Some("Rival Agency"), &[Role::Admin, Role::Creator]).await;
        let read = app.op::<ops::TaskAndNode>(Some(&stranger), task_and_node::Variables { id: id.clone() }).await;
        assert!(read.task.is_none());
        assert!(read.node.is_none());
        let output_node = app.op::<ops::NodeId>(Some(&stranger), ops::node_id::Variables { id: output.id.clone() }).await;
        assert!(output_node.node.is_none());
        let list = app.op::<ops::Tasks>(Some(&stranger), ops::tasks::Variables { first: 20, after: None, filter: None }).await;
        assert_eq!(list.tasks.edges, vec![]);

        // Their own token on the download path gets a 404, as for a missing file…
        let asset_id = output.url.as_deref().unwrap().split('/').nth(2).unwrap().to_owned();
        let download = app.get(&format!("/files/{asset_id}/original"), Some(&stranger)).await;
        assert_eq!(download.status(), 404);
        // …while the owner's team downloads it with theirs.
        let own = app.get(&format!("/files/{asset_id}/original"), Some(&owner)).await;
        assert_eq!(own.status(), 200);
    }

    async fn another_team_cannot_subscribe_to_a_task(app) {
        let owner = app.admin_token().await;
        let id = app.submit_ok(&owner, task_input("confidential")).await;
        let stranger = app.member(Some("Rival Agency"), &[Role::Creator]).await;
        let mut subscription = app.subscribe_op::<ops::TaskUpdated>(&stranger, ops::task_updated::Variables { id }).await;
        let event = subscription.next_event().await;
        let errors = event.errors().unwrap_or_else(|| panic!("expected errors, got {event:?}"));
        assert_eq!(code(errors), "NOT_FOUND", "{errors:?}");
    }

    async fn another_teams_task_events_never_reach_a_subscriber(app) {
        let owner = app.admin_token().await;
        let stranger = app.member(Some("Rival Agency"), &[Role::Creator]).await;
        let mut theirs = app.subscribe_op::<ops::TaskEvents>(&stranger, ops::task_events::Variables).await;

        let secret_id = app.submit_ok(&owner, task_input("confidential")).await;
        app.wait_until_finished(&owner, &secret_id).await;
        // Events are delivered in order: the stranger's first event is their own task,
        // so none of the owner's (all earlier) came through.
        app.submit(&stranger, task_input("our own")).await;
        let first = theirs.next().await;
        assert_eq!(first.task_events.task.prompt, "our own");
    }

    async fn a_user_of_another_team_is_not_a_node(app) {
        let owner = app.admin_token().await;
        let viewer = app.op::<ops::Viewer>(Some(&owner), ops::viewer::Variables).await;
        let user_id = viewer.viewer.unwrap().user.id;
        let stranger = app.member(Some("Rival Agency"), &[Role::Creator]).await;
        // No error either: the node is simply not there.
        let data = app.op::<ops::NodeId>(Some(&stranger), ops::node_id::Variables { id: user_id }).await;
        assert!(data.node.is_none(), "{data:?}");
    }
}
