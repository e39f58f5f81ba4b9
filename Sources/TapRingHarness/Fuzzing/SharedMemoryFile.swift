import TapRing

import Glibc

/// A file of `byteCount` bytes in /dev/shm, unlinked: guest RAM as a VM
/// shares it through a memfd, for the remote-device fuzz target and tests.
///
/// The corresponding C functions are `mkstemp`, `unlink` and `ftruncate`.
func sharedMemoryFile(byteCount: Int) throws(DeviceError) -> Int32 {
    var template = Array("/dev/shm/tapring-ram-XXXXXX".utf8CString)
    let file = mkstemp(&template)
    guard file >= 0 else { throw DeviceError("could not create a file in /dev/shm") }
    template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    guard ftruncate(file, off_t(byteCount)) == 0 else {
        close(file)
        throw DeviceError("could not size a file in /dev/shm to \(byteCount) bytes")
    }
    return file
}
