// Fixture: must trip only the banned-API rule "file-io".
void* Open() { return fopen("x", "r"); }
