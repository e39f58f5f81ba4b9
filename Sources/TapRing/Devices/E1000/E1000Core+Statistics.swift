extension E1000Core {
    // The counters are registers behind a pointer, but counting changes the
    // device: these are `mutating`, which also spares the per-frame path a
    // copy of the whole core that a borrow of `self` costs.
    /// Adds one to a 32-bit statistic, stopping at its maximum
    /// (`e1000x_inc_reg_if_not_full`).
    @inline(__always)
    mutating func increment(_ offset: Int) {
        if self[offset] != .max { self[offset] &+= 1 }
    }

    /// Adds to a 64-bit statistic kept as low and high halves, stopping at
    /// its maximum (`e1000x_grow_8reg_if_not_full`).
    @inline(__always)
    mutating func grow(_ lowOffset: Int, by amount: UInt64) {
        let value = UInt64(self[lowOffset + 4]) << 32 | UInt64(self[lowOffset])
        let (sum, overflow) = value.addingReportingOverflow(amount)
        let result = overflow ? UInt64.max : sum
        self[lowOffset] = UInt32(truncatingIfNeeded: result)
        self[lowOffset + 4] = UInt32(truncatingIfNeeded: result >> 32)
    }

    /// Counts a frame of `size` bytes in the bucket of six starting at
    /// `first`: exactly 64, 65–127, 128–255, 256–511, 512–1023, 1024 and up;
    /// shorter frames count nowhere (`e1000x_increase_size_stats`).
    @inline(__always)
    mutating func countSize(_ size: Int, bucketsFrom first: Int) {
        let bucket: Int
        switch size {
        case 1024...: bucket = 5
        case 512...: bucket = 4
        case 256...: bucket = 3
        case 128...: bucket = 2
        case 65...: bucket = 1
        case 64: bucket = 0
        default: return
        }
        increment(first + 4 * bucket)
    }
}
