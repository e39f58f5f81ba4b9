import Testing
@testable import TapRing
@testable import TapRingOptions

/// The legacy option tokenizer, `opts_parse()` in QEMU's util/qemu-option.c.
@Suite struct QemuOptsTests {
    private func items(_ text: String) -> [String] {
        QemuOpts(parsing: text).items.map { "\($0.name)=\($0.value)" }
    }

    @Test func firstItemWithoutEqualsIsTheImpliedType() {
        let opts = QemuOpts(parsing: "tap,id=t0,ifname=tap0")
        #expect(opts.id == "t0")
        #expect(items("tap,id=t0,ifname=tap0") == ["type=tap", "ifname=tap0"])
        #expect(opts.warnings.isEmpty)
    }

    @Test func firstItemMayNameItsKey() {
        #expect(items("type=vhost-user,id=net0,chardev=chr0") == ["type=vhost-user", "chardev=chr0"])
    }

    @Test func doubledCommaIsALiteralComma() {
        #expect(items("tap,id=a,ifname=x,,y") == ["type=tap", "ifname=x,y"])
        #expect(items("tap,id=a,script=/a,,,,b,downscript=no") == ["type=tap", "script=/a,,b", "downscript=no"])
    }

    @Test func doubledCommaAlsoEscapesTheImpliedValue() {
        #expect(items("ta,,p,id=a") == ["type=ta,p"])
        // The id scan reads `tap` as a flag, so it still finds `id=a`.
        let opts = QemuOpts(parsing: "tap,,id=a")
        #expect(opts.id == "a")
        #expect(items("tap,,id=a") == ["type=tap,id=a"])
    }

    @Test func valuesMayContainEquals() {
        #expect(items("tap,id=a,ifname=a=b") == ["type=tap", "ifname=a=b"])
    }

    @Test func shortFormBooleansWarn() {
        let opts = QemuOpts(parsing: "tap,id=t,script=no,downscript=no,vnet_hdr,novhost")
        #expect(opts.items.suffix(2).map(\.name) == ["vnet_hdr", "vhost"])
        #expect(opts.items.suffix(2).map(\.value) == ["on", "off"])
        #expect(opts.warnings == [
            "short-form boolean option 'vnet_hdr' deprecated\nPlease use vnet_hdr=on instead",
            "short-form boolean option 'novhost' deprecated\nPlease use vhost=off instead",
        ])
    }

    @Test func helpFlagDoesNotWarnButNoHelpDoes() {
        #expect(items("tap,help") == ["type=tap", "help=on"])
        #expect(QemuOpts(parsing: "tap,help").warnings.isEmpty)
        #expect(QemuOpts(parsing: "tap,?").warnings.isEmpty)
        #expect(QemuOpts(parsing: "tap,nohelp").warnings == [
            "short-form boolean option 'nohelp' deprecated\nPlease use help=off instead",
        ])
    }

    @Test func delayFlagSuggestsNodelay() {
        #expect(QemuOpts(parsing: "socket,delay").warnings == [
            "short-form boolean option 'delay' deprecated\nPlease use nodelay=off instead",
        ])
        #expect(QemuOpts(parsing: "socket,nodelay").warnings == [
            "short-form boolean option 'nodelay' deprecated\nPlease use nodelay=on instead",
        ])
    }

    @Test func firstIDWinsAndIDsLeaveTheItems() {
        let opts = QemuOpts(parsing: "hubport,hubid=0,id=a,id=b")
        #expect(opts.id == "a")
        #expect(items("hubport,hubid=0,id=a,id=b") == ["type=hubport", "hubid=0"])
    }

    @Test func repeatedKeysAreAllKeptInOrder() {
        #expect(items("hubport,id=a,hubid=0,hubid=7") == ["type=hubport", "hubid=0", "hubid=7"])
    }

    @Test func trailingCommaEndsTheString() {
        #expect(items("hubport,id=h,hubid=0,") == ["type=hubport", "hubid=0"])
    }

    @Test func emptyValuesAndKeys() {
        #expect(items("tap,id=a,ifname=") == ["type=tap", "ifname="])
        #expect(items("hubport,id=a,hubid=0,=5") == ["type=hubport", "hubid=0", "=5"])
        #expect(QemuOpts(parsing: "id=") .id == "")
    }

    @Test func emptyStrings() {
        #expect(items("").isEmpty)
        #expect(QemuOpts(parsing: "").id == nil)
        #expect(items(",") == ["type="])
    }

    @Test func keysAreCaseSensitive() {
        let opts = QemuOpts(parsing: "tap,ID=a")
        #expect(opts.id == nil)
        #expect(items("tap,ID=a") == ["type=tap", "ID=a"])
    }

    @Test func nonASCIITextIsKept() {
        #expect(items("tap,id=a,ifname=tàp,,é") == ["type=tap", "ifname=tàp,é"])
    }
}
