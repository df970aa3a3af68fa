// Fixture: must trip only the banned-API rule "fork".
int Child() { return fork(); }
