/// The state of the EEPROM's Microwire interface, bit-banged through EECD
/// (`eecd_state` in QEMU).
struct MicrowireState {
    var input: UInt32 = 0
    var bitsIn: UInt16 = 0
    /// The bit being shifted out: word `bitsOut >> 4`, MSB first. 16-bit, as
    /// in QEMU: word 0's start wraps to 0xFFFF.
    var bitsOut: UInt16 = 0
    var reading = false
    /// SK, CS, DI, FWE and REQ as last written.
    var lastWritten: UInt32 = 0
}

extension E1000Core {
    /// The 64-word EEPROM image of `e1000_eeprom_template`: the MAC in words
    /// 0–2, the model's device ID in words 0x0B and 0x0D, and a word 0x3F
    /// that makes the sum 0xBABA (`e1000x_core_prepare_eeprom`).
    mutating func loadEEPROM() {
        let template: [UInt16] = [
            0x0000, 0x0000, 0x0000, 0x0000, 0xFFFF, 0x0000, 0x0000, 0x0000,
            0x3000, 0x1000, 0x6403, 0x0000, 0x8086, 0x0000, 0x8086, 0x3040,
            0x0008, 0x2000, 0x7E14, 0x0048, 0x1000, 0x00D8, 0x0000, 0x2700,
            0x6CC9, 0x3150, 0x0722, 0x040B, 0x0984, 0x0000, 0xC000, 0x0706,
            0x1008, 0x0000, 0x0F04, 0x7FFF, 0x4D01, 0xFFFF, 0xFFFF, 0xFFFF,
            0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF,
            0x0100, 0x4000, 0x121C, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF,
            0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x0000,
        ]
        let mac = features.mac.bytes
        var sum: UInt16 = 0
        for word in 0..<64 {
            eeprom[word] = switch word {
            case 0..<3: UInt16(mac[2 * word]) | UInt16(mac[2 * word + 1]) << 8
            case 0x0B, 0x0D: features.model.pciDeviceID
            default: template[word]
            }
            if word < 0x3F { sum &+= eeprom[word] }
        }
        eeprom[0x3F] = 0xBABA &- sum
    }

    /// An EERD read: with START set, the word at the address in bits 8 and
    /// up, and DONE at once (`flash_eerd_read`).
    func readEERD() -> UInt32 {
        let value = self[E1000Register.eerd]
        guard value & 1 != 0 else { return value }
        let request = value & ~1
        let index = request >> 8
        guard index <= 0x3F else { return request | 0x10 }
        return UInt32(eeprom[Int(index)]) << 16 | 0x10 | request
    }

    /// An EECD write: one step of the Microwire protocol, clocked on SK
    /// edges while CS is high (`set_eecd`).
    mutating func writeEECD(_ value: UInt32) {
        let chipSelect: UInt32 = 0x2, clock: UInt32 = 0x1
        let previous = microwire.lastWritten
        // SK, CS, DI, FWE and REQ; DO (bit 3) is the EEPROM's output and is
        // not kept, so a DO written by the guest never reads back.
        microwire.lastWritten = value & 0x77
        guard value & chipSelect != 0 else { return }
        if (value ^ previous) & chipSelect != 0 {
            microwire = MicrowireState(lastWritten: microwire.lastWritten)
        }
        guard (value ^ previous) & clock != 0 else { return }
        guard value & clock != 0 else {
            microwire.bitsOut &+= 1
            return
        }
        microwire.input = microwire.input << 1 | (value & 0x4 != 0 ? 1 : 0)
        microwire.bitsIn &+= 1
        if microwire.bitsIn == 9 && !microwire.reading {
            microwire.bitsOut = UInt16(truncatingIfNeeded: (microwire.input & 0x3F) << 4) &- 1
            // Start bit 1, then the read opcode 10.
            microwire.reading = (microwire.input >> 6) & 7 == 6
        }
    }

    /// An EECD read: present and granted, the bits last written, and DO
    /// carrying the bit being read out (`get_eecd`).
    func readEECD() -> UInt32 {
        var value: UInt32 = 0x100 | 0x80 | microwire.lastWritten
        let word = eeprom[Int(microwire.bitsOut >> 4) & 0x3F]
        if !microwire.reading || (word >> ((microwire.bitsOut & 0xF) ^ 0xF)) & 1 != 0 {
            value |= 0x8
        }
        return value
    }
}
