import Foundation
import Glibc
import Testing

/// The file of a Unix stream listener. QEMU 7.2 removes whatever is at the
/// path before it binds (`unix_listen_saddr`), and its socket when it exits
/// (`socket_listen_cleanup`); so does TapRing, so that a run leaves nothing
/// behind and the next one binds the same path.
@Suite struct ListenerSocketFileTests {
    @Test func tapringReplacesTheFileAndRemovesItsSocket() throws {
        try replay(.tapring)
    }

    /// The same against QEMU 7.2 itself: the expectations are its behaviour.
    @Test(.enabled(if: QEMUProcess.isInstalled, "needs qemu-system-x86_64"))
    func qemuDoesTheSame() throws {
        try replay(.qemu)
    }

    private func replay(_ forwarder: Forwarder) throws {
        let directory = NSTemporaryDirectory() + "tapring-listener-\(getpid())-\(forwarder)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/net.sock"
        try "not a socket".write(toFile: path, atomically: false, encoding: .utf8)
        let monitor = directory + "/qmp.sock"
        var options = ["-netdev", "stream,id=s,server=on,addr.type=unix,addr.path=\(path)",
                       "-netdev", "hubport,id=p,hubid=0,netdev=s"]
        if forwarder == .qemu { options += ["-qmp", "unix:\(monitor),server=on,wait=off"] }
        let process = try forwarder.launch(options)
        defer { forwarder.stop(process) }
        #expect(eventually { fileType(path) == S_IFSOCK }, "\(forwarder) did not put its socket at \(path)")

        // Ended the way each is asked to end: tapring by SIGTERM, QEMU, which
        // inherits the test's blocked signals, by its monitor.
        if forwarder == .qemu {
            #expect(eventually { fileType(monitor) == S_IFSOCK })
            try quit(monitor: monitor)
        } else {
            process.terminate()
        }
        #expect(eventually { !process.isRunning }, "\(forwarder) did not end when asked to")
        guard !process.isRunning else { return }
        #expect(process.terminationStatus == 0)
        #expect(fileType(path) == nil, "\(forwarder) left its socket behind")
    }

    /// The type bits of the file at `path`, or nil when there is none.
    private func fileType(_ path: String) -> mode_t? {
        var status = stat()
        return lstat(path, &status) == 0 ? status.st_mode & S_IFMT : nil
    }

    /// Whether `condition` holds within ten seconds: QEMU, on a machine
    /// loaded with the sanitized test runs, can take more than two to quit.
    private func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<1_000 {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    private static var lastError: String { String(cString: strerror(errno)) }

    /// Asks QEMU to quit through its QMP socket, as a management tool would,
    /// and reads its answers until it closes the socket: QEMU drops the
    /// commands of a client that leaves before they are answered.
    private func quit(monitor: String) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let address = SocketFarEnd.unix(monitor)
        let connected = address.withUnsafeBytes { bytes in
            connect(descriptor, bytes.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(bytes.count))
        }
        guard connected == 0 else { throw KernelError("connecting to QEMU's monitor: \(Self.lastError)") }
        let commands = #"{"execute":"qmp_capabilities"}"# + "\n" + #"{"execute":"quit"}"# + "\n"
        let sent = commands.utf8CString.withUnsafeBytes { write(descriptor, $0.baseAddress!, $0.count - 1) }
        guard sent == commands.utf8.count else { throw KernelError("writing to QEMU's monitor: \(Self.lastError)") }
        var answers = [UInt8](repeating: 0, count: 4096)
        while read(descriptor, &answers, answers.count) > 0 {}
    }
}
