import Foundation
import Glibc

/// A program that forwards frames between the netdevs QEMU's options name:
/// `tapring run`, or QEMU 7.2 with no machine, only its networking.
enum Forwarder: CustomStringConvertible {
    case tapring, qemu

    var description: String {
        switch self {
        case .tapring: "tapring"
        case .qemu: "qemu"
        }
    }

    /// Starts the forwarder with the options `networking`, its output discarded.
    func launch(_ networking: [String]) throws -> Process {
        let process = Process()
        switch self {
        case .tapring:
            process.executableURL = TapRingBinary.url
            process.arguments = ["run", "--stats", "0"] + networking
        case .qemu:
            process.executableURL = URL(fileURLWithPath: QEMUProcess.path)
            process.arguments = QEMUProcess.machineNone + networking
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Ends `process`. QEMU is killed: it inherits the test thread's
    /// blocked signals and never unblocks SIGTERM, which tapring takes
    /// with `sigtimedwait` whether blocked or not.
    func stop(_ process: Process) {
        guard process.isRunning else { return }
        if self == .qemu { kill(process.processIdentifier, SIGKILL) } else { process.terminate() }
        process.waitUntilExit()
    }
}

/// QEMU as a forwarder: no machine, only its networking.
enum QEMUProcess {
    static let path = "/usr/bin/qemu-system-x86_64"
    static let isInstalled = FileManager.default.isExecutableFile(atPath: path)
    static let machineNone = ["-machine", "none", "-nodefaults", "-nographic", "-display", "none", "-monitor", "none"]
}
