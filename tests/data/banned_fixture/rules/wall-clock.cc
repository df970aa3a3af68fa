// Fixture: must trip only the banned-API rule "wall-clock".
int Now(struct timespec* ts) { return clock_gettime(0, ts); }
