import ArgumentParser
import Foundation
import TapRing

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure frame throughput, loss and latency through a topology of QEMU networking options.",
        discussion: """
            Frames go into the first tap from its kernel side (a packet socket, sendmmsg) and are counted where \
            they come out: on the kernel side of every other tap (a TPACKET_V3 ring) and in the guest of every \
            e1000 (the guest driver model). Each frame carries a sequence number and its send time, for loss, \
            reordering, duplicates and latency. Without options, the topology is two taps and an e1000 on hub 0; \
            without root or /dev/net/tun, socket pairs stand in for the taps.

              tapring bench --duration 10 --size 1500
              tapring bench --drain --compare qemu
              tapring bench --sweep 100k,200k,500k -netdev tap,id=a,ifname=ta0,script=no,downscript=no \\
                  -netdev tap,id=b,ifname=tb0,script=no,downscript=no \\
                  -netdev hubport,id=pa,hubid=0,netdev=a -netdev hubport,id=pb,hubid=0,netdev=b
            """
    )

    @Option(parsing: .unconditional, help: "Send for this many seconds (default 5, unless --count or --drain).")
    var duration: Double?

    @Option(parsing: .unconditional, help: "Send this many frames; with --drain, queue this many (default 262144).")
    var count: UInt64?

    @Flag(help: "The drain method: pause the forwarder, queue --count frames on the input, resume, time the drain.")
    var drain = false

    @Option(help: "Frames per second to offer, such as 500k or 1.2M (default: as fast as the source can).")
    var rate: FrameRate?

    @Option(help: "Measure at each of these rates in turn, such as 100k,200k,500k.")
    var sweep: FrameRateList?

    @Option(parsing: .unconditional, help: "Frame length in bytes, without the FCS.")
    var size = 64

    @Option(help: "Measure QEMU with the same topology as well (the only value: qemu).")
    var compare: CompareTarget?

    @Option(parsing: .unconditional, help: "With --compare, how many times to measure each, alternately.")
    var rounds = 1

    @Flag(help: "Print the results as JSON.")
    var json = false

    @OptionGroup var engine: EngineOptions

    @Argument(parsing: .captureForPassthrough, help: "QEMU networking options (-netdev ..., -device ...).")
    var qemuOptions: [String] = []

    func validate() throws {
        try requestHelpIfAsked(qemuOptions, for: self)
        try checkSeconds(duration, option: "--duration", least: 0, inclusive: false)
        guard (TestFrame.minimumLength...1514).contains(size) else {
            throw ValidationError("--size: between \(TestFrame.minimumLength) and 1514 bytes, not \(size)")
        }
        guard [duration != nil, count != nil && !drain, sweep != nil].filter({ $0 }).count <= 1 else {
            throw ValidationError("--duration, --count and --sweep: give one of them")
        }
        if drain && (rate != nil || sweep != nil || duration != nil) {
            throw ValidationError("--drain: queues as fast as it can; --rate, --sweep and --duration do not apply")
        }
        guard rounds >= 1 else { throw ValidationError("--rounds: at least 1") }
    }

    func run() throws {
        do {
            try measure()
        } catch {
            printError("\(error)")
            throw ExitCode.failure
        }
    }

    private var mode: BenchMode {
        if drain { return .drain(count ?? 262_144) }
        if let count { return .count(count) }
        return .duration(duration ?? 5)
    }

    private func measure() throws(Failure) {
        let waiter = SignalWaiter()
        var topology = try BenchTopology.make(qemuOptions)
        defer { topology.closeDescriptors() }
        if compare != nil {
            guard let taps = try topology.withoutNICs() else {
                throw Failure("tapring bench: --compare qemu needs a tap to count frames at besides the input: "
                    + "QEMU's -machine none has no bus for a NIC")
            }
            if taps.outputs.count < topology.outputs.count {
                printError("tapring bench: compared without NICs: QEMU's -machine none has no bus to plug them into")
            }
            topology = taps
            if QEMUForwarder.locate() == nil { _ = try QEMUForwarder(topology) }
        }
        if let note = topology.note { printError("tapring bench: \(note)") }

        var settings = BenchSettings(mode: mode, rate: rate?.framesPerSecond, frameLength: size,
                                     engine: engine.configuration, progress: !json)
        var results: [BenchResult] = []
        var summaries: [String] = []
        for offered in sweep?.rates ?? [settings.rate] {
            settings.rate = offered
            let measurement = Measurement(topology: topology, settings: settings, waiter: waiter)
            for _ in 0..<rounds {
                let tapring = try measurement.run(qemu: false)
                results.append(tapring)
                if !json { print(BenchReport.table(tapring) + "\n") }
                guard compare != nil else { continue }
                let qemu = try measurement.run(qemu: true)
                results.append(qemu)
                if !json { print(BenchReport.table(qemu) + "\n") }
                summaries.append(BenchReport.comparison(tapring: tapring, qemu: qemu))
            }
        }
        if json {
            print(BenchReport.json(Report(topology: topology.options, note: topology.note, results: results)))
        } else {
            summaries.forEach { print($0) }
        }
    }

    private struct Report: Encodable {
        var topology: [String]
        var note: String?
        var results: [BenchResult]
    }
}

enum CompareTarget: String, ExpressibleByArgument {
    case qemu
}

/// A rate in frames per second, written plainly or with a k or M suffix.
struct FrameRate: ExpressibleByArgument {
    var framesPerSecond: Double

    init?(argument: String) {
        let scale: Double = argument.hasSuffix("M") ? 1e6 : argument.hasSuffix("k") ? 1e3 : 1
        let digits = scale == 1 ? argument : String(argument.dropLast())
        guard let value = Double(digits), value > 0 else { return nil }
        framesPerSecond = value * scale
    }
}

struct FrameRateList: ExpressibleByArgument {
    var rates: [Double?]

    init?(argument: String) {
        let parsed = argument.split(separator: ",").map { FrameRate(argument: String($0)) }
        guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil }) else { return nil }
        rates = parsed.map { $0?.framesPerSecond }
    }
}
