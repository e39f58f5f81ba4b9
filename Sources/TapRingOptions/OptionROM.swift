import Glibc

/// A NIC's `romfile=`, looked for as QEMU 7.2's `pci_add_option_rom()`
/// looks for it while the ROM BAR is on: as a path, then in the firmware
/// directories of a distribution's QEMU (`qemu-system-x86_64 -L help`),
/// then measured. TapRing loads no ROM, but a file QEMU would not find, or
/// would refuse, stops it as it stops QEMU. The default ROM, which a
/// network-only engine does not need, is not looked for.
enum OptionROM {
    static let firmwareDirectories = ["/usr/share/qemu", "/usr/share/seabios", "/usr/lib/ipxe/qemu"]

    /// Checks the ROM `name` names, with QEMU's messages.
    ///
    /// The corresponding C functions are `access`, `open` and `lseek`, as
    /// QEMU's `qemu_find_file()` and `get_image_size()` call them.
    static func check(_ name: String) throws(OptionDiagnostic) {
        let candidates = [name] + firmwareDirectories.map { $0 + "/" + name }
        let path = candidates.first { access($0, R_OK) == 0 } ?? name
        // Without waiting for a writer, should the name be a FIFO.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        let size = descriptor < 0 ? -1 : lseek(descriptor, 0, SEEK_END)
        if descriptor >= 0 { close(descriptor) }
        guard size >= 0 else { throw OptionDiagnostic("failed to find romfile \"\(name)\"") }
        guard size > 0 else { throw OptionDiagnostic("romfile \"\(name)\" is empty") }
        guard size <= 2 << 30 else {
            throw OptionDiagnostic("romfile \"\(name)\" too large (size cannot exceed 2 GiB)")
        }
    }
}
