// Fixture: must trip only the banned-API rule "thread".
void Spawn() { std::thread t([] {}); t.join(); }
