// No console window on Windows release builds; logs go to stderr where there is one.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    rolebar_app::run()
}
