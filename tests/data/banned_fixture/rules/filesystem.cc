// Fixture: must trip only the banned-API rule "filesystem".
#include <filesystem>
