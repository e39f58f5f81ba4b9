// The plan an engine runs comes from the options module: whoever imports
// TapRing reads command lines too.
@_exported import TapRingOptions
