import CLinux
import Glibc
import SystemPackage

/// The user-space end of a Linux TAP interface, opened the way QEMU's
/// `net/tap-linux.c` opens it.
///
/// A tap created here is not persistent, so the kernel removes it when its
/// last descriptor closes: with this object, or with the process. A persistent
/// tap that was attached to, and a descriptor handed in with `fd=`, outlive it.
package final class TapDevice {
    /// The tap's descriptor, in blocking mode so that io_uring parks reads on
    /// poll instead of failing them with `EAGAIN`.
    let descriptor: FileDescriptor
    /// The interface name the kernel settled on (templates like `tap%d` resolved).
    let name: String
    /// Bytes of `struct virtio_net_hdr_v1` before every frame, or 0 without `IFF_VNET_HDR`.
    let vnetHeaderSize: Int
    /// Whether the kernel may hand over GSO frames and partial checksums.
    let hasOffloads: Bool

    /// The header size set with `TUNSETVNETHDRSZ`: virtio 1.0's header, which
    /// also fits every legacy layout.
    package static let vnetHeaderBytes = 12

    private init(descriptor: FileDescriptor, name: String, vnetHeaderSize: Int, hasOffloads: Bool = false) {
        self.descriptor = descriptor
        self.name = name
        self.vnetHeaderSize = vnetHeaderSize
        self.hasOffloads = hasOffloads
    }

    deinit {
        try? descriptor.close()
    }

    /// Creates the tap `template` names (a name, or a kernel template such as
    /// `tap%d`), or attaches to the persistent tap of that name.
    ///
    /// - Parameters:
    ///   - vnetHeader: `true` to require a vnet header, `false` or `nil` to
    ///     go without. QEMU turns it on whenever the kernel offers it, but
    ///     with offloads off the header carries nothing, and the kernel's
    ///     vnet path costs about a fifth of a tap's frame rate.
    ///   - offloads: whether to open with a vnet header and let the kernel
    ///     hand over GSO frames and partial checksums (`TUNSETOFFLOAD`).
    ///   - multiQueue: whether to open one queue of a multi-queue tap
    ///     (`IFF_MULTI_QUEUE`): each open of the same name adds a queue.
    static func open(
        template: String, vnetHeader: Bool?, offloads: Bool = false, multiQueue: Bool = false
    ) throws(TapError) -> TapDevice {
        let device: FileDescriptor
        do {
            device = try FileDescriptor.open("/dev/net/tun", .readWrite, options: .closeOnExec)
        } catch {
            throw TapError("could not open /dev/net/tun", error)
        }
        do throws(TapError) {
            let pattern = template.isEmpty ? "tap%d" : template
            var features: CUnsignedInt = 0
            if ioctl(device.rawValue, CLINUX_TUNGETFEATURES, &features) != 0 { features = 0 }
            let offersVnetHeader = features & CUnsignedInt(IFF_VNET_HDR) != 0
            if vnetHeader == true && !offersVnetHeader {
                throw TapError("vnet_hdr=1 requested, but no kernel support for IFF_VNET_HDR available")
            }
            if multiQueue && features & CUnsignedInt(IFF_MULTI_QUEUE) == 0 {
                throw TapError("multiqueue required, but no kernel support for IFF_MULTI_QUEUE available")
            }
            let useVnetHeader = offloads || (vnetHeader ?? false)
            var request = InterfaceRequest(name: pattern)
            request.flags = Int16(
                IFF_TAP | IFF_NO_PI | (useVnetHeader ? IFF_VNET_HDR : 0) | (multiQueue ? IFF_MULTI_QUEUE : 0))
            guard request.call(device, CLINUX_TUNSETIFF) == 0 else {
                throw TapError("could not configure /dev/net/tun (\(pattern))", Errno.current)
            }
            if useVnetHeader {
                try configureVnetHeader(device)
            }
            if offloads {
                try enableOffloads(device)
            }
            return TapDevice(
                descriptor: device, name: request.name,
                vnetHeaderSize: useVnetHeader ? vnetHeaderBytes : 0, hasOffloads: offloads)
        } catch {
            try? device.close()
            throw error
        }
    }

    /// Takes over a tap descriptor inherited from the parent process (`fd=`
    /// of netdev `id`), checked in `net_init_tap`'s order: first that it is
    /// open, then that it is a tap.
    ///
    /// The descriptor is switched to blocking mode: the engine owns it now, and
    /// io_uring waits on blocking descriptors by polling instead of failing.
    static func adopt(_ descriptor: FileDescriptor, id: String) throws(TapError) -> TapDevice {
        try adopt(descriptor, unusable: "\(id): Can't use file descriptor \(descriptor.rawValue)")
    }

    /// Takes over `descriptor`, failing with `unusable` if it is not open.
    private static func adopt(_ descriptor: FileDescriptor, unusable: String) throws(TapError) -> TapDevice {
        let flags = fcntl(descriptor.rawValue, F_GETFL)
        guard flags >= 0 else { throw TapError(unusable, Errno.current) }
        var request = InterfaceRequest(name: "")
        guard request.call(descriptor, CLINUX_TUNGETIFF) == 0 else {
            throw TapError("Unable to query TUNGETIFF on FD \(descriptor.rawValue)", Errno.current)
        }
        // Only a tap's flags change: the descriptor's file may be shared with the parent.
        guard fcntl(descriptor.rawValue, F_SETFL, flags & ~O_NONBLOCK) == 0 else {
            throw TapError(unusable, Errno.current)
        }
        let hasVnetHeader = Int32(request.flags) & IFF_VNET_HDR != 0
        if hasVnetHeader {
            try configureVnetHeader(descriptor)
        }
        return TapDevice(
            descriptor: descriptor, name: request.name,
            vnetHeaderSize: hasVnetHeader ? vnetHeaderBytes : 0)
    }

    /// Opens a tap through `helper`, which adds it to its bridge, as
    /// `net_init_bridge()` does; the tap keeps the vnet header the helper
    /// opened it with (`--use-vnet`: on where the kernel has it).
    static func open(through helper: BridgeHelper) throws(TapError) -> TapDevice {
        let unusable = "Failed to set FD nonblocking"
        guard let received = try helper.receiveTap() else {
            // QEMU's recv_fd() answers 0 when the helper sent nothing, and QEMU
            // takes descriptor 0 for the tap; so does this, and fails as QEMU
            // does where standard input is no tap.
            return try adopt(.standardInput, unusable: unusable)
        }
        do {
            return try adopt(received, unusable: unusable)
        } catch {
            try? received.close()
            throw error
        }
    }

    /// Limits how many bytes of written frames the kernel holds for this tap
    /// before a write would block; `Int32.max` means no limit.
    ///
    /// The corresponding C call is `ioctl(fd, TUNSETSNDBUF, &bytes)`.
    func setSendBufferSize(_ bytes: Int32) throws(TapError) {
        var value = bytes
        guard ioctl(descriptor.rawValue, CLINUX_TUNSETSNDBUF, &value) == 0 else {
            throw TapError("TUNSETSNDBUF ioctl failed", Errno.current)
        }
    }

    /// Sets the header size and turns every offload off, as QEMU does for a
    /// tap until a peer asks for more: the kernel then never hands over GSO
    /// frames or partial checksums that a plain Ethernet peer could not take.
    private static func configureVnetHeader(_ descriptor: FileDescriptor) throws(TapError) {
        var size = CInt(vnetHeaderBytes)
        guard ioctl(descriptor.rawValue, CLINUX_TUNSETVNETHDRSZ, &size) == 0 else {
            throw TapError("TUNSETVNETHDRSZ ioctl failed", Errno.current)
        }
        guard clinux_tun_set_offload(descriptor.rawValue, 0) == 0 else {
            throw TapError("TUNSETOFFLOAD ioctl failed", Errno.current)
        }
    }
}

extension TapDevice {
    /// `TUN_F_*`, the offloads `TUNSETOFFLOAD` takes (linux/if_tun.h; the
    /// UDP segmentation bits are newer than Debian 12's headers).
    private static let checksum: UInt = 0x01, tcpv4: UInt = 0x02, tcpv6: UInt = 0x04, tcpECN: UInt = 0x08
    private static let udpv4: UInt = 0x20, udpv6: UInt = 0x40

    /// Lets the kernel hand over partial checksums and TCP GSO frames with
    /// ECN, and UDP GSO frames where the kernel has them (Linux 6.2), as
    /// QEMU's `tap_fd_set_offload` does for a virtio-net peer.
    ///
    /// The corresponding C call is `ioctl(fd, TUNSETOFFLOAD, flags)`.
    fileprivate static func enableOffloads(_ descriptor: FileDescriptor) throws(TapError) {
        let tcp = checksum | tcpv4 | tcpv6 | tcpECN
        if clinux_tun_set_offload(descriptor.rawValue, tcp | udpv4 | udpv6) == 0 { return }
        guard clinux_tun_set_offload(descriptor.rawValue, tcp) == 0 else {
            throw TapError("TUNSETOFFLOAD ioctl failed", Errno.current)
        }
    }
}

/// A failure to open or configure a tap, worded as QEMU words it.
struct TapError: Error, CustomStringConvertible {
    let message: String
    /// The failed call's error, if the failure was a system call's.
    let errno: Errno?

    /// A failure `cause` explains: an `Errno` is kept as `errno`, and any
    /// other cause's words end the message.
    init(_ message: String, _ cause: (any Error)? = nil) {
        let errno = cause as? Errno
        self.errno = errno
        if let cause, errno == nil {
            self.message = "\(message): \(cause)"
        } else {
            self.message = message
        }
    }

    var description: String {
        message + (errno.map { ": \($0)" } ?? "")
    }
}

/// `struct ifreq` as the tun ioctls use it: a name and the flags word.
private struct InterfaceRequest {
    private var storage = ifreq()

    init(name: String) {
        withUnsafeMutableBytes(of: &storage.ifr_ifrn.ifrn_name) { bytes in
            for (index, byte) in name.utf8.prefix(bytes.count - 1).enumerated() {
                bytes[index] = byte
            }
        }
    }

    var name: String {
        withUnsafeBytes(of: storage.ifr_ifrn.ifrn_name) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    var flags: Int16 {
        get { storage.ifr_ifru.ifru_flags }
        set { storage.ifr_ifru.ifru_flags = newValue }
    }

    mutating func call(_ descriptor: FileDescriptor, _ request: CUnsignedLong) -> CInt {
        ioctl(descriptor.rawValue, request, &storage)
    }
}
