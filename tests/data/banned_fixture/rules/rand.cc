// Fixture: must trip only the banned-API rule "rand".
int Roll() { return rand() % 6; }
