// Fixture: must trip only the banned-API rule "random-device".
unsigned Seed() { std::random_device rd; return rd(); }
