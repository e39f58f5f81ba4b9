import ArgumentParser
import TapRing

/// Options that shape the engine rather than the network.
struct EngineOptions: ParsableArguments {
    // `.unconditional`: `--reactors -1` is a value to refuse, not a missing one.
    @Option(parsing: .unconditional, help: "Reactor threads (default: one per CPU, at most one per port).")
    var reactors: Int?

    @Option(help: "How taps are read: fixed (batches of fixed-buffer reads) or multishot.")
    var readMode: EngineConfiguration.ReadMode = .fixedBuffers

    @Option(parsing: .unconditional,
        help: "Frames read from a tap or datagram socket in one batch at most (default 256).")
    var batch: Int?

    @Flag(inversion: .prefixedNo, help: "Pin each reactor thread to a CPU of its own.")
    var pin = true

    @Option(help: "How reactors do I/O: automatic (io_uring, else poll), io-uring, or poll.")
    var ioBackend: EngineConfiguration.IOBackend = .automatic

    func validate() throws {
        if let reactors, !(1...EngineConfiguration.reactorLimit).contains(reactors) {
            throw ValidationError("--reactors: between 1 and \(EngineConfiguration.reactorLimit), not \(reactors)")
        }
        if let batch, !(1...4096).contains(batch) {
            throw ValidationError("--batch: between 1 and 4096 frames, not \(batch)")
        }
    }

    var configuration: EngineConfiguration {
        var configuration = EngineConfiguration()
        configuration.reactorCount = reactors
        configuration.readMode = readMode
        if let batch { configuration.readDepth = batch }
        configuration.pinsReactors = pin
        configuration.ioBackend = ioBackend
        return configuration
    }
}

extension EngineConfiguration.ReadMode: ExpressibleByArgument {}
extension EngineConfiguration.IOBackend: ExpressibleByArgument {}
