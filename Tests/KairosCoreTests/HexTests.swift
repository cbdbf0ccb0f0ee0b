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
