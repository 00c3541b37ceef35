fn main() {
    rolebar_tray::app::run();
}
