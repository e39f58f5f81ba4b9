/// What one measurement found, per port and for the forwarder.
struct BenchResult: Encodable {
    var forwarder: String
    var mode: String
    var frameLength: Int
    /// Frames per second offered; nil for as fast as the source could.
    var rate: Double?
    var seconds: Double
    var sent: UInt64
    /// Sends the input tap refused for a full queue (its `tx_dropped`): the
    /// source sends them again, so they are not lost, but they show the
    /// forwarder fell behind.
    var inputRetries: UInt64
    var cpuSeconds: Double
    var framesPerCPUSecond: Double
    /// The forwarder's resident memory when sending began, at its highest,
    /// and at the end, in MiB.
    var residentMiB: ResidentMemory.Summary
    var ports: [PortResult]

    init(forwarder: String, settings: BenchSettings, sent: UInt64, inputRetries: UInt64,
         window: (start: UInt64, end: UInt64), cpuSeconds: Double, memory: ResidentMemory, ports: [PortResult]) {
        residentMiB = memory.summary
        self.forwarder = forwarder
        switch settings.mode {
        case .duration: mode = "duration"
        case .count: mode = "count"
        case .drain: mode = "drain"
        }
        frameLength = settings.frameLength
        rate = settings.rate
        seconds = Double(window.end &- window.start) / 1e9
        self.sent = sent
        self.inputRetries = inputRetries
        self.cpuSeconds = cpuSeconds
        let delivered = ports.reduce(0) { $0 + $1.frames }
        framesPerCPUSecond = cpuSeconds > 0 ? Double(delivered) / cpuSeconds : 0
        self.ports = ports
    }

    /// Frame copies per second over all outputs.
    var totalMpps: Double { ports.reduce(0) { $0 + $1.mpps } }
}

struct PortResult: Encodable {
    struct Latency: Encodable {
        var p50: Double
        var p99: Double
        var p99_9: Double
    }

    var port: String
    /// Distinct frames of the run that arrived.
    var frames: UInt64
    var mpps: Double
    var gbps: Double
    /// Frames the forwarder dropped for this port's full queue.
    var drops: UInt64
    /// Frames sent that never arrived, and as a share of those sent.
    var loss: UInt64
    var lossPercent: Double
    /// Frames the kernel dropped on their way from the forwarder to the
    /// sink: its receive ring was full, or the output tap's backlog.
    var sinkDrops: UInt64
    /// Frames lost that no counter accounts for: loss less the forwarder's
    /// drops and the sink's. Zero when every frame is counted.
    var unaccounted: Int64
    var reordered: UInt64
    var duplicates: UInt64
    /// Microseconds from send to arrival; none for a drain, where it is
    /// mostly the time a frame waited for the forwarder to resume.
    var latencyMicroseconds: Latency?

    init(_ analysis: SinkAnalysis, sent: UInt64, drops: UInt64, sinkDrops: UInt64,
         window: (start: UInt64, end: UInt64), settings: BenchSettings) {
        port = analysis.name
        frames = analysis.received.load(ordering: .relaxed)
        var end = window.end
        if case .drain = settings.mode { end = analysis.lastArrival }
        let seconds = max(Double(end &- window.start) / 1e9, 1e-9)
        mpps = Double(frames) / seconds / 1e6
        gbps = mpps * Double(settings.frameLength) * 8 / 1e3
        self.drops = drops
        loss = sent > frames ? sent - frames : 0
        lossPercent = sent > 0 ? Double(loss) / Double(sent) * 100 : 0
        self.sinkDrops = sinkDrops
        unaccounted = Int64(loss) - Int64(drops) - Int64(sinkDrops)
        reordered = analysis.reordered
        duplicates = analysis.duplicates
        if case .drain = settings.mode {
            latencyMicroseconds = nil
        } else if frames > 0 {
            let histogram = analysis.latency
            latencyMicroseconds = Latency(
                p50: Double(histogram.valueAtPercentile(50)) / 1e3, p99: Double(histogram.valueAtPercentile(99)) / 1e3,
                p99_9: Double(histogram.valueAtPercentile(99.9)) / 1e3)
        }
    }
}

/// The forwarder's resident memory over a measurement.
struct ResidentMemory {
    struct Summary: Encodable {
        var start: Double
        var peak: Double
        var end: Double
    }

    private let start: Int
    private var peak: Int
    private var end: Int

    init(start: Int) {
        self.start = start
        peak = start
        end = start
    }

    mutating func sample(_ bytes: Int) {
        peak = max(peak, bytes)
        end = bytes
    }

    var summary: Summary {
        let mebibyte = Double(1 << 20)
        return Summary(start: Double(start) / mebibyte, peak: Double(peak) / mebibyte, end: Double(end) / mebibyte)
    }
}
