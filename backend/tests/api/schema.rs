//! The checked-in `schema.graphql` is what third-party tools and the frontend build
//! against; it must match what the server serves.

#[test]
fn schema_graphql_matches_the_served_schema() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema.graphql");
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    let served = kiln::graphql::sdl();
    assert!(
        checked_in == served,
        "schema.graphql is out of date with the code; regenerate it with `cargo xtask schema` \
         and review the diff (a removed or renamed field breaks API clients)"
    );
}
