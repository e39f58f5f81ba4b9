import Foundation
import TapRing
import TapRingHarness

/// The program under test, between the tester's source and its sinks.
protocol Forwarder: AnyObject {
    /// For reports: `tapring` or `qemu`.
    var name: String { get }
    /// The interfaces of its taps, in the order of their netdevs; nil when
    /// the command line names them.
    var interfaces: [String]? { get }
    /// Stops and resumes reading its netdevs, for the drain method.
    func pause()
    func resume()
    /// CPU seconds its forwarding threads have used.
    func cpuSeconds() -> Double
    /// Frames dropped for a full queue, by netdev id or NIC name, as far as it counts them.
    func drops() -> [String: UInt64]
    /// Its resident memory, in bytes.
    func residentBytes() -> Int
    func stop()
}

/// TapRing's engine in this process, with a guest driver model behind each
/// NIC whose frames go to the sink of that NIC.
final class TapRingForwarder: Forwarder {
    let name = "tapring"
    private let engine: Engine

    init(_ topology: BenchTopology, configuration: EngineConfiguration,
         guestSinks: [Int: SinkAnalysis]) throws(Failure) {
        do throws(EngineError) {
            engine = try Engine(topology.plan, configuration: configuration) { nic in
                let sink = guestSinks[nic]
                return { frame in sink?.record(frame, now: wallClockNow()) }
            }
            engine.backendNotice.map { printError("tapring: warning: \($0)") }
            try engine.start()
        } catch {
            throw Failure("tapring: \(error)")
        }
    }

    var interfaces: [String]? { engine.interfaces }
    func pause() { engine.pause() }
    func resume() { engine.resume() }
    func cpuSeconds() -> Double { engine.reactorCPUSeconds() }

    func drops() -> [String: UInt64] {
        Dictionary(engine.statistics().map { ($0.netdev, $0.drops) }, uniquingKeysWith: +)
    }

    /// The whole process's: the engine's, and the tester's own, which stays flat.
    func residentBytes() -> Int { Measurement.residentBytes(of: "self") }

    func stop() { engine.stop() }
}

/// `qemu-system-x86_64 -machine none` with the same networking options.
final class QEMUForwarder: Forwarder {
    static let executable = "qemu-system-x86_64"
    let name = "qemu"
    private var pid: pid_t = 0
    private var exited = false

    /// Starts QEMU with every signal unblocked: the tester blocks SIGINT and
    /// SIGTERM to take them synchronously, and a child would inherit that.
    ///
    /// The corresponding C function is `posix_spawn`.
    init(_ topology: BenchTopology) throws(Failure) {
        guard let path = Self.locate() else {
            throw Failure("tapring bench: --compare qemu needs \(Self.executable), which is not installed "
                + "(Debian: apt-get install qemu-system-x86)")
        }
        let arguments = [path, "-machine", "none", "-nodefaults", "-nographic", "-display", "none", "-monitor", "none"]
            + topology.options
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for output in [STDOUT_FILENO, STDERR_FILENO] {
            posix_spawn_file_actions_addopen(&actions, output, "/dev/null", O_WRONLY, 0)
        }
        var argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let result = posix_spawn(&pid, path, &actions, &attributes, &argv, environ)
        guard result == 0 else { throw Failure("tapring bench: could not start \(path)", errno: result) }
    }

    static func locate() -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/\(executable)" }.first { access($0, X_OK) == 0 }
    }

    var interfaces: [String]? { nil }
    func pause() { kill(pid, SIGSTOP) }
    func resume() { kill(pid, SIGCONT) }

    func cpuSeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    func drops() -> [String: UInt64] { [:] }

    func residentBytes() -> Int { Measurement.residentBytes(of: "\(pid)") }

    func stop() {
        guard !hasExited else { return }
        kill(pid, SIGCONT)
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        exited = true
    }

    /// Whether QEMU exited, as it does on a bad option.
    var hasExited: Bool {
        if exited { return true }
        var status: Int32 = 0
        exited = waitpid(pid, &status, WNOHANG) == pid
        return exited
    }
}
