// Fixture: must trip only the banned-API rule "system".
int Shell() { return std::system("ls"); }
