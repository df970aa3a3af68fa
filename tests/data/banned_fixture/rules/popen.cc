// Fixture: must trip only the banned-API rule "popen".
void* Shell() { return popen("ls", "r"); }
