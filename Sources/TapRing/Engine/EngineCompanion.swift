/// Work that runs beside an engine's reactors, on a thread of its own, from
/// `Engine.start()` until `Engine.stop()`: the server of a remote VM's NIC, or
/// a guest model that stands in for an emulator.
package struct EngineCompanion: Sendable {
    /// What it is, for the error when its thread cannot be started.
    package let name: String
    /// Runs until `stop` is called.
    package let run: @Sendable () -> Void
    package let stop: @Sendable () -> Void

    package init(name: String, run: @escaping @Sendable () -> Void, stop: @escaping @Sendable () -> Void) {
        self.name = name
        self.run = run
        self.stop = stop
    }
}
