use serde_json::json;
use sha2::{Digest, Sha256};

use crate::helpers::both_engines;

both_engines! {
    async fn an_output_downloads_through_its_signed_link_with_the_recorded_checksum(app) {
        let token = app.admin_token().await;
        let payload = app.submit(&token, json!({ "prompt": "a kettle", "seed": 7 })).await;
        let id = payload["task"]["id"].as_str().unwrap().to_owned();
        let task = app.wait_until_finished(&token, &id).await;
        let output = &task["outputs"][0];

        // No header needed: the link itself is the permission, as for <img src>.
        let response = app.get(output["url"].as_str().unwrap(), None).await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "image/png");
        let bytes = response.bytes().await.unwrap();
        assert_eq!(hex::encode(Sha256::digest(&bytes)), output["checksumSha256"].as_str().unwrap());
        assert_eq!(bytes.len() as f64, output["byteSize"].as_f64().unwrap());
        let image = image::load_from_memory(&bytes).unwrap();
        assert_eq!((image.width(), image.height()), (512, 512));

        let thumbnail = app.get(output["thumbnailUrl"].as_str().unwrap(), None).await;
        assert_eq!(thumbnail.status(), 200);
        let thumbnail = image::load_from_memory(&thumbnail.bytes().await.unwrap()).unwrap();
        assert_eq!((thumbnail.width(), thumbnail.height()), (256, 256));
    }

    async fn a_tampered_link_is_refused(app) {
        let token = app.admin_token().await;
        let payload = app.submit(&token, json!({ "prompt": "a kettle" })).await;
        let id = payload["task"]["id"].as_str().unwrap().to_owned();
        let task = app.wait_until_finished(&token, &id).await;
        let url = task["outputs"][0]["url"].as_str().unwrap();

        // The thumbnail's signature does not open the original, nor a later expiry.
        let thumbnail_url = task["outputs"][0]["thumbnailUrl"].as_str().unwrap();
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
