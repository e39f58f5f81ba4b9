import Foundation
import TapRing

/// Turns counter snapshots into rate lines, a final table, or JSON.
struct StatisticsReport {
    private var previous: [PortStatistics]
    private var previousTime = 0.0

    init(start: [PortStatistics]) {
        previous = start
    }

    /// One line with each port's frame rates and drops since the last line.
    mutating func intervalLine(_ current: [PortStatistics], at seconds: Double) -> String {
        let interval = max(seconds - previousTime, 1e-9)
        let ports = zip(previous, current).map { before, now in
            let rateIn = Double(now.framesIn - before.framesIn) / interval
            let rateOut = Double(now.framesOut - before.framesOut) / interval
            return "\(now.netdev) in \(Self.rate(rateIn)) out \(Self.rate(rateOut)) drops \(now.drops - before.drops)"
                + (now.down ? " DOWN" : "")
        }
        previous = current
        previousTime = seconds
        return String(format: "tapring: %6.1fs  ", seconds) + ports.joined(separator: " | ")
    }

    /// One line of JSON with each port's totals so far, for machines that
    /// follow a run as it goes.
    func progressJSON(_ current: [PortStatistics], at seconds: Double) -> String {
        let progress = Summary(seconds: seconds, ports: current.map { Summary.Port($0, seconds: seconds) })
        return Self.encode(progress, formatting: [.sortedKeys])
    }

    /// A table of totals and average rates over `seconds`.
    func table(_ ports: [PortStatistics], seconds: Double) -> String {
        let header = ["netdev", "interface", "frames in", "frames out", "in/s", "out/s", "drops", "errors", "state"]
        let rows = ports.map { port in
            [port.netdev, port.interface, "\(port.framesIn)", "\(port.framesOut)",
             Self.rate(Double(port.framesIn) / seconds), Self.rate(Double(port.framesOut) / seconds),
             "\(port.drops)", "\(port.errors)", port.down ? "down" : "up"]
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        let lines = ([header] + rows).map { row in
            zip(row, widths).enumerated().map { column, cell in
                let padding = String(repeating: " ", count: cell.1 - cell.0.count)
                return column < 2 || column == row.count - 1 ? cell.0 + padding : padding + cell.0
            }.joined(separator: "  ")
        }
        return (lines + [String(format: "over %.2f s", seconds)]).joined(separator: "\n")
    }

    func json(_ ports: [PortStatistics], seconds: Double) -> String {
        let summary = Summary(seconds: seconds, ports: ports.map { Summary.Port($0, seconds: seconds) })
        return Self.encode(summary, formatting: [.prettyPrinted, .sortedKeys])
    }

    private static func encode(_ summary: Summary, formatting: JSONEncoder.OutputFormatting) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: (try? encoder.encode(summary)) ?? Data(), as: UTF8.self)
    }

    private static func rate(_ framesPerSecond: Double) -> String {
        switch framesPerSecond {
        case 1e6...: String(format: "%.2fM", framesPerSecond / 1e6)
        case 1e3...: String(format: "%.1fk", framesPerSecond / 1e3)
        default: String(format: "%.0f", framesPerSecond)
        }
    }

    private struct Summary: Encodable {
        /// A port's totals with its average rates beside them.
        struct Port: Encodable {
            var statistics: PortStatistics
            var seconds: Double

            private enum Rate: String, CodingKey {
                case framesInPerSecond, framesOutPerSecond
            }

            init(_ statistics: PortStatistics, seconds: Double) {
                self.statistics = statistics
                self.seconds = seconds
            }

            func encode(to encoder: any Encoder) throws {
                try statistics.encode(to: encoder)
                var rates = encoder.container(keyedBy: Rate.self)
                try rates.encode(Double(statistics.framesIn) / seconds, forKey: .framesInPerSecond)
                try rates.encode(Double(statistics.framesOut) / seconds, forKey: .framesOutPerSecond)
            }
        }

        var seconds: Double
        var ports: [Port]
    }
}
