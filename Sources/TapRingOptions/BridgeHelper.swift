/// A tap that QEMU's bridge helper opens and adds to a bridge: `-netdev
/// bridge`, or `-netdev tap,helper=` (`net_bridge_run_helper()` in QEMU's
/// `net/tap.c`). The helper, usually setuid root, creates the tap, adds it to
/// the bridge if its access list allows (`/etc/qemu/bridge.conf`) and passes
/// the tap's descriptor back over a socket.
public struct BridgeHelper: Equatable, Sendable {
    /// QEMU's `DEFAULT_BRIDGE_HELPER` for a Debian build.
    public static let defaultCommand = "/usr/lib/qemu/qemu-bridge-helper"
    /// QEMU's `DEFAULT_BRIDGE_INTERFACE`.
    public static let defaultBridge = "br0"

    /// The helper: the path of a program, or a shell command when it holds a
    /// space or a tab (`helper=`).
    public var command: String
    /// The bridge the tap joins (`br=`).
    public var bridge: String

    /// Creates a helper request; the defaults are those of a bare `-netdev bridge,id=…`.
    public init(command: String = BridgeHelper.defaultCommand, bridge: String = BridgeHelper.defaultBridge) {
        self.command = command
        self.bridge = bridge
    }

    /// The program to run and its argument vector, the helper's end of the
    /// socket being descriptor `socket` in it: `HELPER --use-vnet --fd=N
    /// --br=BRIDGE`, or for a command, `sh -c "COMMAND --use-vnet --fd=N
    /// --br=BRIDGE"`, without `--br=` if the command has one already.
    package func invocation(socket: Int32) -> (path: String, arguments: [String]) {
        let descriptor = "--fd=\(socket)"
        guard command.contains(where: { $0 == " " || $0 == "\t" }) else {
            return (command, [command, "--use-vnet", descriptor, "--br=\(bridge)"])
        }
        // QEMU formats "%s %s %s %s", so a command with its own --br= ends in a space.
        let bridgeArgument = command.contains("--br=") ? "" : "--br=\(bridge)"
        return ("/bin/sh", ["sh", "-c", "\(command) --use-vnet \(descriptor) \(bridgeArgument)"])
    }
}
