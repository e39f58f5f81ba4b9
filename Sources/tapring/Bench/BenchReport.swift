import Foundation

/// The live progress line of a measurement.
struct Progress {
    let settings: BenchSettings
    let outputs: [String]
    private var previous: (time: UInt64, sent: UInt64, received: [UInt64])?

    init(settings: BenchSettings, outputs: [String]) {
        self.settings = settings
        self.outputs = outputs
    }

    /// Rates since the last line, drops so far, elapsed and remaining time.
    mutating func line(at now: UInt64, since start: UInt64, sent: UInt64, received: [UInt64], drops: UInt64) -> String {
        let last = previous ?? (start, 0, received.map { _ in 0 })
        let interval = max(Double(now &- last.time) / 1e9, 1e-9)
        previous = (now, sent, received)
        let elapsed = Double(now &- start) / 1e9
        let rate = { (frames: UInt64, before: UInt64) in
            String(format: "%.2f Mpps", Double(frames &- before) / interval / 1e6)
        }
        var parts = [String(format: "bench %5.1f s", elapsed), "sent \(rate(sent, last.sent))"]
        for (index, name) in outputs.enumerated() {
            parts.append("\(name) \(rate(received[index], last.received[index]))")
        }
        parts.append("drops \(drops)")
        switch settings.mode {
        case .duration(let seconds): parts.append(String(format: "%.1f s left", max(0, seconds - elapsed)))
        case .count(let count): parts.append("\(count - min(count, sent)) frames left")
        case .drain: break
        }
        return parts.joined(separator: "  ")
    }
}

/// The tester's final words: a table per forwarder, and the comparison.
enum BenchReport {
    static func table(_ result: BenchResult) -> String {
        let header = ["port", "frames", "Mpps", "Gbit/s", "drops", "loss", "uncounted", "reorder", "dup", "p50 µs",
                      "p99 µs", "p99.9 µs"]
        let rows = result.ports.map { port in
            [port.port, "\(port.frames)", String(format: "%.3f", port.mpps), String(format: "%.3f", port.gbps),
             "\(port.drops)", String(format: "%llu (%.2f%%)", port.loss, port.lossPercent), "\(port.unaccounted)",
             "\(port.reordered)", "\(port.duplicates)"]
                + (port.latencyMicroseconds.map {
                    [String(format: "%.1f", $0.p50), String(format: "%.1f", $0.p99), String(format: "%.1f", $0.p99_9)]
                } ?? ["-", "-", "-"])
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        let lines = ([header] + rows).map { row in
            zip(row, widths).enumerated().map { column, cell in
                let padding = String(repeating: " ", count: cell.1 - cell.0.count)
                return column == 0 ? cell.0 + padding : padding + cell.0
            }.joined(separator: "  ")
        }
        let offered = result.rate.map { String(format: " at %.0f frames/s", $0) } ?? ""
        let summary = String(
            format: "%@, %@ of %d-byte frames%@: %llu sent in %.3f s, %llu sent again for a full input queue; "
                + "CPU %.3f s, %.2f Mframes per CPU-second; resident %.1f MiB, at most %.1f, at the end %.1f",
            result.forwarder, result.mode, result.frameLength, offered, result.sent, result.seconds,
            result.inputRetries, result.cpuSeconds, result.framesPerCPUSecond / 1e6, result.residentMiB.start,
            result.residentMiB.peak, result.residentMiB.end)
        return ([summary] + lines).joined(separator: "\n")
    }

    /// The ratio of TapRing's rate and CPU efficiency to QEMU's.
    static func comparison(tapring: BenchResult, qemu: BenchResult) -> String {
        String(format: "tapring %.3f Mpps, qemu %.3f Mpps: ratio %.2f; CPU-efficiency ratio %.2f",
               tapring.totalMpps, qemu.totalMpps, tapring.totalMpps / max(qemu.totalMpps, 1e-9),
               tapring.framesPerCPUSecond / max(qemu.framesPerCPUSecond, 1e-9))
    }

    static func json(_ report: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: (try? encoder.encode(report)) ?? Data(), as: UTF8.self)
    }
}
