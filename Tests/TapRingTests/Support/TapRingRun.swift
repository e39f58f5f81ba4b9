import Foundation
import Glibc

/// `tapring run` on taps the test names (through `launcher` when given),
/// waited for until they exist, then brought up, with a packet socket open
/// on the kernel side of each. Terminated when dropped, if still running.
final class TapRingRun {
    let process = Process()
    let output = Pipe()
    let errors = Pipe()
    let sockets: [PacketSocket]

    init(_ arguments: [String], taps: [String], launcher: String? = nil) throws {
        let command = [TapRingBinary.url.path, "run"] + arguments
        process.executableURL = URL(fileURLWithPath: launcher ?? command[0])
        process.arguments = launcher == nil ? Array(command.dropFirst()) : command
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        do {
            try Kernel.waitForInterfaces(taps, createdBy: process)
            sockets = try taps.map { tap in
                try Kernel.bringUp(tap)
                return try PacketSocket(interface: tap)
            }
        } catch {
            process.terminate()
            throw error
        }
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// Sends SIGINT and waits for the exit: what the run printed on
    /// standard output, and on standard error.
    func interrupt() -> (output: Data, errors: String) {
        process.interrupt()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (printed, errorText)
    }
}
