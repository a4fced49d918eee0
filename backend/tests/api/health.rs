use crate::helpers::both_engines;

both_engines! {
    async fn liveness_and_readiness_answer(app) {
        let live = app.get("/healthz", None).await;
        assert_eq!(live.status(), 200);
        let ready = app.get("/readyz", None).await;
        assert_eq!(ready.status(), 200);
        assert_eq!(ready.text().await.unwrap(), "ready");
    }

    async fn graphiql_is_served_on_get(app) {
        let page = app.get("/graphql", None).await;
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("graphiql"));
    }

    async fn the_server_stops_gracefully_on_request(app) {
        let base = app.base.clone();
        app.stop().await;
        app.stop().await;
        assert!(reqwest::get(format!("{base}/healthz")).await.is_err(), "nothing listens any more");
    }
}

#[tokio::test]
async fn the_built_frontend_is_served_for_app_routes() {
    let app = crate::helpers::TestApp::spawn_with(crate::helpers::Engine::Sqlite, |config| {
        let dir = config.data_dir.join("dist");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("index.html"),
            "<!doctype html><title>Kiln app</title>",
        )
        .unwrap();
        config.frontend_dir = dir;
    })
    .await;
    for path in ["/", "/tasks/some-task", "/login"] {
        let page = app.get(path, None).await;
        assert_eq!(page.status(), 200, "{path}");
        assert!(page.text().await.unwrap().contains("Kiln app"), "{path}");
    }
}
