import Foundation
import Synchronization
import TapRing

/// How a measurement offers its frames.
enum BenchMode: Equatable {
    /// Send for this many seconds.
    case duration(Double)
    /// Send this many frames.
    case count(UInt64)
    /// The drain method: with the forwarder paused, queue this many frames on
    /// the input's kernel side, resume it, and time how fast they come out.
    case drain(UInt64)
}

struct BenchSettings {
    var mode: BenchMode
    /// Frames per second the source keeps to; nil sends as fast as it can.
    var rate: Double?
    var frameLength: Int
    var engine: EngineConfiguration
    /// Print a progress line every second on stderr.
    var progress: Bool
}

/// One run of the source into one forwarder, with a sink on every output.
struct Measurement {
    let topology: BenchTopology
    let settings: BenchSettings
    let waiter: SignalWaiter

    /// Runs the forwarder `qemu` picks and measures it.
    func run(qemu: Bool) throws(Failure) -> BenchResult {
        let run = UInt32.random(in: 1...UInt32.max)
        let analyses = topology.outputs.map { SinkAnalysis(name: $0.name, run: run) }
        var guestSinks: [Int: SinkAnalysis] = [:]
        for (port, analysis) in zip(topology.outputs, analyses) {
            if case .guest(let nic) = port.endpoint { guestSinks[nic] = analysis }
        }
        let forwarder: any Forwarder = qemu
            ? try QEMUForwarder(topology)
            : try TapRingForwarder(topology, configuration: settings.engine, guestSinks: guestSinks)
        defer { forwarder.stop() }
        let input = try prepareTaps(forwarder)
        // QEMU's e1000 holds reception back for a second after the guest's RCTL write.
        if !guestSinks.isEmpty { usleep(1_200_000) }

        let source = try FrameSource(try endpoint(topology.input, forwarder), length: settings.frameLength, run: run)
        var sinks: [FrameSink] = []
        for (port, analysis) in zip(topology.outputs, analyses) where !isGuest(port) {
            let sink = try FrameSink(try endpoint(port, forwarder), analysis: analysis)
            try sink.start()
            sinks.append(sink)
        }
        defer { sinks.forEach { $0.stop() } }

        let refusedBefore = input.map { Self.counter($0, "tx_dropped") } ?? 0
        let outputs = try topology.outputs.map { (port) throws(Failure) -> String? in
            guard case .tap = port.endpoint, case .interface(let name) = try endpoint(port, forwarder) else {
                return nil
            }
            return name
        }
        let outputDropsBefore = outputs.map { $0.map { Self.counter($0, "rx_dropped") } ?? 0 }
        sinks.forEach { _ = $0.droppedFrames() }
        var memory = ResidentMemory(start: forwarder.residentBytes())
        let window: (start: UInt64, end: UInt64)
        let cpu: Double
        if case .drain(let count) = settings.mode {
            forwarder.pause()
            usleep(100_000)
            source.send(count: count, until: nil, rate: nil)
            let start = wallClockNow()
            let cpuBefore = forwarder.cpuSeconds()
            forwarder.resume()
            waitUntilQuiet(analyses, expecting: count)
            cpu = forwarder.cpuSeconds() - cpuBefore
            window = (start, analyses.map(\.lastArrival).max() ?? start)
        } else {
            let cpuBefore = forwarder.cpuSeconds()
            let start = wallClockNow()
            sendWithProgress(source, analyses: analyses, forwarder: forwarder, start: start, memory: &memory)
            let end = wallClockNow()
            waitUntilQuiet(analyses, expecting: source.sent.load(ordering: .relaxed))
            cpu = forwarder.cpuSeconds() - cpuBefore
            window = (start, end)
        }
        memory.sample(forwarder.residentBytes())
        sinks.forEach { $0.stop() }
        let drops = forwarder.drops()
        let refused = (input.map { Self.counter($0, "tx_dropped") } ?? 0) - refusedBefore
        // What the kernel dropped on its way to a sink: its ring was full, or the
        // output tap's backlog.
        var sinkDrops = zip(outputs, outputDropsBefore).map { name, before in
            name.map { Self.counter($0, "rx_dropped") - before } ?? 0
        }
        var next = 0
        for (index, port) in topology.outputs.enumerated() where !isGuest(port) {
            sinkDrops[index] += sinks[next].droppedFrames()
            next += 1
        }
        let sent = source.sent.load(ordering: .relaxed)
        return BenchResult(
            forwarder: forwarder.name, settings: settings, sent: sent, inputRetries: refused, window: window,
            cpuSeconds: cpu, memory: memory,
            ports: zip(analyses, sinkDrops).map { analysis, sinkDrops in
                PortResult(analysis, sent: sent, drops: drops[analysis.name] ?? 0, sinkDrops: sinkDrops,
                           window: window, settings: settings)
            })
    }

    private func isGuest(_ port: BenchTopology.Port) -> Bool {
        if case .guest = port.endpoint { return true }
        return false
    }

    private func endpoint(_ port: BenchTopology.Port,
                          _ forwarder: any Forwarder) throws(Failure) -> FrameSource.Endpoint {
        switch port.endpoint {
        case .tap(let netdev):
            guard let name = topology.interface(of: netdev, engineInterfaces: forwarder.interfaces) else {
                throw Failure("tapring bench: give netdev \(netdev) an ifname= the tester can find")
            }
            return .interface(name)
        case .stream(let descriptor):
            return .stream(descriptor)
        case .guest:
            preconditionFailure("a guest is counted by its driver model")
        }
    }

    /// Waits for the forwarder's taps and brings them up without IPv6, so
    /// that only the tester's frames cross them; returns the input's interface.
    private func prepareTaps(_ forwarder: any Forwarder) throws(Failure) -> String? {
        let ports = [topology.input] + topology.outputs
        var input: String?
        for port in ports {
            guard case .tap(let netdev) = port.endpoint else { continue }
            let name = try endpoint(port, forwarder)
            guard case .interface(let interface) = name else { continue }
            var waited = 0
            while if_nametoindex(interface) == 0 {
                guard waited < 100, !((forwarder as? QEMUForwarder)?.hasExited ?? false) else {
                    throw Failure("tapring bench: \(forwarder.name) did not create \(interface) for netdev \(netdev)")
                }
                usleep(50_000)
                waited += 1
            }
            try? "1".write(toFile: "/proc/sys/net/ipv6/conf/\(interface)/disable_ipv6", atomically: false,
                encoding: .utf8)
            var arguments = ["link", "set", interface, "up"]
            if port.name == topology.input.name {
                input = interface
                // Room on the kernel side for a whole drain.
                if case .drain(let count) = settings.mode { arguments += ["txqueuelen", "\(max(count, 1000))"] }
            }
            try Self.ip(arguments)
        }
        return input
    }

    private static func ip(_ arguments: [String]) throws(Failure) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        if access("/usr/sbin/ip", X_OK) != 0 { process.executableURL = URL(fileURLWithPath: "/sbin/ip") }
        process.arguments = arguments
        do {
            try process.run()
        } catch {
            throw Failure("tapring bench: could not run ip (Debian: apt-get install iproute2): \(error)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure("tapring bench: ip \(arguments.joined(separator: " ")) failed")
        }
    }

    /// The resident set of process `process` (a pid, or `self`), in bytes.
    static func residentBytes(of process: String) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    /// A counter of `/sys/class/net/INTERFACE/statistics`.
    static func counter(_ interface: String, _ name: String) -> UInt64 {
        let text = try? String(contentsOfFile: "/sys/class/net/\(interface)/statistics/\(name)", encoding: .utf8)
        return text.flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
    }

    /// Sends on a thread of its own for the mode's duration or count, with a
    /// line of progress every second; SIGINT or SIGTERM ends it early.
    private func sendWithProgress(_ source: FrameSource, analyses: [SinkAnalysis], forwarder: any Forwarder,
                                  start: UInt64, memory: inout ResidentMemory) {
        let done = DispatchSemaphore(value: 0)
        let (count, deadline): (UInt64?, UInt64?)
        switch settings.mode {
        case .duration(let seconds): (count, deadline) = (nil, start + UInt64(seconds * 1e9))
        case .count(let frames): (count, deadline) = (frames, nil)
        case .drain: preconditionFailure("a drain sends with the forwarder paused")
        }
        let rate = settings.rate
        let thread = Thread {
            source.send(count: count, until: deadline, rate: rate)
            done.signal()
        }
        thread.start()
        var progress = Progress(settings: settings, outputs: analyses.map(\.name))
        while done.wait(timeout: .now() + .seconds(1)) == .timedOut {
            memory.sample(forwarder.residentBytes())
            if waiter.wait(seconds: 0) != nil {
                source.stop()
                done.wait()
                return
            }
            if settings.progress {
                printError(progress.line(at: wallClockNow(), since: start, sent: source.sent.load(ordering: .relaxed),
                                         received: analyses.map { $0.received.load(ordering: .relaxed) },
                                         drops: forwarder.drops().values.reduce(0, +)))
            }
        }
    }

    /// Waits until every sink has `count` frames, or none has had a frame
    /// for 300 ms.
    private func waitUntilQuiet(_ analyses: [SinkAnalysis], expecting count: UInt64) {
        var totals = analyses.map { $0.received.load(ordering: .relaxed) }
        var quietSince = wallClockNow()
        while wallClockNow() - quietSince < 300_000_000 {
            usleep(1_000)
            let now = analyses.map { $0.received.load(ordering: .relaxed) }
            if now.allSatisfy({ $0 >= count }) { return }
            if now != totals {
                totals = now
                quietSince = wallClockNow()
            }
        }
    }
}
