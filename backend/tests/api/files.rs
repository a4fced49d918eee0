use sha2::{Digest, Sha256};

use crate::helpers::both_engines;
use crate::ops::{submit_task::SubmitTaskInput, task_input};

both_engines! {
    async fn an_output_downloads_through_its_signed_link_with_the_recorded_checksum(app) {
        let token = app.admin_token().await;
        let id = app.submit_ok(&token, SubmitTaskInput { seed: Some(7), ..task_input("a kettle") }).await;
        let task = app.wait_until_finished(&token, &id).await;
        let output = &task.outputs[0];

        // No header needed: the link itself is the permission, as for <img src>.
        let response = app.get(output.url.as_deref().unwrap(), None).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "image/png");
        let bytes = response.bytes().await.unwrap();
        assert_eq!(hex::encode(Sha256::digest(&bytes)), output.checksum_sha256.as_deref().unwrap());
        assert_eq!(bytes.len() as f64, output.byte_size.unwrap());
        let image = image::load_from_memory(&bytes).unwrap();
        assert_eq!((image.width(), image.height()), (512, 512));

        let thumbnail = app.get(output.thumbnail_url.as_deref().unwrap(), None).await;
        assert_eq!(thumbnail.status(), 200);
        let thumbnail = image::load_from_memory(&thumbnail.bytes().await.unwrap()).unwrap();
        assert_eq!((thumbnail.width(), thumbnail.height()), (256, 256));
    }

    async fn a_tampered_link_is_refused(app) {
        let token = app.admin_token().await;
        let id = app.submit_ok(&token, task_input("a kettle")).await;
        let task = app.wait_until_finished(&token, &id).await;
        let url = task.outputs[0].url.as_deref().unwrap();

        // The thumbnail's signature does not open the original, nor a later expiry.
        let thumbnail_url = task.outputs[0].thumbnail_url.as_deref().unwrap();
        let thumbnail_signature = thumbnail_url.split("signature=").nth(1).unwrap();
        let (base, _) = url.split_once("signature=").unwrap();
        assert_eq!(app.get(&format!("{base}signature={thumbnail_signature}"), None).await.status(), 403);
        let extended = url.replace("expires=", "expires=9");
        assert_eq!(app.get(&extended, None).await.status(), 403);
        // Without link or token there is no way in.
        let bare = url.split('?').next().unwrap();
        assert_eq!(app.get(bare, None).await.status(), 401);
    }
}
