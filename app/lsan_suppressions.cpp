// fontconfig, pango, glib and cairo keep process-wide caches until exit (receipts are
// rendered with them); LeakSanitizer would report those as leaks in sanitized builds.
// Only these libraries are suppressed; the symbol is ignored without LeakSanitizer.
extern "C" const char* __lsan_default_suppressions() {
    return "leak:libfontconfig\nleak:libpango\nleak:libglib\nleak:libgobject\nleak:libharfbuzz\nleak:libcairo\n";
}
