import CLinux
import Glibc
import SystemPackage

extension BridgeHelper {
    /// The descriptor the helper's end of the socket has in the helper.
    private static let helperSocket: CInt = 3

    /// Runs the helper and receives the tap it opened, as QEMU's
    /// `net_bridge_run_helper()` does: the helper gets one end of a socket
    /// pair and descriptors 0–2, nothing else of the engine, and sends the
    /// tap's descriptor over the socket before it exits.
    ///
    /// - Returns: The tap, or nil when the helper exited successfully
    ///   without sending one.
    /// - Throws: "bridge helper failed" when the helper could not be run or
    ///   did not exit with status 0; "failed to recv file descriptor" when
    ///   the socket failed.
    func receiveTap() throws(TapError) -> FileDescriptor? {
        var ends: [CInt] = [-1, -1]
        guard socketpair(AF_UNIX, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw TapError("socketpair() failed", Errno.current)
        }
        let (ours, helpers) = (FileDescriptor(rawValue: ends[0]), FileDescriptor(rawValue: ends[1]))
        defer { try? ours.close() }
        let child = spawn(socket: helpers)
        try? helpers.close()
        guard let child else { throw TapError("bridge helper failed") }

        // QEMU receives, then reaps the helper, then looks at what it got.
        let received = Result { () throws(Errno) in try Self.receiveDescriptor(on: ours) }
        let status = child.waitForExit()
        switch received {
        case .failure(let error):
            throw TapError("failed to recv file descriptor", error)
        case .success(let descriptor) where status != 0:
            try? descriptor?.close()
            throw TapError("bridge helper failed")
        case .success(let descriptor):
            return descriptor
        }
    }

    /// Starts the helper with `socket` as its descriptor 3; nil when it
    /// could not be started (QEMU's child exits with status 1 then).
    private func spawn(socket: FileDescriptor) -> ChildProcess? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec, even onto the same number.
        posix_spawn_file_actions_adddup2(&actions, socket.rawValue, Self.helperSocket)
        clinux_spawn_close_from(&actions, Self.helperSocket + 1)
        let (path, arguments) = invocation(socket: Self.helperSocket)
        return ChildProcess.spawn(path, arguments, actions: &actions)
    }

    /// Reads the helper's one-byte message and the descriptor that came with
    /// it: nil at the end of the stream or without a descriptor.
    private static func receiveDescriptor(on socket: FileDescriptor) throws(Errno) -> FileDescriptor? {
        var byte: UInt8 = 0
        var descriptor: CInt = -1
        var count: CInt = 0
        var truncated: CInt = 0
        var received: Int
        repeat {
            received = clinux_receive_with_descriptors(socket.rawValue, &byte, 1, &descriptor, 1, &count, &truncated)
        } while received < 0 && errno == EINTR
        guard received >= 0 else { throw Errno.current }
        return count > 0 ? FileDescriptor(rawValue: descriptor) : nil
    }
}
