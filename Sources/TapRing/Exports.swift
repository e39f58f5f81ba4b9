// The plan an engine runs comes from the options module, and the engine's
// errors from the planning module: whoever imports TapRing reads command
// lines and catches EngineError too.
@_exported import TapRingOptions
@_exported import TapRingPlan
