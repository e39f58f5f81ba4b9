import Testing

@testable import TapRingOptions

/// Options that ask for help (`help` or `?`) get QEMU 7.2's answer, listing
/// what TapRing has, at the point where QEMU gives it: options read before
/// it are checked, the rest are not, and only the netdevs QEMU creates
/// before it answers are planned, without NICs.
struct HelpRequestTests {
    private func help(_ arguments: [String]) throws -> HelpAnswer? {
        let plan = try NetworkPlan.parse(arguments)
        if plan.help != nil { #expect(plan.devices.isEmpty && plan.netdevs.allSatisfy { $0.device == nil }) }
        return plan.help
    }

    /// A netdev before the request is created first, and may fail instead (`tapring run`).
    @Test func netdevsBeforeTheRequestArePlanned() throws {
        let netdevHelp = try NetworkPlan.parse(netdevs("hubport,id=h,hubid=0", "help", "tap,id=t"))
        #expect(netdevHelp.netdevs.map(\.id) == ["h"])
        let modelHelp = try NetworkPlan.parse(nets("nic,model=e1000", "nic,model=help") + netdevs("tap,id=t"))
        #expect(modelHelp.netdevs.map(\.id) == ["t", "hub0port0", "hub0port1"])
        #expect(try NetworkPlan.parse(devices("help") + netdevs("tap,id=t")).netdevs.isEmpty)
    }

    @Test(arguments: ["help", "?", "type=help", "help,id=x"])
    func netdevsListTheBackends(value: String) throws {
        #expect(try help(netdevs(value))?.text
            == "Available netdev backend types:\nsocket\nstream\ndgram\nhubport\ntap\nbridge\n")
    }

    /// `net_init_clients()` creates the netdevs in order: one read before
    /// the help request fails first; one after it is never read.
    @Test func netdevHelpComesInItsTurn() throws {
        #expect(failure(netdevs("tap,id=a,bogus=1", "help")) == "-netdev tap,id=a,bogus=1: Invalid parameter 'bogus'")
        #expect(try help(netdevs("help", "tap,id=a,bogus=1")) == .netdevTypes)
        // Devices come later; their syntax was read before.
        #expect(try help(devices("bogus") + netdevs("help")) == .netdevTypes)
        #expect(failure(devices("e1000,id=1bad") + netdevs("help"))?.hasPrefix(
            "-device e1000,id=1bad: Parameter 'id' expects an identifier") == true)
    }

    @Test(arguments: [nics("hubport,hubid=0,model=help"), nics("model=help"), nics("user,model=?"),
                      nets("nic,model=?"), nets("nic,model=e1000", "nic,model=help"),
                      nets("nic,model=help", "nic,model=rtl8139")])
    func nicModelsListTheE1000s(arguments: [String]) throws {
        #expect(try help(arguments)?.text == "Supported NIC models:\ne1000\ne1000-82544gc\ne1000-82545em\n")
    }

    @Test(arguments: ["help", "?", "driver=help"])
    func devicesListTheNICs(value: String) throws {
        #expect(try help(devices(value))?.text == """
            Network devices:
            name "e1000", bus PCI, alias "e1000-82540em", desc "Intel Gigabit Ethernet"
            name "e1000-82544gc", bus PCI, desc "Intel Gigabit Ethernet"
            name "e1000-82545em", bus PCI, desc "Intel Gigabit Ethernet"

            """)
    }

    @Test(arguments: ["e1000,help", "e1000-82540em,?", "driver=e1000,help", "e1000,netdev=zz,help", "e1000,help=on"])
    func e1000ListsItsProperties(value: String) throws {
        let text = try #require(try help(devices(value))?.text)
        #expect(text.hasPrefix("e1000 options:\n  acpi-index=<uint32>    -  (default: 0)\n"))
        #expect(text.split(separator: "\n").count == 18)
    }

    /// QEMU names the model asked for; the alias is named by its type.
    @Test(arguments: ["e1000-82544gc", "e1000-82545em"])
    func otherE1000sListTheSameProperties(model: String) throws {
        let text = try #require(try help(devices("\(model),help"))?.text)
        let e1000 = try #require(try help(devices("e1000,help"))?.text)
        #expect(text == "\(model) options:\n" + e1000.drop { $0 != "\n" }.dropFirst())
    }

    /// QEMU answers help for a device before it creates any netdev, and
    /// exits successfully even when it knows no such device.
    @Test func deviceHelpComesBeforeNetdevs() throws {
        #expect(try help(netdevs("hubport,id=h,hubid=x") + devices("help")) == .devices)
        #expect(try help(devices("foo,help")) == HelpAnswer(text: "-device foo,help: Device 'foo' not found\n",
                                                             isError: true))
        #expect(failure(devices("virtio-net-pci,help"))
            == "-device virtio-net-pci,help: Device 'virtio-net-pci' is not supported by TapRing")
        // The options' warnings, given as QEMU reads them, stay.
        let plan = try NetworkPlan.parse(devices("help,e1000"))
        #expect(plan.help == .devices)
        #expect(plan.warnings == [
            "-device help,e1000: warning: short-form boolean option 'e1000' deprecated\nPlease use e1000=on instead",
        ])
    }

    /// `object_option_parse()` answers while the command line is read, before any device's help.
    @Test func objectsAnswerAsTheyAreRead() throws {
        #expect(HelpAnswer.objectTypes.text == "List of user creatable objects:\n  filter-dump\n  x-remote-object\n")
        for value in ["help", "?", "qom-type=help", "help,id=x"] {
            #expect(try help(objects(value)) == .objectTypes)
        }
        #expect(try help(devices("help") + objects("help")) == .objectTypes)
        #expect(try help(objects("x-remote-object,help"))?.text
            == "x-remote-object options:\n  devid=<string>\n  fd=<string>\n")
        #expect(try help(objects("filter-dump,id=f,help"))?.text.hasPrefix("filter-dump options:\n  file=<string>\n")
            == true)
        #expect(failure(objects("foo,help")) == "-object foo,help: Parameter 'qom-type' does not accept value 'foo'")
    }
}
