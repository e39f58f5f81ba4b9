/// The PHY's registers (IEEE 802.3 clause 22, plus the Marvell 88E1011's),
/// reached through MDIC at PHY address 1.
enum E1000PHY {
    static let control = 0, status = 1, partnerAbility = 5
    /// What MDIC may do with each register: 1 read, 2 write (`phy_regcap`).
    static let access: [Int: UInt8] = [
        0: 3, 1: 1, 2: 1, 3: 1, 4: 3, 5: 1, 6: 1, 9: 3, 10: 1, 0x10: 3, 0x11: 1, 0x14: 3, 0x15: 1,
    ]
    /// `phy_reg_init`: autonegotiation enabled but not complete, link up;
    /// register 3, the model's, is set apart (`NICModel.phyIdentifier2`).
    static let resetValues: [Int: UInt16] = [
        0: 0x1140, 1: 0x794D, 2: 0x0141, 4: 0x0DE1, 5: 0x01E0, 9: 0x0E00, 10: 0x3C00,
        0x10: 0x0360, 0x11: 0xAC00, 0x14: 0x0D60,
    ]
    static let linkUp: UInt16 = 0x0004, negotiationComplete: UInt16 = 0x0020, partnerAcknowledge: UInt16 = 0x4000
    static let autonegotiationEnable: UInt16 = 0x1000, restartNegotiation: UInt16 = 0x0200
    static let loopback: UInt16 = 0x4000
}

extension E1000Core {
    mutating func resetPHY() {
        phy.initialize(repeating: 0, count: 32)
        for (register, value) in E1000PHY.resetValues {
            phy[register] = value
        }
        phy[3] = features.model.phyIdentifier2
    }

    /// An MDIC write: a PHY register read or write, complete at once
    /// (`set_mdic`). A wrong PHY address keeps the old MDIC and sets ERROR.
    mutating func writeMDIC(_ value: UInt32) {
        let ready: UInt32 = 0x1000_0000, error: UInt32 = 0x4000_0000
        let data = UInt16(truncatingIfNeeded: value)
        let register = Int(value >> 16) & 0x1F
        let access = E1000PHY.access[register] ?? 0
        var result = value
        if (value >> 21) & 0x1F != 1 {
            result = self[E1000Register.mdic] | error
        } else if value & 0x0800_0000 != 0 {
            // The data field is replaced by the register's value.
            result = access & 1 == 0 ? value | error : (value ^ UInt32(data)) | UInt32(phy[register])
        } else if value & 0x0400_0000 != 0 {
            if access & 2 == 0 {
                result = value | error
            } else if register == E1000PHY.control {
                writePHYControl(data)
            } else {
                phy[register] = data
            }
        }
        self[E1000Register.mdic] = result | ready
        if result & 0x2000_0000 != 0 {
            raise(E1000Interrupt.mdac)
        }
    }

    /// A BMCR write: reset and restart bits read back as 0; restarting
    /// autonegotiation drops the link for 500 ms (`set_phy_ctrl`).
    private mutating func writePHYControl(_ value: UInt16) {
        phy[E1000PHY.control] = value & ~(0x3F | 0x8000 | E1000PHY.restartNegotiation)
        let negotiates = features.autonegotiation && phy[E1000PHY.control] & E1000PHY.autonegotiationEnable != 0
        guard negotiates && value & E1000PHY.restartNegotiation != 0 else { return }
        self[E1000Register.status] &= ~0x2
        phy[E1000PHY.status] &= ~(E1000PHY.linkUp | E1000PHY.negotiationComplete)
        phy[E1000PHY.partnerAbility] &= ~E1000PHY.partnerAcknowledge
        timers.autonegotiation = monotonicNanoseconds() + 500_000_000
    }

    /// Autonegotiation finished: link up, queued frames delivered, LSC
    /// raised (`e1000_autoneg_timer`).
    mutating func autonegotiationTimerFired() {
        self[E1000Register.status] |= 0x2
        phy[E1000PHY.status] |= E1000PHY.linkUp | E1000PHY.negotiationComplete
        phy[E1000PHY.partnerAbility] |= E1000PHY.partnerAcknowledge
        flushQueue()
        raise(E1000Interrupt.lsc)
    }

    /// Whether transmitted frames loop back into the receiver (BMCR bit 14).
    var loopsBack: Bool { phy[E1000PHY.control] & E1000PHY.loopback != 0 }
}
