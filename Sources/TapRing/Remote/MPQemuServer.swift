import CLinux
import Glibc
import Synchronization
import SystemPackage

/// Serves one PCI function to a VM over multi-process QEMU's protocol, as
/// the device process QEMU's `-machine x-remote` would be: one socket, one
/// function, messages handled in stream order, exactly one `RET` per
/// request (QEMU 7.2, `hw/remote/message.c` and `proxy.c`).
///
/// A peer that breaks the protocol gets a line on `diagnostics` naming the
/// message, and all-ones for any request it waits on, as the proxy gives
/// its guest when a remote fails. A stream that cannot be read on (a
/// payload over the limit, a message cut short) ends the connection; the
/// NIC is then reset and reaches no guest memory, and the rest of the
/// engine goes on.
package final class MPQemuServer: @unchecked Sendable {
    package let function: E1000Function
    /// The `x-remote-object`'s id, which every diagnostic starts with.
    package let name: String
    private let socket: MPQemuSocket
    private let diagnostics: @Sendable (String) -> Void
    private let payload = UnsafeMutableRawBufferPointer.allocate(
        byteCount: MPQemuLayout.payloadLimit, alignment: 8)
    private let connected = Atomic<Bool>(true)

    /// Serves `function` on `socket`, a connected AF_UNIX stream socket the
    /// server owns from now on.
    ///
    /// The corresponding C function is `eventfd`, for the wake-up.
    package init(
        socket: Int32, function: E1000Function, name: String, diagnostics: @escaping @Sendable (String) -> Void
    ) throws(DeviceError) {
        let wake = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        guard wake >= 0 else { throw DeviceError("could not create an eventfd", errno: .current) }
        let flags = fcntl(socket, F_GETFL)
        _ = fcntl(socket, F_SETFL, flags | O_NONBLOCK)
        self.socket = MPQemuSocket(descriptor: socket, wake: wake)
        self.function = function
        self.name = name
        self.diagnostics = diagnostics
    }

    deinit {
        close(socket.descriptor)
        close(socket.wake)
        payload.deallocate()
    }

    /// Whether `descriptor` is an open AF_UNIX stream socket, the only kind
    /// the proxy passes descriptors over; nil if so, else what it is.
    ///
    /// The corresponding C function is `getsockopt`.
    package static func checkSocket(_ descriptor: Int32) -> String? {
        var domain: Int32 = 0
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_DOMAIN, &domain, &length) == 0 else {
            let error = Errno.current
            return error == .badFileDescriptor ? "is not open" : error == .notSocket ? "is not a socket" : "\(error)"
        }
        length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_TYPE, &type, &length) == 0 else { return "\(Errno.current)" }
        guard domain == AF_UNIX, type == Int32(SOCK_STREAM.rawValue) else { return "is not an AF_UNIX stream socket" }
        return nil
    }

    /// Handles messages until the VM closes the socket, the stream breaks,
    /// or `stop()`; then disconnects the function.
    ///
    /// The corresponding C function is `poll`.
    package func run() {
        defer {
            // The VM's proxy waits for a reply with no timeout: it must see
            // the end of the stream, and give its guest all-ones from now on.
            shutdown(socket.descriptor, Int32(SHUT_RDWR))
            function.disconnect()
            connected.store(false, ordering: .releasing)
        }
        var watched = [
            pollfd(fd: socket.descriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: socket.wake, events: Int16(POLLIN), revents: 0),
            pollfd(fd: -1, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            // A SET_IRQFD may have replaced the resample eventfd.
            watched[2].fd = function.intx.resampleDescriptor
            guard poll(&watched, 3, -1) >= 0 else {
                if Errno.current == .interrupted { continue }
                diagnostics("\(name): poll: \(Errno.current)")
                return
            }
            if watched[1].revents != 0 { return }
            if watched[2].revents != 0 { function.intx.resample() }
            guard watched[0].revents != 0 else { continue }
            do throws(MPQemuSocket.Failure) {
                try serveOne()
            } catch {
                switch error {
                case .closed: diagnostics("\(name): the VM closed its socket; the NIC stops")
                case .stopped: break
                case .broken(let reason): diagnostics("\(name): \(reason); the NIC stops")
                }
                return
            }
        }
    }

    /// False once `run()` ended: the VM is gone, or was let go.
    package var isConnected: Bool { connected.load(ordering: .acquiring) }

    /// Ends `run()` at the next message boundary, or within a wait.
    package func stop() {
        EventCounter(descriptor: socket.wake).signal()
    }

    private func serveOne() throws(MPQemuSocket.Failure) {
        let message = try socket.receive(into: payload)
        var descriptors = message.descriptors
        defer { descriptors.forEach { close($0) } }
        let body = MPQemuPayload(bytes: UnsafeRawBufferPointer(rebasing: payload[..<message.size]))
        guard let command = MPQemuCommand(rawValue: message.command), command != .reply else {
            diagnostics("\(name): message \(message.command) is no request of the protocol; it gets all-ones")
            return try socket.reply(.max)
        }
        if message.tooManyDescriptors {
            diagnostics("\(name): \(command.name) came with more than 16 descriptors; the kernel closed the rest")
        }
        let expected: (size: Int, descriptors: ClosedRange<Int>) = switch command {
        case .syncSystemMemory: (MPQemuLayout.syncSystemMemorySize, 1...MPQemuLayout.descriptorLimit)
        case .configRead, .configWrite: (MPQemuLayout.configAccessSize, 0...0)
        case .barRead, .barWrite: (MPQemuLayout.barAccessSize, 0...0)
        case .setIRQFD: (0, 2...2)
        case .deviceReset, .reply: (0, 0...0)
        }
        guard message.size == expected.size, expected.descriptors.contains(descriptors.count),
            !message.tooManyDescriptors
        else {
            diagnostics(
                "\(name): \(command.name) with a \(message.size)-byte payload and \(descriptors.count) descriptors"
                    + " (expected \(expected.size) bytes and \(Self.describe(expected.descriptors)) descriptors)"
                    + (Self.expectsReply(command) ? "; it gets all-ones" : "; ignored"))
            if command == .syncSystemMemory { dropGuestMemory() }
            return Self.expectsReply(command) ? try socket.reply(.max) : ()
        }
        switch command {
        case .syncSystemMemory:
            syncSystemMemory(body, descriptors: descriptors)
        case .setIRQFD:
            guard descriptors.allSatisfy(EventCounter.isEventCounter) else {
                diagnostics("\(name): SET_IRQFD with descriptors that are not eventfds; ignored")
                return
            }
            function.intx.connect(trigger: descriptors[0], resample: descriptors[1])
            descriptors = []
        case .configRead:
            let access = body.configAccess
            let value = function.readConfig(at: Int(access.offset), width: Int(access.width))
            if value == nil { refuse(command, "at \(access.offset) of \(access.width) bytes", Self.header) }
            try socket.reply(value.map(UInt64.init) ?? .max)
        case .configWrite:
            let access = body.configAccess
            let done = function.writeConfig(at: Int(access.offset), width: Int(access.width), value: access.value)
            if !done { refuse(command, "at \(access.offset) of \(access.width) bytes", Self.header) }
            try socket.reply(done ? 0 : .max)
        case .barRead, .barWrite:
            try barAccess(command, body.barAccess)
        case .deviceReset:
            function.reset()
            try socket.reply(0)
        case .reply:
            preconditionFailure("answered above")
        }
    }

    /// `BAR_READ` or `BAR_WRITE` at an absolute bus address.
    private func barAccess(
        _ command: MPQemuCommand, _ access: (address: UInt64, value: UInt64, width: UInt32, memory: Bool)
    ) throws(MPQemuSocket.Failure) {
        let space: E1000Function.Space = access.memory ? .memory : .io
        guard [1, 2, 4, 8].contains(access.width),
            let (bar, offset) = function.decode(space, address: access.address, width: Int(access.width))
        else {
            refuse(command, "of \(access.width) bytes at \(hex: access.address) (\(access.memory ? "memory" : "I/O"))",
                   "every BAR the command register decodes")
            return try socket.reply(.max)
        }
        if command == .barRead {
            try socket.reply(function.read(bar: bar, offset: offset, width: Int(access.width)))
        } else {
            function.write(bar: bar, offset: offset, width: Int(access.width), value: access.value)
            try socket.reply(0)
        }
    }

    /// `SYNC_SYSMEM`: a whole new guest memory table. A table that cannot
    /// be used (regions that overlap, or that run past their file) leaves
    /// the NIC with none, so that no frame goes into memory the VM let go.
    private func syncSystemMemory(_ body: MPQemuPayload, descriptors: [Int32]) {
        let regions = descriptors.enumerated().map { body.region($0.offset, descriptor: $0.element) }
        do throws(DeviceError) {
            try function.replaceMemory(regions)
        } catch {
            diagnostics("\(name): SYNC_SYSMEM refused: \(error); the NIC reaches no guest memory until the next one")
            dropGuestMemory()
        }
    }

    private func dropGuestMemory() {
        try? function.replaceMemory([])
    }

    private func refuse(_ command: MPQemuCommand, _ what: String, _ limit: String) {
        diagnostics("\(name): \(command.name) \(what) is outside \(limit); it gets all-ones")
    }

    private static let header = "the configuration header"

    private static func expectsReply(_ command: MPQemuCommand) -> Bool {
        command != .syncSystemMemory && command != .setIRQFD
    }

    private static func describe(_ range: ClosedRange<Int>) -> String {
        range.count == 1 ? "\(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
    }
}
