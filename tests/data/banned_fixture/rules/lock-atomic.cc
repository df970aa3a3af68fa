// Fixture: must trip only the banned-API rule "lock-atomic".
std::atomic<int> counter;
