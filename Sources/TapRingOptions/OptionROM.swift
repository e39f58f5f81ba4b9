import Glibc

/// A NIC's `romfile=`, looked for as QEMU 7.2's `pci_add_option_rom()`
/// looks for it while the ROM BAR is on: as a path, then in the firmware
/// directories of a distribution's QEMU (`qemu-system-x86_64 -L help`),
/// then measured. TapRing loads no ROM, but a file QEMU would not find, or
/// would refuse, stops it as it stops QEMU. The default ROM, which a
/// network-only engine does not need, is looked for only to hold it to a
/// `romsize=`, and its absence is no error.
enum OptionROM {
    static let firmwareDirectories = ["/usr/share/qemu", "/usr/share/seabios", "/usr/lib/ipxe/qemu"]
    /// The e1000's own ROM (`PCIDeviceClass.romfile`).
    static let defaultFile = "efi-e1000.rom"

    /// Checks the ROM `romfile=` names (an empty name loads none), or the
    /// default ROM against `romSize`, with QEMU's messages.
    ///
    /// The corresponding C functions are `access`, `open` and `lseek`, as
    /// QEMU's `qemu_find_file()` and `get_image_size()` call them.
    static func check(_ romFile: String?, romSize: UInt32?) throws(OptionDiagnostic) {
        guard romFile != nil || romSize != nil else { return }
        let name = romFile ?? defaultFile
        guard !name.isEmpty else { return }
        let size = Self.size(of: name)
        guard size >= 0 || romFile == nil else { throw OptionDiagnostic("failed to find romfile \"\(name)\"") }
        guard size != 0 else { throw OptionDiagnostic("romfile \"\(name)\" is empty") }
        guard size <= 2 << 30 else {
            throw OptionDiagnostic("romfile \"\(name)\" too large (size cannot exceed 2 GiB)")
        }
        if let romSize, size > romSize {
            throw OptionDiagnostic("romfile \"\(name)\" (\(size) bytes) is too large for ROM size \(romSize)")
        }
    }

    /// The size of the file QEMU finds for `name`, or -1.
    private static func size(of name: String) -> Int {
        let candidates = [name] + firmwareDirectories.map { $0 + "/" + name }
        let path = candidates.first { access($0, R_OK) == 0 } ?? name
        // Without waiting for a writer, should the name be a FIFO.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        let size = descriptor < 0 ? -1 : lseek(descriptor, 0, SEEK_END)
        if descriptor >= 0 { close(descriptor) }
        return Int(size)
    }
}
