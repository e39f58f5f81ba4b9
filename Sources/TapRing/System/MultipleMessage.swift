import Glibc

/// One message of a batch `clinux_sendmmsg` sends, laid out as glibc's
/// `struct mmsghdr`: a message header, then the bytes the kernel sent of it.
package struct MultipleMessage {
    package var header = msghdr()
    package var length: UInt32 = 0

    package init() {}
}
