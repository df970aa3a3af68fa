// Fixture: must trip only the banned-API rule "time".
long Now() { return long(time(nullptr)); }
