/// `-machine x-remote[,auto-shutdown=on|off]`: TapRing as the device
/// process of multi-process QEMU, which a VM reaches through
/// `-device x-pci-proxy-dev,fd=N` (QEMU 7.2's `hw/remote/machine.c`).
public struct RemoteMachine: Equatable, Sendable {
    /// `auto-shutdown=` (default on): the process ends once the VM side of
    /// the last remote device's socket is closed.
    public var autoShutdown: Bool

    public init(autoShutdown: Bool = true) {
        self.autoShutdown = autoShutdown
    }

    /// Reads a `-machine` option's items; every later `-machine` overrides
    /// the keys it names, as QEMU merges the `machine` options list.
    init(reading reader: inout OptionReader, over earlier: RemoteMachine?) throws(OptionDiagnostic) {
        // A later `-machine` may name only keys: the type stays.
        guard let type = try reader.string("type") ?? (earlier != nil ? "x-remote" : nil) else {
            throw .missingParameter("type")
        }
        guard type == "x-remote" else {
            throw OptionDiagnostic(
                "TapRing serves devices only as an x-remote machine, not as '\(type)'",
                hint: "Use -machine x-remote with -object x-remote-object,id=...,devid=...,fd=...")
        }
        autoShutdown = try reader.bool("auto-shutdown") ?? earlier?.autoShutdown ?? true
        if try reader.bool("vfio-user") == true {
            throw OptionDiagnostic("TapRing speaks the multi-process QEMU protocol only: vfio-user=on is not supported")
        }
        try reader.rejectUnconsumedKeys()
    }
}

/// One `-object x-remote-object,id=...,devid=...,fd=...`: the guest NIC a VM
/// drives through the socket at descriptor `fd`, which this process inherited.
public struct RemoteDevice: Equatable, Sendable {
    /// The object's `id=`.
    public var id: String
    /// Index in the plan's `devices` of the NIC named by `devid=`.
    public var device: Int
    /// `fd=`: the descriptor of this process's end of the VM's socketpair.
    public var socket: Int32
    /// The option as typed, for messages.
    public var location: String

    public init(id: String, device: Int, socket: Int32, location: String) {
        self.id = id
        self.device = device
        self.socket = socket
        self.location = location
    }
}

/// The members of an `x-remote-object` (`RemoteObjectProperties`), read
/// when the option is; `devid=` is looked up once the devices exist, as
/// QEMU's `remote_object_machine_done()` does.
struct RemoteObjectMembers: Equatable, Sendable {
    var devid: String
    var fd: Int32

    init(reading reader: inout OptionReader) throws(OptionDiagnostic) {
        guard let fd = try reader.string("fd") else { throw .missingParameter("fd") }
        guard let devid = try reader.string("devid") else { throw .missingParameter("devid") }
        // monitor_fd_param(): on the command line there is no monitor to
        // name descriptors, so only a decimal number will do.
        guard !fd.isEmpty, fd.allSatisfy(\.isASCII), fd.allSatisfy(\.isNumber), let number = Int32(fd) else {
            throw OptionDiagnostic("Could not parse remote object fd \(fd): not a decimal descriptor number")
        }
        self.devid = devid
        self.fd = number
    }
}
