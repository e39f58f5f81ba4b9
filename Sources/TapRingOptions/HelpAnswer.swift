/// What QEMU 7.2 prints when an option asks for help instead of naming
/// something to create (`is_help_option()`: `help` or `?`), listing what
/// TapRing has: `-netdev help`, `-device help`, `-device e1000,help`,
/// `-nic model=help`, `-object help`, `-object filter-dump,help`. QEMU stops
/// reading the command line there and exits successfully.
public struct HelpAnswer: Equatable, Sendable {
    /// The text, each line ending in a newline.
    public var text: String
    /// Whether QEMU reports it as an error, after the option's location on
    /// standard error (`-device foo,help`: `Device 'foo' not found`); it
    /// exits successfully all the same.
    public var isError: Bool

    /// Creates an answer; `NetworkPlan.parse(_:)` is the usual source.
    public init(text: String, isError: Bool = false) {
        self.text = text
        self.isError = isError
    }

    /// `show_netdevs()`, of the backends TapRing has, in QEMU's order.
    static let netdevTypes = Self(
        text: "Available netdev backend types:\nsocket\nstream\ndgram\nhubport\ntap\nbridge\n")

    /// `qemu_show_nic_models()` for `-nic` and `-net nic`.
    static let nicModels = Self(
        text: "Supported NIC models:\n" + NICModel.allCases.map { $0.rawValue + "\n" }.joined())

    /// `qdev_device_help()` listing the devices: TapRing's one category.
    static let devices = Self(text: """
        Network devices:
        name "e1000", bus PCI, alias "e1000-82540em", desc "Intel Gigabit Ethernet"
        name "e1000-82544gc", bus PCI, desc "Intel Gigabit Ethernet"
        name "e1000-82545em", bus PCI, desc "Intel Gigabit Ethernet"

        """)

    /// `qdev_device_help()` for an e1000 model (the alias named by its
    /// type): its properties, each of which TapRing takes.
    static func e1000Properties(of model: NICModel) -> Self {
        Self(text: "\(model.rawValue) options:\n" + e1000PropertyList)
    }

    private static let e1000PropertyList = """
          acpi-index=<uint32>    -  (default: 0)
          addr=<int32>           - Slot and optional function number, example: 06.0 or 06 (default: -1)
          autonegotiation=<bool> - on/off (default: true)
          bootindex=<int32>
          extra_mac_registers=<bool> - on/off (default: true)
          failover_pair_id=<str>
          init-vet=<bool>        - on/off (default: true)
          mac=<str>              - Ethernet 6-byte MAC Address, example: 52:54:00:12:34:56
          migrate_tso_props=<bool> - on/off (default: true)
          mitigation=<bool>      - on/off (default: true)
          multifunction=<bool>   - on/off (default: false)
          netdev=<str>           - ID of a netdev to use as a backend
          rombar=<uint32>        -  (default: 1)
          romfile=<str>
          romsize=<uint32>       -  (default: 4294967295)
          x-pcie-extcap-init=<bool> - on/off (default: true)
          x-pcie-lnksta-dllla=<bool> - on/off (default: true)

        """

    /// `qdev_device_help()` for a driver QEMU does not have.
    static func deviceNotFound(_ driver: String, location: String) -> Self {
        Self(text: "\(location): Device '\(driver)' not found\n", isError: true)
    }

    /// `user_creatable_print_help()` listing the types: those TapRing creates.
    static let objectTypes = Self(text: "List of user creatable objects:\n  filter-dump\n  x-remote-object\n")

    /// `user_creatable_print_help()` for one type TapRing creates, nil for the others.
    static func objectProperties(of type: String) -> Self? {
        switch type {
        case "filter-dump":
            Self(text: """
                filter-dump options:
                  file=<string>
                  insert=<string>
                  maxlen=<uint32>
                  netdev=<string>
                  position=<string>
                  queue=<NetFilterDirection>
                  status=<string>

                """)
        case "x-remote-object":
            Self(text: "x-remote-object options:\n  devid=<string>\n  fd=<string>\n")
        default:
            nil
        }
    }
}
