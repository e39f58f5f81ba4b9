/// The order in which QEMU walks a `QDict` (`qdict_first()`, `qdict_next()`):
/// its 512 buckets in turn, chosen by `tdb_hash()` of the key, and in each
/// bucket the key added last first (`QLIST_INSERT_HEAD`). It decides which
/// of several bad `-device` properties QEMU 7.2 reports
/// (`object_set_properties_from_keyval()` sets them in this order).
enum QDictOrder {
    /// `entries`, in the order their keys were added (a key set again
    /// keeps its place), in the order QEMU walks them.
    static func walk<Entry>(_ entries: [Entry], key: (Entry) -> String) -> [Entry] {
        let buckets = entries.map { bucket(key($0)) }
        return entries.indices
            .sorted { (buckets[$0], -$0) < (buckets[$1], -$1) }
            .map { entries[$0] }
    }

    /// `tdb_hash(key) % QDICT_BUCKET_MAX` (`qobject/qdict.c`).
    static func bucket(_ key: String) -> Int {
        var value = 0x238F_13AF &* UInt32(truncatingIfNeeded: key.utf8.count)
        for (index, byte) in key.utf8.enumerated() {
            value &+= UInt32(byte) << UInt32(index * 5 % 24)
        }
        return Int((1_103_515_243 &* value &+ 12345) % 512)
    }
}
