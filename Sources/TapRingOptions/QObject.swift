/// A value as QEMU's QAPI input visitor reads it (`include/qapi/qmp/`): the
/// tree `keyval_parse()` builds from `addr.type=inet,addr.port=1234`, or the
/// one `qobject_from_json()` builds from `{"type": "tap"}`.
///
/// A keyval tree holds only strings, dictionaries and lists; a JSON tree
/// may hold any value.
indirect enum QObject: Equatable, Sendable {
    case string(String)
    case number(QNum)
    case bool(Bool)
    case null
    case list([QObject])
    case dictionary(QDict)
}

/// A JSON number as QEMU's parser stores it (`QNum`): an `int64` when the
/// integer fits, else a `uint64`, else (fractions, exponents, larger
/// integers) a double.
enum QNum: Equatable, Sendable {
    case int(Int64)
    case uint(UInt64)
    case double(Double)

    /// `qnum_get_try_int()`.
    var int64: Int64? {
        switch self {
        case .int(let value): value
        case .uint(let value): Int64(exactly: value)
        case .double: nil
        }
    }

    /// `qnum_get_try_uint()`.
    var uint64: UInt64? {
        switch self {
        case .int(let value): UInt64(exactly: value)
        case .uint(let value): value
        case .double: nil
        }
    }
}

/// QEMU's `QDict`, in the order its keys were first typed.
struct QDict: Equatable, Sendable {
    struct Entry: Equatable, Sendable {
        var key: String
        var value: QObject
    }

    private(set) var entries: [Entry] = []

    /// The value of `key`; setting a key already there replaces its value in place.
    subscript(key: String) -> QObject? {
        get { entries.first { $0.key == key }?.value }
        set {
            let index = entries.firstIndex { $0.key == key }
            switch (index, newValue) {
            case (let index?, let value?): entries[index].value = value
            case (let index?, nil): entries.remove(at: index)
            case (nil, let value?): entries.append(Entry(key: key, value: value))
            case (nil, nil): break
            }
        }
    }
}
