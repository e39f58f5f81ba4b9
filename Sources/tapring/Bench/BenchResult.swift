/// What one measurement found, per port and for the forwarder.
struct BenchResult: Encodable {
    var forwarder: String
    var mode: String
    var frameLength: Int
    /// Frames per second offered; nil for as fast as the source could.
    var rate: Double?
    var seconds: Double
    var sent: UInt64
    /// Frames the kernel dropped at the input because the forwarder did not
    /// read them in time.
    var inputDrops: UInt64
    var cpuSeconds: Double
    var framesPerCPUSecond: Double
    var ports: [PortResult]

    init(forwarder: String, settings: BenchSettings, sent: UInt64, inputDrops: UInt64,
         window: (start: UInt64, end: UInt64), cpuSeconds: Double, ports: [PortResult]) {
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
        self.inputDrops = inputDrops
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
    var reordered: UInt64
    var duplicates: UInt64
    /// Microseconds from send to arrival; none for a drain, where it is
    /// mostly the time a frame waited for the forwarder to resume.
    var latencyMicroseconds: Latency?

    init(_ analysis: SinkAnalysis, sent: UInt64, drops: UInt64, window: (start: UInt64, end: UInt64), settings: BenchSettings) {
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
