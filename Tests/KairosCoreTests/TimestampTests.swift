import Testing

@testable import KairosCore

@Suite struct TimestampTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2026-11-22T10:00:00Z", Int64(1_795_341_600_000)),
        ("2026-11-22T10:00:00.123Z", Int64(1_795_341_600_123)),
        ("2026-11-22T12:00:00+02:00", Int64(1_795_341_600_000)),
        ("2026-11-22T05:00:00-0500", Int64(1_795_341_600_000)),
        ("2026-11-22 10:00:00.5z", Int64(1_795_341_600_500)),
        ("2026-11-22", Int64(1_795_305_600_000)),
        ("2024-02-29T00:00:00Z", Int64(1_709_164_800_000)),
    ])
    func parses(text: String, millis: Int64) {
        #expect(Timestamp.parse(text) == millis)
    }

    @Test(arguments: ["", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2026-11-22T25:00:00Z", "yesterday",
                      "2026-11-22T10:00:00Zjunk", "2026-11-22T10:00", "1700000000"])
    func rejects(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test func formatRoundTrips() {
        for millis: Int64 in [0, 1, 999, 1_795_341_600_123, -1, -86_400_001, 4_102_444_800_000] {
            #expect(Timestamp.parse(Timestamp.format(millis)) == millis)
        }
    }
}
