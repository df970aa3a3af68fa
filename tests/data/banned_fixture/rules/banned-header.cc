// Fixture: must trip only the banned-API rule "banned-header".
#include <mutex>
