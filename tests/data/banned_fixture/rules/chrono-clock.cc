// Fixture: must trip only the banned-API rule "chrono-clock".
auto Now() { return std::chrono::steady_clock::now(); }
