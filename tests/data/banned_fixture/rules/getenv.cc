// Fixture: must trip only the banned-API rule "getenv".
const char* Home() { return getenv("HOME"); }
