fn main() {
    // Panics show up in the browser console with a message instead of "unreachable".
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(kiln_frontend::App);
}
