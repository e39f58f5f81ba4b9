// CTapRing: the C interface's header as a module, so that the Swift code
// behind it (Sources/TapRingC) uses the very types C callers see. Nothing
// is defined here.
#include "tapring.h"
