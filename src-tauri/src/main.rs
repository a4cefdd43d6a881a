fn main() {
    tp_tray::run();
}
