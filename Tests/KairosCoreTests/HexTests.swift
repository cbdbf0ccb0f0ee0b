import Testing

@testable import KairosCore

@Suite struct HexTests {
    @Test func roundTripsAndRefusesWhatIsNotHex() {
        let bytes: [UInt8] = [0x00, 0x0a, 0x7f, 0x80, 0xff]
        #expect(Hex.encode(bytes) == "000a7f80ff")
        #expect(Hex.decode("000a7f80ff") == bytes)
        #expect(Hex.decode("000A7F80FF") == bytes)
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("abc") == nil)  // odd length
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.decode("0g") == nil)
    }
}

@Suite struct DecisionIdTests {
    @Test func idsAreVersion7UUIDsInTimeOrder() {
        let time = Timestamp.parse("2026-11-22T10:00:00Z")!
        let id = DecisionId.make(at: time, random: 0xFFFF_FFFF_FFFF_FFFF, 0)
        #expect(id.count == 36 && id.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
        #expect(id.hasPrefix(String(String(UInt64(time), radix: 16).leftPadded(to: 12).prefix(8))))
        #expect(Array(id)[14] == "7" && Array(id)[19] == "8")
        let ids = (0..<100).map { DecisionId.make(at: time + Millis($0)) }
        #expect(ids == ids.sorted() && Set(ids).count == 100)
    }

    @Test func idTextIsTheHexOfItsBits() {
        let id = DecisionId.make(at: 0x0123_4567_89AB, random: 0xFEDC_BA98_7654_3210, 0x0F1E_2D3C_4B5A_6978)
        #expect(id == "01234567-89ab-7210-8f1e-2d3c4b5a6978")
    }

    @Test func idsMadeInTheSameMillisecondDiffer() async {
        let time = Timestamp.parse("2026-11-22T10:00:00Z")!
        let ids = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { (0..<5_000).map { _ in DecisionId.make(at: time) } } }
            return await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(Set(ids).count == 20_000)
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String { String(repeating: "0", count: max(0, length - count)) + self }
}
